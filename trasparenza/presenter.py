"""From the frozen data of a Relazione to what its templates need: chart rows and lookups.

Only selection and labelling happens here; every figure comes from the data as published.
Areas are told apart by their code (two areas may share a name), never grouped by name.
"""

import copy

from django.conf import settings
from django.urls import reverse

from seregno_perf import formati

from .performance import NOMI_COMPONENTI


def _righe(voci, etichetta, valore):
    return [
        {"etichetta": etichetta(v), "valore": valore(v)}
        for v in voci
        if valore(v) is not None
    ]


def _scala_sopra(valori, passo=5):
    """The smallest multiple of ``passo`` not below the largest value (at least ``passo``)."""
    massimo = max((v for v in valori if v is not None), default=0)
    return max(passo, int(-(-massimo // passo)) * passo)


def etichette_aree(dati):
    """area code → how pages name it: its name, followed by its code when another area of the
    cycle has the same name («Servizi (S1)», «Servizi (S2)»)."""
    aree = dati.get("aree", [])
    nomi = [a["nome"] for a in aree]
    return {
        a["codice"]: f"{a['nome']} ({a['codice']})" if nomi.count(a["nome"]) > 1 else a["nome"]
        for a in aree
    }


ETICHETTE_ESITI = (
    ("raggiunti", "Raggiunti"),
    ("parziali", "Raggiunti in parte"),
    ("non_raggiunti", "Non raggiunti"),
    ("esclusi", "Tolti dal piano, rinviati o sospesi"),
    ("non_valutati", "Ancora senza voto"),
)


def _esiti(sintesi):
    """The rows of the «In sintesi» chart: objectives per class of outcome (the counts of the
    report data), on a scale up to their total."""
    if not sintesi:
        return {"esiti": [], "esiti_max": 1}
    n = sintesi["conteggi"]
    righe = [{"etichetta": etichetta, "valore": n[chiave]} for chiave, etichetta in ETICHETTE_ESITI
             if chiave != "non_valutati" or n[chiave]]
    return {"esiti": righe, "esiti_max": max(n["totale"], 1)}


def sezioni_da_mostrare(dati):
    """section code → whether it has texts or tables: a section without data is left out of
    the page and of the index, never printed as a placeholder."""
    return {codice: bool(s.get("testi") or s.get("tabelle"))
            for codice, s in dati.get("sezioni", {}).items()}


def grafici(dati, etichette=None):
    linee = dati.get("linee", [])
    componenti = dati.get("componenti", {})
    bar = dati.get("barometro_qualita", {})
    etichette = etichette_aree(dati) if etichette is None else etichette
    return {
        "aree": _righe(
            dati.get("risultati_aree", []),
            lambda a: etichette.get(a.get("area_codice"), a["area"]), lambda a: a["media"],
        ),
        "linee_grado": _righe(
            linee, lambda l: f"{l['codice']} {l['titolo']}", lambda l: l["grado"]
        ),
        "linee_copertura": _righe(
            linee, lambda l: f"{l['codice']} {l['titolo']}", lambda l: l["copertura"]
        ),
        "linee_densita": _righe(
            linee, lambda l: f"{l['codice']} {l['titolo']}", lambda l: l["densita"]
        ),
        "densita_max": _scala_sopra([l["densita"] for l in linee]),
        "tipologie": _righe(
            dati.get("tipologie", []), lambda t: t["etichetta"], lambda t: t["media"]
        ),
        "barometro": [
            {"etichetta": f"{d['grado']} — {d['etichetta']}", "valore": d["n"]}
            for d in bar.get("distribuzione", [])
        ],
        **_esiti(dati.get("sintesi")),
        "andamento": _righe(
            dati.get("andamento", []), lambda a: str(a["anno"]), lambda a: a["livello_performance_ente"]
        ),
        "composizione": [
            {
                "etichetta": NOMI_COMPONENTI.get(k, c["nome"]).capitalize(),
                "valore": c["contributo"],
                "nota": f"{formati.numero(c['valore'])} × {formati.percentuale(c['peso'], 0)}",
            }
            for k, c in ((k, componenti.get(k)) for k in ("finanziaria", "obiettivi", "qualita"))
            if c and c.get("contributo") is not None
        ],
    }


def obiettivi_per_area(dati, etichette=None):
    """[(area label, [objective dicts])] in the order of the organigramma, one group per area
    code."""
    etichette = etichette_aree(dati) if etichette is None else etichette
    gruppi = {}
    for ob in dati.get("obiettivi", []):
        gruppi.setdefault(ob["area_codice"], []).append(ob)
    ordine = [a["codice"] for a in dati.get("aree", [])]
    ordinati = [codice for codice in ordine if codice in gruppi]
    ordinati += [codice for codice in gruppi if codice not in set(ordinati)]
    return [(etichette.get(codice, gruppi[codice][0]["area"]), gruppi[codice]) for codice in ordinati]


def _completa(dati):
    """The data of a publication made before outcomes (``esito``) and area codes were in the
    report data, completed with the same functions that write them now (its pages are rendered
    again when the files are rewritten). Data that have them are returned as they are."""
    obiettivi = dati.get("obiettivi", [])
    if all("esito" in ob for ob in obiettivi) and all(
        "area_codice" in r for r in dati.get("risultati_aree", [])
    ):
        return dati
    from .performance import esito_grado, esito_obiettivo

    dati = copy.deepcopy(dati)
    for ob in dati.get("obiettivi", []):
        ob.setdefault("esito", esito_obiettivo(ob))
    nodi = [n for linea in dati.get("linee", []) for n in (linea, *linea.get("azioni", []))]
    for nodo in nodi:
        nodo.setdefault("esito", esito_grado(nodo.get("grado")))
    codici = {a["nome"]: a["codice"] for a in dati.get("aree", [])}  # old rows: one per name
    for riga in dati.get("risultati_aree", []):
        riga.setdefault("area_codice", codici.get(riga["area"], ""))
        riga.setdefault("esito", esito_grado(riga.get("media")))
    return dati


def contesto(dati, *, pubblicazione=None, anteprima=False):
    """Context shared by the page and the PDF."""
    dati = _completa(dati)
    sezioni = dati.get("sezioni", {})
    etichette = etichette_aree(dati)
    return {
        "dati": dati,
        "sezioni": sezioni,
        "mostra": sezioni_da_mostrare(dati),
        "grafici": grafici(dati, etichette),
        "obiettivi_per_area": obiettivi_per_area(dati, etichette),
        "etichette_aree": etichette,
        "anteprima": anteprima,
        "pubblicazione": pubblicazione,
        "url_base": f"/{dati['ente']['slug']}/{dati['anno']}/",
        "nome_prodotto": settings.SITE_NAME,
    }


def url_relazione(ente_slug, anno):
    return reverse("trasparenza:relazione", args=[ente_slug, anno])
