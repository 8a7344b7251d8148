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

from django.core.cache import cache  # noqa: E402
from django.http import FileResponse, Http404, HttpResponse  # noqa: E402
from django.utils.http import http_date  # noqa: E402
from django.utils.safestring import mark_safe  # noqa: E402
from django.views.decorators.http import condition  # noqa: E402

from . import opendata, presenter, queries  # noqa: E402
from .report import LICENZA  # noqa: E402

# The current report of a cycle can change (a new version): browsers and proxies recheck it
# after 5 minutes (ETag/Last-Modified make the recheck a 304). What a /versioni/<n>/ URL names
# never changes: its files are cached for a year; its page for a day, since it lists the
# versions published after it.
CACHE_PUBBLICAZIONE = "public, max-age=300"
CACHE_VERSIONE = "public, max-age=31536000, immutable"
CACHE_PAGINA_VERSIONE = "public, max-age=86400"
# Rendered bodies of publications are kept in Django's cache (per process with the default
# local-memory cache) up to this size each; larger ones are rendered at every request.
CACHE_CORPO_MAX_BYTE = 8 * 1024 * 1024
CACHE_CORPO_SECONDI = 3600


def _pubblicazione(request, ente, anno, versione=None):
    """The publication row without its heavy payloads, looked up once per request: the ETag
    check and the view share it."""
    memo = request.__dict__.setdefault("_pubblicazioni", {})
    chiave = (ente, anno, versione)
    if chiave not in memo:
        memo[chiave] = queries.pubblicazione_corrente(
            ente_slug=ente, anno=anno, versione=versione, senza_dati=True, senza_html=True
        )
    return memo[chiave]


def _etag(request, ente, anno, versione=None, **kwargs):
    try:
        pub = _pubblicazione(request, ente, anno, versione)
    except Http404:
        return None
    return f"{pub.impronta}-{pub.versione}"


def _con_cache(response, pubblicazione, controllo=CACHE_PUBBLICAZIONE):
    response["Cache-Control"] = controllo
    response["Last-Modified"] = http_date(pubblicazione.pubblicata_il.timestamp())
    return response


def _corpo_in_cache(pubblicazione, tipo, produci, *extra):
    """The bytes ``produci()`` makes for an immutable publication, from the cache when there.

    The key names the row and its fingerprint and time, so a reused primary key (a test
    database rolled back, a restored dump) never finds another publication's body."""
    chiave = ":".join(
        str(p) for p in ("pubblicazione", tipo, pubblicazione.pk, pubblicazione.impronta,
                         pubblicazione.pubblicata_il.timestamp(), *extra)
    )
    corpo = cache.get(chiave)
    if corpo is None:
        corpo = produci()
        if len(corpo) <= CACHE_CORPO_MAX_BYTE:
            cache.set(chiave, corpo, CACHE_CORPO_SECONDI)
    return corpo


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
    return render(request, "trasparenza/relazione.html", contesto)


def _relazione(request, pubblicazione, *, ultima, controllo):
    """The report page, rendered once per publication and list of versions, then cached."""
    corpo = _corpo_in_cache(
        pubblicazione, "pagina", lambda: _render_relazione(request, pubblicazione).content, ultima
    )
    return _con_cache(HttpResponse(corpo), pubblicazione, controllo)


@condition(etag_func=_etag)
def relazione(request, ente, anno):
    pub = _pubblicazione(request, ente, anno)
    return _relazione(request, pub, ultima=pub.versione, controllo=CACHE_PUBBLICAZIONE)


@condition(etag_func=_etag)
def relazione_versione(request, ente, anno, versione):
    pub = _pubblicazione(request, ente, anno, versione)
    ultima = Pubblicazione.objects.filter(ciclo_id=pub.ciclo_id).aggregate(
        ultima=Max("versione")
    )["ultima"]
    return _relazione(request, pub, ultima=ultima, controllo=CACHE_PAGINA_VERSIONE)


def _controllo(versione):
    return CACHE_PUBBLICAZIONE if versione is None else CACHE_VERSIONE


@condition(etag_func=_etag)
def relazione_pdf(request, ente, anno, versione=None):
    pub = _pubblicazione(request, ente, anno, versione)
    if not pub.pdf:
        raise Http404("PDF non disponibile.")
    nome = f"relazione-performance-{ente}-{anno}-v{pub.versione}.pdf"
    response = FileResponse(pub.pdf.open("rb"), content_type="application/pdf", filename=nome)
    response["Content-Disposition"] = f'inline; filename="{nome}"'
    return _con_cache(response, pub, _controllo(versione))


def _dati(pub):
    """The frozen data of a light publication row (one query, only when not cached)."""
    return Pubblicazione.objects.filter(pk=pub.pk).values_list("dati", flat=True).get()


@condition(etag_func=_etag)
def dati_json(request, ente, anno, versione=None):
    pub = _pubblicazione(request, ente, anno, versione)
    corpo = _corpo_in_cache(
        pub, "json", lambda: json.dumps(_dati(pub), ensure_ascii=False, indent=1).encode()
    )
    response = HttpResponse(corpo, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="relazione-{ente}-{anno}-v{pub.versione}.json"'
    return _con_cache(response, pub, _controllo(versione))


@condition(etag_func=_etag)
def dati_csv(request, ente, anno, versione=None):
    pub = _pubblicazione(request, ente, anno, versione)
    corpo = _corpo_in_cache(pub, "csv", lambda: opendata.obiettivi_csv(_dati(pub)).encode())
    response = HttpResponse(corpo, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="obiettivi-{ente}-{anno}-v{pub.versione}.csv"'
    return _con_cache(response, pub, _controllo(versione))


def _pagina(request, pub, template, **extra):
    contesto = presenter.contesto(pub.dati, pubblicazione=pub)
    contesto.update(extra)
    return _con_cache(render(request, template, contesto), pub)


def obiettivo(request, ente, anno, codice):
    pub = queries.pubblicazione_corrente(ente_slug=ente, anno=anno)
    ob = next((o for o in pub.dati["obiettivi"] if o["codice"] == codice), None)
    if ob is None:
        raise Http404("Obiettivo non trovato.")
    return _pagina(request, pub, "trasparenza/obiettivo.html", ob=ob)


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
        request, pub, "trasparenza/linea.html", linea=l, obiettivi=obiettivi,
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
        request, pub, "trasparenza/area.html", area=a, obiettivi=obiettivi,
        risultato=risultato, righe_distribuzione=distribuzione,
        massimo_distribuzione=max([d["valore"] for d in distribuzione] + [1]),
    )
