"""Reads of performance individuale: a scheda's score, the organisational scores of a cycle, the
bonuses of a cycle and the rows of the payroll export — each in a fixed number of queries,
whatever the number of schede; the arithmetic is in the pure ``individuale.calcolo``.

Personal data: the callers (``individuale.premi`` and the admin) check who is asking
(``obiettivi.permessi``) before calling these; nothing here is ever read by a public view.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from operator import itemgetter

from django.db.models import Max

from obiettivi.models import Area
from valutazione import scoring
from valutazione.queries import CicloSenzaSmvp, risultati_ciclo

from . import calcolo
from .models import (
    FasciaPremio, FondoPremi, GruppoRuolo, LivelloComportamento, ObiettivoIndividuale,
    PunteggioComportamento, SchedaValutazione,
)

ENTE = "ente"
DEFINITIVA = SchedaValutazione.Stato.DEFINITIVA

FONTE_SCHEDA = "Registrato nella scheda all'avvio della valutazione."
FONTE_CICLO = "Calcolato ora dai risultati del ciclo: la scheda non lo ha ancora registrato."


# --- organisational scores ----------------------------------------------------------------------

def _radici(righe_aree) -> dict:
    """area id → id of its top-level area, from (id, parent_id) rows of one cycle."""
    genitore = dict(righe_aree)
    radice = {}
    for area_id in genitore:
        corrente, visti = area_id, set()
        while genitore.get(corrente) is not None and corrente not in visti:
            visti.add(corrente)
            corrente = genitore[corrente]
        radice[area_id] = corrente
    return radice


def punteggi_organizzativi(ciclo) -> dict:
    """``"ente"`` → the ente's score 0–100 (its livello di performance 1–5 through
    ``calcolo.punteggio_da_grado``) and each area id of the cycle → its area's score 0–100: the
    weighted mean grade (as the Relazione's area results) of the counted objectives of the
    top-level area and all its services, so a service takes its area's score. ``None`` where
    not computable (no SMVP, no graded objective). 10 queries."""
    aree = list(Area.objects.filter(ciclo=ciclo).values_list("id", "parent_id"))
    radice = _radici(aree)
    try:
        risultati = risultati_ciclo(ciclo)
    except CicloSenzaSmvp:
        return {ENTE: None, **{area_id: None for area_id in radice}}
    regole = risultati.regole
    massimo = max((liv.valore for liv in regole.scala_gradi), default=5)
    contati = defaultdict(list)
    for r in risultati.obiettivi:
        if r.conteggiato and r.area_id in radice:
            contati[radice[r.area_id]].append(r)
    per_radice = {
        area_id: calcolo.punteggio_da_grado(scoring.grado_obiettivi(lista, regole), massimo)
        for area_id, lista in contati.items()
    }
    return {
        ENTE: calcolo.punteggio_da_grado(risultati.ente.valore, massimo),
        **{area_id: per_radice.get(radice[area_id]) for area_id in radice},
    }


# --- one scheda ---------------------------------------------------------------------------------

def _massimo_livelli(smvp_id) -> int | None:
    if smvp_id is None:
        return None
    return LivelloComportamento.objects.filter(smvp_id=smvp_id).aggregate(m=Max("valore"))["m"]


def _dati(valori: dict, obiettivi, comportamenti, massimo, organizzativi) -> calcolo.DatiScheda:
    """A scheda's plain data. ``valori`` holds its weights and stored scores and ``area_id``;
    ``organizzativi`` the cycle's live figures (or None when every stored figure is there)."""
    figure = {}
    for codice in calcolo.ORGANIZZATIVE:
        salvato = valori[f"punteggio_{codice}"]
        if salvato is not None or not valori[f"peso_{codice}"]:
            figure[codice] = (salvato, FONTE_SCHEDA if salvato is not None else "")
        else:
            chiave = ENTE if codice == calcolo.ENTE else valori["area_id"]
            vivo = (organizzativi or {}).get(chiave) if chiave is not None else None
            figure[codice] = (vivo, FONTE_CICLO if vivo is not None else "")
    return calcolo.DatiScheda(
        peso_ente=valori["peso_ente"], peso_area=valori["peso_area"],
        peso_obiettivi=valori["peso_obiettivi"], peso_comportamenti=valori["peso_comportamenti"],
        peso_differenziazione=valori["peso_differenziazione"],
        punteggio_ente=figure[calcolo.ENTE][0], fonte_ente=figure[calcolo.ENTE][1],
        punteggio_area=figure[calcolo.AREA][0], fonte_area=figure[calcolo.AREA][1],
        punteggio_differenziazione=valori["punteggio_differenziazione"],
        obiettivi=tuple(obiettivi), comportamenti=tuple(comportamenti), livello_massimo=massimo,
        ha_area=valori["area_id"] is not None,
    )


def _servono_organizzativi(valori: dict) -> bool:
    return any(valori[f"punteggio_{c}"] is None and valori[f"peso_{c}"] for c in calcolo.ORGANIZZATIVE)


CAMPI_SCHEDA = (
    "area_id", "peso_ente", "peso_area", "peso_obiettivi", "peso_comportamenti",
    "peso_differenziazione", "punteggio_ente", "punteggio_area", "punteggio_differenziazione",
)
CAMPI_OBIETTIVO = ("descrizione", "peso", "risultato")
CAMPI_COMPORTAMENTO = ("comportamento__codice", "comportamento__nome", "comportamento__peso", "livello")
ORDINE_COMPORTAMENTI = ("comportamento__ordine", "comportamento__codice")


def dati_scheda(scheda: SchedaValutazione, organizzativi: dict | None = None) -> calcolo.DatiScheda:
    """The plain data of ``scheda`` as saved (3 queries; 13 when the cycle's live
    organisational figures are needed and not given)."""
    valori = {c: getattr(scheda, c) for c in CAMPI_SCHEDA}
    if organizzativi is None and _servono_organizzativi(valori):
        organizzativi = punteggi_organizzativi(scheda.ciclo)
    obiettivi = [
        calcolo.DatiObiettivoIndividuale(*riga)
        for riga in ObiettivoIndividuale.objects.filter(scheda=scheda).order_by("ordine", "id")
        .values_list(*CAMPI_OBIETTIVO)
    ]
    comportamenti = [
        calcolo.DatiComportamento(*riga)
        for riga in PunteggioComportamento.objects.filter(scheda=scheda).order_by(*ORDINE_COMPORTAMENTI)
        .values_list(*CAMPI_COMPORTAMENTO)
    ]
    massimo = (LivelloComportamento.objects.filter(smvp__gruppi_ruolo=scheda.gruppo_id)
               .aggregate(m=Max("valore"))["m"])  # the top of the scale of the group's SMVP
    return _dati(valori, obiettivi, comportamenti, massimo, organizzativi)


def risultato_scheda(scheda: SchedaValutazione, organizzativi: dict | None = None) -> calcolo.RisultatoScheda:
    """The score of ``scheda`` with its components and explanation (see ``dati_scheda``)."""
    return calcolo.valuta_scheda(dati_scheda(scheda, organizzativi))


# --- the bonuses of a cycle ---------------------------------------------------------------------

@dataclass(frozen=True)
class SchedaPremio:
    """A definitive scheda as the bonus calculation and the payroll export read it."""

    scheda_id: int
    matricola: str
    codice_fiscale: str
    cognome: str
    nome: str
    area_id: int | None
    area_nome: str
    gruppo_codice: str
    gruppo_nome: str
    part_time: Decimal
    mesi_servizio: Decimal
    mesi_esclusi: Decimal
    punteggio: Decimal | None  # the final score used for the bonus
    punteggio_organizzativo: Decimal | None
    punteggio_individuale: Decimal | None
    fonte_punteggio: str
    risultato: calcolo.RisultatoScheda | None  # computed now (None: the recorded score is used)

    @property
    def etichetta(self) -> str:
        return f"{self.cognome} {self.nome}".strip()


@dataclass(frozen=True)
class RisultatoPremi:
    """Every fund of a cycle shared among its definitive schede."""

    fondi: tuple[calcolo.RisultatoFondo, ...]
    quote: tuple[calcolo.QuotaPremio, ...]  # every covered person, fund by fund
    scoperte: tuple[SchedaPremio, ...]  # definitive schede no fund covers
    schede: dict = field(default_factory=dict)  # scheda id → SchedaPremio
    stanziato: Decimal = Decimal("0")
    distribuito: Decimal = Decimal("0")
    senza_regole: bool = False  # the cycle has no SMVP: no bands, nothing paid

    def scheda(self, scheda_id: int) -> SchedaPremio:
        return self.schede[scheda_id]


CAMPI_PREMIO = (
    "id", "persona__matricola", "persona__codice_fiscale", "persona__cognome", "persona__nome",
    "gruppo_id", "area__nome", "part_time", "mesi_servizio", "mesi_esclusi", "punteggio_finale",
    *CAMPI_SCHEDA,
)


def _per_scheda(classe, righe) -> dict:
    return {k: [classe(*r[1:]) for r in gruppo] for k, gruppo in groupby(righe, key=itemgetter(0))}


def _fondo_di(area_id, gruppo_id, indice, genitore):
    """The most specific fund covering a scheda: area (or an area above it) and group, then the
    group, then the area (or above), then the ente-wide fund; None when none covers it."""
    catena = []
    corrente = area_id
    while corrente is not None and corrente not in catena:
        catena.append(corrente)
        corrente = genitore.get(corrente)
    for chiavi in ([(a, gruppo_id) for a in catena], [(None, gruppo_id)],
                   [(a, None) for a in catena], [(None, None)]):
        for chiave in chiavi:
            if chiave in indice:
                return indice[chiave]
    return None


def premi_ciclo(ciclo) -> RisultatoPremi:
    """Every fund of ``ciclo`` shared among the definitive schede it covers (see ``_premi_ciclo``)."""
    with scoring.senza_gc():  # tens of thousands of small immutable objects, no cycles to find
        return _premi_ciclo(ciclo)


def _premi_ciclo(ciclo) -> RisultatoPremi:
    """Every fund of ``ciclo`` shared among the definitive schede it covers (``calcolo.ripartisci``).
    The score of a scheda is its ``punteggio_finale`` (recorded when it became definitive, after
    a conciliazione too), else its score computed now. 9 queries, plus 10 when some scheda has
    not recorded its organisational figures."""
    schede = [
        dict(zip(CAMPI_PREMIO, riga))
        for riga in SchedaValutazione.objects.filter(ciclo=ciclo, stato=DEFINITIVA)
        .order_by("persona__cognome", "persona__nome", "persona__matricola", "id")
        .values_list(*CAMPI_PREMIO)
    ]
    # Individual objectives and behaviours only of the schede whose final score is not recorded
    # (computed now); the others' score is the recorded one.
    filtro = {"scheda__ciclo": ciclo, "scheda__stato": DEFINITIVA, "scheda__punteggio_finale__isnull": True}
    obiettivi = _per_scheda(
        calcolo.DatiObiettivoIndividuale,
        ObiettivoIndividuale.objects.filter(**filtro).order_by("scheda_id", "ordine", "id")
        .values_list("scheda_id", *CAMPI_OBIETTIVO),
    )
    comportamenti = _per_scheda(
        calcolo.DatiComportamento,
        PunteggioComportamento.objects.filter(**filtro).order_by("scheda_id", *ORDINE_COMPORTAMENTI)
        .values_list("scheda_id", *CAMPI_COMPORTAMENTO),
    )
    fondi = list(FondoPremi.objects.filter(ciclo=ciclo).order_by("id").values_list(
        "id", "nome", "area_id", "gruppo_id", "importo"))
    id_gruppi = {s["gruppo_id"] for s in schede} | {f[3] for f in fondi if f[3] is not None}
    gruppi_db = {g.pk: g for g in GruppoRuolo.objects.filter(pk__in=id_gruppi)}
    fasce = tuple(
        calcolo.DatiFasciaPremio(*riga)
        for riga in FasciaPremio.objects.filter(smvp_id=ciclo.smvp_id).order_by("da")
        .values_list("da", "a", "quota")
    ) if ciclo.smvp_id else ()
    massimo = _massimo_livelli(ciclo.smvp_id)
    genitore = dict(Area.objects.filter(ciclo=ciclo).values_list("id", "parent_id"))
    organizzativi = punteggi_organizzativi(ciclo) if any(map(_servono_organizzativi, schede)) else None

    gruppi = {
        g.codice: calcolo.DatiGruppoPremio(
            codice=g.codice, nome=g.nome, parametro=g.parametro,
            quota_maggiorazione=g.quota_maggiorazione, maggiorazione=g.maggiorazione,
        )
        for g in gruppi_db.values()
    }
    indice = {}
    for f in fondi:
        indice.setdefault((f[2], f[3]), f[0])
    per_fondo = defaultdict(list)
    info, scoperte = {}, []
    for s in schede:
        dati = _dati(s, obiettivi.get(s["id"], ()), comportamenti.get(s["id"], ()), massimo, organizzativi)
        finale = s["punteggio_finale"]
        risultato = calcolo.valuta_scheda(dati) if finale is None else None
        punteggio = finale if finale is not None else risultato.punteggio
        organizzativo = calcolo.parte_organizzativa(dati)
        g = gruppi_db[s["gruppo_id"]]
        sp = SchedaPremio(
            scheda_id=s["id"], matricola=s["persona__matricola"],
            codice_fiscale=s["persona__codice_fiscale"], cognome=s["persona__cognome"],
            nome=s["persona__nome"], area_id=s["area_id"], area_nome=s["area__nome"] or "",
            gruppo_codice=g.codice, gruppo_nome=g.nome, part_time=s["part_time"],
            mesi_servizio=s["mesi_servizio"], mesi_esclusi=s["mesi_esclusi"],
            punteggio=punteggio, punteggio_organizzativo=organizzativo,
            punteggio_individuale=(punteggio - organizzativo
                                   if punteggio is not None and organizzativo is not None else None),
            fonte_punteggio=("punteggio finale registrato nella scheda" if finale is not None
                             else "punteggio calcolato ora: la scheda non ha il punteggio finale registrato"),
            risultato=risultato,
        )
        info[sp.scheda_id] = sp
        fondo_id = _fondo_di(s["area_id"], s["gruppo_id"], indice, genitore)
        if fondo_id is None:
            scoperte.append(sp)
        else:
            per_fondo[fondo_id].append(calcolo.DatiPersonaPremio(
                scheda_id=sp.scheda_id, matricola=sp.matricola, gruppo_codice=sp.gruppo_codice,
                punteggio=punteggio, part_time=sp.part_time, mesi_servizio=sp.mesi_servizio,
                mesi_esclusi=sp.mesi_esclusi, area_id=sp.area_id, etichetta=sp.etichetta,
            ))
    risultati = tuple(
        calcolo.ripartisci(calcolo.DatiFondo(f[0], f[1], f[4]), per_fondo.get(f[0], ()), fasce, gruppi)
        for f in fondi
    )
    quote = tuple(q for r in risultati for q in r.quote)
    return RisultatoPremi(
        fondi=risultati, quote=quote, scoperte=tuple(scoperte), schede=info,
        stanziato=sum((r.stanziato for r in risultati), Decimal("0")),
        distribuito=sum((r.distribuito for r in risultati), Decimal("0")),
        senza_regole=ciclo.smvp_id is None,
    )


# --- the payroll export -------------------------------------------------------------------------

INTESTAZIONI_PREMI = (
    "Matricola", "Codice fiscale", "Cognome", "Nome", "Area", "Gruppo di ruolo", "Fondo",
    "Mesi contati", "Part-time (%)", "Punteggio organizzativo", "Punteggio individuale",
    "Punteggio totale", "Maggiorazione art. 81 CCNL", "Importo (€)",
)


def righe_premi(ciclo, premi: RisultatoPremi | None = None) -> list[list]:
    """The payroll export of ``ciclo``: a header row, then one row per person a fund covers
    (amount 0 included), in the order of the calculation page. The scores are 0–100 points of
    the total: organisational (ente and area components) + individual (the rest) = total."""
    premi = premi or premi_ciclo(ciclo)
    nomi_fondi = {r.fondo_id: r.nome for r in premi.fondi}
    righe = [list(INTESTAZIONI_PREMI)]
    for q in premi.quote:
        s = premi.scheda(q.scheda_id)
        righe.append([
            s.matricola, s.codice_fiscale, s.cognome, s.nome, s.area_nome, s.gruppo_nome,
            nomi_fondi[q.fondo_id], q.mesi, s.part_time, s.punteggio_organizzativo,
            s.punteggio_individuale, s.punteggio, q.maggiorazione,
            q.importo,
        ])
    return righe
