"""Published files served like static files: before sessions, authentication and the views.

``PubblicazioniMiddleware`` sits right after WhiteNoise, so a published page, ``dati.json``,
``dati.csv`` or PDF goes through the same layers as a static file (HTTPS redirect, security
headers, Content-Security-Policy) and nothing else: no database query, no template, the file
handed to the server's ``sendfile``. A browser that accepts brotli or gzip gets the file's
compressed twin, written beside it at publication, with ``Content-Encoding`` (``Vary:
Accept-Encoding`` on every page and data file). A URL whose file is not on disk (see
``trasparenza.snapshot``) goes on to the views, which answer from the database.
"""

import os

from django.http import FileResponse, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from . import snapshot


class PubblicazioniMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            servito = snapshot.file_per_url(
                request.path_info, request.META.get("HTTP_ACCEPT_ENCODING", "")
            )
            if servito is not None:
                request.get_host()  # ALLOWED_HOSTS, as for every other page (400 otherwise)
                risposta = risposta_file(request, servito)
                if risposta is not None:
                    return risposta
        return self.get_response(request)


def risposta_file(request, servito: snapshot.FileServito):
    """The response for a published file: 200 (body omitted for HEAD) or 304, with the same
    headers the views give. None if the file vanished between the lookup and the open."""
    try:
        fh = open(servito.percorso, "rb")  # noqa: SIM115 — FileResponse closes it
    except OSError:
        return None
    stato = os.fstat(fh.fileno())
    # the ETag is the SHA-256 of the bytes, written beside the file: a file rewritten with other
    # bytes of the same length at the same second has another one. None while the file is
    # being replaced: then no validator at all, so no 304 for bytes the client does not have.
    etag = snapshot.etag(servito, stato.st_ino)
    ultima_modifica = int(stato.st_mtime) if etag else None
    condizionale = get_conditional_response(
        request, etag=etag, last_modified=ultima_modifica, response=None
    ) if etag else None
    if condizionale is not None or request.method == "HEAD":
        fh.close()
        risposta = condizionale or HttpResponse(content_type=servito.content_type)
        if condizionale is None:
            risposta["Content-Length"] = str(stato.st_size)
    else:
        risposta = FileResponse(fh, content_type=servito.content_type)
    if etag:
        risposta["ETag"] = etag
        risposta["Last-Modified"] = http_date(ultima_modifica)
    risposta["Cache-Control"] = servito.cache_control
    if servito.content_disposition and risposta.status_code == 200:
        risposta["Content-Disposition"] = servito.content_disposition
    elif "Content-Disposition" in risposta:  # FileResponse names the file; a page is not a download
        del risposta["Content-Disposition"]
    risposta["X-Frame-Options"] = "DENY"
    if servito.codifica:
        risposta["Content-Encoding"] = servito.codifica
    if servito.comprimibile:
        patch_vary_headers(risposta, ("Accept-Encoding",))
    return risposta

