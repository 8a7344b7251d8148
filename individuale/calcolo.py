"""The scores of a scheda di valutazione and the bonuses of a fund: pure arithmetic on plain values.

Like ``valutazione.scoring`` (whose ``arrotonda``, ``formatta``, ``Spiegazione`` and ``Voce`` it
reuses), nothing here imports ``django.db`` or a model: ``individuale.queries`` builds the
``Dati*`` inputs from the database, tests build them by hand. Every result carries its
explanation in Italian (formula, the calculation with its numbers, inputs, notes).

Rules (decided for issue 16; ``docs/performance-individuale.md``, section «calcolo»):

* Scores are on a 0–100 scale. A grade of the SMVP (1–5) becomes ``grado / massimo × 100``
  (``punteggio_da_grado``); so does a level of the behaviours' scale.
* A scheda's total is ``Σ peso × punteggio / 100`` over its components (ente, area, individual
  objectives, behaviours, differentiation of judgements), rounded by ``arrotonda``; a component
  with weight 0 is left out; a missing input makes the scheda incomplete (``mancanti``).
* A fund is shared in proportion to points: ``quota della fascia × parametro del gruppo ×
  part-time / 100 × min(12, mesi di servizio + mesi esclusi) / 12``. The art. 81 CCNL
  maggiorazione goes to the highest scores of each group (at most ``quota_maggiorazione`` % of
  the group's positively evaluated people; ties at the cut-off all left out) and is worth
  ``maggiorazione`` % of the average base premium of the fund's positively evaluated people,
  paid out of the same fund (closed form: the value of a point is the fund divided by the
  points plus the maggiorazioni expressed in points). Amounts are rounded down to the cent and
  the cents left over go one each to the largest remainders (ties: higher score, then
  matricola), so the amounts add up to the fund exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_FLOOR, Decimal, localcontext
from functools import cached_property

from seregno_perf.formati import quanti
from valutazione.scoring import Spiegazione, Voce, arrotonda, formatta

__all__ = [
    "DatiComportamento", "DatiFasciaPremio", "DatiFondo", "DatiGruppoPremio",
    "DatiObiettivoIndividuale", "DatiPersonaPremio", "DatiScheda", "ComponenteScheda",
    "QuotaPremio", "RisultatoFondo", "RisultatoScheda", "fascia_premio", "punteggio_da_grado",
    "ripartisci", "valuta_scheda",
]

ZERO = Decimal("0")
CENTO = Decimal("100")
DODICI = Decimal("12")
CENTESIMO = Decimal("0.01")

# Component codes (the fields ``peso_<codice>`` of a scheda).
ENTE = "ente"
AREA = "area"
OBIETTIVI = "obiettivi"
COMPORTAMENTI = "comportamenti"
DIFFERENZIAZIONE = "differenziazione"
ORGANIZZATIVE = (ENTE, AREA)

NOMI_COMPONENTI = {
    ENTE: "Risultati dell'ente",
    AREA: "Risultati dell'area",
    OBIETTIVI: "Obiettivi individuali",
    COMPORTAMENTI: "Comportamenti",
    DIFFERENZIAZIONE: "Capacità di valutazione dei collaboratori",
}


def _interno():
    """A private field of a result: what its texts need, left out of ``repr`` and equality (as in
    ``valutazione.scoring``: the texts are written when first read)."""
    return field(repr=False, compare=False)


def _n(valore) -> str:
    return formatta(valore, None)


def punteggio_da_grado(grado, massimo=5) -> Decimal | None:
    """An SMVP grade (or a level of a scale) → points 0–100: ``grado / massimo × 100``, rounded
    by ``arrotonda``. ``None`` when the grade is missing or the scale has no maximum."""
    if grado is None or massimo is None or Decimal(massimo) <= 0:
        return None
    return arrotonda(Decimal(grado) / Decimal(massimo) * CENTO)


# --------------------------------------------------------------------------------------------
# A scheda's score
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DatiObiettivoIndividuale:
    descrizione: str
    peso: Decimal
    risultato: Decimal | None  # grado di raggiungimento 0–100


@dataclass(frozen=True)
class DatiComportamento:
    codice: str
    nome: str
    peso: Decimal
    livello: int | None


@dataclass(frozen=True)
class DatiScheda:
    """What a scheda's score needs. ``punteggio_ente``/``punteggio_area`` are the figures of the
    scheda (kept when evaluated) or the cycle's live ones; ``fonte_*`` says which, for the
    explanation. ``livello_massimo`` is the top of the behaviours' scale."""

    peso_ente: Decimal = ZERO
    peso_area: Decimal = ZERO
    peso_obiettivi: Decimal = ZERO
    peso_comportamenti: Decimal = ZERO
    peso_differenziazione: Decimal = ZERO
    punteggio_ente: Decimal | None = None
    punteggio_area: Decimal | None = None
    punteggio_differenziazione: Decimal | None = None
    obiettivi: tuple[DatiObiettivoIndividuale, ...] = ()
    comportamenti: tuple[DatiComportamento, ...] = ()
    livello_massimo: int | None = None
    fonte_ente: str = ""
    fonte_area: str = ""
    ha_area: bool = True


@dataclass(frozen=True)
class ComponenteScheda:
    codice: str
    nome: str
    peso: Decimal
    punteggio: Decimal | None  # 0–100
    contributo: Decimal | None  # peso × punteggio / 100, rounded (shown for information)
    _spiega: object = _interno()

    @cached_property
    def spiegazione(self) -> Spiegazione:
        return self._spiega()

    @property
    def organizzativa(self) -> bool:
        return self.codice in ORGANIZZATIVE


@dataclass(frozen=True)
class RisultatoScheda:
    punteggio: Decimal | None  # 0–100, None when incomplete
    completa: bool
    mancanti: tuple[str, ...]
    componenti: tuple[ComponenteScheda, ...]
    _spiega: object = _interno()
    # The part of the total from the organisational components (ente, area) and the rest.
    punteggio_organizzativo: Decimal | None = None
    punteggio_individuale: Decimal | None = None

    @cached_property
    def spiegazione(self) -> Spiegazione:
        return self._spiega()


def _componente(codice, peso, punteggio, spiega) -> ComponenteScheda:
    """``spiega``: a function writing the component's explanation when it is first read."""
    contributo = None if punteggio is None else arrotonda(peso * punteggio / CENTO)
    return ComponenteScheda(codice, NOMI_COMPONENTI[codice], peso, punteggio, contributo, spiega)


def _componente_dato(codice, peso, punteggio, fonte, formula, mancante) -> tuple[ComponenteScheda, list[str]]:
    note = (fonte,) if fonte else ()
    if punteggio is None:
        return _componente(codice, peso, None,
                           lambda: Spiegazione(formula, "non calcolabile: " + mancante, note=note)), [mancante]
    return _componente(codice, peso, punteggio, lambda: Spiegazione(formula, formatta(punteggio), note=note)), []


def _obiettivi(dati: DatiScheda) -> tuple[ComponenteScheda, list[str]]:
    formula = "Σ(peso × grado di raggiungimento) / Σ pesi degli obiettivi individuali"

    def voci():
        return tuple(Voce(o.descrizione[:120], o.risultato, o.peso) for o in dati.obiettivi)
    mancanti = []
    if not dati.obiettivi:
        mancanti.append("nessun obiettivo individuale assegnato")
    senza = [o for o in dati.obiettivi if o.risultato is None]
    if senza:
        mancanti.append(
            f"grado di raggiungimento mancante per {len(senza)} obiettiv{'o' if len(senza) == 1 else 'i'}: "
            + "; ".join(f"«{o.descrizione[:60]}»" for o in senza)
        )
    pesi = sum((o.peso for o in dati.obiettivi), ZERO)
    if dati.obiettivi and pesi <= 0:
        mancanti.append("gli obiettivi individuali hanno tutti peso 0")
    if mancanti:
        return _componente(OBIETTIVI, dati.peso_obiettivi, None, lambda: Spiegazione(
            formula, "non calcolabile: " + "; ".join(mancanti), voci())), mancanti
    valore = arrotonda(sum((o.peso * o.risultato for o in dati.obiettivi), ZERO) / pesi)

    def spiega():
        termini = " + ".join(f"{_n(o.peso)} × {_n(o.risultato)}" for o in dati.obiettivi)
        return Spiegazione(formula, f"({termini}) / {_n(pesi)} = {formatta(valore)}", voci())
    return _componente(OBIETTIVI, dati.peso_obiettivi, valore, spiega), []


def _comportamenti(dati: DatiScheda) -> tuple[ComponenteScheda, list[str]]:
    massimo = dati.livello_massimo
    formula = (f"Σ(peso × livello / {massimo or 'livello massimo'} × 100) / Σ pesi dei comportamenti")
    mancanti = []
    if not massimo:
        mancanti.append("la scala dei comportamenti dell'SMVP non ha livelli")
    if not dati.comportamenti:
        mancanti.append("nessun comportamento da valutare")
    senza = [c for c in dati.comportamenti if c.livello is None]
    if senza:
        mancanti.append("livello mancante per " + ", ".join(f"«{c.nome}»" for c in senza))
    fuori = [c for c in dati.comportamenti if c.livello is not None and massimo and not 1 <= c.livello <= massimo]
    if fuori:
        mancanti.append(f"livello fuori dalla scala 1–{massimo} per " + ", ".join(f"«{c.nome}»" for c in fuori))
    pesi = sum((c.peso for c in dati.comportamenti), ZERO)
    if dati.comportamenti and pesi <= 0:
        mancanti.append("i comportamenti hanno tutti peso 0")
    punti = [(c, punteggio_da_grado(c.livello, massimo)) for c in dati.comportamenti]

    def voci():
        return tuple(Voce(f"{c.codice} {c.nome}".strip(), p, c.peso,
                          "" if c.livello is None else f"livello {c.livello}") for c, p in punti)
    if mancanti:
        return _componente(COMPORTAMENTI, dati.peso_comportamenti, None, lambda: Spiegazione(
            formula, "non calcolabile: " + "; ".join(mancanti), voci())), mancanti
    valore = arrotonda(sum((c.peso * p for c, p in punti), ZERO) / pesi)

    def spiega():
        termini = " + ".join(f"{_n(c.peso)} × {_n(p)}" for c, p in punti)
        return Spiegazione(formula, f"({termini}) / {_n(pesi)} = {formatta(valore)}", voci())
    return _componente(COMPORTAMENTI, dati.peso_comportamenti, valore, spiega), []


def parte_organizzativa(dati: DatiScheda) -> Decimal | None:
    """The points of the total that come from the organisational components (ente and area):
    ``Σ peso × punteggio / 100`` over those with a weight, rounded; None when one is missing."""
    termini = [(p, v) for p, v in ((dati.peso_ente, dati.punteggio_ente),
                                   (dati.peso_area, dati.punteggio_area)) if p]
    if any(v is None for _, v in termini):
        return None
    return arrotonda(sum((p * v for p, v in termini), ZERO) / CENTO)


def valuta_scheda(dati: DatiScheda) -> RisultatoScheda:
    """The components of a scheda and its total 0–100, each with its explanation."""
    costruttori = {
        ENTE: lambda: _componente_dato(
            ENTE, dati.peso_ente, dati.punteggio_ente, dati.fonte_ente,
            "Livello di performance di ente (1–5) / 5 × 100", "manca il punteggio dei risultati dell'ente"),
        AREA: lambda: _componente_dato(
            AREA, dati.peso_area, dati.punteggio_area, dati.fonte_area,
            "Grado medio degli obiettivi dell'area e dei suoi servizi (1–5) / 5 × 100",
            "manca il punteggio dei risultati dell'area" if dati.ha_area
            else "la scheda non ha un'area: manca il punteggio dei risultati dell'area"),
        OBIETTIVI: lambda: _obiettivi(dati),
        COMPORTAMENTI: lambda: _comportamenti(dati),
        DIFFERENZIAZIONE: lambda: _componente_dato(
            DIFFERENZIAZIONE, dati.peso_differenziazione, dati.punteggio_differenziazione, "",
            "Punteggio assegnato dal valutatore (0–100)",
            "manca il punteggio della capacità di valutazione dei collaboratori"),
    }
    componenti, mancanti, escluse = [], [], []
    for codice, costruisci in costruttori.items():
        peso = getattr(dati, f"peso_{codice}")
        if not peso:
            escluse.append(NOMI_COMPONENTI[codice])
            continue
        componente, manca = costruisci()
        componenti.append(componente)
        mancanti.extend(manca)
    somma_pesi = sum((c.peso for c in componenti), ZERO)
    if somma_pesi != CENTO:
        mancanti.append(f"i pesi delle componenti sommano a {_n(somma_pesi)} invece che a 100")
    organizzativo = parte_organizzativa(dati)
    componenti = tuple(componenti)
    if mancanti:
        return RisultatoScheda(
            punteggio=None, completa=False, mancanti=tuple(mancanti), componenti=componenti,
            _spiega=lambda: _spiegazione_scheda(componenti, escluse, None, mancanti),
            punteggio_organizzativo=organizzativo,
        )
    punteggio = arrotonda(sum((c.peso * c.punteggio for c in componenti), ZERO) / CENTO)
    return RisultatoScheda(
        punteggio=punteggio, completa=True, mancanti=(), componenti=componenti,
        _spiega=lambda: _spiegazione_scheda(componenti, escluse, punteggio, ()),
        punteggio_organizzativo=organizzativo, punteggio_individuale=punteggio - organizzativo,
    )


def _spiegazione_scheda(componenti, escluse, punteggio, mancanti) -> Spiegazione:
    formula = "Punteggio = Σ(peso × punteggio della componente) / 100"
    voci = tuple(Voce(c.nome, c.punteggio, c.peso) for c in componenti)
    note = ()
    if escluse:
        note = (("Componenti con peso 0, non contate: " + ", ".join(escluse) + "."),)
    if mancanti:
        return Spiegazione(formula, "non calcolabile: " + "; ".join(mancanti), voci, note=note)
    calcolo = " + ".join(f"({_n(c.peso)} × {formatta(c.punteggio)})" for c in componenti)
    note += ("I contributi delle componenti sono mostrati arrotondati; il punteggio è calcolato "
             "dalle componenti, quindi può differire di 0,01 dalla somma dei contributi.",)
    return Spiegazione(formula, f"({calcolo}) / 100 = {formatta(punteggio)}", voci, note=note)


# --------------------------------------------------------------------------------------------
# Bonuses of a fund
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DatiFasciaPremio:
    """Final score in [da, a) → quota % of the bonus; ``a=None``: up to 100 included."""

    da: Decimal
    a: Decimal | None
    quota: Decimal

    def contiene(self, x: Decimal) -> bool:
        return x >= self.da and (self.a is None or x < self.a)

    def descrizione(self) -> str:
        if self.a is None:
            return f"da {_n(self.da)} a 100 → {_n(self.quota)} %"
        return f"da {_n(self.da)} a meno di {_n(self.a)} → {_n(self.quota)} %"


@dataclass(frozen=True)
class DatiGruppoPremio:
    codice: str
    nome: str
    parametro: Decimal = Decimal("1")
    quota_maggiorazione: Decimal = Decimal("10")  # % of the group's positively evaluated
    maggiorazione: Decimal = Decimal("30")  # % of the average base premium


@dataclass(frozen=True)
class DatiPersonaPremio:
    scheda_id: int
    matricola: str
    gruppo_codice: str
    punteggio: Decimal | None  # final score 0–100 (None: not computable → no bonus)
    part_time: Decimal = CENTO
    mesi_servizio: Decimal = DODICI
    mesi_esclusi: Decimal = ZERO
    area_id: int | None = None
    etichetta: str = ""  # the person's name, for pages


@dataclass(frozen=True)
class DatiFondo:
    id: int | None
    nome: str
    importo: Decimal


@dataclass(frozen=True)
class QuotaPremio:
    scheda_id: int
    fondo_id: int | None
    matricola: str
    etichetta: str
    gruppo_codice: str
    gruppo_nome: str
    area_id: int | None
    punteggio: Decimal | None
    fascia: str  # the band's description, "" when none
    quota: Decimal  # % of the band
    mesi: Decimal  # months counted, at most 12
    punti: Decimal
    con_maggiorazione: bool
    maggiorazione: Decimal  # € of the maggiorazione in the amount (rounded, for information)
    importo: Decimal  # € paid, to the cent
    importo_esatto: Decimal  # before rounding to the cent
    _testo: tuple = _interno()  # what the explanation needs besides the fields

    @cached_property
    def spiegazione(self) -> Spiegazione:
        return _spiegazione_quota(self, *self._testo)

    @property
    def positiva(self) -> bool:
        return self.punti > 0


@dataclass(frozen=True)
class RisultatoFondo:
    fondo_id: int | None
    nome: str
    stanziato: Decimal
    distribuito: Decimal
    quote: tuple[QuotaPremio, ...]
    n_positivi: int
    valore_punto: Decimal | None  # € per point, unrounded (None when nothing is distributed)
    premio_medio: Decimal | None  # average base premium of the positively evaluated, rounded
    spiegazione: Spiegazione


def fascia_premio(punteggio: Decimal | None, fasce: tuple[DatiFasciaPremio, ...]) -> DatiFasciaPremio | None:
    """The band of the bonus containing ``punteggio`` (None below every band, or no score)."""
    if punteggio is None:
        return None
    for f in fasce:
        if f.contiene(punteggio):
            return f
    return None


def _mesi(p: DatiPersonaPremio) -> Decimal:
    return min(DODICI, p.mesi_servizio + p.mesi_esclusi)


def _destinatari(positivi: list, quota_maggiorazione: Decimal) -> tuple[set, int]:
    """Schede (ids) of a group that get the maggiorazione, and the cap: the highest scores, at
    most ``floor(n × quota / 100)`` people; a tie at the cut-off leaves all the tied out."""
    tetto = int((len(positivi) * quota_maggiorazione / CENTO).to_integral_value(rounding=ROUND_FLOOR))
    if tetto <= 0:
        return set(), tetto
    # how many people score at least as much as each score: a person is in only if all of
    # them fit the cap
    almeno: dict = {}
    for posizione, x in enumerate(sorted((p.punteggio for p in positivi), reverse=True), start=1):
        almeno[x] = posizione
    return {p.scheda_id for p in positivi if almeno[p.punteggio] <= tetto}, tetto


def ripartisci(fondo: DatiFondo, persone, fasce, gruppi) -> RisultatoFondo:
    """Share ``fondo`` among ``persone`` (``DatiPersonaPremio``) by the bands ``fasce`` and the
    role groups ``gruppi`` (``{codice: DatiGruppoPremio}``). The amounts add up to the fund
    exactly, or to 0 when nobody is positively evaluated."""
    persone = tuple(persone)
    fasce = tuple(sorted(fasce, key=lambda f: f.da))
    with localcontext() as ctx:
        ctx.prec = 50
        return _ripartisci(fondo, persone, fasce, gruppi)


def _ripartisci(fondo, persone, fasce, gruppi) -> RisultatoFondo:
    righe = []
    for p in persone:
        g = gruppi[p.gruppo_codice]
        fascia = fascia_premio(p.punteggio, fasce)
        quota = fascia.quota if fascia else ZERO
        mesi = _mesi(p)
        punti = arrotonda(quota * g.parametro * p.part_time / CENTO * mesi / DODICI)
        righe.append((p, g, fascia, quota, mesi, punti))
    positivi = [r for r in righe if r[5] > 0]
    n = len(positivi)
    somma_punti = sum((r[5] for r in positivi), ZERO)

    # Art. 81 CCNL: the cap and the recipients per group, the extra in points.
    destinatari, note = set(), []
    per_gruppo: dict[str, list] = {}
    for r in positivi:
        per_gruppo.setdefault(r[0].gruppo_codice, []).append(r[0])
    for codice, lista in per_gruppo.items():
        g = gruppi[codice]
        scelti, tetto = _destinatari(lista, g.quota_maggiorazione)
        destinatari |= scelti
        soglia = min((p.punteggio for p in lista if p.scheda_id in scelti), default=None)
        note.append(
            f"{g.nome}: {quanti(len(lista), 'persona', 'persone')} valutat{'a' if len(lista) == 1 else 'e'} positivamente; "
            f"maggiorazione al più al {_n(g.quota_maggiorazione)} % = {quanti(tetto, 'persona', 'persone')}; "
            + (f"la ricevono {len(scelti)} (punteggio da {formatta(soglia)} in su)." if scelti
               else "nessuno la riceve" + (" (parità al limite: esclusi tutti i pari merito)." if tetto else "."))
        )
    media_punti = somma_punti / n if n else ZERO
    extra = {
        r[0].scheda_id: gruppi[r[0].gruppo_codice].maggiorazione / CENTO * media_punti
        for r in positivi if r[0].scheda_id in destinatari
    }
    denominatore = somma_punti + sum(extra.values(), ZERO)
    importo = fondo.importo

    if denominatore <= 0 or importo <= 0:
        valore = None
        esatti = {r[0].scheda_id: ZERO for r in righe}
        motivo = ("nessuna persona è valutata positivamente: il fondo non è distribuito (0,00 €)"
                  if denominatore <= 0 else "il fondo è di 0,00 €")
        note.insert(0, motivo[0].upper() + motivo[1:] + ".")
    else:
        valore = importo / denominatore
        esatti = {r[0].scheda_id: valore * (r[5] + extra.get(r[0].scheda_id, ZERO)) for r in righe}
    importi = {k: v.quantize(CENTESIMO, rounding=ROUND_DOWN) for k, v in esatti.items()}
    centesimi_extra = set()
    if valore is not None:
        resto = int((importo - sum(importi.values(), ZERO)) / CENTESIMO)
        candidati = sorted(
            (r[0] for r in righe if esatti[r[0].scheda_id] > 0),
            key=lambda p: (-(esatti[p.scheda_id] - importi[p.scheda_id]), -p.punteggio, p.matricola, p.scheda_id),
        )
        i = 0
        while resto > 0 and candidati:  # at most one round: the remainders add up to the cents left
            p = candidati[i % len(candidati)]
            importi[p.scheda_id] += CENTESIMO
            centesimi_extra.add(p.scheda_id)
            resto -= 1
            i += 1
    distribuito = sum(importi.values(), ZERO)
    premio_medio = arrotonda(valore * media_punti) if valore is not None and n else None

    testi_fasce = {f: f.descrizione() for f in fasce}
    testi_fasce[None] = ""
    quote = tuple(
        _quota(fondo, p, g, fascia, testi_fasce[fascia], quota, mesi, punti, valore,
               extra.get(p.scheda_id), esatti[p.scheda_id], importi[p.scheda_id],
               p.scheda_id in centesimi_extra, premio_medio)
        for p, g, fascia, quota, mesi, punti in righe
    )
    if valore is None:
        calcolo = "nulla da distribuire"
    else:
        calcolo = (f"valore del punto = {formatta(importo)} € / ({formatta(somma_punti)} punti"
                   + (f" + {formatta(arrotonda(sum(extra.values(), ZERO)))} punti di maggiorazione" if extra else "")
                   + f") = {formatta(valore, 6)} €")
    return RisultatoFondo(
        fondo_id=fondo.id, nome=fondo.nome, stanziato=importo, distribuito=distribuito, quote=quote,
        n_positivi=n, valore_punto=valore, premio_medio=premio_medio,
        spiegazione=Spiegazione(
            formula=("Valore del punto = fondo / (Σ punti + Σ maggiorazioni in punti); maggiorazione in "
                     "punti = maggiorazione % × punti medi dei valutati positivamente del fondo"),
            calcolo=calcolo,
            input=(Voce("Fondo stanziato (€)", importo), Voce("Persone", len(righe)),
                   Voce("Valutate positivamente", n), Voce("Somma dei punti", somma_punti)),
            note=tuple(note) + (
                "Importi arrotondati per difetto al centesimo; i centesimi rimasti vanno uno a "
                "testa ai resti più alti (a parità: punteggio più alto, poi matricola), così la "
                "somma degli importi è uguale al fondo.",),
        ),
    )


def _quota(fondo, p, g, fascia, testo_fascia, quota, mesi, punti, valore, extra, esatto, importo,
           centesimo, premio_medio) -> QuotaPremio:
    maggiorazione = arrotonda(valore * extra) if valore is not None and extra else ZERO
    return QuotaPremio(
        scheda_id=p.scheda_id, fondo_id=fondo.id, matricola=p.matricola, etichetta=p.etichetta,
        gruppo_codice=g.codice, gruppo_nome=g.nome, area_id=p.area_id, punteggio=p.punteggio,
        fascia=testo_fascia, quota=quota, mesi=mesi, punti=punti,
        con_maggiorazione=bool(extra), maggiorazione=maggiorazione, importo=importo,
        importo_esatto=esatto, _testo=(p, g, valore, extra, centesimo, premio_medio),
    )


def _spiegazione_quota(q: QuotaPremio, p, g, valore, extra, centesimo, premio_medio) -> Spiegazione:
    voci = (
        Voce("Punteggio finale", q.punteggio),
        Voce("Fascia del premio", q.fascia or "nessuna fascia"),
        Voce("Parametro del gruppo", g.parametro, nota=g.nome),
        Voce("Part-time (%)", p.part_time),
        Voce("Mesi contati", q.mesi, nota=(f"servizio {_n(p.mesi_servizio)} + esclusi (art. 9 c. 3) "
                                          f"{_n(p.mesi_esclusi)}, al più 12")),
    )
    calcolo = (f"punti = {_n(q.quota)} × {_n(g.parametro)} × {_n(p.part_time)}/100 × {_n(q.mesi)}/12 = "
               f"{formatta(q.punti)}")
    note = []
    if q.punteggio is None:
        note.append("Punteggio finale non calcolabile: nessun premio.")
    elif q.punti <= 0:
        note.append("Nessun premio: " + ("la fascia del punteggio ha quota 0 %." if q.quota <= 0
                                         else "nessun mese di servizio contato."))
    if valore is not None:
        if extra:
            calcolo += (f"; maggiorazione (art. 81 CCNL) = {_n(g.maggiorazione)} % del premio medio "
                        f"{formatta(premio_medio)} € = {formatta(q.maggiorazione)} €")
        calcolo += (f"; importo = ({formatta(q.punti)}{' + ' + formatta(arrotonda(extra)) if extra else ''}) punti"
                    f" × {formatta(valore, 6)} € = {formatta(q.importo_esatto, 4)} € → {formatta(q.importo)} €")
        if centesimo:
            note.append("Comprende 1 centesimo della ripartizione dei resti.")
    else:
        calcolo += f"; importo = {formatta(q.importo)} € (nulla da distribuire)"
    return Spiegazione(
        formula=("Punti = quota della fascia × parametro del gruppo × part-time/100 × mesi/12; "
                 "importo = (punti + maggiorazione in punti) × valore del punto del fondo"),
        calcolo=calcolo, input=voci, note=tuple(note),
    )
