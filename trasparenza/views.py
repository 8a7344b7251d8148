import re

from django.shortcuts import render

from . import queries

RICERCA_MAX_CARATTERI = 100


def home(request):
    """The enti with a published report, searched by name (``q``) and province (``provincia``),
    a page at a time (``pagina``): 3 queries whatever the number of enti. Anything else in the
    query string is ignored, and so is a province that is not two letters (a sigla without
    published enti finds nothing); a bad page number shows the nearest page."""
    nome = request.GET.get("q", "").strip()[:RICERCA_MAX_CARATTERI]
    provincia = request.GET.get("provincia", "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", provincia):
        provincia = ""
    pagina = queries.enti_pubblicati(nome=nome, provincia=provincia, pagina=request.GET.get("pagina"))
    return render(request, "trasparenza/home.html", {
        "pagina": pagina,
        "enti": pagina.object_list,
        "nome": nome,
        "provincia": provincia,
        "province": queries.province_pubblicate(),
        "ricerca": bool(nome or provincia),
        "pagine_vicine": pagina.paginator.get_elided_page_range(pagina.number, on_each_side=1, on_ends=1),
    })


def ente_relazioni(request, ente):
    """An ente's page: its published reports, newest first (``queries.relazioni_ente``, 2
    queries); 404 when it has published nothing."""
    trovato, pubblicazioni = queries.relazioni_ente(ente)
    return render(request, "trasparenza/ente.html", {"ente": trovato, "pubblicazioni": pubblicazioni})


# --- The published report: every view finds the publication, a separate function renders it. --

from functools import wraps  # noqa: E402

from django.core.cache import cache  # noqa: E402
from django.http import FileResponse, Http404, HttpResponse  # noqa: E402
from django.utils.cache import patch_vary_headers  # noqa: E402
from django.utils.http import http_date  # noqa: E402
from django.views.decorators.http import condition  # noqa: E402

from . import opendata, pagine, snapshot  # noqa: E402

# Files of a publication on disk are served by trasparenza.middleware before these views run;
# the views answer, with the same bytes and headers (trasparenza.snapshot), when a file is missing.
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


def _validazione(request, pub):
    """The Nucleo's validation of ``pub`` its page names (``queries.validazione_di``), looked
    up once per request: the ETag check and the view share it."""
    memo = request.__dict__.setdefault("_validazioni", {})
    if pub.pk not in memo:
        memo[pub.pk] = queries.validazione_di(pub)
    return memo[pub.pk]


def _etag(request, ente, anno, versione=None, **kwargs):
    try:
        pub = _pubblicazione(request, ente, anno, versione)
    except Http404:
        return None
    return f"{pub.impronta}-{pub.versione}"


def _etag_relazione(request, ente, anno, versione=None, **kwargs):
    """The report page's ETag also names the Nucleo's validation its summary shows."""
    etag = _etag(request, ente, anno, versione)
    if etag is None:
        return None
    validazione = _validazione(request, _pubblicazione(request, ente, anno, versione))
    return etag + (f"-{validazione['impronta'][:12]}" if validazione else "")


def _con_cache(response, pubblicazione, controllo=snapshot.CACHE_PUBBLICAZIONE):
    response["Cache-Control"] = controllo
    response["Last-Modified"] = http_date(pubblicazione.pubblicata_il.timestamp())
    return response


def compresso(vista):
    """A page or data file compressed as its published twin is (``snapshot.comprimi``: the same
    bytes), when the browser accepts it; ``Vary: Accept-Encoding`` either way."""

    @wraps(vista)
    def avvolta(request, *args, **kwargs):
        risposta = vista(request, *args, **kwargs)
        if risposta.status_code == 200 and not risposta.streaming:
            codifica = snapshot.codifica_accettata(request.META.get("HTTP_ACCEPT_ENCODING", ""))
            if codifica is not None:
                risposta.content = snapshot.comprimi(risposta.content, codifica)
                risposta["Content-Encoding"] = codifica
                if "Content-Length" in risposta:
                    risposta["Content-Length"] = str(len(risposta.content))
        if risposta.status_code in (200, 304):
            patch_vary_headers(risposta, ("Accept-Encoding",))
        return risposta

    return avvolta


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


def _relazione(request, pubblicazione, *, ultima, controllo):
    """The report page, rendered once per publication and list of versions, then cached."""
    validazione = _validazione(request, pubblicazione)
    corpo = _corpo_in_cache(
        pubblicazione, "pagina",
        lambda: pagine.relazione(pubblicazione, queries.versioni(pubblicazione.ciclo),
                                 validazione).encode(),
        ultima, validazione["impronta"] if validazione else "",
    )
    return _con_cache(HttpResponse(corpo), pubblicazione, controllo)


@compresso
@condition(etag_func=_etag_relazione)
def relazione(request, ente, anno):
    pub = _pubblicazione(request, ente, anno)
    return _relazione(request, pub, ultima=pub.versione, controllo=snapshot.controllo_cache(None, di_versione=False))


@compresso
@condition(etag_func=_etag_relazione)
def relazione_versione(request, ente, anno, versione):
    pub = _pubblicazione(request, ente, anno, versione)
    ultima = queries.ultima_versione(pub.ciclo_id)
    return _relazione(request, pub, ultima=ultima, controllo=snapshot.controllo_cache(None, di_versione=True))


def _scaricabile(response, pub, nome, ente, anno, versione):
    """A download with the headers its published file gets: type, file name, caching."""
    response["Content-Type"] = snapshot.tipo_file(nome)
    response["Content-Disposition"] = snapshot.disposizione(nome, ente, anno, pub.versione)
    return _con_cache(response, pub, snapshot.controllo_cache(nome, di_versione=versione is not None))


@condition(etag_func=_etag)
def relazione_pdf(request, ente, anno, versione=None):
    pub = _pubblicazione(request, ente, anno, versione)
    if not pub.pdf:
        raise Http404("PDF non disponibile.")
    return _scaricabile(FileResponse(pub.pdf.open("rb")), pub, "relazione.pdf", ente, anno, versione)


def _dati_aperti(request, ente, anno, versione, nome):
    """An open-data file of the publication (``opendata.FILE_APERTI``), made once and cached."""
    pub = _pubblicazione(request, ente, anno, versione)
    corpo = _corpo_in_cache(pub, nome, lambda: opendata.FILE_APERTI[nome](queries.dati_pubblicati(pub)))
    return _scaricabile(HttpResponse(corpo), pub, nome, ente, anno, versione)


@compresso
@condition(etag_func=_etag)
def dati_json(request, ente, anno, versione=None):
    return _dati_aperti(request, ente, anno, versione, "dati.json")


@compresso
@condition(etag_func=_etag)
def dati_csv(request, ente, anno, versione=None):
    return _dati_aperti(request, ente, anno, versione, "dati.csv")


@compresso
@condition(etag_func=_etag)
def dati_csv_rfc4180(request, ente, anno, versione=None):
    return _dati_aperti(request, ente, anno, versione, "dati-rfc4180.csv")


@condition(etag_func=_etag)
def dati_ods(request, ente, anno, versione=None):
    return _dati_aperti(request, ente, anno, versione, "dati.ods")


def _dettaglio(ente, anno, pagina, chiave, non_trovato):
    """A page of an objective, linea or area of the current publication (the views answer
    when its file is missing: the whole frozen data are read)."""
    pub = queries.pubblicazione_corrente(ente_slug=ente, anno=anno)
    vicini = lambda: queries.anni_vicini(ente_id=pub.ciclo.ente_id, anno=pub.ciclo.anno)  # noqa: E731
    corpo = getattr(pagine.Dettagli(pub.dati, pub, vicini=vicini), pagina)(chiave)
    if corpo is None:
        raise Http404(non_trovato)
    return _con_cache(HttpResponse(corpo), pub)


@compresso
def obiettivo(request, ente, anno, codice):
    return _dettaglio(ente, anno, "obiettivo", codice, "Obiettivo non trovato.")


@compresso
def linea(request, ente, anno, codice):
    return _dettaglio(ente, anno, "linea", codice, "Linea strategica non trovata.")


@compresso
def area(request, ente, anno, slug):
    return _dettaglio(ente, anno, "area", slug, "Area non trovata.")


@compresso
def obiettivi(request, ente, anno):
    return _dettaglio(ente, anno, "elenco", None, "Obiettivi non trovati.")


@compresso
def esito(request, ente, anno, esito):
    return _dettaglio(ente, anno, "elenco", esito, "Esito non trovato.")


@compresso
def premi(request, ente, anno):
    return _dettaglio(ente, anno, "premi", None, "Dati sui premi non pubblicati.")
