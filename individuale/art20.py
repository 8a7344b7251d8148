"""The public aggregates of the bonuses (D.Lgs. 33/2013 art. 20 c. 1–2): pure arithmetic on
plain rows, like ``valutazione.scoring``. Nothing here imports ``django.db``.

Input: one ``Riga`` per person paid from the cycle's funds (role group, final score, amount) —
built by the caller from ``individuale.queries.premi_ciclo`` — the SMVP's bonus bands
(``FasciaPremio``, as ``Fascia``) and the funds' totals. Output: ``Aggregati``, whose types have
no field for a name, a matricola, a score or an amount of one person: by construction nothing
individual can reach a page from here.

Statistical confidentiality (issue 16 point 6; Garante, Linee guida sulla trasparenza 2014):

* **Groups.** A role group of fewer than 5 people is not shown on its own: it goes into
  «Altro personale». If «Altro personale» itself has fewer than 5 people, the smallest shown group
  joins it, and so on; when one group would be left, only the whole is shown. If even the whole
  has fewer than 5 people, only the amounts budgeted and paid are shown (not the count).
* **Bands.** No shown band counts 1–4 people. The SMVP's bands are merged, *upwards* (a band
  with 1–4 people in some table joins the next higher band), until every band of every table
  (each shown group and the whole) has 0 or at least 5 people; if the highest band is still short,
  it joins the band below it (downwards), and so on. One partition of the bands serves every
  table, so no figure can be recovered by subtracting one table from another. Upwards, because
  the low bands (negative or weak evaluations) are the sparse ones: merging them keeps the
  populated top bands as the SMVP wrote them.
* **Differentiation** (art. 20 c. 2): the share of people per band, the ratio between the
  average bonus of the highest shown band with people and that of the lowest shown band with a
  positive average, and the Gini coefficient of the amounts (0 = all equal, 1 = one person gets
  everything), computed on the group's people.

Rounding: money to the cent and shares to 2 places with ``valutazione.scoring.arrotonda``; the
Gini coefficient and the ratio are rounded by the same helper (2 places).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from seregno_perf import formati
from valutazione.scoring import arrotonda

ZERO = Decimal("0")
CENTO = Decimal("100")
SOGLIA = 5  # the smallest number of people a shown figure may count (other than 0)
ALTRO = "Altro personale"


# --- input -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Riga:
    """One person's bonus: their role group (``ordine`` sorts the groups), final score and amount."""

    gruppo: str
    punteggio: Decimal
    importo: Decimal
    ordine: int = 0


@dataclass(frozen=True)
class Fascia:
    """A band of the SMVP (``FasciaPremio``): scores [da, a) → quota % of the bonus (``a`` None:
    up to 100 included)."""

    da: Decimal
    a: Decimal | None
    quota: Decimal


# --- output ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class FasciaMostrata:
    """A shown band: one SMVP band or adjacent ones merged."""

    da: Decimal
    a: Decimal | None  # None: up to 100 included
    quota_min: Decimal
    quota_max: Decimal
    unite: int  # how many SMVP bands it merges

    @property
    def etichetta(self) -> str:
        """«da 90 a 100 punti», «da 80 a meno di 90 punti»."""
        if self.a is None:
            return f"da {formati.numero(self.da, None)} a 100 punti"
        return f"da {formati.numero(self.da, None)} a meno di {formati.numero(self.a, None)} punti"

    @property
    def etichetta_quota(self) -> str:
        if self.quota_min == self.quota_max:
            return formati.percentuale(self.quota_min, None)
        return f"da {formati.percentuale(self.quota_min, None)} a {formati.percentuale(self.quota_max, None)}"


@dataclass(frozen=True)
class CellaFascia:
    persone: int
    percentuale: Decimal | None  # share of the table's people
    importo: Decimal  # amount paid to the band's people
    media: Decimal | None  # average amount per person of the band


@dataclass(frozen=True)
class Tabella:
    """The aggregates of one shown group (or of the whole)."""

    nome: str
    comprende: tuple[str, ...]  # the role groups it holds (more than one for «Altro personale»)
    persone: int
    distribuito: Decimal
    media: Decimal | None
    celle: tuple[CellaFascia, ...]  # one per ``Aggregati.fasce``
    rapporto: Decimal | None  # highest band's average / lowest positive band's average
    gini: Decimal | None


@dataclass(frozen=True)
class Aggregati:
    stanziato: Decimal
    distribuito: Decimal
    persone: int | None  # None when fewer than SOGLIA (only the amounts are shown)
    fasce: tuple[FasciaMostrata, ...] = ()
    gruppi: tuple[Tabella, ...] = ()  # empty when only the whole can be shown
    complessivo: Tabella | None = None
    note: tuple[str, ...] = field(default=())


# --- the rule ----------------------------------------------------------------------------------

def gini(importi) -> Decimal | None:
    """Gini coefficient of ``importi`` (0 all equal … (n−1)/n one takes everything), None when
    there is nobody or nothing was paid: G = 2 Σ i·x₍ᵢ₎ / (n Σ x) − (n + 1) / n, x sorted."""
    valori = sorted(Decimal(x) for x in importi)
    n = len(valori)
    totale = sum(valori, ZERO)
    if n == 0 or totale <= 0:
        return None
    somma = sum((i * x for i, x in enumerate(valori, start=1)), ZERO)
    return arrotonda(2 * somma / (n * totale) - Decimal(n + 1) / n)


def indice_fascia(fasce: list[Fascia], punteggio: Decimal) -> int:
    """The index of the band of ``punteggio`` in ``fasce`` (sorted by ``da``): the last band
    starting at or below it; 0 for a score under the first band."""
    indice = 0
    for i, f in enumerate(fasce):
        if punteggio >= f.da:
            indice = i
    return indice


def _valido(conteggi) -> bool:
    return all(c == 0 or c >= SOGLIA for c in conteggi)


def unisci_fasce(conteggi: list[list[int]]) -> list[list[int]]:
    """Blocks of adjacent band indices such that, in every table (a row of ``conteggi``: the
    people per band), each block counts 0 or at least ``SOGLIA`` people. Upwards first, then the
    top block downwards. Each table's total must be 0 or ≥ ``SOGLIA`` (then one block always
    satisfies it)."""
    n_fasce = len(conteggi[0]) if conteggi else 0
    somma = lambda blocco: [sum(riga[i] for i in blocco) for riga in conteggi]  # noqa: E731
    blocchi, corrente = [], []
    for i in range(n_fasce):
        corrente.append(i)
        if _valido(somma(corrente)):
            blocchi.append(corrente)
            corrente = []
    if corrente:
        if blocchi:
            blocchi[-1] = blocchi[-1] + corrente
        else:
            blocchi.append(corrente)
    while len(blocchi) > 1 and not _valido(somma(blocchi[-1])):
        ultimo = blocchi.pop()
        blocchi[-1] = blocchi[-1] + ultimo
    return blocchi


def _gruppi_mostrati(righe: list[Riga]) -> list[tuple[str, tuple[str, ...], list[Riga]]]:
    """(name, role groups held, rows) of the shown groups; «Altro personale» last."""
    per_gruppo: dict[str, list[Riga]] = {}
    ordine: dict[str, tuple] = {}
    for r in righe:
        per_gruppo.setdefault(r.gruppo, []).append(r)
        ordine[r.gruppo] = min(ordine.get(r.gruppo, (r.ordine, r.gruppo)), (r.ordine, r.gruppo))
    nomi = sorted(per_gruppo, key=lambda g: ordine[g])
    grandi = [g for g in nomi if len(per_gruppo[g]) >= SOGLIA]
    piccoli = [g for g in nomi if len(per_gruppo[g]) < SOGLIA]
    conta = lambda gruppi: sum(len(per_gruppo[g]) for g in gruppi)  # noqa: E731
    while piccoli and conta(piccoli) < SOGLIA and grandi:
        minimo = min(grandi, key=lambda g: (len(per_gruppo[g]), ordine[g]))
        grandi.remove(minimo)
        piccoli.append(minimo)
    piccoli.sort(key=lambda g: ordine[g])
    mostrati = [(g, (g,), per_gruppo[g]) for g in grandi]
    if piccoli:
        mostrati.append((ALTRO, tuple(piccoli), [r for g in piccoli for r in per_gruppo[g]]))
    return mostrati if len(mostrati) > 1 else []


def _tabella(nome, comprende, righe, blocchi, indici) -> Tabella:
    persone = len(righe)
    distribuito = sum((r.importo for r in righe), ZERO)
    celle = []
    for blocco in blocchi:
        dentro = [r for r, i in zip(righe, indici) if i in blocco]
        importo = sum((r.importo for r in dentro), ZERO)
        celle.append(CellaFascia(
            persone=len(dentro),
            percentuale=arrotonda(Decimal(len(dentro)) * CENTO / persone) if persone else None,
            importo=importo,
            media=arrotonda(importo / len(dentro)) if dentro else None,
        ))
    con_persone = [c for c in celle if c.persone]
    positive = [c for c in con_persone if c.media and c.media > 0]
    rapporto = None
    if len(con_persone) > 1 and positive and con_persone[-1].media:
        rapporto = arrotonda(con_persone[-1].media / positive[0].media)
    return Tabella(
        nome=nome, comprende=tuple(comprende), persone=persone, distribuito=distribuito,
        media=arrotonda(distribuito / persone) if persone else None, celle=tuple(celle),
        rapporto=rapporto, gini=gini(r.importo for r in righe),
    )


def aggrega(righe, fasce, *, stanziato: Decimal) -> Aggregati:
    """The art. 20 aggregates of ``righe`` (see the module docstring) with the SMVP's ``fasce``."""
    righe = list(righe)
    fasce = sorted(fasce, key=lambda f: f.da)
    if not fasce:  # an SMVP without bands: one band for every score
        fasce = [Fascia(da=ZERO, a=None, quota=CENTO)]
    distribuito = sum((r.importo for r in righe), ZERO)
    note = []
    if len(righe) < SOGLIA:
        if righe:
            note.append(f"Le persone premiate sono meno di {SOGLIA}: per riservatezza si "
                        "pubblicano solo gli importi complessivi.")
        return Aggregati(stanziato=stanziato, distribuito=distribuito, persone=None,
                         note=tuple(note))
    gruppi = _gruppi_mostrati(righe)
    tabelle_righe = [g[2] for g in gruppi] or [righe]
    indici_per = [[indice_fascia(fasce, r.punteggio) for r in rr] for rr in tabelle_righe]
    conteggi = [[ii.count(i) for i in range(len(fasce))] for ii in indici_per]
    blocchi = unisci_fasce(conteggi)
    mostrate = tuple(
        FasciaMostrata(
            da=fasce[b[0]].da, a=None if b[-1] == len(fasce) - 1 else fasce[b[-1]].a,
            quota_min=min(fasce[i].quota for i in b), quota_max=max(fasce[i].quota for i in b),
            unite=len(b),
        )
        for b in blocchi
    )
    tabelle = tuple(
        _tabella(nome, comprende, rr, blocchi, ii)
        for (nome, comprende, rr), ii in zip(gruppi, indici_per)
    )
    tutti = [indice_fascia(fasce, r.punteggio) for r in righe]
    complessivo = _tabella("Tutto il personale", tuple(g[0] for g in gruppi), righe, blocchi, tutti)
    if any(f.unite > 1 for f in mostrate):
        note.append("In questi dati alcune fasce vicine del sistema di valutazione sono unite.")
    if any(t.nome == ALTRO for t in tabelle):
        note.append(f"In «{ALTRO}» sono riuniti i gruppi con meno di {SOGLIA} persone.")
    elif not tabelle and len({r.gruppo for r in righe}) > 1:
        note.append(f"Si mostra solo il totale: separati, i gruppi non conterebbero tutti almeno "
                    f"{SOGLIA} persone.")
    return Aggregati(
        stanziato=stanziato, distribuito=distribuito, persone=len(righe), fasce=mostrate,
        gruppi=tabelle, complessivo=complessivo, note=tuple(note),
    )


# --- as published data (the ``premi`` key of ``dati.json``) ---------------------------------

def _num(valore):
    return None if valore is None else float(arrotonda(valore))


def _tabella_dati(t: Tabella, fasce: tuple[FasciaMostrata, ...]) -> dict:
    return {
        "nome": t.nome,
        "comprende": list(t.comprende),
        "persone": t.persone,
        "distribuito": _num(t.distribuito),
        "media": _num(t.media),
        "fasce": [
            {"fascia": f.etichetta, "quota": f.etichetta_quota, "persone": c.persone,
             "percentuale": _num(c.percentuale), "importo": _num(c.importo), "media": _num(c.media)}
            for f, c in zip(fasce, t.celle)
        ],
        "rapporto_fasce": _num(t.rapporto),
        "gini": _num(t.gini),
    }


def dati(aggregati: Aggregati | None, *, nota: str = "") -> dict:
    """The JSON-ready ``premi`` key: always the same keys; ``aggregati`` None (no definitive
    scheda yet) gives nulls and empties with ``nota`` saying why."""
    a = aggregati
    note = list(a.note) if a else []
    return {
        "disponibili": a is not None,
        "nota": nota,
        "soglia_riservatezza": SOGLIA,
        "stanziato": _num(a.stanziato) if a else None,
        "distribuito": _num(a.distribuito) if a else None,
        "persone": a.persone if a else None,
        "fasce": [
            {"etichetta": f.etichetta, "da": _num(f.da), "a": _num(f.a),
             "quota_min": _num(f.quota_min), "quota_max": _num(f.quota_max),
             "etichetta_quota": f.etichetta_quota, "fasce_unite": f.unite}
            for f in (a.fasce if a else ())
        ],
        "gruppi": [_tabella_dati(t, a.fasce) for t in (a.gruppi if a else ())],
        "complessivo": _tabella_dati(a.complessivo, a.fasce) if a and a.complessivo else None,
        "note": note,
    }
