from django.db.models import Exists, Max, OuterRef, Prefetch
from django.shortcuts import render

from obiettivi.models import Ciclo, Ente
from trasparenza.models import Pubblicazione


def home(request):
    """Enti with at least one published report, each with its published cycles: 2 queries."""
    pubblicato = Exists(Pubblicazione.objects.filter(ciclo=OuterRef("pk")))
    cicli = (
        Ciclo.objects.filter(pubblicato)
        .annotate(ultima_pubblicazione=Max("pubblicazioni__pubblicata_il"))
        .order_by("-anno")
    )
    enti = (
        Ente.objects.filter(Exists(Ciclo.objects.filter(pubblicato, ente=OuterRef("pk"))))
        .order_by("nome")
        .prefetch_related(Prefetch("cicli", queryset=cicli, to_attr="cicli_pubblicati"))
    )
    return render(request, "trasparenza/home.html", {"enti": enti})


# --- The published report: every view finds the publication, a separate function renders it. --

import json  # noqa: E402

from django.http import FileResponse, Http404, HttpResponse  # noqa: E402
from django.utils.http import http_date  # noqa: E402
from django.utils.safestring import mark_safe  # noqa: E402
from django.views.decorators.http import condition  # noqa: E402

from . import opendata, presenter, queries  # noqa: E402
from .report import LICENZA  # noqa: E402

CACHE_PUBBLICAZIONE = "public, max-age=300"


def _etag(request, ente, anno, versione=None, **kwargs):
    try:
        pub = queries.pubblicazione_corrente(
            ente_slug=ente, anno=anno, versione=versione, senza_dati=True, senza_html=True
        )
    except Http404:
        return None
    return f"{pub.impronta}-{pub.versione}"


def _con_cache(response, pubblicazione):
    response["Cache-Control"] = CACHE_PUBBLICAZIONE
    response["Last-Modified"] = http_date(pubblicazione.pubblicata_il.timestamp())
    return response


def _render_relazione(request, pubblicazione):
    """The frozen body inside the live layout; the frozen data need not even be loaded."""
    ciclo = pubblicazione.ciclo
    contesto = {
        "pubblicazione": pubblicazione,
        "anno": ciclo.anno,
        "ente_nome": ciclo.ente.nome,
        "url_base": f"/{ciclo.ente.slug}/{ciclo.anno}/",
        "licenza": LICENZA,
        "corpo": mark_safe(pubblicazione.html),  # rendered by our templates at publication
        "versioni": queries.versioni(ciclo),
    }
    return _con_cache(render(request, "trasparenza/relazione.html", contesto), pubblicazione)


@condition(etag_func=_etag)
def relazione(request, ente, anno):
    pub = queries.pubblicazione_corrente(ente_slug=ente, anno=anno, senza_dati=True)
    return _render_relazione(request, pub)


@condition(etag_func=_etag)
def relazione_versione(request, ente, anno, versione):
    pub = queries.pubblicazione_corrente(
        ente_slug=ente, anno=anno, versione=versione, senza_dati=True
    )
    return _render_relazione(request, pub)


@condition(etag_func=_etag)
def relazione_pdf(request, ente, anno, versione=None):
    pub = queries.pubblicazione_corrente(ente_slug=ente, anno=anno, versione=versione)
    if not pub.pdf:
        raise Http404("PDF non disponibile.")
    nome = f"relazione-performance-{ente}-{anno}-v{pub.versione}.pdf"
    response = FileResponse(pub.pdf.open("rb"), content_type="application/pdf", filename=nome)
    response["Content-Disposition"] = f'inline; filename="{nome}"'
    return _con_cache(response, pub)


@condition(etag_func=_etag)
def dati_json(request, ente, anno, versione=None):
    pub = queries.pubblicazione_corrente(ente_slug=ente, anno=anno, versione=versione)
    corpo = json.dumps(pub.dati, ensure_ascii=False, indent=1)
    response = HttpResponse(corpo, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="relazione-{ente}-{anno}-v{pub.versione}.json"'
    return _con_cache(response, pub)


@condition(etag_func=_etag)
def dati_csv(request, ente, anno, versione=None):
    pub = queries.pubblicazione_corrente(ente_slug=ente, anno=anno, versione=versione)
    response = HttpResponse(opendata.obiettivi_csv(pub.dati), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="obiettivi-{ente}-{anno}-v{pub.versione}.csv"'
    return _con_cache(response, pub)


def _pagina(request, ente, anno, template, **extra):
    pub = queries.pubblicazione_corrente(ente_slug=ente, anno=anno)
    contesto = presenter.contesto(pub.dati, pubblicazione=pub)
    contesto.update(extra)
    return _con_cache(render(request, template, contesto), pub)


def obiettivo(request, ente, anno, codice):
    pub = queries.pubblicazione_corrente(ente_slug=ente, anno=anno)
    ob = next((o for o in pub.dati["obiettivi"] if o["codice"] == codice), None)
    if ob is None:
        raise Http404("Obiettivo non trovato.")
    return _pagina(request, ente, anno, "trasparenza/obiettivo.html", ob=ob)


def linea(request, ente, anno, codice):
    pub = queries.pubblicazione_corrente(ente_slug=ente, anno=anno)
    l = next((l for l in pub.dati["linee"] if l["codice"] == codice), None)  # noqa: E741
    if l is None:
        raise Http404("Linea strategica non trovata.")
    obiettivi = [o for o in pub.dati["obiettivi"] if o["linea"] == codice]
    righe_azioni = [
        {"etichetta": f"{a['codice']} {a['titolo']}", "valore": a["grado"]}
        for a in l["azioni"]
        if a["grado"] is not None
    ]
    return _pagina(
        request, ente, anno, "trasparenza/linea.html", linea=l, obiettivi=obiettivi,
        righe_azioni=righe_azioni or [{"etichetta": "Nessuna azione valutata", "valore": 0}],
    )


def area(request, ente, anno, slug):
    pub = queries.pubblicazione_corrente(ente_slug=ente, anno=anno)
    a = next((a for a in pub.dati["aree"] if a["slug"] == slug), None)
    if a is None:
        raise Http404("Area non trovata.")
    obiettivi = [o for o in pub.dati["obiettivi"] if o["area_slug"] == slug]
    risultato = next((r for r in pub.dati["risultati_aree"] if r["area"] == a["nome"]), None)
    distribuzione = [
        {"etichetta": f"{d['grado']} — {d['etichetta']}", "valore": d["n"]}
        for d in (risultato or {}).get("distribuzione", [])
    ]
    return _pagina(
        request, ente, anno, "trasparenza/area.html", area=a, obiettivi=obiettivi,
        risultato=risultato, righe_distribuzione=distribuzione,
        massimo_distribuzione=max([d["valore"] for d in distribuzione] + [1]),
    )
