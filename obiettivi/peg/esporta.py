"""Export: the PEG template filled from a cycle (the sheets' ``Resource.export``) and the computed
results, as XLSX, ODS or one sheet in CSV (``obiettivi.peg.scrittura``)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F

from valutazione.models import IndicatoreFinanziario, StandardBarometro

from .. import permessi
from ..models import Area, Ciclo, Fase, Indicatore, NodoStrategico, Obiettivo
from .risorse import FOGLI, FOGLI_DIRIGENTE, RISORSE
from .scrittura import scrivi


def _aree_esportabili(ciclo, utente):
    """``None`` = every area; else the codes of the areas ``utente`` may export."""
    if utente is None or permessi.vede_tutto(utente, ciclo.ente_id):
        return None
    return set(permessi.aree_visibili(utente).filter(ciclo=ciclo).values_list("codice", flat=True))


def fogli_esportabili(utente, ciclo=None) -> tuple[str, ...]:
    if utente is None or permessi.vede_tutto(utente, None if ciclo is None else ciclo.ente_id):
        return tuple(FOGLI)
    return FOGLI_DIRIGENTE


def _querysets(ciclo):
    """Each sheet's rows of ``ciclo``, in the template's order, with the codes the columns
    show (one query per sheet)."""
    per_obiettivo = ("obiettivo__ordine", "obiettivo__codice", "codice")
    return {
        "aree": Area.objects.filter(ciclo=ciclo).annotate(padre_codice=F("parent__codice"))
        .order_by("tree_id", "lft"),
        "albero": NodoStrategico.objects.filter(ciclo=ciclo)
        .annotate(padre_codice=F("parent__codice")).order_by("tree_id", "lft"),
        "obiettivi": Obiettivo.objects.filter(ciclo=ciclo)
        .annotate(area_codice=F("area__codice"), nodo_codice=F("nodo__codice"))
        .order_by("ordine", "codice"),
        "indicatori": Indicatore.objects.filter(obiettivo__ciclo=ciclo)
        .annotate(obiettivo_codice=F("obiettivo__codice"), area_codice=F("obiettivo__area__codice"))
        .order_by(*per_obiettivo),
        "fasi": Fase.objects.filter(obiettivo__ciclo=ciclo)
        .annotate(obiettivo_codice=F("obiettivo__codice"), area_codice=F("obiettivo__area__codice"))
        .order_by(*per_obiettivo),
        "barometro": StandardBarometro.objects.filter(ciclo=ciclo)
        .annotate(area_codice=F("area__codice")).order_by("codice"),
        "finanziari": IndicatoreFinanziario.objects.filter(ciclo=ciclo).order_by("codice"),
    }


def dataset_workbook(*, ciclo: Ciclo | None, utente=None, vuoto: bool = False) -> dict:
    """The template's sheets as ``{sheet: tablib.Dataset}``, filled from ``ciclo`` (unless
    ``vuoto``) by each sheet's ``Resource.export``. A dirigente gets only their areas'
    objectives, indicators, phases and standards."""
    fogli = {}
    ammesse = None if vuoto or ciclo is None else _aree_esportabili(ciclo, utente)
    querysets = None if vuoto or ciclo is None else _querysets(ciclo)
    for nome in fogli_esportabili(utente, ciclo):
        risorsa = RISORSE[nome]()
        if querysets is None:
            queryset = []
        else:
            queryset = querysets[nome]
            if ammesse is not None:
                queryset = queryset.filter(area_codice__in=ammesse)
        fogli[nome] = risorsa.export(queryset)
    return fogli


def dati_workbook(*, ciclo: Ciclo | None, utente=None, vuoto: bool = False) -> dict[str, list[list]]:
    """The same as ``dataset_workbook``, each sheet as a list of rows (headers first)."""
    return {nome: [list(d.headers)] + [list(r) for r in d]
            for nome, d in dataset_workbook(ciclo=ciclo, utente=utente, vuoto=vuoto).items()}


def dati_risultati(*, ciclo: Ciclo, utente=None) -> dict[str, list[list]]:
    """The computed results (``risultati_ciclo``): objectives with achievement and grades,
    nodes of the tree, and the ente's level with its components. A dirigente gets only their
    areas' objectives."""
    from valutazione.queries import risultati_ciclo

    r = risultati_ciclo(ciclo)
    ammesse = _aree_esportabili(ciclo, utente)
    aree = dict(Area.objects.filter(ciclo=ciclo).values_list("pk", "codice"))
    nodi = {n.id: n.codice for n in r.nodi}
    fogli = {"obiettivi": [[
        "codice", "titolo", "area", "nodo", "stato", "peso", "raggiungimento", "grado_calcolato",
        "grado_proposto", "grado_validato", "grado", "fonte_grado", "calcolo",
    ]]}
    for o in r.obiettivi:
        area = aree.get(o.area_id, "")
        if ammesse is not None and area not in ammesse:
            continue
        fogli["obiettivi"].append([
            o.codice, o.titolo, area, nodi.get(o.nodo_id, ""), o.stato, o.peso,
            o.raggiungimento.percentuale, o.grado_calcolato, o.grado_proposto, o.grado_validato,
            o.grado, o.fonte_grado, o.spiegazione.calcolo,
        ])
    if ammesse is not None:
        return fogli
    fogli["nodi"] = [["codice", "titolo", "livello", "padre", "grado", "obiettivi", "valutati",
                      "provvisorio", "calcolo"]]
    for n in r.nodi:
        fogli["nodi"].append([
            n.codice, n.titolo, n.livello_nome, nodi.get(n.parent_id, ""), n.grado, n.n_obiettivi,
            n.n_conteggiati, "sì" if n.provvisorio else "no", n.spiegazione.calcolo,
        ])
    fogli["linee"] = [["codice", "titolo", "azioni", "azioni_coperte", "copertura", "obiettivi",
                       "densita"]]
    for linea in r.linee:
        fogli["linee"].append([
            linea.nodo.codice, linea.nodo.titolo, linea.n_azioni, linea.n_azioni_coperte,
            linea.copertura, linea.n_obiettivi, linea.densita,
        ])
    fogli["ente"] = [["componente", "nome", "peso", "valore", "contributo", "calcolo"]]
    for c in r.ente.componenti:
        fogli["ente"].append([c.codice, c.nome, c.peso, c.valore, c.contributo, c.spiegazione.calcolo])
    fogli["ente"].append(["Livello", "Livello di performance di ente", Decimal("100"),
                          r.ente.valore, r.ente.valore, r.ente.spiegazione.calcolo])
    return fogli


def esporta_workbook(*, ciclo: Ciclo | None, utente=None, formato: str = "xlsx",
                     vuoto: bool = False, foglio: str | None = None) -> bytes:
    """The PEG template, blank or filled from ``ciclo``, as XLSX, ODS or (one ``foglio``) CSV."""
    return scrivi(dataset_workbook(ciclo=ciclo, utente=utente, vuoto=vuoto), formato, foglio)


def esporta_risultati(*, ciclo: Ciclo, utente=None, formato: str = "xlsx",
                      foglio: str | None = None) -> bytes:
    """The results with proposed, validated and computed grades and the ente's figures."""
    return scrivi(dati_risultati(ciclo=ciclo, utente=utente), formato, foglio)
