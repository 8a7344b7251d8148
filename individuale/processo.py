"""The process of a scheda di valutazione: its states, who moves it, the dates it must respect.

States (``SchedaValutazione.Stato``) and the actions that move a scheda (``AZIONI``):

    bozza --(valutatore: assegna_obiettivi, date of the colloquio iniziale)--> colloquio_iniziale
    colloquio_iniziale: the person signs for acknowledgement of the objectives (firma_assegnazione)
    colloquio_iniziale --(valutatore: colloquio_intermedio, date and notes)--> colloquio_intermedio
    colloquio_iniziale | colloquio_intermedio --(valutatore: avvia_valutazione)--> valutazione
        (the organisational scores are filled from ``queries.punteggi_organizzativi``)
    valutazione: for the role groups the Nucleo proposes (``gruppo.nucleo_vede``, the dirigenti)
        the Nucleo records its proposal (proposta_nucleo) after entering the scores
    valutazione --(valutatore: consegna_valutazione, date of delivery)--> presa_visione
        (refused while the scheda is incomplete: what is missing is listed)
    presa_visione: the person signs (firma_presa_visione) and may add remarks
    presa_visione --(person: chiedi_conciliazione, with reasons, within the term)--> conciliazione
    presa_visione --(person: rinuncia_conciliazione, after signing)--> definitiva
    presa_visione --(valutatore or Amministratore: rendi_definitiva, term expired)--> definitiva
    conciliazione --(valutatore or Amministratore: esito_conciliazione, reasons and score)--> definitiva

On «definitiva» ``punteggio_finale`` is the scheda's computed total (``queries.risultato_scheda``)
or, after a conciliazione, the score it decided.

Who: the evaluator (``scheda.valutatore``) runs the interviews and the evaluation; the person
evaluated signs and asks (or declines) the conciliazione; the Amministratore (HR) records the
conciliazione's outcome and closes a scheda whose term has expired. For a person without a login
(``Persona.utente`` empty) the evaluator or the Amministratore records what the person signed or
asked on paper («per conto della persona»). For the dirigenti the Nucleo di valutazione enters the
scores and records its proposal; the evaluator (Sindaco or Segretario) delivers it: a dirigente's
evaluation cannot be delivered before the Nucleo's proposal.

Dates (``oggi`` is the day of the action, today unless a test fixes it):
* no date in the future;
* colloquio iniziale between 1 October of the year before the cycle (objectives are often
  assigned with the budget, in the autumn) and 31 December of the cycle's year;
* colloquio intermedio within the cycle's year, not before the colloquio iniziale;
* the evaluation (the day it is delivered to the person) not before the interviews, from
  1 January of the cycle's year, by 31 December of the following year;
* the conciliazione is asked within ``gruppo.giorni_conciliazione`` days of the delivery
  (``data_valutazione``): the deadline day included.

Every action runs in one transaction with the scheda's row locked (``select_for_update``): two
clicks apply once, the second is refused because the state has moved. Every action saves the
scheda once, so django-simple-history keeps a row naming the action (``history_change_reason``)
and who did it; ``cronologia`` reads them back as the scheda's timeline.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from obiettivi import permessi
from seregno_perf import formati

from .models import SchedaValutazione, errori_obiettivi_scheda, errori_pesi_componenti

Stato = SchedaValutazione.Stato
CENTO = Decimal("100")


class ErroreProcesso(ValidationError):
    """An action refused: ``messages`` are Italian sentences saying why; nothing was written."""


@dataclass(frozen=True)
class Campo:
    """An input an action asks for: ``nome`` is the keyword of ``esegui`` and the POST name."""

    nome: str
    etichetta: str
    tipo: str  # "data", "testo", "numero"
    obbligatorio: bool = True


@dataclass(frozen=True)
class Azione:
    nome: str
    etichetta: str  # the button
    motivo: str  # the history's reason (what happened), at most 100 characters with details
    campi: tuple = ()

    def __str__(self):
        return self.etichetta


DATA_COLLOQUIO = Campo("data", "Data del colloquio", "data")
AZIONI = {a.nome: a for a in (
    Azione("assegna_obiettivi", "Registra il colloquio iniziale e assegna gli obiettivi",
           "Obiettivi assegnati nel colloquio iniziale", (DATA_COLLOQUIO,)),
    Azione("firma_assegnazione", "Firma per presa visione degli obiettivi",
           "Firma per presa visione degli obiettivi"),
    Azione("colloquio_intermedio", "Registra il colloquio intermedio", "Colloquio intermedio",
           (DATA_COLLOQUIO, Campo("note", "Note del colloquio", "testo", obbligatorio=False))),
    Azione("avvia_valutazione", "Avvia la valutazione", "Valutazione avviata"),
    Azione("proposta_nucleo", "Registra la proposta del Nucleo di valutazione",
           "Proposta del Nucleo di valutazione registrata"),
    Azione("consegna_valutazione", "Consegna la valutazione alla persona", "Valutazione consegnata",
           (Campo("data", "Data della consegna", "data"),)),
    Azione("firma_presa_visione", "Firma per presa visione della valutazione",
           "Firma per presa visione della valutazione",
           (Campo("osservazioni", "Osservazioni (facoltative)", "testo", obbligatorio=False),)),
    Azione("chiedi_conciliazione", "Chiedi la conciliazione", "Conciliazione chiesta",
           (Campo("motivi", "Motivi della richiesta", "testo"),)),
    Azione("rinuncia_conciliazione", "Non chiedo la conciliazione: la valutazione è definitiva",
           "Conciliazione non chiesta: valutazione definitiva"),
    Azione("rendi_definitiva", "Rendi definitiva (termine per la conciliazione scaduto)",
           "Termine per la conciliazione scaduto: valutazione definitiva"),
    Azione("esito_conciliazione", "Registra l'esito della conciliazione",
           "Conciliazione conclusa: valutazione definitiva",
           (Campo("esito", "Esito e sue ragioni (se non già scritto nella scheda)", "testo",
                  obbligatorio=False),
            Campo("punteggio", "Punteggio finale, 0–100 (se non già scritto nella scheda)", "numero",
                  obbligatorio=False))),
)}

# The state each action requires (several: any of them) and the state it leads to (None: stays).
DA_A = {
    "assegna_obiettivi": ((Stato.BOZZA,), Stato.COLLOQUIO_INIZIALE),
    "firma_assegnazione": ((Stato.COLLOQUIO_INIZIALE,), None),
    "colloquio_intermedio": ((Stato.COLLOQUIO_INIZIALE,), Stato.COLLOQUIO_INTERMEDIO),
    "avvia_valutazione": ((Stato.COLLOQUIO_INIZIALE, Stato.COLLOQUIO_INTERMEDIO), Stato.VALUTAZIONE),
    "proposta_nucleo": ((Stato.VALUTAZIONE,), None),
    "consegna_valutazione": ((Stato.VALUTAZIONE,), Stato.PRESA_VISIONE),
    "firma_presa_visione": ((Stato.PRESA_VISIONE,), None),
    "chiedi_conciliazione": ((Stato.PRESA_VISIONE,), Stato.CONCILIAZIONE),
    "rinuncia_conciliazione": ((Stato.PRESA_VISIONE,), Stato.DEFINITIVA),
    "rendi_definitiva": ((Stato.PRESA_VISIONE,), Stato.DEFINITIVA),
    "esito_conciliazione": ((Stato.CONCILIAZIONE,), Stato.DEFINITIVA),
}
# Who: the roles allowed each action. «valutato» includes the evaluator and the Amministratore
# acting for a person without a login («per conto»).
CHI = {
    "assegna_obiettivi": ("valutatore",),
    "firma_assegnazione": ("valutato",),
    "colloquio_intermedio": ("valutatore",),
    "avvia_valutazione": ("valutatore",),
    "proposta_nucleo": ("nucleo",),
    "consegna_valutazione": ("valutatore",),
    "firma_presa_visione": ("valutato",),
    "chiedi_conciliazione": ("valutato",),
    "rinuncia_conciliazione": ("valutato",),
    "rendi_definitiva": ("valutatore", "amministratore"),
    "esito_conciliazione": ("valutatore", "amministratore"),
}
# «spetta solo …»
DESCRIZIONE_CHI = {
    "valutatore": "al valutatore della scheda",
    "valutato": "alla persona valutata",
    "nucleo": "al Nucleo di valutazione",
    "amministratore": "a un Amministratore",
}
TESTO_MASSIMO = 5000


# --- pure rules -------------------------------------------------------------------------------

def limiti_date(anno: int) -> dict:
    """The bounds of each date of the process for a cycle of ``anno`` (see the module)."""
    return {
        "colloquio_iniziale": (datetime.date(anno - 1, 10, 1), datetime.date(anno, 12, 31)),
        "colloquio_intermedio": (datetime.date(anno, 1, 1), datetime.date(anno, 12, 31)),
        "valutazione": (datetime.date(anno, 1, 1), datetime.date(anno + 1, 12, 31)),
    }


def errori_data(valore, *, cosa: str, limiti: tuple, oggi: datetime.date, dopo=None) -> list[str]:
    """Why ``valore`` cannot be the date of ``cosa`` (empty: it can). ``dopo`` = (date, name):
    an earlier step it may not precede."""
    if valore is None:
        return [f"Indicare la data {cosa}."]
    if not isinstance(valore, datetime.date) or isinstance(valore, datetime.datetime):
        return [f"La data {cosa} non è una data valida (scrivere gg/mm/aaaa)."]
    errori = []
    if valore > oggi:
        errori.append(f"La data {cosa} ({formati.data(valore)}) è nel futuro: oggi è il "
                      f"{formati.data(oggi)}.")
    inizio, fine = limiti
    if not inizio <= valore <= fine:
        errori.append(f"La data {cosa} ({formati.data(valore)}) deve essere compresa tra il "
                      f"{formati.data(inizio)} e il {formati.data(fine)}.")
    if dopo is not None and dopo[0] is not None and valore < dopo[0]:
        errori.append(f"La data {cosa} ({formati.data(valore)}) non può precedere {dopo[1]} "
                      f"({formati.data(dopo[0])}).")
    return errori


def scadenza_conciliazione(data_consegna, giorni: int):
    """The last day on which the conciliazione may be asked (None before the delivery)."""
    if data_consegna is None:
        return None
    return data_consegna + datetime.timedelta(days=giorni)


def errori_assegnazione(*, peso_obiettivi, peso_comportamenti, descrizioni: list,
                        n_comportamenti: int) -> list[str]:
    """What the objectives' rules of ``individuale.models`` (weights) do not say: a scheda whose
    objectives count has at least one, each described; one whose behaviours count has some."""
    errori = []
    if peso_obiettivi and not descrizioni:
        errori.append("La scheda non ha obiettivi individuali: assegnarne almeno uno.")
    for indice, descrizione in enumerate(descrizioni, start=1):
        if not (descrizione or "").strip():
            errori.append(f"L'obiettivo n. {indice} non ha una descrizione.")
    if peso_comportamenti and n_comportamenti == 0:
        errori.append("La scheda non ha comportamenti da valutare: aggiungerli dal gruppo di ruolo.")
    return errori


def _testo(valore, *, cosa: str, obbligatorio: bool) -> tuple[str, list[str]]:
    testo = (valore or "").strip() if isinstance(valore, str) or valore is None else None
    if testo is None:
        return "", [f"{cosa.capitalize()}: testo non valido."]
    if obbligatorio and not testo:
        return "", [f"Indicare {cosa}."]
    if len(testo) > TESTO_MASSIMO:
        return "", [f"{cosa.capitalize()}: al massimo {formati.numero(TESTO_MASSIMO, 0)} caratteri "
                    f"(sono {formati.numero(len(testo), 0)})."]
    from obiettivi import regole

    return testo, [f"{cosa.capitalize()}: {m}" for m in regole.testo(testo, multiriga=True)]


# --- who may act --------------------------------------------------------------------------------

def _ruoli(scheda, utente) -> set:
    ruoli = set()
    if not (utente.is_authenticated and utente.is_active):
        return ruoli
    senza_accesso = scheda.persona.utente_id is None
    if permessi.e_valutatore(utente, scheda):
        ruoli.add("valutatore")
    if permessi.is_amministratore(utente, permessi.ente_di(scheda)):
        ruoli.add("amministratore")
    if permessi.e_valutato(utente, scheda) or (senza_accesso and ruoli):
        ruoli.add("valutato")
    if permessi.nucleo_della_scheda(utente, scheda):
        ruoli.add("nucleo")
    return ruoli


def _proposta_registrata(scheda) -> bool:
    """The Nucleo recorded its proposal since the evaluation started (dirigenti)."""
    avvio = (scheda.history.filter(history_change_reason=AZIONI["avvia_valutazione"].motivo)
             .order_by("-history_date").values_list("history_date", flat=True).first())
    righe = scheda.history.filter(history_change_reason=AZIONI["proposta_nucleo"].motivo)
    if avvio is not None:
        righe = righe.filter(history_date__gte=avvio)
    return righe.exists()


def _disponibile(scheda, azione: str, ruoli: set) -> bool:
    """The action fits the scheda's state, its fields and the user's roles (its inputs and dates
    are checked by ``esegui``)."""
    da, _a = DA_A[azione]
    if scheda.stato not in da or not ruoli.intersection(CHI[azione]):
        return False
    if azione == "firma_assegnazione":
        return scheda.firma_assegnazione is None
    if azione == "proposta_nucleo":
        return scheda.gruppo.nucleo_vede
    if azione == "firma_presa_visione":
        return scheda.firma_presa_visione is None
    if azione == "rinuncia_conciliazione":
        return scheda.firma_presa_visione is not None
    return True


def azioni_possibili(scheda, utente, *, oggi=None) -> list[Azione]:
    """The actions ``utente`` may take on ``scheda`` now, in the order of the process (the
    buttons to show). An action may still be refused by ``esegui`` for its data (dates, weights,
    missing scores): the refusal says why."""
    oggi = oggi or timezone.localdate()
    ruoli = _ruoli(scheda, utente)
    possibili = [a for nome, a in AZIONI.items() if _disponibile(scheda, nome, ruoli)]
    if any(a.nome == "rendi_definitiva" for a in possibili):
        scadenza = scadenza_conciliazione(scheda.data_valutazione, scheda.gruppo.giorni_conciliazione)
        if scadenza is not None and oggi <= scadenza:
            possibili = [a for a in possibili if a.nome != "rendi_definitiva"]
    if any(a.nome == "chiedi_conciliazione" for a in possibili):
        scadenza = scadenza_conciliazione(scheda.data_valutazione, scheda.gruppo.giorni_conciliazione)
        if scadenza is not None and oggi > scadenza:
            possibili = [a for a in possibili if a.nome != "chiedi_conciliazione"]
    return possibili


# --- the action -------------------------------------------------------------------------------

def _queries():
    from . import queries  # calcolo's reads (they import valutazione's scoring)

    return queries


def _compila_organizzativi(scheda) -> list[str]:
    punteggi = _queries().punteggi_organizzativi(scheda.ciclo)
    scheda.punteggio_ente = punteggi.get("ente")
    scheda.punteggio_area = punteggi.get(scheda.area_id) if scheda.area_id else None
    return ["punteggio_ente", "punteggio_area"]


def _verifica(scheda, azione: str, utente, oggi, dati) -> tuple[dict, list[str]]:
    """The values the action writes, or the reasons it is refused."""
    valori, errori = {}, []
    limiti = limiti_date(scheda.ciclo.anno)
    if azione == "assegna_obiettivi":
        errori += errori_data(dati.get("data"), cosa="del colloquio iniziale",
                              limiti=limiti["colloquio_iniziale"], oggi=oggi)
        if scheda.valutatore_id is None:
            errori.append("La scheda non ha un valutatore: indicarlo prima del colloquio iniziale.")
        elif scheda.valutatore_id == scheda.persona.utente_id:
            errori.append("Il valutatore della scheda è la persona valutata: indicare un altro "
                          "valutatore.")
        obiettivi = list(scheda.obiettivi.select_related("obbligatorio"))
        errori += [m for messaggi in errori_pesi_componenti(scheda).values() for m in messaggi]
        errori += errori_obiettivi_scheda(scheda, [(o.peso, o.obbligatorio) for o in obiettivi])
        errori += errori_assegnazione(
            peso_obiettivi=scheda.peso_obiettivi, peso_comportamenti=scheda.peso_comportamenti,
            descrizioni=[o.descrizione for o in obiettivi],
            n_comportamenti=scheda.comportamenti.count())
        valori["data_colloquio_iniziale"] = dati.get("data")
    elif azione == "colloquio_intermedio":
        errori += errori_data(dati.get("data"), cosa="del colloquio intermedio",
                              limiti=limiti["colloquio_intermedio"], oggi=oggi,
                              dopo=(scheda.data_colloquio_iniziale, "il colloquio iniziale"))
        note, e = _testo(dati.get("note"), cosa="le note del colloquio", obbligatorio=False)
        errori += e
        valori.update(data_colloquio_intermedio=dati.get("data"), note_colloquio_intermedio=note)
    elif azione == "avvia_valutazione":
        if scheda.firma_assegnazione is None:
            errori.append("La persona non ha ancora firmato per presa visione degli obiettivi.")
    elif azione == "consegna_valutazione":
        ultimo = scheda.data_colloquio_intermedio or scheda.data_colloquio_iniziale
        cosa_ultimo = ("il colloquio intermedio" if scheda.data_colloquio_intermedio
                       else "il colloquio iniziale")
        errori += errori_data(dati.get("data"), cosa="della consegna della valutazione",
                              limiti=limiti["valutazione"], oggi=oggi, dopo=(ultimo, cosa_ultimo))
        if scheda.gruppo.nucleo_vede and not _proposta_registrata(scheda):
            errori.append("Il Nucleo di valutazione non ha ancora registrato la sua proposta.")
        if scheda.punteggio_ente is None or scheda.punteggio_area is None:
            _compila_organizzativi(scheda)  # the cycle's results may be ready now
        risultato = _queries().risultato_scheda(scheda)
        if not risultato.completa:
            errori += [f"La scheda è incompleta: {m}" for m in risultato.mancanti] or [
                "La scheda è incompleta."]
        valori.update(data_valutazione=dati.get("data"), punteggio_ente=scheda.punteggio_ente,
                      punteggio_area=scheda.punteggio_area)
    elif azione == "firma_presa_visione":
        osservazioni, e = _testo(dati.get("osservazioni"), cosa="le osservazioni", obbligatorio=False)
        errori += e
        valori.update(firma_presa_visione=timezone.now(), osservazioni_valutato=osservazioni)
    elif azione == "chiedi_conciliazione":
        motivi, e = _testo(dati.get("motivi"), cosa="i motivi della richiesta", obbligatorio=True)
        errori += e
        scadenza = scadenza_conciliazione(scheda.data_valutazione, scheda.gruppo.giorni_conciliazione)
        if scadenza is not None and oggi > scadenza:
            errori.append(f"Il termine per chiedere la conciliazione è scaduto il "
                          f"{formati.data(scadenza)} ({scheda.gruppo.giorni_conciliazione} giorni "
                          f"dalla consegna della valutazione, il {formati.data(scheda.data_valutazione)}).")
        valori.update(conciliazione_richiesta=timezone.now(), conciliazione_motivi=motivi)
    elif azione == "rendi_definitiva":
        scadenza = scadenza_conciliazione(scheda.data_valutazione, scheda.gruppo.giorni_conciliazione)
        if scadenza is not None and oggi <= scadenza:
            errori.append(f"La persona può chiedere la conciliazione fino al {formati.data(scadenza)} "
                          f"({formati.giorni_alla_scadenza(scadenza, oggi)}): la scheda diventa "
                          "definitiva dopo, o prima se la persona dichiara di non chiederla.")
    elif azione == "esito_conciliazione":
        # what the evaluator may already have written in the scheda's page stands if not retyped
        esito, e = _testo(dati.get("esito") or scheda.conciliazione_esito,
                          cosa="l'esito della conciliazione e le sue ragioni", obbligatorio=True)
        errori += e
        punteggio = dati.get("punteggio")
        if punteggio is None:
            punteggio = scheda.conciliazione_punteggio
        if punteggio is None:
            errori.append("Indicare il punteggio finale deciso dalla conciliazione.")
        elif not isinstance(punteggio, Decimal) or not Decimal(0) <= punteggio <= CENTO:
            errori.append("Il punteggio finale deve essere un numero tra 0 e 100.")
        else:
            valori["conciliazione_punteggio"] = punteggio
        valori["conciliazione_esito"] = esito
    if azione == "firma_assegnazione":
        valori["firma_assegnazione"] = timezone.now()
    return valori, errori


def _dettaglio(azione: str, valori: dict, ruoli: set, utente, scheda) -> str:
    """The history's reason: the action, its date, and «per conto» when signed on paper."""
    motivo = AZIONI[azione].motivo
    data = valori.get("data_colloquio_iniziale") or valori.get("data_colloquio_intermedio") \
        or valori.get("data_valutazione")
    if data:
        motivo += f" il {formati.data(data)}"
    if CHI[azione] == ("valutato",) and not permessi.e_valutato(utente, scheda):
        motivo += " (per conto della persona)"
    return motivo[:100]


@transaction.atomic
def esegui(scheda, azione: str, utente, *, oggi=None, **dati):
    """Apply ``azione`` to ``scheda`` for ``utente`` (see the module), or raise
    ``ErroreProcesso`` with every reason and write nothing. ``dati``: the action's inputs
    (``AZIONI[azione].campi``: ``data`` a date, ``note``/``osservazioni``/``motivi``/``esito``
    text, ``punteggio`` a Decimal). Returns the scheda as saved."""
    if azione not in AZIONI:
        raise ErroreProcesso(f"Azione sconosciuta: «{azione}».")
    oggi = oggi or timezone.localdate()
    scheda = SchedaValutazione.objects.select_for_update().get(pk=scheda.pk)
    ruoli = _ruoli(scheda, utente)
    da, a = DA_A[azione]
    etichetta = AZIONI[azione].etichetta
    if scheda.stato not in da:
        raise ErroreProcesso(
            f"«{etichetta}» non è possibile: la scheda è in «{Stato(scheda.stato).label}» "
            f"(serve {' o '.join(f'«{Stato(s).label}»' for s in da)}).")
    if not ruoli.intersection(CHI[azione]):
        chi = " o ".join(DESCRIZIONE_CHI[r] for r in CHI[azione])
        raise ErroreProcesso(f"«{etichetta}» spetta solo {chi}.")
    if not _disponibile(scheda, azione, ruoli):
        raise ErroreProcesso(_perche_non_disponibile(scheda, azione))
    valori, errori = _verifica(scheda, azione, utente, oggi, dati)
    if errori:
        raise ErroreProcesso(errori)
    if azione == "avvia_valutazione":
        _compila_organizzativi(scheda)
        valori.update(punteggio_ente=scheda.punteggio_ente, punteggio_area=scheda.punteggio_area)
    for campo, valore in valori.items():
        setattr(scheda, campo, valore)
    campi = set(valori)
    if a is not None:
        scheda.stato = a
        campi.add("stato")
    if a == Stato.DEFINITIVA:
        scheda.data_definitiva = timezone.now()
        if scheda.conciliazione_punteggio is not None and azione == "esito_conciliazione":
            scheda.punteggio_finale = scheda.conciliazione_punteggio
        else:
            scheda.punteggio_finale = _queries().risultato_scheda(scheda).punteggio
        campi.update({"data_definitiva", "punteggio_finale"})
    scheda._change_reason = _dettaglio(azione, valori, ruoli, utente, scheda)
    scheda._history_user = utente
    # only what the action changes: an admin form saved at the same time keeps its own fields
    scheda.save(update_fields=sorted(campi) or None)
    return scheda


def _perche_non_disponibile(scheda, azione):
    if azione == "firma_assegnazione":
        return f"Gli obiettivi sono già stati firmati il {formati.data(scheda.firma_assegnazione)}."
    if azione == "firma_presa_visione":
        return f"La valutazione è già stata firmata il {formati.data(scheda.firma_presa_visione)}."
    if azione == "rinuncia_conciliazione":
        return "Prima firmare per presa visione della valutazione."
    if azione == "proposta_nucleo":
        return "La proposta del Nucleo di valutazione riguarda solo le schede dei dirigenti."
    return f"«{AZIONI[azione].etichetta}» non è possibile ora."


# --- the timeline ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Passo:
    quando: datetime.datetime
    chi: str
    cosa: str
    stato: str  # the state's label after the step


def cronologia(scheda) -> list[Passo]:
    """The steps of the process of ``scheda`` (the history rows of its actions), oldest first;
    one query."""
    passi = Q()
    for azione in AZIONI.values():
        passi |= Q(history_change_reason__startswith=azione.motivo)
    righe = (scheda.history.filter(passi).select_related("history_user")
             .order_by("history_date", "history_id"))
    return [
        Passo(quando=r.history_date, chi=_nome(r.history_user), cosa=r.history_change_reason,
              stato=Stato(r.stato).label)
        for r in righe
    ]


def _nome(utente) -> str:
    if utente is None:
        return "sistema"
    return utente.get_full_name() or utente.get_username()
