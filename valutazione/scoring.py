"""The scoring engine of the SMVP: pure arithmetic on plain values.

Nothing here imports ``django.db`` or a model. Inputs are frozen dataclasses (``Regole`` and the
``Dati*`` classes, built by ``valutazione.queries`` from the database or by tests by hand);
outputs are frozen dataclasses (``Risultato*``) that carry their own explanation
(``Spiegazione``: formula, the calculation with its numbers, inputs, exclusions, notes) so that
pages, PDF and JSON print the same thing.

The texts of objectives, indicators, nodes, areas and tipologie (``spiegazione``, an
indicator's ``calcolo``) are written when first read, not when a cycle is scored: those results
keep the numbers and what the text needs (private fields), and the text is a
``functools.cached_property``. Scoring 10,000 objectives then costs the arithmetic only; whoever
reads ``.spiegazione``, ``.calcolo`` or ``as_dict()`` gets the same texts, written once.

Rounding rule (docs/scoring.md, «Arrotondamenti»): every figure is rounded to 2 places with
ROUND_HALF_UP by ``arrotonda`` when it is produced, and the next level is computed from the
rounded figures. So every shown figure can be recomputed from the shown inputs.
"""

from __future__ import annotations

import dataclasses
import datetime
import gc
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, cached_property

from seregno_perf import formati

ZERO = Decimal("0")
CENTO = Decimal("100")
_DUE_DECIMALI = Decimal("0.01")

# Values of the model choices (kept as plain strings: this module never imports models;
# tests/valutazione/test_scoring_costanti.py checks they match the models).
TIPO_ALTO = "alto"
TIPO_BASSO = "basso"
TIPO_SI_NO = "si_no"
TIPO_SCADENZA = "scadenza"

STATO_ATTIVO = "attivo"
STATO_RINVIATO = "rinviato"

AGGREGAZIONE_PONDERATA = "ponderata"
AGGREGAZIONE_SEMPLICE = "semplice"

FASCE_RAGGIUNGIMENTO = "raggiungimento"
FASCE_QUALITA = "qualita"
FASCE_FINANZIARIA = "finanziaria"
TIPI_FASCE = (FASCE_RAGGIUNGIMENTO, FASCE_QUALITA, FASCE_FINANZIARIA)

SCALA_GRADO = "grado"
SCALA_BAROMETRO = "barometro"
# The scales are fixed by the models (grades 1–5, barometro 0–3); their labels are SMVP data.
VALORI_SCALA = {SCALA_GRADO: tuple(range(1, 6)), SCALA_BAROMETRO: tuple(range(0, 4))}

DIREZIONE_ALTO = "alto"
DIREZIONE_BASSO = "basso"

FONTE_VALIDATO = "validato"
FONTE_PROPOSTO = "proposto"


# --------------------------------------------------------------------------------------------
# Rounding and Italian number formatting: the ONE rounding helper.
# --------------------------------------------------------------------------------------------

def arrotonda(valore) -> Decimal:
    """Round to 2 decimal places, half up. The only rounding of the engine."""
    return Decimal(valore).quantize(_DUE_DECIMALI, rounding=ROUND_HALF_UP)


def formatta(valore, decimali: int | None = 2) -> str:
    """Italian format, as ``seregno_perf.formati.numero`` writes it (the one formatter):
    ``Decimal("2.3")`` → ``"2,30"``, ``Decimal("40000")`` → ``"40.000,00"``; ``decimali=None``
    keeps only the significant digits (``Decimal("50.00")`` → ``"50"``, ``Decimal("1.50")`` →
    ``"1,5"``). Remembered here because explanations repeat the same numbers thousands of times."""
    if valore is None:
        return formati.VUOTO
    # The text depends only on the numeric value (equal numbers hash alike across int and
    # Decimal): weights, grades and percentages repeat thousands of times in a large cycle's
    # explanations, so remember them.
    chiave = (valore, decimali)
    try:
        return _FORMATTATI[chiave]
    except KeyError:
        pass
    except TypeError:  # unhashable (a signalling NaN): format it without remembering
        return _formatta(valore, decimali)
    testo = _formatta(valore, decimali)
    if len(_FORMATTATI) >= _FORMATTATI_MAX:
        _FORMATTATI.clear()
    _FORMATTATI[chiave] = testo
    return testo


_FORMATTATI: dict = {}
_FORMATTATI_MAX = 50_000


def _formatta(valore, decimali):
    return formati.numero(valore, decimali)


def _n(valore) -> str:
    """A number as people write it: no useless zeros, comma for decimals."""
    return formatta(valore, None)


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DatiLivello:
    """A level of a scale with its label."""

    valore: int
    etichetta: str


@dataclass(frozen=True)
class DatiFascia:
    """A band [da, a) → grade; ``a=None`` means no upper end."""

    da: Decimal
    a: Decimal | None
    valore: int

    def contiene(self, x: Decimal) -> bool:
        return x >= self.da and (self.a is None or x < self.a)

    def descrizione(self) -> str:
        if self.a is None:
            return f"da {_n(self.da)} in su → {self.valore}"
        return f"da {_n(self.da)} a meno di {_n(self.a)} → {self.valore}"


@dataclass(frozen=True)
class Regole:
    """The rules of one SMVP, as plain values."""

    nome: str = "SMVP"
    peso_finanziaria: Decimal = Decimal("40")
    peso_obiettivi: Decimal = Decimal("30")
    peso_qualita: Decimal = Decimal("30")
    scala_gradi: tuple[DatiLivello, ...] = ()
    scala_barometro: tuple[DatiLivello, ...] = ()
    fasce_raggiungimento: tuple[DatiFascia, ...] = ()
    fasce_qualita: tuple[DatiFascia, ...] = ()
    fasce_finanziaria: tuple[DatiFascia, ...] = ()
    aggregazione_obiettivi: str = AGGREGAZIONE_PONDERATA
    aggregazione_nodi: str = AGGREGAZIONE_SEMPLICE
    tetto_raggiungimento: Decimal = Decimal("120")
    quota_fasi: Decimal = Decimal("50")

    def fasce(self, tipo: str) -> tuple[DatiFascia, ...]:
        return {
            FASCE_RAGGIUNGIMENTO: self.fasce_raggiungimento,
            FASCE_QUALITA: self.fasce_qualita,
            FASCE_FINANZIARIA: self.fasce_finanziaria,
        }[tipo]

    def scala(self, scala: str) -> tuple[DatiLivello, ...]:
        return {SCALA_GRADO: self.scala_gradi, SCALA_BAROMETRO: self.scala_barometro}[scala]

    def etichetta_grado(self, valore) -> str:
        """The label of an integer grade ("4" → «Obiettivo/i pienamente conseguito/i»)."""
        for livello in self.scala_gradi:
            if livello.valore == valore:
                return livello.etichetta
        return ""

    def etichetta_barometro(self, valore) -> str:
        for livello in self.scala_barometro:
            if livello.valore == valore:
                return livello.etichetta
        return ""


@dataclass(frozen=True)
class DatiIndicatore:
    codice: str
    nome: str = ""
    tipo: str = TIPO_ALTO
    peso: Decimal = Decimal("1")
    target: Decimal | None = None
    consuntivo: Decimal | None = None
    data_target: datetime.date | None = None
    data_consuntivo: datetime.date | None = None
    unita: str = ""


@dataclass(frozen=True)
class DatiFase:
    codice: str
    peso: Decimal
    percentuale: Decimal
    descrizione: str = ""


@dataclass(frozen=True)
class DatiArea:
    """An area of the organigramma; ``DatiCiclo.aree`` lists them in the organigramma's order."""

    id: int
    codice: str
    nome: str = ""


@dataclass(frozen=True)
class DatiObiettivo:
    id: int
    codice: str
    nodo_id: int
    titolo: str = ""
    area_id: int | None = None
    area_nome: str = ""
    area_codice: str = ""
    tipologia: str = "sviluppo"
    tipologia_etichetta: str = ""
    peso: Decimal = Decimal("1")
    stato: str = STATO_ATTIVO
    stato_etichetta: str = ""
    motivazione_stato: str = ""
    anno_rinvio: int | None = None
    grado_proposto: int | None = None
    grado_validato: int | None = None
    indicatori: tuple[DatiIndicatore, ...] = ()
    fasi: tuple[DatiFase, ...] = ()


@dataclass(frozen=True)
class DatiNodo:
    """A node of the strategy tree. ``DatiCiclo.nodi`` lists parents before children."""

    id: int
    codice: str
    titolo: str = ""
    parent_id: int | None = None
    livello_nome: str = ""
    nota: str = ""


@dataclass(frozen=True)
class DatiStandard:
    codice: str
    servizio: str = ""
    standard: str = ""
    grado: int | None = None
    area_nome: str = ""


@dataclass(frozen=True)
class DatiIndicatoreFinanziario:
    codice: str
    nome: str = ""
    target: Decimal = ZERO
    valore: Decimal | None = None
    direzione: str = DIREZIONE_ALTO
    unita: str = ""


@dataclass(frozen=True)
class DatiCiclo:
    regole: Regole
    nodi: tuple[DatiNodo, ...] = ()
    obiettivi: tuple[DatiObiettivo, ...] = ()
    standard: tuple[DatiStandard, ...] = ()
    finanziari: tuple[DatiIndicatoreFinanziario, ...] = ()
    etichetta: str = ""
    aree: tuple[DatiArea, ...] = ()


# --------------------------------------------------------------------------------------------
# Explanations and results
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Voce:
    """One input of a calculation: what, its value, its weight (if any), a note."""

    etichetta: str
    valore: Decimal | int | str | None
    peso: Decimal | None = None
    nota: str = ""


@dataclass(frozen=True)
class Esclusione:
    """Something left out of a calculation, and why."""

    codice: str
    descrizione: str
    motivo: str


@dataclass(frozen=True)
class Spiegazione:
    """How a figure was computed, in Italian, as plain data."""

    formula: str
    calcolo: str = ""
    input: tuple[Voce, ...] = ()
    esclusioni: tuple[Esclusione, ...] = ()
    note: tuple[str, ...] = ()


def _interno():
    """A private field of a result: what its texts need, left out of ``repr``, equality and
    ``as_dict`` (equality compares the figures; the texts follow from them)."""
    return field(repr=False, compare=False)


@dataclass(frozen=True)
class RisultatoIndicatore:
    codice: str
    nome: str
    tipo: str
    peso: Decimal
    percentuale: Decimal | None
    rilevato: bool
    _dati: DatiIndicatore = _interno()
    _tetto: Decimal = _interno()

    @cached_property
    def calcolo(self) -> str:
        """How the percentage was computed, in Italian."""
        return _misura_indicatore(self._dati, self._tetto, testo=True)[2]


@dataclass(frozen=True)
class RisultatoRaggiungimento:
    """% achievement of an objective (None when nothing is measured)."""

    percentuale: Decimal | None
    percentuale_indicatori: Decimal | None
    percentuale_fasi: Decimal | None
    indicatori: tuple[RisultatoIndicatore, ...]
    fasi: tuple[DatiFase, ...]
    non_rilevati: tuple[RisultatoIndicatore, ...]
    _regole: Regole = _interno()

    @cached_property
    def spiegazione(self) -> Spiegazione:
        return _spiegazione_raggiungimento(self)


@dataclass(frozen=True)
class RisultatoObiettivo:
    id: int
    codice: str
    titolo: str
    nodo_id: int
    area_id: int | None
    area_nome: str
    area_codice: str
    tipologia: str
    tipologia_etichetta: str
    peso: Decimal
    stato: str
    stato_etichetta: str
    attivo: bool
    motivo_esclusione: str  # "" when active
    raggiungimento: RisultatoRaggiungimento
    grado_calcolato: int | None  # from the bands: a suggestion, never counted by itself
    grado_proposto: int | None
    grado_validato: int | None
    grado: int | None  # the counted grade: validated, else proposed (active objectives only)
    fonte_grado: str  # "validato" | "proposto" | ""
    conteggiato: bool
    non_valutato: bool  # active, with neither a proposed nor a validated grade
    _regole: Regole = _interno()

    @cached_property
    def spiegazione(self) -> Spiegazione:
        return _spiegazione_obiettivo(self)


@dataclass(frozen=True)
class RisultatoNodo:
    id: int
    codice: str
    titolo: str
    livello_nome: str
    parent_id: int | None
    profondita: int
    figli_id: tuple[int, ...]
    obiettivi_id: tuple[int, ...]  # objectives attached directly to this node
    grado: Decimal | None
    peso: Decimal  # sum of the pesi of the counted objectives below (weighted aggregation)
    n_obiettivi: int  # all objectives below, any status
    n_conteggiati: int
    escluso: bool
    motivo_esclusione: str
    provvisorio: bool
    _diretti: tuple[RisultatoObiettivo, ...] = _interno()  # the objectives of obiettivi_id
    _figli: tuple[RisultatoNodo, ...] = _interno()  # the nodes of figli_id
    _parti: tuple[tuple[str, Decimal, Decimal], ...] = _interno()  # (label, grade, weight)
    _regole: Regole = _interno()

    @cached_property
    def spiegazione(self) -> Spiegazione:
        return _spiegazione_nodo(self)


@dataclass(frozen=True)
class ContributoArea:
    area_id: int | None
    area_codice: str
    area_nome: str
    n_valutati: int
    media: Decimal
    quota: Decimal  # % of the linea's weight of counted objectives
    _obiettivi: tuple[RisultatoObiettivo, ...] = _interno()  # the area's counted objectives
    _peso_area: Decimal = _interno()
    _peso_linea: Decimal = _interno()
    _regole: Regole = _interno()

    @cached_property
    def spiegazione(self) -> Spiegazione:
        return _spiegazione_area(self)


@dataclass(frozen=True)
class ObiettiviAzione:
    nodo_id: int
    codice: str
    n_obiettivi: int


@dataclass(frozen=True)
class RisultatoLinea:
    nodo: RisultatoNodo
    n_azioni: int
    n_azioni_coperte: int
    copertura: Decimal  # % of its azioni (leaf descendants) with at least one objective
    n_obiettivi: int
    n_obiettivi_attivi: int
    densita: Decimal  # objectives per azione
    obiettivi_per_azione: tuple[ObiettiviAzione, ...]
    contributi_aree: tuple[ContributoArea, ...]
    spiegazione_copertura: Spiegazione
    spiegazione_densita: Spiegazione


@dataclass(frozen=True)
class ConteggioGrado:
    grado: int
    etichetta: str
    n: int


@dataclass(frozen=True)
class RisultatoTipologia:
    tipologia: str
    etichetta: str
    n_obiettivi: int
    n_attivi: int
    n_conteggiati: int
    n_non_valutati: int
    n_esclusi: int
    media: Decimal | None
    distribuzione: tuple[ConteggioGrado, ...]
    _contati: tuple[RisultatoObiettivo, ...] = _interno()
    _non_contati: tuple[RisultatoObiettivo, ...] = _interno()  # excluded, then non valutati
    _regole: Regole = _interno()

    @cached_property
    def spiegazione(self) -> Spiegazione:
        return _spiegazione_tipologia(self)


@dataclass(frozen=True)
class RisultatoArea:
    """The objectives of one area (identified by ``area_id``; its ``codice`` in the report):
    how many, how many counted, their mean grade and the distribution of grades."""

    area_id: int | None
    codice: str
    nome: str
    n_obiettivi: int
    n_attivi: int
    n_conteggiati: int
    media: Decimal | None
    distribuzione: tuple[ConteggioGrado, ...]
    _contati: tuple[RisultatoObiettivo, ...] = _interno()
    _non_contati: tuple[RisultatoObiettivo, ...] = _interno()
    _regole: Regole = _interno()

    @cached_property
    def spiegazione(self) -> Spiegazione:
        return _spiegazione_risultato_area(self)


@dataclass(frozen=True)
class RisultatoBarometro:
    media: Decimal | None
    n_standard: int
    n_valutati: int
    somma: int
    distribuzione: tuple[ConteggioGrado, ...]
    non_valutati: tuple[Esclusione, ...]
    spiegazione: Spiegazione


@dataclass(frozen=True)
class EsitoIndicatoreFinanziario:
    codice: str
    nome: str
    target: Decimal
    valore: Decimal | None
    direzione: str
    rispettato: bool | None  # None: not measured
    unita: str = ""


@dataclass(frozen=True)
class RisultatoFinanziario:
    percentuale: Decimal | None  # % of measured financial indicators that are met
    n_indicatori: int
    n_rilevati: int
    n_rispettati: int
    esiti: tuple[EsitoIndicatoreFinanziario, ...]
    non_rilevati: tuple[Esclusione, ...]
    spiegazione: Spiegazione


@dataclass(frozen=True)
class Componente:
    codice: str  # "PFin" | "PObj_Gen" | "PQua_Gen"
    nome: str
    peso: Decimal
    valore: Decimal | None  # 1–5
    contributo: Decimal | None  # valore × peso / 100, rounded (shown for information)
    spiegazione: Spiegazione


@dataclass(frozen=True)
class RisultatoEnte:
    valore: Decimal | None
    componenti: tuple[Componente, ...]
    provvisorio: bool
    spiegazione: Spiegazione


@dataclass(frozen=True)
class RisultatiCiclo:
    """Everything computed for one cycle."""

    etichetta: str
    regole: Regole
    obiettivi: tuple[RisultatoObiettivo, ...]
    nodi: tuple[RisultatoNodo, ...]  # tree order (parents first)
    linee: tuple[RisultatoLinea, ...]  # one per root node
    tipologie: tuple[RisultatoTipologia, ...]
    aree: tuple[RisultatoArea, ...]  # the organigramma's order; areas without objectives left out
    barometro: RisultatoBarometro
    finanziario: RisultatoFinanziario
    pfin: Componente
    pobj: Componente
    pqua: Componente
    ente: RisultatoEnte
    provvisorio: bool
    non_valutati: tuple[RisultatoObiettivo, ...]
    esclusi: tuple[RisultatoObiettivo, ...]
    nodi_esclusi: tuple[RisultatoNodo, ...]
    _indice_nodi: dict = field(default_factory=dict, repr=False, compare=False)
    _indice_obiettivi: dict = field(default_factory=dict, repr=False, compare=False)

    def nodo(self, nodo_id: int) -> RisultatoNodo:
        return self._indice_nodi[nodo_id]

    def obiettivo(self, obiettivo_id: int) -> RisultatoObiettivo:
        return self._indice_obiettivi[obiettivo_id]

    def figli(self, nodo_id: int) -> tuple[RisultatoNodo, ...]:
        return tuple(self._indice_nodi[i] for i in self._indice_nodi[nodo_id].figli_id)

    def obiettivi_del_nodo(self, nodo_id: int) -> tuple[RisultatoObiettivo, ...]:
        return tuple(self._indice_obiettivi[i] for i in self._indice_nodi[nodo_id].obiettivi_id)

    def as_dict(self) -> dict:
        """JSON-ready: Decimals as strings ("4.00"), dates in ISO format."""
        return in_dati_semplici(self)


def in_dati_semplici(valore):
    """Results → dicts, lists, strings, ints, bools, None (for JSON)."""
    if dataclasses.is_dataclass(valore) and not isinstance(valore, type):
        return {
            nome: in_dati_semplici(getattr(valore, nome)) for nome in _attributi(type(valore))
        }
    if isinstance(valore, (tuple, list)):
        return [in_dati_semplici(v) for v in valore]
    if isinstance(valore, dict):
        return {str(k): in_dati_semplici(v) for k, v in valore.items()}
    if isinstance(valore, Decimal):
        return str(valore)
    if isinstance(valore, (datetime.date, datetime.datetime)):
        return valore.isoformat()
    return valore


@cache
def _attributi(classe) -> tuple[str, ...]:
    """The public fields of a result class, then its texts written on first read."""
    campi = [f.name for f in dataclasses.fields(classe) if not f.name.startswith("_")]
    return (*campi, *(n for n, v in vars(classe).items() if isinstance(v, cached_property)))


# --------------------------------------------------------------------------------------------
# Bands
# --------------------------------------------------------------------------------------------

def grado_da_fasce(valore: Decimal | None, fasce: tuple[DatiFascia, ...]) -> tuple[int | None, DatiFascia | None]:
    """The band containing ``valore`` and its grade; a value below the first band gets the
    first band's grade (bands start at 0; values are never negative in practice)."""
    if valore is None or not fasce:
        return None, None
    ordinate = sorted(fasce, key=lambda f: f.da)
    for fascia in ordinate:
        if fascia.contiene(valore):
            return fascia.valore, fascia
    if valore < ordinate[0].da:
        return ordinate[0].valore, ordinate[0]
    return None, None


def _testo_fascia(valore, fasce, unita="") -> tuple[int | None, str]:
    grado, fascia = grado_da_fasce(valore, fasce)
    if valore is None:
        return None, ""
    if fascia is None:
        return None, f"{formatta(valore)}{unita} non cade in alcuna fascia: grado non determinabile"
    return grado, f"{formatta(valore)}{unita} cade nella fascia {fascia.descrizione()}"


# --------------------------------------------------------------------------------------------
# Objectives: % achievement and grade
# --------------------------------------------------------------------------------------------

def raggiungimento_indicatore(ind: DatiIndicatore, tetto: Decimal) -> RisultatoIndicatore:
    """% achievement of one indicator (capped at ``tetto`` for alto/basso)."""
    percentuale, rilevato, _ = _misura_indicatore(ind, tetto)
    return RisultatoIndicatore(
        codice=ind.codice, nome=ind.nome, tipo=ind.tipo, peso=ind.peso,
        percentuale=None if percentuale is None else arrotonda(percentuale),
        rilevato=rilevato, _dati=ind, _tetto=tetto,
    )


def _misura_indicatore(ind: DatiIndicatore, tetto: Decimal, testo: bool = False):
    """(% before rounding or None, measured?, how it was computed). The text is written only
    when ``testo`` is true (``testo and f"…"`` is False otherwise): scoring asks for the
    numbers, ``RisultatoIndicatore.calcolo`` for the text."""

    def limita(x):
        x = max(ZERO, x)
        return min(x, tetto)

    def misura(x):  # a value of the indicator with its unit («40.000 dosi»)
        return formati.misura(x, ind.unita)

    if ind.tipo == TIPO_SCADENZA:
        if ind.data_consuntivo is None:
            return None, False, "non rilevato: data di realizzazione non inserita"
        if ind.data_target is None:
            return None, False, "non rilevato: scadenza prevista non indicata"
        rispettata = ind.data_consuntivo <= ind.data_target
        return CENTO if rispettata else ZERO, True, testo and (
            f"realizzato il {formati.data(ind.data_consuntivo)}, "
            f"scadenza {formati.data(ind.data_target)}: "
            + ("scadenza rispettata → 100%" if rispettata else "scadenza non rispettata → 0%")
        )
    if ind.consuntivo is None:
        return None, False, "non rilevato: consuntivo non inserito"
    if ind.tipo == TIPO_SI_NO:
        target = Decimal("1") if ind.target is None else ind.target
        ok = ind.consuntivo == target
        if not testo:
            return CENTO if ok else ZERO, True, None
        nota = " (target non indicato: si assume «sì»)" if ind.target is None else ""
        si_no = {Decimal("1"): "sì", ZERO: "no"}
        atteso = si_no.get(target, _n(target))
        ottenuto = si_no.get(ind.consuntivo, _n(ind.consuntivo))
        return CENTO if ok else ZERO, True, (
            f"atteso «{atteso}», ottenuto «{ottenuto}»{nota} → {'100' if ok else '0'}%"
        )
    if ind.target is None:
        return None, False, "non rilevato: target non indicato"
    if ind.tipo == TIPO_BASSO:
        if ind.consuntivo <= 0:
            return tetto, True, testo and (
                f"consuntivo {misura(ind.consuntivo)} (più basso è meglio, nessun valore migliore "
                f"possibile) → tetto {_n(tetto)}%"
            )
        grezzo = ind.target / ind.consuntivo * CENTO
        valore = limita(grezzo)
        return valore, True, testo and (
            f"target {misura(ind.target)} / consuntivo {misura(ind.consuntivo)} × 100 = "
            f"{formatta(grezzo)}%" + (f", limitato a {_n(tetto)}%" if valore != grezzo else "")
        )
    # alto (default)
    if ind.target <= 0:
        return None, False, testo and (
            f"non calcolabile: target {misura(ind.target)} (deve essere maggiore di zero)"
        )
    grezzo = ind.consuntivo / ind.target * CENTO
    valore = limita(grezzo)
    return valore, True, testo and (
        f"consuntivo {misura(ind.consuntivo)} / target {misura(ind.target)} × 100 = "
        f"{formatta(grezzo)}%"
        + (f", limitato a {_n(valore)}%" if valore != grezzo else "")
    )


def _media(coppie) -> Decimal:
    """Weighted mean of (value, weight) pairs, rounded."""
    somma = pesi = ZERO
    for valore, peso in coppie:  # one pass: called ~20,000 times for 10,000 objectives
        somma += valore * peso
        pesi += peso
    return arrotonda(somma / pesi)


def _termini(coppie, ponderata=True) -> str:
    if ponderata:
        num = " + ".join(f"{formatta(v, None)} × {_n(p)}" for v, p in coppie)
        den = " + ".join(_n(p) for _, p in coppie)
    else:
        num = " + ".join(formatta(v, None) for v, _ in coppie)
        den = str(len(coppie))
    if len(coppie) == 1 and ponderata:
        return f"({num}) / {den}"
    return f"({num}) / ({den})" if ponderata else f"({num}) / {den}"


def raggiungimento_obiettivo(ob: DatiObiettivo, regole: Regole) -> RisultatoRaggiungimento:
    """% achievement from indicators (weighted by peso) and phases (weights sum to 100)."""
    risultati = tuple(raggiungimento_indicatore(i, regole.tetto_raggiungimento) for i in ob.indicatori)
    coppie = [(r.percentuale, r.peso) for r in risultati if r.rilevato]
    perc_ind = _media(coppie) if coppie else None
    perc_fasi = _media([(f.percentuale, f.peso) for f in ob.fasi]) if ob.fasi else None
    if perc_ind is not None and perc_fasi is not None:
        quota = regole.quota_fasi
        percentuale = arrotonda((perc_fasi * quota + perc_ind * (CENTO - quota)) / CENTO)
    elif perc_fasi is not None:
        percentuale = perc_fasi
    else:
        percentuale = perc_ind
    return RisultatoRaggiungimento(
        percentuale=percentuale,
        percentuale_indicatori=perc_ind,
        percentuale_fasi=perc_fasi,
        indicatori=risultati,
        fasi=ob.fasi,
        non_rilevati=tuple(r for r in risultati if not r.rilevato),
        _regole=regole,
    )


def _spiegazione_raggiungimento(ragg: RisultatoRaggiungimento) -> Spiegazione:
    regole = ragg._regole
    perc_ind, perc_fasi = ragg.percentuale_indicatori, ragg.percentuale_fasi
    rilevati = [r for r in ragg.indicatori if r.rilevato]
    note, righe, voci = [], [], []
    if rilevati:
        coppie = [(r.percentuale, r.peso) for r in rilevati]
        righe.append(f"indicatori: {_termini(coppie)} = {formatta(perc_ind)}%")
    for r in ragg.indicatori:
        voci.append(Voce(f"Indicatore {r.codice} {r.nome}".strip(), r.percentuale, r.peso, r.calcolo))
    if ragg.fasi:
        coppie = [(f.percentuale, f.peso) for f in ragg.fasi]
        somma = sum((f.peso for f in ragg.fasi), ZERO)
        if somma != CENTO:
            note.append(
                f"I pesi delle fasi sommano a {_n(somma)} anziché a 100: "
                "la media è calcolata sulla loro somma."
            )
        righe.append(f"fasi: {_termini(coppie)} = {formatta(perc_fasi)}%")
        for f in ragg.fasi:
            voci.append(Voce(f"Fase {f.codice} {f.descrizione}".strip(), f.percentuale, f.peso,
                             "% realizzata"))
    if perc_ind is not None and perc_fasi is not None:
        quota = regole.quota_fasi
        formula = (
            f"Raggiungimento = fasi × {_n(quota)}% + indicatori × {_n(CENTO - quota)}%; "
            "indicatori: media ponderata sui pesi; fasi: media ponderata sui pesi (somma 100)"
        )
        righe.append(
            f"{formatta(perc_fasi)} × {_n(quota)}% + {formatta(perc_ind)} × {_n(CENTO - quota)}% "
            f"= {formatta(ragg.percentuale)}%"
        )
    elif perc_fasi is not None:
        formula = "Raggiungimento = Σ(peso fase × % realizzata) / Σ pesi delle fasi"
        if ragg.non_rilevati and not rilevati:
            note.append("Nessun indicatore rilevato: il raggiungimento è dato dalle sole fasi.")
    elif perc_ind is not None:
        formula = (
            "Raggiungimento = Σ(peso × % raggiungimento dell'indicatore) / Σ pesi, sui soli "
            f"indicatori rilevati; ogni indicatore «alto»/«basso» è limitato a "
            f"{_n(regole.tetto_raggiungimento)}%"
        )
    else:
        formula = "Raggiungimento non calcolabile"
        note.append(
            "Nessun indicatore rilevato e nessuna fase: il raggiungimento non è calcolabile."
            if ragg.indicatori
            else "L'obiettivo non ha indicatori né fasi."
        )
    return Spiegazione(
        formula=formula, calcolo="; ".join(righe), input=tuple(voci),
        esclusioni=tuple(Esclusione(r.codice, r.nome, r.calcolo) for r in ragg.non_rilevati),
        note=tuple(note),
    )


def stato_esteso(stato, *, anno_rinvio=None, motivazione="", etichetta: str = "") -> str:
    """The status as people read it, the one wording: «Attivo», «Rinviato al 2023»,
    «Sospeso (causa COVID-19)», «Stralciato». ``etichetta`` is the status's label when the caller
    has it (the model's label); without it, the stored value capitalised."""
    etichetta = etichetta or stato.replace("_", " ").capitalize()
    if stato == STATO_ATTIVO:
        return etichetta
    if stato == STATO_RINVIATO and anno_rinvio:
        return f"{etichetta} al {anno_rinvio}"
    motivazione = (motivazione or "").strip()
    return f"{etichetta} ({motivazione})" if motivazione else etichetta


def motivo_stato(ob: DatiObiettivo) -> str:
    """Why a non-active objective is not graded, as the report prints it."""
    testo = stato_esteso(
        ob.stato, anno_rinvio=ob.anno_rinvio, motivazione=ob.motivazione_stato,
        etichetta=ob.stato_etichetta,
    )
    return f"{testo}: obiettivo non attivo, escluso dalla valutazione"


def valuta_obiettivo(ob: DatiObiettivo, regole: Regole, nodo_noto: bool = True) -> RisultatoObiettivo:
    ragg = raggiungimento_obiettivo(ob, regole)
    grado_calcolato, _ = grado_da_fasce(ragg.percentuale, regole.fasce_raggiungimento)
    attivo = ob.stato == STATO_ATTIVO
    motivo = "" if attivo else motivo_stato(ob)
    if attivo and not nodo_noto:
        motivo = "Nodo dell'albero strategico non trovato nel ciclo: obiettivo escluso"
    grado, fonte = None, ""
    if not motivo:
        if ob.grado_validato is not None:
            grado, fonte = ob.grado_validato, FONTE_VALIDATO
        elif ob.grado_proposto is not None:
            grado, fonte = ob.grado_proposto, FONTE_PROPOSTO
    conteggiato = grado is not None
    non_valutato = not motivo and grado is None

    return RisultatoObiettivo(
        id=ob.id, codice=ob.codice, titolo=ob.titolo, nodo_id=ob.nodo_id, area_id=ob.area_id,
        area_nome=ob.area_nome, area_codice=ob.area_codice, tipologia=ob.tipologia,
        tipologia_etichetta=ob.tipologia_etichetta or ob.tipologia, peso=ob.peso, stato=ob.stato,
        stato_etichetta=ob.stato_etichetta or ob.stato, attivo=attivo, motivo_esclusione=motivo,
        raggiungimento=ragg, grado_calcolato=grado_calcolato, grado_proposto=ob.grado_proposto,
        grado_validato=ob.grado_validato, grado=grado, fonte_grado=fonte,
        conteggiato=conteggiato, non_valutato=non_valutato, _regole=regole,
    )


def _spiegazione_obiettivo(r: RisultatoObiettivo) -> Spiegazione:
    _, testo_fascia = _testo_fascia(
        r.raggiungimento.percentuale, r._regole.fasce_raggiungimento, "%"
    )
    voci = (
        Voce("Raggiungimento (%)", r.raggiungimento.percentuale),
        Voce("Grado calcolato dalle fasce", r.grado_calcolato, nota=testo_fascia),
        Voce("Grado proposto dal dirigente", r.grado_proposto),
        Voce("Grado validato dal Nucleo", r.grado_validato),
    )
    note = []
    if r.motivo_esclusione:
        calcolo = r.motivo_esclusione
    elif r.fonte_grado == FONTE_VALIDATO:
        calcolo = f"grado validato dal Nucleo: {r.grado}"
    elif r.fonte_grado == FONTE_PROPOSTO:
        calcolo = f"grado proposto: {r.grado} (provvisorio, in attesa di validazione)"
    else:
        calcolo = "non valutato: nessun grado proposto né validato; non è contato (non vale 0)"
    if r.grado_calcolato is not None and r.grado is not None and r.grado != r.grado_calcolato:
        note.append(
            f"Il grado contato ({r.grado}) differisce da quello suggerito dalle fasce "
            f"({r.grado_calcolato})."
        )
    return Spiegazione(
        formula=(
            "Grado contato = grado validato dal Nucleo se presente, altrimenti grado proposto; "
            "il grado calcolato dalle fasce di raggiungimento è un suggerimento"
        ),
        calcolo=calcolo, input=voci, note=tuple(note),
    )


# --------------------------------------------------------------------------------------------
# Tree aggregation
# --------------------------------------------------------------------------------------------

def _peso_obiettivo(r: RisultatoObiettivo, regole: Regole) -> Decimal:
    return r.peso if regole.aggregazione_obiettivi == AGGREGAZIONE_PONDERATA else Decimal("1")


def _grado_medio(coppie, ponderata: bool) -> Decimal:
    """Weighted or simple mean of (grade, weight) pairs, rounded."""
    if ponderata:
        return _media(coppie)
    return arrotonda(sum((g for g, _ in coppie), ZERO) / len(coppie))


def grado_obiettivi(obiettivi, regole: Regole) -> Decimal:
    """The aggregate grade of counted objectives (the number of ``media_obiettivi``)."""
    ponderata = regole.aggregazione_obiettivi == AGGREGAZIONE_PONDERATA
    return _grado_medio([(Decimal(r.grado), r.peso) for r in obiettivi], ponderata)


def media_obiettivi(obiettivi, regole: Regole) -> tuple[Decimal, str, str]:
    """Aggregate counted objectives: (grade, formula, calculation)."""
    ponderata = regole.aggregazione_obiettivi == AGGREGAZIONE_PONDERATA
    coppie = [(Decimal(r.grado), r.peso) for r in obiettivi]
    valore = _grado_medio(coppie, ponderata)
    if ponderata:
        formula = "Σ(grado × peso) / Σ pesi degli obiettivi attivi valutati"
    else:
        formula = "media semplice dei gradi degli obiettivi attivi valutati"
    return valore, formula, f"{_termini(coppie, ponderata)} = {formatta(valore)}"


def grado_nodi(parti, regole: Regole) -> Decimal:
    """The aggregate grade of (label, grade, weight) parts (the number of ``media_nodi``)."""
    ponderata = regole.aggregazione_nodi == AGGREGAZIONE_PONDERATA
    return _grado_medio([(g, p) for _, g, p in parti], ponderata)


def media_nodi(parti, regole: Regole, oggetto: str = "dei nodi figli valutati") -> tuple[Decimal, str, str]:
    """Aggregate (label, grade, weight) parts per ``aggregazione_nodi``."""
    ponderata = regole.aggregazione_nodi == AGGREGAZIONE_PONDERATA
    coppie = [(g, p) for _, g, p in parti]
    valore = _grado_medio(coppie, ponderata)
    if ponderata:
        formula = (
            f"Σ(grado × peso) / Σ pesi {oggetto}, dove ciascuno pesa quanto la somma dei pesi "
            "dei suoi obiettivi valutati"
        )
    else:
        formula = f"media semplice dei gradi {oggetto}"
    return valore, formula, f"{_termini(coppie, ponderata)} = {formatta(valore)}"


def _aggrega_nodi(dati: DatiCiclo, obiettivi: tuple[RisultatoObiettivo, ...]):
    per_nodo = defaultdict(list)
    for r in obiettivi:
        per_nodo[r.nodo_id].append(r)
    figli = defaultdict(list)
    ids = {n.id for n in dati.nodi}
    profondita = {}
    for n in dati.nodi:  # parents first
        if n.parent_id in ids:
            figli[n.parent_id].append(n.id)
            profondita[n.id] = profondita.get(n.parent_id, 0) + 1
        else:
            profondita[n.id] = 0
    risultati = {}
    for n in reversed(dati.nodi):  # children before parents
        risultati[n.id] = _valuta_nodo(
            n, per_nodo.get(n.id, []), [risultati[f] for f in figli.get(n.id, [])],
            n.parent_id if n.parent_id in ids else None, profondita[n.id], dati.regole,
        )
    return tuple(risultati[n.id] for n in dati.nodi), risultati


_DIRETTI = "obiettivi collegati"  # the label of a node's own objectives among its parts


def _valuta_nodo(n: DatiNodo, diretti: list[RisultatoObiettivo], figli: list[RisultatoNodo],
                 parent_id: int | None, profondita: int, regole: Regole) -> RisultatoNodo:
    """One node from the objectives attached to it and its (already computed) children."""
    contati = [r for r in diretti if r.conteggiato]
    parti = []  # (label, grade, weight)
    if contati:
        parti.append((_DIRETTI, grado_obiettivi(contati, regole), sum((r.peso for r in contati), ZERO)))
    parti += [(f.codice, f.grado, f.peso) for f in figli if f.grado is not None]
    n_sotto = len(diretti) + sum(f.n_obiettivi for f in figli)
    if not parti:
        grado = None
        if n_sotto == 0:
            motivo = "nessun obiettivo previsto: nodo escluso dall'aggregazione"
            if n.nota:
                motivo += f" ({n.nota})"
        else:
            motivo = (
                f"nessun obiettivo attivo valutato tra i {n_sotto} collegati: "
                "nodo escluso dall'aggregazione"
            )
    elif _solo_diretti(parti):
        grado, motivo = parti[0][1], ""
    else:
        # Children (and, if any, the objectives attached directly, as one more part).
        grado, motivo = grado_nodi(parti, regole), ""
    return RisultatoNodo(
        id=n.id, codice=n.codice, titolo=n.titolo, livello_nome=n.livello_nome,
        parent_id=parent_id, profondita=profondita, figli_id=tuple(f.id for f in figli),
        obiettivi_id=tuple(r.id for r in diretti), grado=grado,
        peso=sum((r.peso for r in contati), ZERO) + sum((f.peso for f in figli), ZERO),
        n_obiettivi=n_sotto, n_conteggiati=len(contati) + sum(f.n_conteggiati for f in figli),
        escluso=grado is None, motivo_esclusione=motivo,
        provvisorio=any(r.fonte_grado == FONTE_PROPOSTO for r in contati)
        or any(f.provvisorio for f in figli),
        _diretti=tuple(diretti), _figli=tuple(figli), _parti=tuple(parti), _regole=regole,
    )


def _solo_diretti(parti) -> bool:
    """No child node among the parts: the grade is that of the node's own objectives."""
    return not any(etichetta != _DIRETTI for etichetta, _, _ in parti)


def _spiegazione_nodo(nodo: RisultatoNodo) -> Spiegazione:
    regole = nodo._regole
    contati = [r for r in nodo._diretti if r.conteggiato]
    voci, esclusioni, note = [], [], []
    if contati:
        _, formula_diretti, calcolo_diretti = media_obiettivi(contati, regole)
        for r in contati:
            voci.append(Voce(
                f"Obiettivo {r.codice}", r.grado, _peso_obiettivo(r, regole),
                f"grado {r.fonte_grado}",
            ))
    for r in nodo._diretti:
        if not r.conteggiato:
            esclusioni.append(Esclusione(
                r.codice, r.titolo,
                r.motivo_esclusione or "non valutato: nessun grado proposto né validato",
            ))
    for f in nodo._figli:
        if f.grado is None:
            esclusioni.append(Esclusione(f.codice, f.titolo, f.motivo_esclusione))
        else:
            voci.append(Voce(f"{f.livello_nome or 'Nodo'} {f.codice}".strip(), f.grado,
                             f.peso if regole.aggregazione_nodi == AGGREGAZIONE_PONDERATA else None))
    if not nodo._parti:
        formula, calcolo = "Nessun grado: nulla da valutare", nodo.motivo_esclusione
    elif _solo_diretti(nodo._parti):
        formula, calcolo = formula_diretti, calcolo_diretti
    else:
        _, formula, calcolo = media_nodi(nodo._parti, regole)
        if contati:
            note.append(
                "Gli obiettivi collegati direttamente a questo nodo contano come una parte "
                f"in più: {calcolo_diretti}."
            )
    return Spiegazione(
        formula=formula, calcolo=calcolo, input=tuple(voci),
        esclusioni=tuple(esclusioni), note=tuple(note),
    )


def _pobj(radici: list[RisultatoNodo], regole: Regole) -> Componente:
    valutate = [r for r in radici if r.grado is not None]
    esclusioni = tuple(
        Esclusione(r.codice, r.titolo, r.motivo_esclusione) for r in radici if r.grado is None
    )
    ponderata = regole.aggregazione_nodi == AGGREGAZIONE_PONDERATA
    voci = tuple(
        Voce(f"{r.livello_nome or 'Linea'} {r.codice}".strip(), r.grado, r.peso if ponderata else None)
        for r in valutate
    )
    if valutate:
        valore, formula, calcolo = media_nodi(
            [(r.codice, r.grado, r.peso) for r in valutate], regole,
            "delle linee valutate (nodi di primo livello dell'albero)",
        )
        formula = f"PObj_Gen = {formula}"
    else:
        valore, formula, calcolo = None, "PObj_Gen non calcolabile", "nessuna linea valutata"
    return Componente(
        codice="PObj_Gen",
        nome="Contributo degli obiettivi operativi alle azioni strategiche",
        peso=regole.peso_obiettivi, valore=valore,
        contributo=None if valore is None else arrotonda(valore * regole.peso_obiettivi / CENTO),
        spiegazione=Spiegazione(formula=formula, calcolo=calcolo, input=voci, esclusioni=esclusioni),
    )


# --------------------------------------------------------------------------------------------
# Linee: coverage, density, areas
# --------------------------------------------------------------------------------------------

def _linea(radice: RisultatoNodo, indice: dict, obiettivi_per_nodo: dict, regole: Regole) -> RisultatoLinea:
    azioni, pila, sotto = [], [radice.id], []
    while pila:
        nid = pila.pop()
        sotto.append(nid)
        figli_id = indice[nid].figli_id
        if figli_id:
            pila.extend(reversed(figli_id))
        elif nid != radice.id or not radice.figli_id:
            azioni.append(indice[nid])
    azioni.sort(key=lambda a: sotto.index(a.id))
    tutti = [r for nid in sotto for r in obiettivi_per_nodo.get(nid, [])]
    per_azione = tuple(
        ObiettiviAzione(a.id, a.codice, len(obiettivi_per_nodo.get(a.id, []))) for a in azioni
    )
    coperte = [a for a in per_azione if a.n_obiettivi > 0]
    n_azioni = len(azioni)
    copertura = arrotonda(Decimal(len(coperte)) * CENTO / n_azioni) if n_azioni else ZERO
    densita = arrotonda(Decimal(len(tutti)) / n_azioni) if n_azioni else ZERO
    scoperte = tuple(
        Esclusione(a.codice, indice[a.nodo_id].titolo, "nessun obiettivo collegato")
        for a in per_azione if a.n_obiettivi == 0
    )
    sp_copertura = Spiegazione(
        formula="Copertura = azioni con almeno un obiettivo / azioni della linea × 100",
        calcolo=f"{len(coperte)} / {n_azioni} × 100 = {formatta(copertura)}%",
        input=tuple(Voce(f"Azione {a.codice}", a.n_obiettivi, nota="obiettivi collegati")
                    for a in per_azione),
        esclusioni=scoperte,
    )
    attivi = sum(1 for r in tutti if r.attivo)
    sp_densita = Spiegazione(
        formula="Densità = obiettivi della linea (di ogni stato) / azioni della linea",
        calcolo=f"{len(tutti)} / {n_azioni} = {formatta(densita)}",
        input=(Voce("Obiettivi della linea", len(tutti)), Voce("di cui attivi", attivi),
               Voce("Azioni della linea", n_azioni)),
    )
    contati = [r for r in tutti if r.conteggiato]
    peso_linea = sum((_peso_obiettivo(r, regole) for r in contati), ZERO)
    per_area = defaultdict(list)
    for r in contati:  # by id: two areas may share a name, never an id
        per_area[r.area_id].append(r)
    contributi = [_contributo_area(lista, peso_linea, regole) for lista in per_area.values()]
    contributi.sort(key=lambda c: (-c.quota, c.area_nome, c.area_codice))
    return RisultatoLinea(
        nodo=radice, n_azioni=n_azioni, n_azioni_coperte=len(coperte), copertura=copertura,
        n_obiettivi=len(tutti), n_obiettivi_attivi=attivi, densita=densita,
        obiettivi_per_azione=per_azione, contributi_aree=tuple(contributi),
        spiegazione_copertura=sp_copertura, spiegazione_densita=sp_densita,
    )


def _contributo_area(lista, peso_linea, regole: Regole) -> ContributoArea:
    """The grade of an area's counted objectives within a linea, and its share of the weight."""
    peso_area = sum((_peso_obiettivo(r, regole) for r in lista), ZERO)
    return ContributoArea(
        area_id=lista[0].area_id, area_codice=lista[0].area_codice,
        area_nome=lista[0].area_nome, n_valutati=len(lista),
        media=grado_obiettivi(lista, regole), quota=arrotonda(peso_area * CENTO / peso_linea),
        _obiettivi=tuple(lista), _peso_area=peso_area, _peso_linea=peso_linea, _regole=regole,
    )


def _spiegazione_area(c: ContributoArea) -> Spiegazione:
    _, formula, calcolo = media_obiettivi(c._obiettivi, c._regole)
    return Spiegazione(
        formula=(
            f"Grado medio: {formula}; quota = peso degli obiettivi valutati dell'area / "
            "peso degli obiettivi valutati della linea × 100"
        ),
        calcolo=(
            f"grado medio {calcolo}; quota {_n(c._peso_area)} / {_n(c._peso_linea)} × 100 = "
            f"{formatta(c.quota)}%"
        ),
        input=_voci_obiettivi(c._obiettivi, c._regole),
    )


def _voci_obiettivi(obiettivi, regole: Regole) -> tuple[Voce, ...]:
    return tuple(
        Voce(f"Obiettivo {r.codice}", r.grado, _peso_obiettivo(r, regole)) for r in obiettivi
    )


# --------------------------------------------------------------------------------------------
# By type, barometro, financial, ente
# --------------------------------------------------------------------------------------------

def _distribuzione(gradi, livelli) -> tuple[ConteggioGrado, ...]:
    conta = defaultdict(int)
    for g in gradi:
        conta[g] += 1
    return tuple(ConteggioGrado(liv.valore, liv.etichetta, conta.get(liv.valore, 0)) for liv in livelli)


def per_tipologia(obiettivi: tuple[RisultatoObiettivo, ...], regole: Regole) -> tuple[RisultatoTipologia, ...]:
    gruppi: dict[str, list[RisultatoObiettivo]] = {}
    for r in obiettivi:
        gruppi.setdefault(r.tipologia, []).append(r)
    return tuple(_tipologia(tipologia, lista, regole) for tipologia, lista in gruppi.items())


def _tipologia(tipologia: str, lista: list[RisultatoObiettivo], regole: Regole) -> RisultatoTipologia:
    contati = [r for r in lista if r.conteggiato]
    esclusi = [r for r in lista if not r.attivo or r.motivo_esclusione]
    non_valutati = [r for r in lista if r.non_valutato]
    return RisultatoTipologia(
        tipologia=tipologia, etichetta=lista[0].tipologia_etichetta, n_obiettivi=len(lista),
        n_attivi=sum(1 for r in lista if r.attivo), n_conteggiati=len(contati),
        n_non_valutati=len(non_valutati), n_esclusi=len(esclusi),
        media=grado_obiettivi(contati, regole) if contati else None,
        distribuzione=_distribuzione((r.grado for r in contati), regole.scala_gradi),
        _contati=tuple(contati), _non_contati=tuple(esclusi + non_valutati), _regole=regole,
    )


def _spiegazione_tipologia(t: RisultatoTipologia) -> Spiegazione:
    return _spiegazione_gruppo(t, "della tipologia")


def _spiegazione_gruppo(g: RisultatoTipologia | RisultatoArea, di_chi: str) -> Spiegazione:
    """The mean grade of a group of objectives (a tipologia, an area) and what it left out."""
    if g._contati:
        _, formula, calcolo = media_obiettivi(g._contati, g._regole)
    else:
        formula, calcolo = "nessun obiettivo valutato", "—"
    return Spiegazione(
        formula=f"Grado medio {di_chi}: {formula}", calcolo=calcolo,
        input=_voci_obiettivi(g._contati, g._regole),
        esclusioni=tuple(
            Esclusione(r.codice, r.titolo, r.motivo_esclusione or "non valutato")
            for r in g._non_contati
        ),
    )


def per_area(obiettivi: tuple[RisultatoObiettivo, ...], aree: tuple[DatiArea, ...],
             regole: Regole) -> tuple[RisultatoArea, ...]:
    """Results per area, grouped by the area's id (never by its name: two areas may share one),
    in the order of ``aree`` (the organigramma); areas of objectives not in ``aree`` follow in
    the order they first appear. Areas without objectives are left out."""
    gruppi: dict = {}
    for r in obiettivi:
        gruppi.setdefault(r.area_id, []).append(r)
    ordine = [a.id for a in aree if a.id in gruppi]
    ordine += [area_id for area_id in gruppi if area_id not in set(ordine)]
    return tuple(_risultato_area(gruppi[area_id], regole) for area_id in ordine)


def _risultato_area(lista: list[RisultatoObiettivo], regole: Regole) -> RisultatoArea:
    contati = [r for r in lista if r.conteggiato]
    primo = lista[0]
    return RisultatoArea(
        area_id=primo.area_id, codice=primo.area_codice, nome=primo.area_nome,
        n_obiettivi=len(lista), n_attivi=sum(1 for r in lista if r.attivo),
        n_conteggiati=len(contati),
        media=grado_obiettivi(contati, regole) if contati else None,
        distribuzione=_distribuzione((r.grado for r in contati), regole.scala_gradi),
        _contati=tuple(contati), _non_contati=tuple(r for r in lista if not r.conteggiato),
        _regole=regole,
    )


def _spiegazione_risultato_area(a: RisultatoArea) -> Spiegazione:
    return _spiegazione_gruppo(a, "dell'area")


def media_barometro(standard: tuple[DatiStandard, ...], regole: Regole) -> RisultatoBarometro:
    valutati = [s for s in standard if s.grado is not None]
    non_valutati = tuple(
        Esclusione(s.codice, f"{s.servizio}: {s.standard}".strip(": "), "standard senza grado: non contato")
        for s in standard if s.grado is None
    )
    somma = sum(s.grado for s in valutati)
    if valutati:
        media = arrotonda(Decimal(somma) / len(valutati))
        calcolo = f"{somma} / {len(valutati)} = {formatta(media)}"
    else:
        media, calcolo = None, "nessuno standard valutato"
    return RisultatoBarometro(
        media=media, n_standard=len(standard), n_valutati=len(valutati), somma=somma,
        distribuzione=_distribuzione((s.grado for s in valutati), regole.scala_barometro),
        non_valutati=non_valutati,
        spiegazione=Spiegazione(
            formula="Media del barometro = Σ gradi degli standard valutati (0–3) / numero di standard valutati",
            calcolo=calcolo,
            input=tuple(Voce(f"{s.codice} {s.servizio}".strip(), s.grado, nota=s.standard)
                        for s in valutati),
            esclusioni=non_valutati,
        ),
    )


def indicatore_finanziario_rispettato(valore, target, direzione) -> bool | None:
    """Met: value ≥ target («alto») or value ≤ target («basso»); None when not measured."""
    if valore is None or target is None:
        return None
    return valore <= target if direzione == DIREZIONE_BASSO else valore >= target


def copertura_finanziaria(indicatori: tuple[DatiIndicatoreFinanziario, ...]) -> RisultatoFinanziario:
    esiti = []
    for i in indicatori:
        rispettato = indicatore_finanziario_rispettato(i.valore, i.target, i.direzione)
        esiti.append(EsitoIndicatoreFinanziario(
            i.codice, i.nome, i.target, i.valore, i.direzione, rispettato, i.unita
        ))
    rilevati = [e for e in esiti if e.rispettato is not None]
    rispettati = sum(1 for e in rilevati if e.rispettato)
    non_rilevati = tuple(
        Esclusione(e.codice, e.nome, "valore non inserito: non contato") for e in esiti if e.rispettato is None
    )
    if rilevati:
        percentuale = arrotonda(Decimal(rispettati) * CENTO / len(rilevati))
        calcolo = f"{rispettati} / {len(rilevati)} × 100 = {formatta(percentuale)}%"
    else:
        percentuale, calcolo = None, "nessun indicatore rilevato"
    voci = tuple(
        Voce(
            f"{e.codice} {e.nome}".strip(),
            "rispettato" if e.rispettato else "non rispettato",
            nota=f"valore {formati.misura(e.valore, e.unita)} "
                 f"{'≥' if e.direzione != DIREZIONE_BASSO else '≤'} "
                 f"target {formati.misura(e.target, e.unita)}" if e.rispettato else
                 f"valore {formati.misura(e.valore, e.unita)}, "
                 f"target {formati.misura(e.target, e.unita)} "
                 f"({'almeno' if e.direzione != DIREZIONE_BASSO else 'al massimo'})",
        )
        for e in rilevati
    )
    return RisultatoFinanziario(
        percentuale=percentuale, n_indicatori=len(esiti), n_rilevati=len(rilevati),
        n_rispettati=rispettati, esiti=tuple(esiti), non_rilevati=non_rilevati,
        spiegazione=Spiegazione(
            formula="Copertura = indicatori economico-finanziari rispettati / indicatori rilevati × 100",
            calcolo=calcolo, input=voci, esclusioni=non_rilevati,
        ),
    )


def _componente_da_fasce(codice, nome, peso, misura, unita, tipo, regole, base: Spiegazione) -> Componente:
    grado, testo = _testo_fascia(misura, regole.fasce(tipo), unita)
    valore = None if grado is None else arrotonda(grado)
    if misura is None:
        calcolo = f"{codice} non calcolabile: {base.calcolo}"
    else:
        calcolo = f"{base.calcolo}; {testo}"
    return Componente(
        codice=codice, nome=nome, peso=peso, valore=valore,
        contributo=None if valore is None else arrotonda(valore * peso / CENTO),
        spiegazione=Spiegazione(
            formula=f"{codice} = grado della fascia «{tipo}» in cui cade: {base.formula}",
            calcolo=calcolo, input=base.input, esclusioni=base.esclusioni,
            note=tuple(f.descrizione() for f in sorted(regole.fasce(tipo), key=lambda f: f.da)),
        ),
    )


def livello_ente(pfin: Componente, pobj: Componente, pqua: Componente, provvisorio: bool) -> RisultatoEnte:
    componenti = (pfin, pobj, pqua)
    formula = " + ".join(f"({c.codice} × {_n(c.peso)}%)" for c in componenti)
    mancanti = [c for c in componenti if c.valore is None]
    voci = tuple(Voce(c.codice, c.valore, c.peso, c.nome) for c in componenti)
    if mancanti:
        valore = None
        calcolo = "non calcolabile: manca " + ", ".join(c.codice for c in mancanti)
    else:
        pesi = sum((c.peso for c in componenti), ZERO)
        valore = arrotonda(sum((c.valore * c.peso for c in componenti), ZERO) / pesi)
        calcolo = " + ".join(f"({formatta(c.valore)} × {_n(c.peso)}%)" for c in componenti)
        calcolo += f" = {formatta(valore)}"
    note = ["I contributi delle componenti sono mostrati arrotondati; il livello è calcolato "
            "dalle componenti, quindi può differire di 0,01 dalla somma dei contributi."]
    if provvisorio:
        note.append("Risultato provvisorio: almeno un grado contato è solo proposto, non validato.")
    return RisultatoEnte(
        valore=valore, componenti=componenti, provvisorio=provvisorio,
        spiegazione=Spiegazione(
            formula=f"Livello di performance di ente = {formula}, in scala da 1 a 5",
            calcolo=calcolo, input=voci, note=tuple(note),
        ),
    )


# --------------------------------------------------------------------------------------------
# The whole cycle
# --------------------------------------------------------------------------------------------

@contextmanager
def senza_gc():
    """Pause Python's cyclic garbage collector for a block that mostly allocates.

    Loading and scoring a cycle of 10,000 objectives keep ~120,000 small immutable objects
    (inputs and results, with no reference cycles); automatic collections would rescan them
    again and again: 15–25% of ``valutazione.queries.risultati_ciclo`` (measured with the
    texts already lazy). Garbage with cycles made meanwhile waits for the next collection."""
    attivo = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if attivo:
            gc.enable()


def calcola_ciclo(dati: DatiCiclo) -> RisultatiCiclo:
    """Compute every figure of a cycle from its plain data."""
    with senza_gc():
        return _calcola_ciclo(dati)


def _calcola_ciclo(dati: DatiCiclo) -> RisultatiCiclo:
    regole = dati.regole
    nodi_noti = {n.id for n in dati.nodi}
    obiettivi = tuple(valuta_obiettivo(o, regole, o.nodo_id in nodi_noti) for o in dati.obiettivi)
    nodi, indice_nodi = _aggrega_nodi(dati, obiettivi)
    radici = [n for n in nodi if n.parent_id is None]

    per_nodo = defaultdict(list)
    for r in obiettivi:
        per_nodo[r.nodo_id].append(r)
    linee = tuple(_linea(r, indice_nodi, per_nodo, regole) for r in radici)

    barometro = media_barometro(dati.standard, regole)
    finanziario = copertura_finanziaria(dati.finanziari)
    pfin = _componente_da_fasce(
        "PFin", "Copertura degli indicatori economico-finanziari", regole.peso_finanziaria,
        finanziario.percentuale, "%", FASCE_FINANZIARIA, regole, finanziario.spiegazione,
    )
    pqua = _componente_da_fasce(
        "PQua_Gen", "Livello di qualità (barometro) riportato alla scala 1–5", regole.peso_qualita,
        barometro.media, "", FASCE_QUALITA, regole, barometro.spiegazione,
    )
    pobj = _pobj(radici, regole)
    contati = [r for r in obiettivi if r.conteggiato]
    provvisorio = any(r.fonte_grado == FONTE_PROPOSTO for r in contati)
    ente = livello_ente(pfin, pobj, pqua, provvisorio)
    return RisultatiCiclo(
        etichetta=dati.etichetta, regole=regole, obiettivi=obiettivi, nodi=nodi, linee=linee,
        tipologie=per_tipologia(obiettivi, regole), aree=per_area(obiettivi, dati.aree, regole),
        barometro=barometro, finanziario=finanziario,
        pfin=pfin, pobj=pobj, pqua=pqua, ente=ente, provvisorio=provvisorio,
        non_valutati=tuple(r for r in obiettivi if r.non_valutato),
        esclusi=tuple(r for r in obiettivi if r.motivo_esclusione),
        nodi_esclusi=tuple(n for n in nodi if n.escluso),
        _indice_nodi=indice_nodi, _indice_obiettivi={r.id: r for r in obiettivi},
    )


# --------------------------------------------------------------------------------------------
# Validation of an SMVP (plain data → list of Italian messages)
# --------------------------------------------------------------------------------------------

def valida_pesi(peso_finanziaria, peso_obiettivi, peso_qualita) -> list[str]:
    messaggi = []
    pesi = {"PFin": peso_finanziaria, "PObj_Gen": peso_obiettivi, "PQua_Gen": peso_qualita}
    for nome, p in pesi.items():
        if p is None:
            messaggi.append(f"Pesi: manca il peso di {nome}.")
        elif p < 0:
            messaggi.append(f"Pesi: il peso di {nome} ({_n(p)}) non può essere negativo.")
    if not messaggi:
        somma = sum(pesi.values(), ZERO)
        if somma != CENTO:
            dettaglio = ", ".join(f"{k} {_n(v)}" for k, v in pesi.items())
            messaggi.append(
                f"Pesi: la somma dei pesi delle componenti è {_n(somma)} invece di 100 ({dettaglio})."
            )
    return messaggi


def valida_parametri(tetto_raggiungimento, quota_fasi) -> list[str]:
    messaggi = []
    if tetto_raggiungimento is not None and tetto_raggiungimento < CENTO:
        messaggi.append(
            f"Tetto del raggiungimento: {_n(tetto_raggiungimento)} è inferiore a 100 "
            "(un obiettivo pienamente raggiunto non potrebbe arrivare al 100%)."
        )
    if quota_fasi is not None and not (ZERO <= quota_fasi <= CENTO):
        messaggi.append(f"Quota delle fasi: {_n(quota_fasi)} deve essere tra 0 e 100.")
    return messaggi


def valida_scala(scala: str, livelli) -> list[str]:
    """Each value of the scale exactly once, nothing outside it, every level labelled."""
    attesi = VALORI_SCALA[scala]
    intervallo = f"{attesi[0]}–{attesi[-1]}"
    messaggi = []
    visti = defaultdict(int)
    for liv in livelli:
        visti[liv.valore] += 1
        if liv.valore not in attesi:
            messaggi.append(f"Scala «{scala}»: il livello {liv.valore} è fuori scala ({intervallo}).")
        elif not (liv.etichetta or "").strip():
            messaggi.append(f"Scala «{scala}»: il livello {liv.valore} non ha un'etichetta.")
    for valore, volte in sorted(visti.items()):
        if volte > 1 and valore in attesi:
            messaggi.append(f"Scala «{scala}»: il livello {valore} compare {volte} volte.")
    mancanti = [str(v) for v in attesi if v not in visti]
    if mancanti:
        if len(mancanti) == 1:
            messaggi.append(f"Scala «{scala}» ({intervallo}): manca il livello {mancanti[0]}.")
        else:
            messaggi.append(
                f"Scala «{scala}» ({intervallo}): mancano i livelli {', '.join(mancanti)}."
            )
    return messaggi


def valida_intervalli(nome: str, fasce, *, esito: str = "un grado") -> list[str]:
    """Bands [da, a) of one kind, whatever they give (a grade, a bonus share): each ends after it
    starts, the first starts at 0, each starts where the previous ends (no overlap, no gap),
    only the last is open-ended (``a`` None) and it is. ``fasce``: objects with ``da`` and ``a``;
    ``nome`` starts each message («Fasce «qualita»»), ``esito`` is what a value would lack
    without a band. Used by ``valida_fasce`` and by the bonus bands of ``individuale``."""
    if not fasce:
        return [f"{nome}: non è stata definita alcuna fascia."]
    messaggi = []
    ordinate = sorted(fasce, key=lambda f: (f.da, f.a is None, f.a or ZERO))
    for f in ordinate:
        if f.a is not None and f.a <= f.da:
            messaggi.append(
                f"{nome}: la fascia che inizia a {_n(f.da)} finisce a {_n(f.a)}: "
                "la fine deve essere maggiore dell'inizio."
            )
    if ordinate[0].da != 0:
        messaggi.append(
            f"{nome}: la prima fascia inizia a {_n(ordinate[0].da)}; deve iniziare a 0."
        )
    for prec, f in zip(ordinate, ordinate[1:]):
        if prec.a is None:
            messaggi.append(
                f"{nome}: la fascia che inizia a {_n(prec.da)} non ha fine ma non è l'ultima "
                f"(la successiva inizia a {_n(f.da)}); solo l'ultima fascia può restare aperta."
            )
        elif f.da < prec.a:
            messaggi.append(
                f"{nome}: la fascia che inizia a {_n(f.da)} si sovrappone alla precedente "
                f"(fino a {_n(prec.a)})."
            )
        elif f.da > prec.a:
            messaggi.append(
                f"{nome}: tra {_n(prec.a)} e {_n(f.da)} manca una fascia (la precedente finisce "
                f"a {_n(prec.a)}, la successiva inizia a {_n(f.da)})."
            )
    ultima = ordinate[-1]
    if ultima.a is not None:
        messaggi.append(
            f"{nome}: l'ultima fascia (da {_n(ultima.da)} a {_n(ultima.a)}) deve restare aperta "
            f"(«a» vuoto), altrimenti i valori da {_n(ultima.a)} in su non avrebbero {esito}."
        )
    return messaggi


def valida_fasce(tipo: str, fasce) -> list[str]:
    """Bands of one tipo: the intervals of ``valida_intervalli``, grades 1–5, grades never
    decreasing as the value grows."""
    nome = f"Fasce «{tipo}»"
    if not fasce:
        return valida_intervalli(nome, fasce)
    messaggi = []
    gradi = VALORI_SCALA[SCALA_GRADO]
    ordinate = sorted(fasce, key=lambda f: (f.da, f.a is None, f.a or ZERO))
    for f in ordinate:
        if f.valore not in gradi:
            messaggi.append(
                f"{nome}: la fascia che inizia a {_n(f.da)} assegna il grado {f.valore}, "
                f"fuori dalla scala {gradi[0]}–{gradi[-1]}."
            )
    messaggi += valida_intervalli(nome, fasce)
    for prec, f in zip(ordinate, ordinate[1:]):
        if f.valore < prec.valore:
            messaggi.append(
                f"{nome}: la fascia che inizia a {_n(f.da)} assegna il grado {f.valore}, "
                f"inferiore a quello della precedente ({prec.valore}): i gradi non possono "
                "scendere al crescere del valore."
            )
    return messaggi


def valida_regole(regole: Regole) -> list[str]:
    """Every problem of an SMVP as a list of Italian messages (empty: valid)."""
    messaggi = valida_pesi(regole.peso_finanziaria, regole.peso_obiettivi, regole.peso_qualita)
    messaggi += valida_parametri(regole.tetto_raggiungimento, regole.quota_fasi)
    for aggregazione, nome in (
        (regole.aggregazione_obiettivi, "aggregazione degli obiettivi"),
        (regole.aggregazione_nodi, "aggregazione dei nodi"),
    ):
        if aggregazione not in (AGGREGAZIONE_PONDERATA, AGGREGAZIONE_SEMPLICE):
            messaggi.append(f"Regola di {nome} sconosciuta: «{aggregazione}».")
    messaggi += valida_scala(SCALA_GRADO, regole.scala_gradi)
    messaggi += valida_scala(SCALA_BAROMETRO, regole.scala_barometro)
    for tipo in TIPI_FASCE:
        messaggi += valida_fasce(tipo, regole.fasce(tipo))
    return messaggi


# --- The summary of a cycle («In sintesi», «Cosa non è stato raggiunto e perché») -------------

ESITO_RAGGIUNTO = "raggiunto"
ESITO_PARZIALE = "parziale"
ESITO_NON_RAGGIUNTO = "non_raggiunto"
ESITO_ESCLUSO = "escluso"
ESITO_NON_VALUTATO = "non_valutato"
CLASSI_ESITO = (ESITO_RAGGIUNTO, ESITO_PARZIALE, ESITO_NON_RAGGIUNTO, ESITO_ESCLUSO,
                ESITO_NON_VALUTATO)


def classe_grado(grado, regole: Regole) -> str:
    """Which of «raggiunto», «parziale», «non raggiunto» a grade is, read from the SMVP's own
    scale (never fixed numbers): the lowest grade of the scale is «non raggiunto», the grades
    below the middle one «parziale», the middle one and above «raggiunto». With the 1–5 scale of
    Seregno: 1 non raggiunto, 2 parzialmente conseguito, 3–5 raggiunto (adeguato, pieno, superato)."""
    valori = sorted(livello.valore for livello in regole.scala_gradi) or list(VALORI_SCALA[SCALA_GRADO])
    if grado <= valori[0]:
        return ESITO_NON_RAGGIUNTO
    return ESITO_PARZIALE if grado < valori[len(valori) // 2] else ESITO_RAGGIUNTO


def classe_esito(r: RisultatoObiettivo, regole: Regole) -> str:
    """The class of an objective's outcome: excluded (not active), not yet graded, or the class
    of its counted grade (``classe_grado``)."""
    if not r.attivo:
        return ESITO_ESCLUSO
    if r.grado is None:
        return ESITO_NON_VALUTATO
    return classe_grado(r.grado, regole)


def conteggio_esiti(obiettivi, regole: Regole) -> dict[str, int]:
    """How many objectives fall in each class of ``CLASSI_ESITO`` (all keys present)."""
    conteggio = dict.fromkeys(CLASSI_ESITO, 0)
    for r in obiettivi:
        conteggio[classe_esito(r, regole)] += 1
    return conteggio


def estremi_linee(linee) -> tuple[RisultatoLinea, RisultatoLinea] | None:
    """The strongest and the weakest linea by grade (the first in tree order on a tie), or
    ``None`` when fewer than two linee are graded or all have the same grade."""
    valutate = [l for l in linee if l.nodo.grado is not None]  # noqa: E741
    if len(valutate) < 2 or len({l.nodo.grado for l in valutate}) == 1:
        return None
    migliore = max(valutate, key=lambda l: l.nodo.grado)  # max/min keep the first on ties
    peggiore = min(valutate, key=lambda l: l.nodo.grado)
    return migliore, peggiore


def grado_nucleo_modificato(r: RisultatoObiettivo) -> bool:
    """The Nucleo validated a grade other than the one the dirigente proposed."""
    return (r.grado_validato is not None and r.grado_proposto is not None
            and r.grado_validato != r.grado_proposto)
