"""Reads of the valutazione app: load a whole cycle as plain values and score it.

``risultati_ciclo(ciclo)`` runs 9 queries whatever the size of the cycle (SMVP, its levels, its
bands, the tree, the objectives with their area, indicators, phases, barometro, financial
indicators) and hands plain values to the pure ``valutazione.scoring``.
"""

from collections import defaultdict
from itertools import groupby
from operator import itemgetter

from obiettivi.models import Ciclo, Fase, Indicatore, NodoStrategico, Obiettivo

from . import scoring
from .models import Fascia, IndicatoreFinanziario, LivelloScala, Smvp, StandardBarometro


class CicloSenzaSmvp(ValueError):
    """The cycle has no SMVP: nothing can be scored."""


def regole_da_smvp(smvp: Smvp, livelli, fasce) -> scoring.Regole:
    """Plain rules from an SMVP row and its LivelloScala / Fascia rows (or unsaved instances)."""
    per_tipo = defaultdict(list)
    for f in fasce:
        per_tipo[f.tipo].append(scoring.DatiFascia(da=f.da, a=f.a, valore=f.valore))
    per_scala = defaultdict(list)
    for liv in livelli:
        per_scala[liv.scala].append(scoring.DatiLivello(valore=liv.valore, etichetta=liv.etichetta))
    ordina_f = lambda lista: tuple(sorted(lista, key=lambda f: f.da))  # noqa: E731
    ordina_l = lambda lista: tuple(sorted(lista, key=lambda v: v.valore))  # noqa: E731
    return scoring.Regole(
        nome=str(smvp),
        peso_finanziaria=smvp.peso_finanziaria,
        peso_obiettivi=smvp.peso_obiettivi,
        peso_qualita=smvp.peso_qualita,
        scala_gradi=ordina_l(per_scala[LivelloScala.Scala.GRADO]),
        scala_barometro=ordina_l(per_scala[LivelloScala.Scala.BAROMETRO]),
        fasce_raggiungimento=ordina_f(per_tipo[Fascia.Tipo.RAGGIUNGIMENTO]),
        fasce_qualita=ordina_f(per_tipo[Fascia.Tipo.QUALITA]),
        fasce_finanziaria=ordina_f(per_tipo[Fascia.Tipo.FINANZIARIA]),
        aggregazione_obiettivi=smvp.aggregazione_obiettivi,
        aggregazione_nodi=smvp.aggregazione_nodi,
        tetto_raggiungimento=smvp.tetto_raggiungimento,
        quota_fasi=smvp.quota_fasi,
    )


def regole_smvp(smvp_id: int) -> scoring.Regole:
    """The plain rules of an SMVP (3 queries)."""
    smvp = Smvp.objects.get(pk=smvp_id)
    return regole_da_smvp(
        smvp,
        LivelloScala.objects.filter(smvp_id=smvp_id),
        Fascia.objects.filter(smvp_id=smvp_id),
    )


# The columns of an indicator and of a phase, in the order of ``scoring.DatiIndicatore`` and
# ``scoring.DatiFase``.
CAMPI_INDICATORE = ("codice", "nome", "tipo", "peso", "target", "consuntivo", "data_target",
                    "data_consuntivo", "unita")
CAMPI_FASE = ("codice", "peso", "percentuale", "descrizione")


def regole_del_ciclo(ciclo: Ciclo) -> scoring.Regole | None:
    """The plain rules of the cycle's SMVP (3 queries), None when the cycle has none."""
    return None if ciclo.smvp_id is None else regole_smvp(ciclo.smvp_id)


def dati_obiettivo(obiettivo: Obiettivo) -> scoring.DatiObiettivo:
    """One objective as scoring reads it, with its saved indicators and phases (2 queries):
    the same values ``dati_ciclo`` gives it."""
    indicatori = tuple(
        scoring.DatiIndicatore(*riga)
        for riga in Indicatore.objects.filter(obiettivo=obiettivo).order_by("codice")
        .values_list(*CAMPI_INDICATORE)
    )
    fasi = tuple(
        scoring.DatiFase(*riga)
        for riga in Fase.objects.filter(obiettivo=obiettivo).order_by("codice")
        .values_list(*CAMPI_FASE)
    )
    return scoring.DatiObiettivo(
        id=obiettivo.pk, codice=obiettivo.codice, titolo=obiettivo.titolo,
        nodo_id=obiettivo.nodo_id, area_id=obiettivo.area_id, tipologia=obiettivo.tipologia,
        peso=obiettivo.peso, stato=obiettivo.stato, motivazione_stato=obiettivo.motivazione_stato,
        anno_rinvio=obiettivo.anno_rinvio, grado_proposto=obiettivo.grado_proposto,
        grado_validato=obiettivo.grado_validato, indicatori=indicatori, fasi=fasi,
    )


def dati_ciclo(ciclo: Ciclo) -> scoring.DatiCiclo:
    """Everything scoring needs for ``ciclo``, as plain values (9 queries)."""
    if ciclo.smvp_id is None:
        raise CicloSenzaSmvp(
            f"Il ciclo {ciclo.anno} non ha un sistema di valutazione (SMVP): "
            "sceglierlo nella scheda del ciclo."
        )
    regole = regole_smvp(ciclo.smvp_id)

    # The tree in one query, parents before children (mptt order).
    nodi = tuple(
        scoring.DatiNodo(*riga)
        for riga in NodoStrategico.objects.filter(ciclo=ciclo)
        .order_by("tree_id", "lft")
        .values_list("id", "codice", "titolo", "parent_id", "livello_nome", "nota")
    )
    # Plain tuples in the order of the Dati* fields, after the objective's id: at 10,000
    # objectives there are ~50,000 rows, and dicts (``values()``) and keyword arguments per row
    # were most of the loading time.
    indicatori = _per_obiettivo(
        scoring.DatiIndicatore,
        Indicatore.objects.filter(obiettivo__ciclo=ciclo)
        .order_by("obiettivo_id", "codice")
        .values_list("obiettivo_id", *CAMPI_INDICATORE),
    )
    fasi = _per_obiettivo(
        scoring.DatiFase,
        Fase.objects.filter(obiettivo__ciclo=ciclo)
        .order_by("obiettivo_id", "codice")
        .values_list("obiettivo_id", *CAMPI_FASE),
    )
    tipologie = dict(Obiettivo.Tipologia.choices)
    stati = dict(Obiettivo.Stato.choices)
    righe = list(
        Obiettivo.objects.filter(ciclo=ciclo)
        .order_by("ordine", "codice")
        .values_list("id", "codice", "titolo", "nodo_id", "area_id", "area__nome",
                     "area__codice", "tipologia", "peso", "stato", "motivazione_stato",
                     "anno_rinvio", "grado_proposto", "grado_validato", "area__tree_id",
                     "area__lft")
    )
    # The areas of the objectives, in the organigramma's order (mptt), from the same rows:
    # results per area follow it (areas without objectives have none).
    posizioni = {riga[4]: (riga[14], riga[15], riga[6], riga[5]) for riga in righe}
    aree = tuple(
        scoring.DatiArea(area_id, codice, nome)
        for area_id, (_, _, codice, nome) in sorted(posizioni.items(), key=lambda v: v[1][:2])
    )
    obiettivi = tuple(
        scoring.DatiObiettivo(
            id=id_, codice=codice, titolo=titolo, nodo_id=nodo_id, area_id=area_id,
            area_nome=area_nome, area_codice=area_codice, tipologia=tipologia,
            tipologia_etichetta=tipologie.get(tipologia, tipologia), peso=peso, stato=stato,
            stato_etichetta=stati.get(stato, stato), motivazione_stato=motivazione_stato,
            anno_rinvio=anno_rinvio, grado_proposto=grado_proposto,
            grado_validato=grado_validato, indicatori=indicatori.get(id_, ()),
            fasi=fasi.get(id_, ()),
        )
        for (id_, codice, titolo, nodo_id, area_id, area_nome, area_codice, tipologia, peso,
             stato, motivazione_stato, anno_rinvio, grado_proposto, grado_validato, _, _)
        in righe
    )
    standard = tuple(
        scoring.DatiStandard(
            codice=s["codice"], servizio=s["servizio"], standard=s["standard"], grado=s["grado"],
            area_nome=s["area__nome"] or "",
        )
        for s in StandardBarometro.objects.filter(ciclo=ciclo)
        .order_by("codice")
        .values("codice", "servizio", "standard", "grado", "area__nome")
    )
    finanziari = tuple(
        scoring.DatiIndicatoreFinanziario(*riga)
        for riga in IndicatoreFinanziario.objects.filter(ciclo=ciclo)
        .order_by("codice")
        .values_list("codice", "nome", "target", "valore", "direzione", "unita")
    )
    return scoring.DatiCiclo(
        regole=regole, nodi=nodi, obiettivi=obiettivi, standard=standard, finanziari=finanziari,
        etichetta=f"Ciclo {ciclo.anno}", aree=aree,
    )


def _per_obiettivo(classe, righe) -> dict:
    """objective id → tuple of ``classe(*rest of the row)``, from rows ordered by that id."""
    return {
        obiettivo_id: tuple(classe(*riga[1:]) for riga in gruppo)
        for obiettivo_id, gruppo in groupby(righe, key=itemgetter(0))
    }


def risultati_ciclo(ciclo: Ciclo) -> scoring.RisultatiCiclo:
    """Every computed figure of ``ciclo`` with its explanation (see docs/scoring.md). The
    explanations are written when first read (``valutazione.scoring``)."""
    with scoring.senza_gc():  # loading too: its rows are most of the objects that stay
        return scoring.calcola_ciclo(dati_ciclo(ciclo))
