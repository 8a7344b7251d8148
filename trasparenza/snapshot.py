"""Published reports as files: what a citizen downloads, written once at publication.

A publication never changes, so its page, ``dati.json``, ``dati.csv`` and PDF are written to
disk when it is published and then served as files by ``trasparenza.middleware`` — no
database query, no template, the operating system's ``sendfile`` — like a static file. The
views in ``trasparenza.views`` give the same bytes from the database whenever a file is missing
(a fresh restore, a publication made before this existed), so the files are a cache of the
database, never the only copy: ``python manage.py rigenera_file_pubblicati`` rewrites them.

Layout under ``settings.PUBBLICAZIONI_ROOT`` (by default ``MEDIA_ROOT/pubblicati``)::

    <ente>/<anno>/v<N>/index.html      the page of version N (lists every version)
    <ente>/<anno>/v<N>/index.html.br   its brotli and gzip twins (so for dati.json, both CSV
    <ente>/<anno>/v<N>/index.html.gz   and every detail page; never for the PDF and the ODS)
    <ente>/<anno>/v<N>/dati.json       the frozen data, exactly as /dati.json serves them
    <ente>/<anno>/v<N>/dati.csv        the objectives for Italian spreadsheets (``;``, decimal comma)
    <ente>/<anno>/v<N>/dati-rfc4180.csv  the same for programs (RFC 4180)
    <ente>/<anno>/v<N>/dati.ods        the same as an OpenDocument spreadsheet
    <ente>/<anno>/v<N>/relazione.pdf   a hard link to (or copy of) the archived PDF
    <ente>/<anno>/v<N>/.pubblicazione  the fingerprint and time of the publication it holds
    <ente>/<anno>/v<N>/{obiettivi,linee,aree}/<codice>/index.html
                                       the detail pages, only in the current version's folder
    <ente>/<anno>/v<N>/obiettivi/index.html, esiti/<esito>/index.html
                                       the list of objectives and its pages per outcome (ditto)
    <ente>/<anno>/v<N>/premi/index.html  the bonuses' aggregates, art. 20 D.Lgs. 33/2013 (ditto)
    <ente>/<anno>/corrente -> v<N>     the version citizens get at /<ente>/<anno>/
    <ente>/<anno>/.blocco              the lock writers of the cycle take turns on

Every page, ``dati.json`` and ``dati.csv`` has two compressed twins beside it, written with it:
``<nome>.br`` (brotli) and ``<nome>.gz`` (gzip), which the middleware serves with
``Content-Encoding`` to a browser that accepts them (``comprimi`` makes them, the same bytes
every time, so the views give the same bytes when a file is missing).

Every file is written to a temporary name and renamed into place, so a reader sees the old
file or the new one, never half of one; ``corrente`` is switched the same way. A file's
modification time is the moment it last changed (its publication, or for the pages, which list
the versions, the newest publication of the cycle): it becomes ``Last-Modified`` and, with the
size, the ``ETag``.
"""

import fcntl
import gzip
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import brotli
from django.conf import settings

from . import opendata

PAGINA = "index.html"
CORRENTE = "corrente"
FIRMA = ".pubblicazione"  # fingerprint and time of the publication the folder holds
FIRMA_DETTAGLI = ".dettagli"  # the same, once the detail pages are written
BLOCCO = ".blocco"  # the lock of the cycle's writers
FILE_APERTI = tuple(opendata.FILE_APERTI)  # dati.json, dati.csv, dati-rfc4180.csv, dati.ods
FILE_DATI = (*FILE_APERTI, "relazione.pdf")

# The current report of a cycle can change (a new version): browsers and proxies recheck it
# after 5 minutes (ETag/Last-Modified make the recheck a 304). What a /versioni/<n>/ URL names
# never changes: its files are cached for a year; its page for a day, since it lists the
# versions published after it.
CACHE_PUBBLICAZIONE = "public, max-age=300"
CACHE_VERSIONE = "public, max-age=31536000, immutable"
CACHE_PAGINA_VERSIONE = "public, max-age=86400"

# The public URLs a file can answer: the report, its downloads, and (for the current version)
# the page of each objective, linea and area. Anything else (other spellings such as
# /seregno/02021/, codes with other characters) goes on to the views.
CODICE_SICURO = re.compile(r"^(?!\.+$)[-A-Za-z0-9._]{1,100}$")
URL_FILE = re.compile(
    r"^/(?P<ente>[-a-zA-Z0-9_]+)/(?P<anno>[1-9][0-9]{3})/"
    r"(?:"
    r"(?:versioni/(?P<versione>[1-9][0-9]{0,4})/)?(?P<nome>"
    + "|".join(re.escape(nome) for nome in FILE_DATI) + r")?"
    r"|(?P<dettaglio>obiettivi|linee|aree|esiti)/(?P<codice>(?!\.+/)[-A-Za-z0-9._]{1,100})/"
    r"|(?P<elenco>obiettivi|premi)/"
    r")$"
)
DETTAGLI = ("obiettivi", "linee", "aree", "esiti")
_VERSIONE = re.compile(r"^v([1-9][0-9]*)$")


def radice() -> Path:
    return Path(settings.PUBBLICAZIONI_ROOT)


def cartella_ciclo(ente_slug: str, anno: int) -> Path:
    return radice() / ente_slug / str(anno)


@dataclass(frozen=True)
class FileServito:
    """What one public URL answers with when its file is on disk: ``percorso`` itself, or its
    compressed twin (``codifica`` "br" or "gzip") when the browser accepts it."""

    percorso: Path
    content_type: str
    cache_control: str
    content_disposition: str | None
    codifica: str | None = None
    comprimibile: bool = False  # a page or a data file: its answer varies with Accept-Encoding


# --- Compression: what is served to a browser that says it accepts it ---------------------------

# (Content-Encoding, suffix of the twin file), in order of preference.
CODIFICHE = (("br", ".br"), ("gzip", ".gz"))
_ACCETTA = re.compile(r"\s*([a-z*-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$", re.IGNORECASE)


def comprimibile(nome: str | None) -> bool:
    """Pages, dati.json and the CSV files are text and shrink ten times; a PDF and an ODS (a zip)
    are compressed already."""
    return nome not in ("relazione.pdf", "dati.ods")


def comprimi(contenuto: bytes, codifica: str) -> bytes:
    """``contenuto`` compressed for ``codifica`` ("br" or "gzip"), the same bytes every time
    (gzip without a time stamp), so a file and the view that stands in for it agree."""
    if codifica == "br":
        return brotli.compress(contenuto, quality=11)
    if codifica == "gzip":
        return gzip.compress(contenuto, compresslevel=9, mtime=0)
    raise ValueError(f"Codifica sconosciuta: {codifica!r}")


def codifica_accettata(accept_encoding: str) -> str | None:
    """The preferred encoding of ``CODIFICHE`` that an ``Accept-Encoding`` header allows
    (q=0 refuses one; ``*`` accepts any not named), or None for the plain file."""
    pesi = {}
    for parte in (accept_encoding or "").split(","):
        trovato = _ACCETTA.match(parte)
        if trovato:
            try:
                peso = float(trovato.group(2)) if trovato.group(2) is not None else 1.0
            except ValueError:
                continue
            pesi[trovato.group(1).lower()] = peso
    for codifica, _ in CODIFICHE:
        if pesi.get(codifica, pesi.get("*", 0.0)) > 0:
            return codifica
    return None


def tipo_file(nome: str | None) -> str:
    return {
        None: "text/html; charset=utf-8",
        "dati.json": "application/json; charset=utf-8",
        "dati.csv": "text/csv; charset=utf-8",
        "dati-rfc4180.csv": "text/csv; charset=utf-8; header=present",
        "dati.ods": "application/vnd.oasis.opendocument.spreadsheet",
        "relazione.pdf": "application/pdf",
    }[nome]


def disposizione(nome: str | None, ente: str, anno, versione: int) -> str | None:
    """The Content-Disposition of a download: the file name carries the version."""
    return {
        None: None,
        "dati.json": f'inline; filename="relazione-{ente}-{anno}-v{versione}.json"',
        "dati.csv": f'attachment; filename="obiettivi-{ente}-{anno}-v{versione}.csv"',
        "dati-rfc4180.csv": f'attachment; filename="obiettivi-{ente}-{anno}-v{versione}-rfc4180.csv"',
        "dati.ods": f'attachment; filename="obiettivi-{ente}-{anno}-v{versione}.ods"',
        "relazione.pdf": f'inline; filename="relazione-performance-{ente}-{anno}-v{versione}.pdf"',
    }[nome]


def controllo_cache(nome: str | None, *, di_versione: bool) -> str:
    if not di_versione:
        return CACHE_PUBBLICAZIONE
    return CACHE_PAGINA_VERSIONE if nome is None else CACHE_VERSIONE


def file_per_url(path_info: str, accept_encoding: str = "") -> FileServito | None:
    """The file that answers ``path_info``, or None (not a file URL, or nothing on disk); its
    compressed twin when ``accept_encoding`` allows one and it is on disk.

    Costs a regular-expression match and, for a match, a ``readlink`` and a ``stat``: no
    database. Only URLs of ``URL_FILE`` can match: their parts are letters, digits, dashes,
    underscores and dots, never a part of dots alone, so a path can never leave the folder of
    its cycle.
    """
    trovato = URL_FILE.match(path_info)
    if trovato is None:
        return None
    ente, anno, versione, nome, dettaglio, codice, elenco = trovato.group(
        "ente", "anno", "versione", "nome", "dettaglio", "codice", "elenco"
    )
    ciclo = cartella_ciclo(ente, anno)
    if versione is None:
        try:
            cartella = os.readlink(ciclo / CORRENTE)
        except OSError:
            return None
        numero = _VERSIONE.match(cartella)
        if numero is None:
            return None
        versione_file = int(numero.group(1))
    else:
        cartella = f"v{versione}"
        versione_file = int(versione)
    if dettaglio:
        percorso = ciclo / cartella / dettaglio / codice / PAGINA
    elif elenco:
        percorso = ciclo / cartella / elenco / PAGINA
    else:
        percorso = ciclo / cartella / (nome or PAGINA)
    if not percorso.is_file():
        return None
    codifica = None
    if comprimibile(nome) and (scelta := codifica_accettata(accept_encoding)) is not None:
        gemello = percorso.with_name(percorso.name + dict(CODIFICHE)[scelta])
        if gemello.is_file():
            percorso, codifica = gemello, scelta
    return FileServito(
        percorso=percorso,
        content_type=tipo_file(nome),
        cache_control=controllo_cache(nome, di_versione=versione is not None),
        content_disposition=disposizione(nome, ente, anno, versione_file),
        codifica=codifica,
        comprimibile=comprimibile(nome),
    )


# --- Writing (called by trasparenza.services after a publication commits) ----------------------

def scrivi_atomico(percorso: Path, contenuto: bytes, momento: float) -> None:
    """Write ``contenuto`` to ``percorso`` through a temporary file in the same folder, set its
    modification time to ``momento`` (a POSIX timestamp), then rename it into place."""
    percorso.parent.mkdir(parents=True, exist_ok=True)
    fd, temporaneo = tempfile.mkstemp(dir=percorso.parent, prefix=f".{percorso.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(contenuto)
        os.chmod(temporaneo, 0o644)
        os.utime(temporaneo, (momento, momento))
        os.replace(temporaneo, percorso)
    except BaseException:
        Path(temporaneo).unlink(missing_ok=True)
        raise


def collega_atomico(sorgente: Path, percorso: Path, momento: float) -> None:
    """``percorso`` as a hard link to ``sorgente`` (a copy where links are not possible)."""
    percorso.parent.mkdir(parents=True, exist_ok=True)
    if percorso.is_file() and os.path.samefile(sorgente, percorso):
        os.utime(percorso, (momento, momento))  # rename() of a file onto itself does nothing
        return
    temporaneo = percorso.with_name(f".{percorso.name}.{os.getpid()}.tmp")
    temporaneo.unlink(missing_ok=True)
    try:
        try:
            os.link(sorgente, temporaneo)
        except OSError:
            shutil.copyfile(sorgente, temporaneo)
        os.utime(temporaneo, (momento, momento))
        os.replace(temporaneo, percorso)
    except BaseException:
        temporaneo.unlink(missing_ok=True)
        raise


def punta_corrente(ciclo: Path, versione: int) -> None:
    """Switch ``<ciclo>/corrente`` to ``v<versione>`` in one rename."""
    temporaneo = ciclo / f".{CORRENTE}.{os.getpid()}.tmp"
    temporaneo.unlink(missing_ok=True)
    os.symlink(f"v{versione}", temporaneo)
    os.replace(temporaneo, ciclo / CORRENTE)


def scrivi_con_gemelli(percorso: Path, contenuto: bytes, momento: float) -> list[Path]:
    """``percorso`` and, when ``comprimibile``, its compressed twins (``.br``, ``.gz``), each
    written atomically; the twins first, so a plain file on disk always has its current twins.
    Returns the paths."""
    scritti = []
    for codifica, suffisso in CODIFICHE if comprimibile(percorso.name) else ():
        gemello = percorso.with_name(percorso.name + suffisso)
        scrivi_atomico(gemello, comprimi(contenuto, codifica), momento)
        scritti.append(gemello)
    scrivi_atomico(percorso, contenuto, momento)
    return [percorso, *scritti]


@contextmanager
def blocco(ciclo: Path):
    """Exclusive right to write the files of one cycle (a ``flock`` on ``<ciclo>/.blocco``;
    other processes wait). Readers never take it."""
    ciclo.mkdir(parents=True, exist_ok=True)
    with open(ciclo / BLOCCO, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def versioni_su_disco(ciclo: Path) -> set[int]:
    if not ciclo.is_dir():
        return set()
    return {int(m.group(1)) for p in ciclo.iterdir() if (m := _VERSIONE.match(p.name))}
