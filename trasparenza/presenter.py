"""From the frozen data of a Relazione to what its templates need: chart rows and lookups.

Only selection and labelling happens here; every figure comes from the data as published.
"""

from django.conf import settings
from django.urls import reverse


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


def grafici(dati):
    linee = dati.get("linee", [])
    componenti = dati.get("componenti", {})
    bar = dati.get("barometro_qualita", {})
    return {
        "aree": _righe(
            dati.get("risultati_aree", []), lambda a: a["area"], lambda a: a["media"]
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
        "composizione": [
            {
                "etichetta": f"{c['codice']} ({c['nome']})",
                "valore": c["contributo"],
                "nota": f"{_it(c['valore'])} × {_it(c['peso'], 0)} %",
            }
            for c in (componenti.get(k) for k in ("finanziaria", "obiettivi", "qualita"))
            if c and c.get("contributo") is not None
        ],
    }


def _it(valore, decimali=2):
    from .charts import formatta_numero

    return formatta_numero(valore, decimali) if valore is not None else "—"


def obiettivi_per_area(dati):
    """[(area name, [objective dicts])] in the order of the organigramma."""
    gruppi = {}
    for ob in dati.get("obiettivi", []):
        gruppi.setdefault(ob["area"], []).append(ob)
    ordine = [a["nome"] for a in dati.get("aree", [])]
    ordinati = [(nome, gruppi.pop(nome)) for nome in ordine if nome in gruppi]
    return ordinati + list(gruppi.items())


def contesto(dati, *, pubblicazione=None, anteprima=False):
    """Context shared by the page and the PDF."""
    sezioni = dati.get("sezioni", {})
    return {
        "dati": dati,
        "sezioni": sezioni,
        "grafici": grafici(dati),
        "obiettivi_per_area": obiettivi_per_area(dati),
        "anteprima": anteprima,
        "pubblicazione": pubblicazione,
        "url_base": f"/{dati['ente']['slug']}/{dati['anno']}/",
        "nome_prodotto": settings.SITE_NAME,
    }


def url_relazione(ente_slug, anno):
    return reverse("trasparenza:relazione", args=[ente_slug, anno])
