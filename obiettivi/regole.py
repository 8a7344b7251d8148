"""The rules of the plan's data, once: what an objective, an indicator or a phase may hold.

Pure: no queries. Field limits (``max_length``, digits, validators' bounds, the code format) are
read from the models' ``_meta``; everything else is a plain function of plain values. Each
function returns Italian messages keyed by the **model field** they are about::

    regole.errori_obiettivo({"stato": "rinviato", "anno_rinvio": None})
    → {"anno_rinvio": ["Per un obiettivo «Rinviato» indicare l'anno del rinvio."]}

An empty dict (or list) means the values are fine. The same messages reach everyone:

* **Models** (``RegoleMixin.clean_fields``, below, a base of every model with texts): every
  ``full_clean()`` — hence every ModelForm of the admin — checks control characters in every
  text field and the model's cross-field rules (``errori_obiettivo``, ``errori_indicatore``, ``errori_fase``).
  A message about a field the form does not carry (read-only for that user) goes to the form.
* **Admin forms** (``obiettivi.forms``, ``valutazione.forms``): what needs more than one row —
  the phases of an objective summing to 100 (``errori_fasi``), the fields an action needs
  (``errori_invio``, ``errori_validazione``, ``errori_rinvio``) — through
  ``obiettivi.forms.aggiungi_errori(form, errori)``.
* **Workflow** (``obiettivi.workflow``): ``errori_invio`` / ``errori_validazione`` /
  ``errori_rinvio`` on the saved objective, prefixed with its code; grades against the cycle's
  SMVP scale (``grado``, with ``workflow.gradi_smvp``).
* **What may change now** (``errori_modifica``: the cycle's state, outcomes already with the
  Nucleo, the plan only in «Pianificazione»): the PEG import, row by row (``obiettivi.peg.piano``).
* **The approving act** (``errori_atto_approvazione``): the cycle's approval page and
  ``workflow.ciclo_avanza``.
* **PEG import** (``obiettivi.peg.risorse``, one django-import-export Resource per sheet): after
  reading a cell (``seregno_perf.formati.leggi_numero`` / ``leggi_data``, ``scelta`` for statuses
  and types), ``errori_campi(model, values)`` for each field's limits and control characters,
  then the same ``errori_*`` on the row's final values, and ``errori_fasi`` per objective
  (``obiettivi.peg.piano``); each field name is mapped to the sheet's column (e.g.
  ``motivazione_stato`` → ``motivazione``).

``tests/obiettivi/test_regole_accordo.py`` feeds the same rows to the admin and to the import
and checks that they answer alike, message for message.

Numbers in messages are Italian (``formati.numero``); years and codes are printed as they are.
"""

from __future__ import annotations

import datetime
import unicodedata
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import RegexValidator
from django.forms import Field as _FormField
from django.forms import IntegerField as _IntegerField

from seregno_perf import formati

Errori = dict[str, list[str]]

CENTO = Decimal("100")

# --- messages that are not about one rule ----------------------------------------------------

#: A required value is missing: Django's own wording, so the admin and the import say the same.
OBBLIGATORIO = _FormField.default_error_messages["required"]
#: A whole number was expected (a year, a grade): Django's wording, as the admin's field says it.
NON_INTERO = _IntegerField.default_error_messages["invalid"]

# --- codes -----------------------------------------------------------------------------------

# Codes end up in public URLs (/obiettivi/<codice>/, /linee/<codice>/): letters, digits, ".",
# "_", "-". The validator is the models' (``Obiettivo.codice``, ``NodoStrategico.codice``).
CODICE_RE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
MESSAGGIO_CODICE = (
    "Codice non valido: usare solo lettere, cifre, punto, trattino e trattino basso, "
    "iniziando con una lettera o una cifra (niente spazi, «/», «?», «#»)."
)
codice_valido = RegexValidator(CODICE_RE, MESSAGGIO_CODICE)


def codice(valore: str) -> list[str]:
    """The code format (empty: nothing to say here; required-ness is the field's)."""
    if not valore:
        return []
    try:
        codice_valido(valore)
    except ValidationError as errore:
        return list(errore.messages)
    return []


# --- texts -----------------------------------------------------------------------------------

#: Where a multi-line text allows them: tab, line feed and the carriage return browsers send.
SPAZI_MULTIRIGA = frozenset("\t\n\r")


def testo(valore, *, multiriga: bool = False) -> list[str]:
    """Control characters (Unicode category Cc: NUL, \\x01…, DEL, C1) are refused in every text;
    tab and new lines only in a multi-line text (a TextField). One message, for the first one."""
    if not isinstance(valore, str):
        return []
    for posizione, carattere in enumerate(valore, start=1):
        if unicodedata.category(carattere) != "Cc":
            continue
        if carattere in SPAZI_MULTIRIGA:
            if multiriga:
                continue
            return ["Questo testo va scritto su una sola riga: togliere a capo e tabulazioni "
                    f"(carattere {posizione})."]
        return [f"Il testo contiene un carattere di controllo invisibile (U+{ord(carattere):04X}, "
                f"carattere {posizione}) che non si può salvare: cancellarlo e riscrivere il testo."]
    return []


def multiriga(campo_modello) -> bool:
    """A TextField may hold tabs and new lines; a CharField is one line."""
    return campo_modello.get_internal_type() == "TextField"


def campi_testo(model) -> list:
    """The model's editable text fields (CharField, TextField and their subclasses)."""
    return [
        f for f in model._meta.concrete_fields
        if f.editable and f.get_internal_type() in ("CharField", "TextField", "SlugField",
                                                     "EmailField")
    ]


def messaggi_validatore(errore: ValidationError) -> list[str]:
    """The messages of a validator's error with its decimal bounds written the Italian way
    ("maggiore o uguale a 0,01", not "0.01"); whole numbers — years, lengths, digits — as
    they are."""
    testi = []
    for singolo in errore.error_list:
        parametri = dict(singolo.params or {})
        for chiave, valore in parametri.items():
            if isinstance(valore, (Decimal, float)) and not isinstance(valore, bool):
                parametri[chiave] = formati.numero(valore, None)
        testi.append(str(singolo.message % parametri if parametri else singolo.message))
    return testi


def campo(model, nome: str, valore) -> list[str]:
    """One field's own limits, read from ``model._meta``: control characters (texts), then the
    model field's validators — ``max_length``, digits and decimal places, minimum and maximum,
    the code format — with Django's Italian wording (the same the admin's form shows)."""
    campo_modello = model._meta.get_field(nome)
    errori = testo(valore, multiriga=multiriga(campo_modello)) if isinstance(valore, str) else []
    if errori or valore in campo_modello.empty_values:
        return errori
    try:
        campo_modello.run_validators(valore)
    except ValidationError as errore:
        errori.extend(messaggi_validatore(errore))
    return errori


def errori_campi(model, valori: dict) -> Errori:
    """``campo`` for every field in ``valori``."""
    errori = {}
    for nome, valore in valori.items():
        messaggi = campo(model, nome, valore)
        if messaggi:
            errori[nome] = messaggi
    return errori


def errori_testi(model, valori: dict) -> Errori:
    """Control characters in the text fields of ``valori`` (a model's ``full_clean``)."""
    errori = {}
    for f in campi_testo(model):
        if f.name in valori:
            messaggi = testo(valori[f.name], multiriga=multiriga(f))
            if messaggi:
                errori[f.name] = messaggi
    return errori


# --- choices ---------------------------------------------------------------------------------

MESSAGGIO_SCELTA = "«%(value)s» non è tra i valori ammessi (%(ammessi)s)."


def messaggio_scelta(ammessi) -> str:
    """The message for a value outside ``ammessi`` (for ``ChoiceField.error_messages``: keeps
    ``%(value)s``)."""
    return MESSAGGIO_SCELTA.replace("%(ammessi)s", ", ".join(ammessi))


def scelta(valore: str, ammessi: dict) -> tuple[str | None, list[str]]:
    """Read a choice typed by a person: ``ammessi`` maps accepted spellings (lower case) to the
    stored value. Returns (value, messages); an empty text is (None, [])."""
    testo_ = (valore or "").strip()
    if not testo_:
        return None, []
    trovato = ammessi.get(testo_.lower())
    if trovato is None:
        elenco = list(dict.fromkeys(ammessi.values()))
        return None, [messaggio_scelta(elenco) % {"value": testo_}]
    return trovato, []


def stati_obiettivo() -> dict[str, str]:
    """Accepted spellings of an objective's status: the stored value, its label, with spaces."""
    from .models import Obiettivo

    ammessi = {}
    for valore, etichetta in Obiettivo.Stato.choices:
        ammessi[valore] = valore
        ammessi[valore.replace("_", " ")] = valore
        ammessi[str(etichetta).lower()] = valore
    return ammessi


# --- the objective ---------------------------------------------------------------------------

ATTIVO = "attivo"
RINVIATO = "rinviato"
#: Statuses that need their reason (e.g. «causa COVID-19»).
STATI_CON_MOTIVAZIONE = ("sospeso", "non_applicabile")


def _etichetta(scelte: str, valore) -> str:
    """The label of ``valore`` among the models' choices ``scelte`` («Obiettivo.Stato»,
    «Ciclo.Stato», …); an unknown value as it is."""
    from . import models

    classe = models
    for nome in scelte.split("."):
        classe = getattr(classe, nome)
    try:
        return str(classe(valore).label)
    except ValueError:
        return str(valore)


def _etichetta_stato(stato) -> str:
    return _etichetta("Obiettivo.Stato", stato)


def _vuoto(valore) -> bool:
    return valore is None or (isinstance(valore, str) and not valore.strip())


def grado(valore, gradi=None) -> list[str]:
    """A grade among the levels of the cycle's SMVP scale (``gradi``). The models' own 1–5
    bounds are field limits (``campo``): without ``gradi`` there is nothing more to check."""
    if valore is None or gradi is None or valore in gradi:
        return []
    elenco = ", ".join(str(g) for g in gradi)
    return [f"Il grado {valore} non è nella scala dell'SMVP del ciclo ({elenco})."]


def errori_obiettivo(valori: dict, *, gradi=None) -> Errori:
    """The objective's rules across fields. ``valori`` holds the objective's final values
    (missing keys are taken as empty): status, reason and postponement year; grades only for
    active objectives and within the scale; the Nucleo's reason when it changes the grade."""
    errori: Errori = {}

    def aggiungi(campo_, messaggio):
        errori.setdefault(campo_, []).append(messaggio)

    stato = valori.get("stato") or ATTIVO
    anno_rinvio = valori.get("anno_rinvio")
    if stato in STATI_CON_MOTIVAZIONE and _vuoto(valori.get("motivazione_stato")):
        aggiungi("motivazione_stato", f"Per un obiettivo «{_etichetta_stato(stato)}» indicare la "
                 "motivazione (es. «causa COVID-19»).")
    if stato == RINVIATO and anno_rinvio is None:
        aggiungi("anno_rinvio", "Per un obiettivo «Rinviato» indicare l'anno del rinvio.")
    if stato != RINVIATO and anno_rinvio is not None:
        aggiungi("anno_rinvio", "L'anno di rinvio si indica solo per gli obiettivi rinviati: "
                 "svuotare il campo o impostare lo stato «Rinviato».")

    proposto, validato = valori.get("grado_proposto"), valori.get("grado_validato")
    for nome, valore in (("grado_proposto", proposto), ("grado_validato", validato)):
        for messaggio in grado(valore, gradi):
            aggiungi(nome, messaggio)
    if stato != ATTIVO and (proposto is not None or validato is not None):
        aggiungi("grado_proposto" if proposto is not None else "grado_validato",
                 "Solo gli obiettivi attivi ricevono un grado: svuotare i gradi o impostare lo "
                 "stato «Attivo».")
    if (validato is not None and validato != proposto
            and _vuoto(valori.get("motivazione_grado"))):
        aggiungi("motivazione_grado", "Il grado validato differisce da quello proposto: indicare "
                 "la motivazione del Nucleo.")
    return errori


#: How far (in levels of the scale) the proposed grade may be from the grade the SMVP's bands
#: give to the computed % achievement before the dirigente must explain it in a line
#: (``Obiettivo.spiegazione_grado``): one level is the judgement the dirigente is asked for
#: (e.g. 78% → 2, proposed 3), two or more is a different outcome (e.g. 40% → 1, proposed 3).
SCOSTAMENTO_DA_SPIEGARE = 2


def errori_scostamento(grado_proposto, grado_calcolato, spiegazione) -> Errori:
    """A proposed grade ``SCOSTAMENTO_DA_SPIEGARE`` or more levels away from the computed one
    needs a line of explanation. Nothing to say when either grade is missing (nothing measured,
    no SMVP, no proposal yet). The admin form (on every save) and the workflow (at «Invia al
    Nucleo») call it."""
    if grado_proposto is None or grado_calcolato is None or not _vuoto(spiegazione):
        return {}
    distanza = abs(int(grado_proposto) - int(grado_calcolato))
    if distanza < SCOSTAMENTO_DA_SPIEGARE:
        return {}
    return {"spiegazione_grado": [
        f"Il grado proposto ({grado_proposto}) si discosta di {distanza} livelli da quello "
        f"calcolato dagli indicatori e dalle fasi ({grado_calcolato}): spiegare in una riga "
        "il perché nella «spiegazione del grado proposto»."
    ]}


def errori_invio(valori: dict) -> Errori:
    """What the dirigente must have written before sending the objective to the Nucleo."""
    errori: Errori = {}
    if _vuoto(valori.get("relazione")):
        errori["relazione"] = ["Per inviare al Nucleo scrivere la relazione sintetica."]
    if (valori.get("stato") or ATTIVO) == ATTIVO and valori.get("grado_proposto") is None:
        errori["grado_proposto"] = ["Per inviare al Nucleo indicare il grado proposto."]
    return errori


def errori_validazione(valori: dict) -> Errori:
    """What the Nucleo must give to validate: the validated grade of an active objective (its
    reason when it differs from the proposed one is a rule of ``errori_obiettivo``)."""
    if (valori.get("stato") or ATTIVO) == ATTIVO and valori.get("grado_validato") is None:
        return {"grado_validato": ["Per validare indicare il grado validato."]}
    return {}


def errori_rinvio(valori: dict) -> Errori:
    """The Nucleo sends an objective back only saying what to correct."""
    commento = valori.get("commento_nucleo")
    if _vuoto(commento):
        return {"commento_nucleo": [
            "Per rinviare al dirigente scrivere nel commento che cosa va corretto."]}
    messaggi = testo(commento, multiriga=True)
    return {"commento_nucleo": messaggi} if messaggi else {}


# --- indicators ------------------------------------------------------------------------------

SI_NO = (Decimal(0), Decimal(1))
#: How a person may write yes / no in a cell.
SI_NO_TESTO = {"sì": Decimal(1), "si": Decimal(1), "sí": Decimal(1), "no": Decimal(0),
               "1": Decimal(1), "0": Decimal(0)}


def errori_indicatore(valori: dict) -> Errori:
    """A «scadenza» indicator has its expected date; a «sì / no» one is 1 (yes) or 0 (no)."""
    errori: Errori = {}
    tipo = valori.get("tipo")
    if tipo == "scadenza" and valori.get("data_target") is None:
        errori["data_target"] = [
            "Per un indicatore «Scadenza (data)» indicare la scadenza prevista."]
    if tipo == "si_no":
        for nome in ("target", "consuntivo"):
            valore = valori.get(nome)
            if valore is not None and valore not in SI_NO:
                errori[nome] = ["Per un indicatore «Sì / no» scrivere 1 (sì) oppure 0 (no)."]
    return errori


# --- phases ----------------------------------------------------------------------------------

def errori_fase(valori: dict) -> Errori:
    """A phase ends on or after its start."""
    inizio, fine = valori.get("inizio"), valori.get("fine")
    if isinstance(inizio, datetime.date) and isinstance(fine, datetime.date) and fine < inizio:
        return {"fine": [f"La data di fine ({formati.data(fine)}) non può precedere la data di "
                         f"inizio ({formati.data(inizio)})."]}
    return {}


def errori_fasi(pesi, *, obiettivo: str = "") -> list[str]:
    """The phases of one objective, if any, have weights summing to exactly 100."""
    pesi = [p for p in pesi if p is not None]
    somma = sum(pesi, Decimal(0))
    if not pesi or somma == CENTO:
        return []
    di = f" dell'obiettivo {obiettivo}" if obiettivo else ""
    return [f"La somma dei pesi delle fasi{di} è {formati.numero(somma, None)}: deve essere 100."]


# --- what a change may touch, by the cycle's state (the PEG import) ---------------------------

#: The outcome fields of each model (``_meta.label_lower``): what is measured after the year —
#: by the dirigenti (``permessi.CAMPI_ESITO``, the fields their page opens) or by the
#: Amministratore (the barometro's grade, the financial values). Every other field of a row is
#: the plan: titles, weights, targets, expected dates, areas, the tree, the statuses.
CAMPI_RISULTATO = {
    "obiettivi.obiettivo": ("relazione", "grado_proposto", "spiegazione_grado"),
    "obiettivi.indicatore": ("consuntivo", "data_consuntivo"),
    "obiettivi.fase": ("percentuale",),
    "valutazione.standardbarometro": ("rilevato", "grado"),
    "valutazione.indicatorefinanziario": ("valore",),
}
PIANIFICAZIONE = "pianificazione"
VALIDAZIONE = "validazione"
#: From «Validazione» on the figures are the Nucleo's and the Giunta's (``workflow``): nothing is
#: changed by an import, unless an Amministratore reopened the cycle into «Validazione»
#: (``workflow.ciclo_riapri``; «Approvata» and «Pubblicata» are the locked states, refused whole).
STATI_CHIUSI = (VALIDAZIONE, "approvata", "pubblicata")
#: An objective whose outcome is the Nucleo's now: sent to it, or validated.
ESITO_AL_NUCLEO = ("inviato", "validato")


def errori_modifica(*, cosa: str, modello: str, campi=(), nuova: bool = False,
                    stato_ciclo: str, riaperto: bool = False, obiettivo: str | None = None,
                    stato_rendicontazione: str | None = None) -> Errori:
    """What a change to one row may not do now, whoever makes it (the role's own limits are
    ``permessi.campi_modificabili``). ``cosa`` names the row («l'indicatore 'LP.02 / I1'»),
    ``modello`` is its model's label, ``campi`` the model fields it changes (a new row: none,
    ``nuova``); ``obiettivo`` and ``stato_rendicontazione`` are the code and the reporting state
    of the objective the row belongs to (None for the barometro and the financial indicators).
    ``riaperto``: the cycle was brought back to its state by a reopening.

    * «Validazione» and later: nothing changes, unless the cycle was reopened into «Validazione»;
    * an outcome (``CAMPI_RISULTATO``) of an objective sent to or validated by the Nucleo is
      never overwritten (to correct it, the Nucleo sends the objective back);
    * the plan (every other field, and new rows) changes only in «Pianificazione».

    Messages are keyed by field (``codice`` for a new row)."""
    stato = _etichetta("Ciclo.Stato", stato_ciclo)
    al_nucleo = _etichetta("Obiettivo.StatoRendicontazione", stato_rendicontazione)
    if stato_ciclo in STATI_CHIUSI and not (riaperto and stato_ciclo == VALIDAZIONE):
        messaggio = (f"il ciclo è in «{stato}»: {cosa} non si può più modificare (un "
                     "Amministratore può riaprire il ciclo)")
        return {campo: [messaggio] for campo in (("codice",) if nuova else campi)}
    if nuova:
        if stato_ciclo != PIANIFICAZIONE:
            return {"codice": [
                f"{cosa} non esiste nel ciclo: le righe nuove del piano si aggiungono solo in "
                f"«Pianificazione» (il ciclo è in «{stato}»)"]}
        return {}
    errori: Errori = {}
    risultati = CAMPI_RISULTATO.get(modello, ())
    for campo in campi:
        if campo in risultati:
            if stato_rendicontazione in ESITO_AL_NUCLEO:
                errori[campo] = [
                    f"l'obiettivo '{obiettivo}' è già «{al_nucleo}»: i suoi esiti non si "
                    "sovrascrivono (per correggerli il Nucleo rinvia l'obiettivo al dirigente)"]
        elif stato_ciclo != PIANIFICAZIONE:
            errori[campo] = [
                f"{cosa}: il piano (titoli, pesi, target, date previste, aree, albero) si modifica "
                f"solo in «Pianificazione» (il ciclo è in «{stato}»)"]
    return errori


# --- whole rows ------------------------------------------------------------------------------

def unisci(*elenchi: Errori) -> Errori:
    """Several ``Errori`` in one (messages of the same field kept in order, without repeats)."""
    tutti: Errori = {}
    for errori in elenchi:
        for nome, messaggi in errori.items():
            for messaggio in messaggi:
                if messaggio not in tutti.setdefault(nome, []):
                    tutti[nome].append(messaggio)
    return tutti


# --- models ----------------------------------------------------------------------------------

# Kinds of act (``Atto.tipo``). Only a deliberation of the Giunta approves the Relazione
# (D.Lgs. 150/2009, art. 10 c. 1 lett. b); the import and the demo give a kind to an act read
# with only its «organo».
DELIBERA_GIUNTA = "delibera_giunta"
TIPI_ATTO = {
    DELIBERA_GIUNTA: "Deliberazione della Giunta",
    "delibera_consiglio": "Deliberazione del Consiglio",
    "decreto": "Decreto del Sindaco o del Presidente",
    "determinazione": "Determinazione dirigenziale",
    "legge": "Legge o decreto legislativo",
    "altro": "Altro",
}


def errori_atto_approvazione(atto, *, ente_id, anno: int) -> list[str]:
    """The act approving the Relazione of a cycle (``ente_id``, ``anno``): a deliberation of the
    Giunta (``Atto.tipo``), of the cycle's own ente, dated within or after the cycle's year (its
    ``data`` when known, else its ``anno``). ``atto`` is an ``Atto`` (or any object with
    ``tipo``, ``ente_id``, ``data``, ``anno``), or None. Each message names the act."""
    if atto is None:
        return ["Per approvare indicare l'atto della Giunta che approva la Relazione."]
    errori = []
    if atto.tipo != DELIBERA_GIUNTA:
        tipo = TIPI_ATTO.get(atto.tipo, "non indicato")
        errori.append(f"L'atto «{atto}» non è una deliberazione della Giunta (tipo: «{tipo}»): "
                      "la Relazione si approva solo con una deliberazione della Giunta.")
    if atto.ente_id != ente_id:
        errori.append(f"L'atto «{atto}» è di un altro ente: la Relazione si approva con una "
                      "deliberazione della Giunta dello stesso ente del ciclo.")
    anno_atto = atto.data.year if atto.data else atto.anno
    if anno_atto is not None and anno_atto < anno:
        quando = f"del {formati.data(atto.data)}" if atto.data else f"del {atto.anno}"
        errori.append(f"L'atto «{atto}» è {quando}, prima dell'anno del ciclo: la Relazione "
                      f"{anno} si approva con un atto del {anno} o successivo.")
    return errori


def tipo_atto_da_organo(organo: str) -> str:
    """The kind of act its «organo» names: «Giunta Comunale» → delibera_giunta."""
    testo = (organo or "").casefold()
    if "giunta" in testo:
        return DELIBERA_GIUNTA
    if "consiglio" in testo:
        return "delibera_consiglio"
    if "legge" in testo or "legislativo" in testo or "d.lgs" in testo or "dpr" in testo \
            or "d.p.r" in testo:
        return "legge"
    if "determin" in testo:
        return "determinazione"
    if "decreto" in testo:
        return "decreto"
    return "altro"


class RegoleMixin:
    """``full_clean()`` (every ModelForm of the admin) checks the rules of ``obiettivi.regole``:
    control characters in every text field, then the model's rules across fields
    (``errori_regole``). A message about a field left out of the check (a field the form does
    not carry, e.g. read-only for the user) is reported for the whole object."""

    def errori_regole(self) -> dict[str, list[str]]:
        return {}

    def clean_fields(self, exclude=None):
        esclusi = set(exclude or ())
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as errore:
            # the fields' own validators, with their decimal bounds written the Italian way
            errori = {nome: [ValidationError(m) for e in elenco for m in messaggi_validatore(e)]
                      for nome, elenco in errore.error_dict.items()}
        else:
            errori = {}
        valori = {f.name: getattr(self, f.attname) for f in campi_testo(type(self))
                  if f.name not in esclusi and f.name not in errori}
        trovati = unisci(errori_testi(type(self), valori), self.errori_regole())
        # Fields a form already refused (``RegoleFormMixin``): their value here is the old one.
        gia_rifiutati = getattr(self, "_campi_rifiutati", frozenset())
        for nome, messaggi in trovati.items():
            if nome in gia_rifiutati:
                continue
            chiave = nome if nome not in esclusi else NON_FIELD_ERRORS
            if chiave in errori and chiave != NON_FIELD_ERRORS:
                continue  # the field's own error already says what is wrong with it
            errori.setdefault(chiave, []).extend(ValidationError(m) for m in messaggi)
        if errori:
            raise ValidationError(errori)
