"""The uploaded PEG files kept between the preview and the confirmation, in the default storage
(private: ``MEDIA_ROOT`` is not served), each in a folder of its own
(``importazioni_peg/<uuid>/<name>``). The admin page stores them, the import (in the request or in
a background job, ``obiettivi.peg.lavoro``) reads and removes them; those of previews never
confirmed go after ``CARICATI_SCADENZA``."""

import uuid
from datetime import timedelta
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename

from ..models import Ciclo
from . import importa
from .lettura import conta_righe

CARTELLA_CARICATI = "importazioni_peg"
CARICATI_SCADENZA = timedelta(days=1)  # an upload whose preview was not confirmed by then goes


def caricato_salva(file) -> str:
    """Store the uploaded ``file`` and return its path; folders of previews abandoned more than
    ``CARICATI_SCADENZA`` ago go first."""
    caricati_scaduti_elimina()
    nome = get_valid_filename(Path(file.name).name) or "peg"
    return default_storage.save(f"{CARTELLA_CARICATI}/{uuid.uuid4().hex}/{nome}", file)


def e_un_caricato(percorso: str) -> bool:
    """``percorso`` names a stored upload (and nothing else of the storage)."""
    parti = PurePosixPath(percorso or "").parts
    return len(parti) == 3 and parti[0] == CARTELLA_CARICATI and ".." not in parti


def caricato_elimina(percorso: str) -> None:
    """The stored upload and its folder."""
    default_storage.delete(percorso)
    _elimina_cartella(str(PurePosixPath(percorso).parent))


def _elimina_cartella(cartella: str) -> None:
    try:
        Path(default_storage.path(cartella)).rmdir()
    except (NotImplementedError, OSError):  # a storage without folders, or not empty
        pass


def caricati_scaduti_elimina() -> None:
    """Uploads whose preview was never confirmed (the session expired, the page was left),
    older than ``CARICATI_SCADENZA``, with their folders."""
    limite = timezone.now() - CARICATI_SCADENZA
    try:
        cartelle, _ = default_storage.listdir(CARTELLA_CARICATI)
    except (FileNotFoundError, NotImplementedError):
        return
    for cartella in cartelle:
        cartella = f"{CARTELLA_CARICATI}/{cartella}"
        _, nomi = default_storage.listdir(cartella)
        for nome in nomi:
            if default_storage.get_modified_time(f"{cartella}/{nome}") < limite:
                default_storage.delete(f"{cartella}/{nome}")
        _elimina_cartella(cartella)


def caricato_importa(percorso: str, **kwargs):
    """``importa.importa_workbook`` on the stored upload (``kwargs``: ciclo, utente, dry_run,
    foglio)."""
    with default_storage.open(percorso, "rb") as file:
        return importa.importa_workbook(file=file, **kwargs)


def caricato_conferma(percorso: str, *, ciclo, utente, foglio=None):
    """The real import of the stored upload (the confirmation, in the request or in a job).
    Imports into one cycle follow one another: each holds a lock on the cycle's row while it
    checks and writes, so the second checks the data the first left (two dirigenti confirming
    at once, on PostgreSQL; SQLite has one writer anyway)."""
    with transaction.atomic():
        Ciclo.objects.select_for_update().only("pk").get(pk=ciclo.pk)
        return caricato_importa(percorso, ciclo=ciclo, utente=utente, foglio=foglio)


def in_background(percorso: str) -> bool:
    """Whether the import of this stored upload runs as a background job: when the file has
    more than ``PEG_IMPORT_RIGHE_SINCRONE`` rows (headers and empty rows included, counted
    without reading the file: ``lettura.conta_righe``). A file that cannot be counted is
    refused by the reader at once, in the request."""
    soglia = settings.PEG_IMPORT_RIGHE_SINCRONE
    with default_storage.open(percorso, "rb") as file:
        contenuto = file.read(settings.PEG_IMPORT_MAX_BYTES + 1)
    if len(contenuto) > settings.PEG_IMPORT_MAX_BYTES:
        return False  # refused at once by the reader
    righe = conta_righe(contenuto, percorso, oltre=soglia, limiti=importa.limiti())
    return righe is not None and righe > soglia
