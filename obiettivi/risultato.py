"""The computed result of one objective on its admin page: % achievement and the grade the
SMVP's bands propose, from the saved indicators and phases or from the values being typed.

Nothing is computed here: ``valutazione.scoring`` does it (``raggiungimento_obiettivo``,
``grado_da_fasce``) from a ``DatiObiettivo``, the same plain values the published report is
computed from (``valutazione.queries``). This module only builds that ``DatiObiettivo``:

* ``calcola_salvato(obiettivo, regole)``: from the database (the change page without
  JavaScript, after «Salva e continua le modifiche»; the workflow at «Invia al Nucleo»);
* ``dati_dal_modulo(obiettivo, dati)``: from the POST of the objective's change form (the JSON
  endpoint the page's script calls while the user types, and the form's own check of the
  proposed grade). A field the form does not carry (read-only for the user) keeps its saved
  value; numbers are read with ``seregno_perf.formati.leggi_numero``, dates with ``leggi_data``;
  a value that cannot be read is an Italian message naming the row and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from seregno_perf import formati
from valutazione import queries, scoring

from . import permessi
from .models import Fase, Indicatore



@dataclass(frozen=True)
class RisultatoCalcolato:
    """What the page shows: the figures and the lines of scoring's explanation."""

    percentuale: Decimal | None
    grado: int | None
    grado_etichetta: str
    righe: tuple[str, ...]

    @property
    def percentuale_testo(self) -> str:
        if self.percentuale is None:
            return "non calcolabile"
        return formati.percentuale(self.percentuale)

    @property
    def grado_testo(self) -> str:
        if self.grado is None:
            return "non determinabile"
        return f"{self.grado} — {self.grado_etichetta}" if self.grado_etichetta else str(self.grado)

    def come_json(self) -> dict:
        return {
            "percentuale": self.percentuale_testo,
            "grado": self.grado,
            "grado_testo": self.grado_testo,
            "righe": list(self.righe),
        }


def calcola(dati: scoring.DatiObiettivo, regole: scoring.Regole) -> RisultatoCalcolato:
    """% achievement and the bands' grade of ``dati``, with scoring's explanation."""
    ragg = scoring.raggiungimento_obiettivo(dati, regole)
    grado, fascia = scoring.grado_da_fasce(ragg.percentuale, regole.fasce_raggiungimento)
    spiegazione = ragg.spiegazione
    righe = [f"Indicatore {r.codice}: {r.calcolo}" for r in ragg.indicatori if r.rilevato]
    righe += [f"Indicatore {e.codice}: {e.motivo}" for e in spiegazione.esclusioni]
    righe += spiegazione.calcolo.split("; ") if spiegazione.calcolo else [spiegazione.formula]
    righe += list(spiegazione.note)
    if fascia is not None:
        righe.append(f"Fascia dell'SMVP: {fascia.descrizione()}")
    return RisultatoCalcolato(
        percentuale=ragg.percentuale, grado=grado,
        grado_etichetta=regole.etichetta_grado(grado) if grado is not None else "",
        righe=tuple(righe),
    )


def calcola_salvato(obiettivo, regole: scoring.Regole | None = None) -> RisultatoCalcolato | None:
    """The result of the saved objective (None: its cycle has no SMVP)."""
    regole = regole if regole is not None else queries.regole_del_ciclo(obiettivo.ciclo)
    if regole is None:
        return None
    return calcola(queries.dati_obiettivo(obiettivo), regole)


# --- the values being typed -------------------------------------------------------------------

# The fields of a row the form may carry, by how they are read (text as typed).
CAMPI = {
    Indicatore: {
        "numeri": ("peso", "target", "consuntivo"),
        "date": ("data_target", "data_consuntivo"),
        "testi": ("codice", "nome", "unita", "tipo"),
    },
    Fase: {"numeri": ("peso", "percentuale"), "date": (), "testi": ("codice", "descrizione")},
}
NUOVA_RIGA = {
    Indicatore: scoring.DatiIndicatore(codice=""),
    Fase: scoring.DatiFase(codice="", peso=Decimal(0), percentuale=Decimal(0)),
}
PREFISSI = {Indicatore: "indicatori", Fase: "fasi"}  # the inline formsets' (related names)
NOME_RIGA = {Indicatore: "Indicatore", Fase: "Fase"}
MAX_RIGHE = 1000  # DATA_UPLOAD_MAX_NUMBER_FIELDS keeps real forms far below this


def _etichetta(model, campo) -> str:
    return str(model._meta.get_field(campo).verbose_name)


def _righe_del_modulo(modello, dati, salvati: dict, modificabili):
    """The rows of one inline (indicators or phases) as the form ``dati`` describes them:
    each saved row (``salvati``: pk → plain row) with the values the user may change replaced
    by the typed ones; rows deleted or added only by who may add them (an Amministratore).
    Returns (rows, messages about values that cannot be read)."""
    tutti = modificabili is permessi.TUTTI
    campi = CAMPI[modello]

    def modificabile(campo):
        return tutti or campo in modificabili

    prefisso = PREFISSI[modello]
    totale = str(dati.get(f"{prefisso}-TOTAL_FORMS", "0")).strip()
    totale = min(int(totale), MAX_RIGHE) if totale.isdigit() else 0
    righe, errori, visti = [], [], set()
    for indice in range(totale):
        chiave = f"{prefisso}-{indice}-"
        pk = str(dati.get(f"{chiave}id", "")).strip()
        pk = int(pk) if pk.isdigit() else None
        base = salvati.get(pk)
        if pk is not None and base is None:
            continue  # not one of this objective's rows
        if base is None:
            scritti = [c for gruppo in campi.values() for c in gruppo
                       if str(dati.get(chiave + c, "")).strip()]
            if not tutti or not scritti:
                continue
            base = NUOVA_RIGA[modello]
        visti.add(pk)
        if tutti and dati.get(f"{chiave}DELETE"):
            continue
        valori = {c: str(dati[chiave + c]).strip() for c in campi["testi"]
                  if modificabile(c) and chiave + c in dati}
        nome = f"{NOME_RIGA[modello]} {valori.get('codice') or base.codice or indice + 1}"
        for gruppo, lettore in (("numeri", formati.leggi_numero), ("date", formati.leggi_data)):
            for campo in campi[gruppo]:
                if not modificabile(campo) or chiave + campo not in dati:
                    continue
                try:
                    valori[campo] = lettore(dati[chiave + campo])
                except (formati.NumeroNonValido, formati.DataNonValida) as errore:
                    errori.append(f"{nome}, {_etichetta(modello, campo)}: {errore}")
        riga = replace(base, **valori)
        if riga.peso is None or riga.peso <= 0:
            errori.append(f"{nome}, {_etichetta(modello, 'peso')}: indicare un numero maggiore "
                          "di zero.")
        if modello is Indicatore and riga.tipo not in {str(v) for v in Indicatore.Tipo.values}:
            errori.append(f"{nome}, {_etichetta(modello, 'tipo')}: «{riga.tipo}» non è un tipo di "
                          "indicatore.")
        if modello is Fase and riga.percentuale is None:
            riga = replace(riga, percentuale=Decimal(0))
        righe.append(riga)
    # a saved row the form does not mention (read-only page) counts as saved
    righe += [riga for pk, riga in salvati.items() if pk not in visti]
    return righe, errori


def dati_dal_modulo(obiettivo, dati, utente) -> tuple[scoring.DatiObiettivo, list[str]]:
    """The objective as the change form ``dati`` (a POST by ``utente``) describes it now, and
    the messages about values that cannot be read. Only the fields ``utente`` may change are
    read (``obiettivi.permessi``, as the form itself): a value posted for a read-only field is
    ignored."""
    salvato = queries.dati_obiettivo(obiettivo)
    righe, errori = {}, []
    for modello, salvate in ((Indicatore, salvato.indicatori), (Fase, salvato.fasi)):
        per_codice = {r.codice: r for r in salvate}
        salvati = {
            pk: per_codice[codice]
            for pk, codice in modello.objects.filter(obiettivo=obiettivo).values_list("pk", "codice")
        }
        modificabili = permessi.campi_modificabili(utente, modello(obiettivo=obiettivo))
        righe[modello], messaggi = _righe_del_modulo(modello, dati, salvati, modificabili)
        errori += messaggi
    return replace(salvato, indicatori=tuple(righe[Indicatore]), fasi=tuple(righe[Fase])), errori


def calcola_dal_modulo(obiettivo, dati, utente, regole: scoring.Regole):
    """(result, messages) of the values typed by ``utente`` in the change form ``dati``; with
    messages the result is None (the page shows what is wrong, not a figure computed from a
    guess)."""
    modulo, errori = dati_dal_modulo(obiettivo, dati, utente)
    if errori:
        return None, errori
    return calcola(modulo, regole), []
