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
    <ente>/<anno>/v<N>/<nome>.etag     beside every file: the SHA-256 of its bytes and of its
                                       twins', with the inode each was written as (the ETag)
    <ente>/<anno>/v<N>/.completa       written last: the folder is complete for that version,
                                       the newest of the cycle when it was written
    <ente>/<anno>/.ultima              the newest version of the database, written by a
                                       publication before its commit
    <ente>/<anno>/corrente -> v<N>     the newest version whose files are complete
    <ente>/<anno>/.blocco              the lock publications and writers of the cycle take turns on
    <ente>/.blocco                     the lock publications of the ente take turns on
    .blocco                            shared by publications, exclusive to remove orphan PDFs

The middleware serves a folder only when its ``.completa`` names the version ``.ultima`` holds:
after a publication commits, and until its files are all written (or if the writer was killed
half-way), the views answer from the database, so citizens never get an older version as the
current one. The next publication, ``rigenera_file_pubblicati`` and its start-up check
``--incompleti`` finish the files.

Every page, ``dati.json`` and ``dati.csv`` has two compressed twins beside it, written with it:
``<nome>.br`` (brotli) and ``<nome>.gz`` (gzip), which the middleware serves with
``Content-Encoding`` to a browser that accepts them (``comprimi`` makes them, the same bytes
every time, so the views give the same bytes when a file is missing).

Every file is written to a temporary name and renamed into place, so a reader sees the old
file or the new one, never half of one; ``corrente`` is switched the same way. A file's
modification time is the moment it last changed (its publication, or for the pages, which list
the versions, the newest publication of the cycle, or the moment a rewrite changed its bytes):
it becomes ``Last-Modified``. The ``ETag`` is the SHA-256 of the bytes (``.etag`` beside it).
"""

import fcntl
import gzip
import hashlib
import os
import re
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager, suppress
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
ULTIMA = ".ultima"  # in the cycle's folder: the newest version the database has (or is committing)
COMPLETA = ".completa"  # in v<N>/, written last: its files are all there, for that newest version
ETICHETTE = ".etag"  # beside each file: the SHA-256 of its bytes (and of its twins'), its ETag
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
# ``\Z``, not ``$``: ``$`` also matches before a final newline, so /seregno/2021/%0a would match.
CODICE_SICURO = re.compile(r"^(?!\.+\Z)[-A-Za-z0-9._]{1,100}\Z")
URL_FILE = re.compile(
    r"^/(?P<ente>[-a-zA-Z0-9_]+)/(?P<anno>[1-9][0-9]{3})/"
    r"(?:"
    r"(?:versioni/(?P<versione>[1-9][0-9]{0,4})/)?(?P<nome>"
    + "|".join(re.escape(nome) for nome in FILE_DATI) + r")?"
    r"|(?P<dettaglio>obiettivi|linee|aree|esiti)/(?P<codice>(?!\.+/)[-A-Za-z0-9._]{1,100})/"
    r"|(?P<elenco>obiettivi|premi)/"
    r")\Z"
)
DETTAGLI = ("obiettivi", "linee", "aree", "esiti")
_VERSIONE = re.compile(r"^v([1-9][0-9]*)\Z")


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
    etichette: Path | None = None  # the hashes of the file and its twins (``ETICHETTE``)


# --- Compression: what is served to a browser that says it accepts it ---------------------------

# (Content-Encoding, suffix of the twin file), in order of preference.
CODIFICHE = (("br", ".br"), ("gzip", ".gz"))
_ACCETTA = re.compile(r"\s*([a-z*-]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$", re.IGNORECASE)


def comprimibile(nome: str | None) -> bool:
    """Pages, dati.json and the CSV files are text and shrink ten times; a PDF and an ODS (a zip)
    are compressed already."""
    return nome not in ("relazione.pdf", "dati.ods")


# Brotli's quality: 6, not the maximum 11. Measured on a 1.000-objective publication (docs/
# performance.md): 11 took 19 s of CPU for 2.100 twins (1 s for the 760 KB main page alone, 9 ms
# for each 10 KB objective page), 6 takes 0,3 s, for files 10–15 % larger (36 KB instead of 31
# for the main page, 2,7 KB instead of 2,5 for an objective page) and still smaller than gzip -9.
BROTLI_QUALITA = 6


def comprimi(contenuto: bytes, codifica: str) -> bytes:
    """``contenuto`` compressed for ``codifica`` ("br" or "gzip"), the same bytes every time
    (gzip without a time stamp), so a file and the view that stands in for it agree."""
    if codifica == "br":
        return brotli.compress(contenuto, quality=BROTLI_QUALITA)
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

    Costs a regular-expression match and, for a match, the reading of two one-line markers
    (``ULTIMA``, ``COMPLETA``) and a ``stat``: no database. None too when the version's folder
    is not complete for the cycle's newest version: the views answer. Only URLs of ``URL_FILE`` can match: their parts are letters, digits, dashes,
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
    ultima = leggi_versione(ciclo / ULTIMA)
    versione_file = int(versione) if versione is not None else ultima
    if ultima is None or versione_file > ultima:
        return None
    cartella = f"v{versione_file}"
    # the folder is complete, and written for the newest version (its page lists them all):
    # otherwise the views answer from the database (a publication whose files are being, or
    # were never fully, written — see ``services.file_pubblicati_scrivi``)
    if leggi_versione(ciclo / cartella / COMPLETA) != ultima:
        return None
    if dettaglio:
        percorso = ciclo / cartella / dettaglio / codice / PAGINA
    elif elenco:
        percorso = ciclo / cartella / elenco / PAGINA
    else:
        percorso = ciclo / cartella / (nome or PAGINA)
    if not percorso.is_file():
        return None
    etichette = percorso.with_name(percorso.name + ETICHETTE)
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
        etichette=etichette,
    )


def leggi_versione(percorso: Path) -> int | None:
    """The version number a marker file (``ULTIMA``, ``COMPLETA``) holds, or None."""
    try:
        testo = percorso.read_bytes()
    except OSError:
        return None
    return int(testo) if testo.strip().isdigit() else None


def segna_versione(percorso: Path, versione: int) -> None:
    """Write a marker file (``ULTIMA``, ``COMPLETA``) holding ``versione``."""
    scrivi_atomico(percorso, f"{versione}\n".encode(), time.time())


def etag(servito: "FileServito", inode: int) -> str | None:
    """The ETag of the file ``servito`` names, opened as ``inode``: the SHA-256 of its bytes
    written beside it (``ETICHETTE``), or None when the file on disk is not the one the hash
    was written for (it is being replaced right now: the answer then carries no validator)."""
    try:
        righe = servito.etichette.read_text().splitlines()
    except (OSError, ValueError):
        return None
    for riga in righe:
        parti = riga.split(" ")
        if len(parti) == 3 and parti[0] == servito.percorso.name and parti[2] == str(inode):
            return f'"{parti[1]}"'
    return None


# --- Writing (called by trasparenza.services) --------------------------------------------------

def impronta(contenuto: bytes) -> str:
    """The hash a file's ETag carries (SHA-256, hexadecimal)."""
    return hashlib.sha256(contenuto).hexdigest()


def scrivi_atomico(percorso: Path, contenuto: bytes, momento: float) -> None:
    """Write ``contenuto`` to ``percorso`` through a temporary file in the same folder, set its
    modification time to ``momento`` (a POSIX timestamp), then rename it into place."""
    temporaneo, _ = _temporaneo(percorso, contenuto, momento)
    try:
        os.replace(temporaneo, percorso)
    except BaseException:
        temporaneo.unlink(missing_ok=True)
        raise


def _temporaneo(percorso: Path, contenuto: bytes, momento: float) -> tuple[Path, int]:
    """``contenuto`` in a temporary file beside ``percorso`` (its path and inode)."""
    percorso.parent.mkdir(parents=True, exist_ok=True)
    fd, temporaneo = tempfile.mkstemp(dir=percorso.parent, prefix=f".{percorso.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(contenuto)
            inode = os.fstat(fh.fileno()).st_ino
        os.chmod(temporaneo, 0o644)
        os.utime(temporaneo, (momento, momento))
    except BaseException:
        Path(temporaneo).unlink(missing_ok=True)
        raise
    return Path(temporaneo), inode


def _etichette_su_disco(percorso: Path) -> dict[str, str]:
    """{file name: SHA-256} of the files beside ``percorso`` whose hashes are written and which
    are on disk as the file the hash was written for."""
    try:
        righe = percorso.with_name(percorso.name + ETICHETTE).read_text().splitlines()
    except (OSError, ValueError):
        return {}
    trovate = {}
    for riga in righe:
        parti = riga.split(" ")
        if len(parti) != 3:
            continue
        try:
            if str(os.stat(percorso.with_name(parti[0])).st_ino) == parti[2]:
                trovate[parti[0]] = parti[1]
        except OSError:
            continue
    return trovate


def _sostituisci(percorso: Path, temporanei: dict[str, tuple[Path, int, str]]) -> None:
    """Put the prepared files (``{name: (temporary path, inode, hash)}``) in place beside
    ``percorso``: first their hashes with the inodes they belong to (``ETICHETTE``), then the
    files, ``percorso`` itself last. A reader that opens a file being replaced finds an inode
    the hashes do not name and gets no ETag rather than a wrong one."""
    righe = "".join(f"{nome} {hash_} {inode}\n" for nome, (_, inode, hash_) in temporanei.items())
    try:
        scrivi_atomico(percorso.with_name(percorso.name + ETICHETTE), righe.encode(), time.time())
        for nome in sorted(temporanei, key=lambda n: n == percorso.name):
            os.replace(temporanei[nome][0], percorso.with_name(nome))
    except BaseException:
        for temporaneo, _, _ in temporanei.values():
            temporaneo.unlink(missing_ok=True)
        raise


def collega_atomico(sorgente: Path, percorso: Path, momento: float, sha256: str = "") -> None:
    """``percorso`` as a hard link to ``sorgente`` (a copy where links are not possible), with
    its hash (``sha256``, or read from the file) beside it."""
    percorso.parent.mkdir(parents=True, exist_ok=True)
    sha256 = sha256 or impronta(sorgente.read_bytes())
    if (percorso.is_file() and os.path.samefile(sorgente, percorso)
            and _etichette_su_disco(percorso).get(percorso.name) == sha256):
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
    except BaseException:
        temporaneo.unlink(missing_ok=True)
        raise
    _sostituisci(percorso, {percorso.name: (temporaneo, temporaneo.stat().st_ino, sha256)})


def punta_corrente(ciclo: Path, versione: int) -> None:
    """Switch ``<ciclo>/corrente`` to ``v<versione>`` in one rename."""
    temporaneo = ciclo / f".{CORRENTE}.{os.getpid()}.tmp"
    temporaneo.unlink(missing_ok=True)
    os.symlink(f"v{versione}", temporaneo)
    os.replace(temporaneo, ciclo / CORRENTE)


def scrivi_con_gemelli(percorso: Path, contenuto: bytes, momento: float) -> list[Path]:
    """``percorso`` and, when ``comprimibile``, its compressed twins (``.br``, ``.gz``), with
    the SHA-256 of each beside them (``ETICHETTE``: the ETag); returns the paths.

    Files whose bytes are already on disk are left as they are (their time too, so
    ``Last-Modified`` does not move). Files that change are written to temporary names, then
    renamed into place, the twins before the plain file; a file replaced with other bytes gets
    the time of the change (``momento``, or now, and at least a second after its old time) so
    that ``Last-Modified`` moves with the ETag.
    """
    varianti = {percorso.name: contenuto}
    for codifica, suffisso in CODIFICHE if comprimibile(percorso.name) else ():
        varianti[percorso.name + suffisso] = comprimi(contenuto, codifica)
    percorsi = [percorso.with_name(nome) for nome in varianti]
    hash_ = {nome: impronta(corpo) for nome, corpo in varianti.items()}
    if _etichette_su_disco(percorso) == hash_ and all(
        _uguale(percorso.with_name(nome), corpo) for nome, corpo in varianti.items()
    ):
        return percorsi
    with suppress(OSError):  # other bytes than before: Last-Modified moves, at least a second
        momento = max(momento, time.time(), int(percorso.stat().st_mtime) + 1)
    temporanei = {}
    try:
        for nome, corpo in varianti.items():
            temporaneo, inode = _temporaneo(percorso.with_name(nome), corpo, momento)
            temporanei[nome] = (temporaneo, inode, hash_[nome])
    except BaseException:
        for temporaneo, _, _ in temporanei.values():
            temporaneo.unlink(missing_ok=True)
        raise
    _sostituisci(percorso, temporanei)
    return percorsi


def _uguale(percorso: Path, contenuto: bytes) -> bool:
    try:
        return percorso.read_bytes() == contenuto
    except OSError:
        return False


_tenuti = threading.local()  # {cycle folder: depth} of the locks this thread holds


@contextmanager
def blocco(ciclo: Path):
    """Exclusive right to publish a cycle and write its files (a ``flock`` on
    ``<ciclo>/.blocco``; other processes and threads wait). A thread that holds it may take it
    again (a publication writes its files once committed, still holding it). Readers never
    take it."""
    ciclo.mkdir(parents=True, exist_ok=True)
    tenuti = _tenuti.__dict__.setdefault("cartelle", {})
    chiave = str(ciclo)
    if tenuti.get(chiave):
        tenuti[chiave] += 1
        try:
            yield
        finally:
            tenuti[chiave] -= 1
        return
    with open(ciclo / BLOCCO, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        tenuti[chiave] = 1
        try:
            yield
        finally:
            tenuti[chiave] = 0
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def blocco_pdf(*, esclusivo: bool):
    """Publications (shared) against the removal of orphan PDFs (exclusive): a PDF saved by a
    publication that has not committed yet is never taken for an orphan."""
    radice().mkdir(parents=True, exist_ok=True)
    with open(radice() / BLOCCO, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX if esclusivo else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def avanzi_rimuovi(ciclo: Path) -> None:
    """Remove the temporary files a writer killed half-way left in the cycle's folder (hidden
    names other than the markers): called by the writer holding the cycle's lock."""
    tenuti = {BLOCCO, ULTIMA, COMPLETA, FIRMA, FIRMA_DETTAGLI}
    for cartella, sottocartelle, nomi in os.walk(ciclo):
        collegamenti = [s for s in sottocartelle if os.path.islink(os.path.join(cartella, s))]
        for nome in [*nomi, *collegamenti]:
            if nome.startswith(".") and nome not in tenuti:
                Path(cartella, nome).unlink(missing_ok=True)


def versioni_su_disco(ciclo: Path) -> set[int]:
    if not ciclo.is_dir():
        return set()
    return {int(m.group(1)) for p in ciclo.iterdir() if (m := _VERSIONE.match(p.name))}
