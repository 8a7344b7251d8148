"""Jobs: enqueue, run in a worker, tell a dead worker's job, retry.

A publication job is idempotent and safe to retry because what it runs is: ``obiettivi.workflow.
ciclo_pubblica`` publishes nothing new if the data are those of the latest version (it rewrites
the files), writes a new version all or nothing, and a worker killed while writing the files
leaves the previous version served until the files converge (``trasparenza.services``). A job
whose worker died stays «in corso» in the database; ``stato_effettivo`` shows it «interrotto»
(its process is gone, or its heartbeat is older than ``LAVORI_SCADENZA_BATTITO``) and
``riprova`` enqueues it again.
"""

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import get_valid_filename

from . import avanzamento
from .models import Lavoro

logger = logging.getLogger(__name__)

Stato = Lavoro.Stato
INTERROTTO_GENERICO = ("Il worker che eseguiva il lavoro si è fermato prima della fine: nulla è "
                       "stato scritto a metà. «Riprova» lo rimette in coda.")
ERRORE_INTERNO = ("La pubblicazione non è riuscita per un errore interno, registrato nel log del "
                  "server: riprovare e, se si ripete, avvisare chi gestisce il server.")
INTERROTTO = ("Il worker che eseguiva il lavoro si è fermato prima della fine: la versione "
              "pubblicata prima resta quella visibile ai cittadini. «Riprova» lo rimette in coda.")


def _ora():
    return timezone.now()


def _esecutore():
    return f"{socket.gethostname()}:{os.getpid()}"


def _processo_vivo(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_morto(lavoro: Lavoro) -> bool:
    """A running job whose worker is gone: on this host its process no longer exists (checked
    first, exact: SQLite installations have one host); elsewhere, no heartbeat for
    ``LAVORI_SCADENZA_BATTITO`` seconds."""
    if lavoro.stato != Stato.IN_CORSO:
        return False
    host, _, pid = lavoro.esecutore.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return not _processo_vivo(int(pid))
    ultimo = lavoro.battito or lavoro.iniziato_il or lavoro.creato_il
    return ultimo < _ora() - timedelta(seconds=settings.LAVORI_SCADENZA_BATTITO)


def stato_effettivo(lavoro: Lavoro) -> str:
    return Stato.INTERROTTO if worker_morto(lavoro) else lavoro.stato


def _segna_interrotto(lavoro: Lavoro) -> None:
    errore = INTERROTTO if lavoro.tipo == Lavoro.Tipo.PUBBLICAZIONE else INTERROTTO_GENERICO
    Lavoro.objects.filter(pk=lavoro.pk, stato=Stato.IN_CORSO).update(
        stato=Stato.INTERROTTO, errore=errore, finito_il=_ora())


def attivo(ciclo, tipo: str = Lavoro.Tipo.PUBBLICAZIONE) -> Lavoro | None:
    """The cycle's job of kind ``tipo`` queued or running now (a dead worker's is marked
    «interrotto»): at most one, for the kinds in ``Lavoro.UNO_PER_CICLO``."""
    lavoro = Lavoro.objects.filter(ciclo=ciclo, tipo=tipo, stato__in=Lavoro.ATTIVI).first()
    if lavoro is not None and worker_morto(lavoro):
        _segna_interrotto(lavoro)
        return None
    return lavoro


@dataclass(frozen=True)
class Accodato:
    lavoro: Lavoro
    nuovo: bool  # False: a job of the kind was already queued or running for the cycle


def accoda(tipo: str, *, utente, ciclo=None, ente=None, parametri: dict | None = None,
           nota: str = "", riprova_di: Lavoro | None = None) -> Accodato:
    """Queue a job of kind ``tipo``; returns at once, the worker runs the kind's body
    (``CORPI``) through the one task ``lavori.tasks.esegui_lavoro``. For a kind in
    ``Lavoro.UNO_PER_CICLO``, if the cycle has one queued or running already, that one is
    returned instead (a second click, another user); the same for a kind in
    ``Lavoro.UNO_ALLA_VOLTA`` in the whole installation (the cron's next run, the host's click)."""
    from .tasks import esegui_lavoro

    unico = (ciclo is not None and tipo in Lavoro.UNO_PER_CICLO) or tipo in Lavoro.UNO_ALLA_VOLTA
    for _ in range(2):
        esistente = attivo(ciclo, tipo) if unico else None
        if esistente is not None:
            return Accodato(esistente, False)
        try:
            with transaction.atomic():
                lavoro = Lavoro.objects.create(
                    tipo=tipo, ciclo=ciclo, ente=ente,  # None: the cycle's (Lavoro.save)
                    utente=utente, nota=nota, parametri=parametri or {}, riprova_di=riprova_di,
                    passo="In attesa di un worker")
        except IntegrityError:  # another request queued one meanwhile: show that one
            continue
        transaction.on_commit(lambda: _invia(lavoro, esegui_lavoro))
        return Accodato(lavoro, True)
    return Accodato(attivo(ciclo, tipo) or Lavoro.objects.filter(ciclo=ciclo, tipo=tipo).first(), False)


def accoda_pubblicazione(*, ciclo, utente, nota: str = "", riprova_di: Lavoro | None = None) -> Accodato:
    """Queue the publication of ``ciclo``'s Relazione (one per cycle at a time)."""
    return accoda(Lavoro.Tipo.PUBBLICAZIONE, ciclo=ciclo, utente=utente, nota=nota,
                  riprova_di=riprova_di)


def _invia(lavoro, task):
    try:
        risultato = task.enqueue(lavoro.pk)
    except Exception:  # the queue is down (Redis): the job is failed, not queued forever
        logger.exception("Impossibile mettere in coda il lavoro %s", lavoro.pk)
        Lavoro.objects.filter(pk=lavoro.pk).update(
            stato=Stato.FALLITO, finito_il=_ora(),
            errore="Impossibile mettere il lavoro in coda: il servizio dei lavori in background "
                   "non risponde. Riprovare più tardi.")
        return
    Lavoro.objects.filter(pk=lavoro.pk).update(id_task=str(risultato.id)[:64])


def riprova(lavoro: Lavoro, *, utente) -> Accodato:
    """A failed or interrupted job queued again with the same parameters (a new job, linked to
    the old one)."""
    if lavoro.stato == Stato.IN_CORSO and worker_morto(lavoro):
        _segna_interrotto(lavoro)
        lavoro.refresh_from_db()
    if lavoro.stato not in (Stato.FALLITO, Stato.INTERROTTO):
        raise ValidationError("Si riprova solo un lavoro non riuscito o interrotto.")
    return accoda(lavoro.tipo, ciclo=lavoro.ciclo, ente=lavoro.ente, utente=utente,
                  parametri=lavoro.parametri, nota=lavoro.nota, riprova_di=lavoro)


class Battito:
    """While a job runs: its step and a heartbeat written every ``LAVORI_BATTITO`` seconds by a
    thread with its own database connection, in autocommit — the publication's transaction
    would hide them from the admin until its end.

    Not on SQLite: there a second connection writing while the publication's transaction reads
    makes one of the two fail with «database is locked» (a deadlock SQLite does not wait out),
    so the steps taken outside the transaction are written in place and those inside it are
    not (the page says «Avvio» until the files are written); a dead worker is still told by its
    process, SQLite having one host. With ``LAVORI_BATTITO = 0`` (tests running a job in their
    own transaction) every step is written in place."""

    def __init__(self, lavoro_id: int):
        self.lavoro_id = lavoro_id
        self.intervallo = settings.LAVORI_BATTITO
        self.con_filo = bool(self.intervallo) and connection.vendor != "sqlite"
        self._passo = None
        self._sveglia = threading.Event()
        self._fine = threading.Event()
        self._filo = None

    def passo(self, testo: str) -> None:
        if self.con_filo:
            self._passo = testo
            self._sveglia.set()
        elif not self.intervallo or not connection.in_atomic_block:
            Lavoro.objects.filter(pk=self.lavoro_id).update(passo=testo, battito=_ora())

    def _scrivi(self):
        campi = {"battito": _ora()}
        if self._passo is not None:
            campi["passo"] = self._passo
        try:
            Lavoro.objects.filter(pk=self.lavoro_id, stato=Stato.IN_CORSO).update(**campi)
        except OperationalError:  # SQLite busy with the publication: the next beat will do
            pass

    def _batti(self):
        try:
            while not self._fine.is_set():
                self._scrivi()
                self._sveglia.wait(self.intervallo)
                self._sveglia.clear()
        finally:
            connection.close()

    def __enter__(self):
        if self.con_filo:
            self._filo = threading.Thread(target=self._batti, name=f"battito-{self.lavoro_id}",
                                          daemon=True)
            self._filo.start()
        return self

    def __exit__(self, *exc):
        if self._filo is not None:
            self._fine.set()
            self._sveglia.set()
            self._filo.join(timeout=30)
        return False


def _chiudi(lavoro_id, **campi):
    Lavoro.objects.filter(pk=lavoro_id).update(finito_il=_ora(), battito=_ora(), **campi)


class NonRiuscito(ValidationError):
    """A body's failure the user must act on (the job ends «Non riuscito» with ``messaggio``)
    that still has something to show on the job's page: ``risultato``, kept on the job (e.g. a
    refused PEG import's located errors)."""

    def __init__(self, messaggio: str, risultato: dict | None = None):
        super().__init__(messaggio)
        self.risultato = risultato or {}


@dataclass(frozen=True)
class Esito:
    """What a job's body returns: the sentence its page shows, and what it produced."""
    testo: str
    risultato: dict = field(default_factory=dict)
    versione: int | None = None
    file: str = ""  # a path in the default storage (``salva_file``)


# The body of each kind: a function ``(lavoro) -> Esito`` by dotted path (the apps it lives in
# depend on ``lavori``, not back). It raises ValidationError for what the user must fix (the
# job fails with that Italian message; ``NonRiuscito`` keeps a ``risultato`` for the page too)
# and anything else for a bug (the generic message).
CORPI = {
    Lavoro.Tipo.PUBBLICAZIONE: "lavori.servizi.corpo_pubblicazione",
    Lavoro.Tipo.IMPORTAZIONE_PEG: "obiettivi.peg.lavoro.corpo_importazione",
    Lavoro.Tipo.STAMPA_SCHEDE: "individuale.stampa.corpo_stampa",
    Lavoro.Tipo.PROMEMORIA: "avvisi.services.corpo_promemoria",
}
ERRORI_INTERNI = {
    Lavoro.Tipo.PUBBLICAZIONE: ERRORE_INTERNO,
}
ERRORE_INTERNO_GENERICO = ("Il lavoro non è riuscito per un errore interno, registrato nel log del "
                           "server: riprovare e, se si ripete, avvisare chi gestisce il server.")


def esegui(lavoro_id: int) -> dict:
    """The body of the ``esegui_lavoro`` task, run by a worker: claim the job (once: a job
    already taken, done or interrupted is skipped), run its kind's body (``CORPI``), record the
    outcome. Returns what the backend keeps as the task's result."""
    preso = Lavoro.objects.filter(pk=lavoro_id, stato=Stato.IN_CODA).update(
        stato=Stato.IN_CORSO, iniziato_il=_ora(), battito=_ora(), esecutore=_esecutore(),
        passo="Avvio")
    if not preso:
        return {"lavoro": lavoro_id, "saltato": True}
    lavoro = Lavoro.objects.select_related("ciclo__ente", "ente", "utente").get(pk=lavoro_id)
    corpo = import_string(CORPI[lavoro.tipo])
    with Battito(lavoro_id) as battito, avanzamento.riportando(battito.passo):
        try:
            esito = corpo(lavoro)
        except ValidationError as errore:
            _chiudi(lavoro_id, stato=Stato.FALLITO, passo="", errore=" ".join(errore.messages),
                    risultato=getattr(errore, "risultato", {}))
            return {"lavoro": lavoro_id, "errore": " ".join(errore.messages)}
        except Exception:
            _chiudi(lavoro_id, stato=Stato.FALLITO, passo="",
                    errore=ERRORI_INTERNI.get(lavoro.tipo, ERRORE_INTERNO_GENERICO))
            raise  # the backend records the traceback
    _chiudi(lavoro_id, stato=Stato.COMPLETATO, passo="", versione=esito.versione, esito=esito.testo,
            risultato=esito.risultato, file=esito.file)
    return {"lavoro": lavoro_id, "versione": esito.versione, "esito": esito.testo}


def corpo_pubblicazione(lavoro: Lavoro) -> Esito:
    """Publish through the one road (``workflow.ciclo_pubblica``)."""
    from obiettivi import workflow

    esito = workflow.ciclo_pubblica(ciclo=lavoro.ciclo, utente=lavoro.utente, nota=lavoro.nota)
    versione = esito.pubblicazione.versione
    testo = (f"Pubblicata la versione {versione}." if esito.nuova else
             f"Nessuna modifica rispetto alla versione {versione}: nulla da pubblicare "
             "(i file pubblicati sono stati riscritti).")
    return Esito(testo, {"nuova": esito.nuova}, versione=versione)


# --- files a job produces: private, under MEDIA_ROOT (not served), downloaded from the job's page

CARTELLA_FILE = "lavori"
FILE_SCADENZA = timedelta(days=7)


def salva_file(lavoro: Lavoro, nome: str, contenuto: bytes) -> str:
    """Store what a job produced (``lavori/<id>/<nome>``) and return its path for ``Esito.file``;
    files of jobs finished more than ``FILE_SCADENZA`` ago are removed first."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    file_scaduti_elimina()
    percorso = f"{CARTELLA_FILE}/{lavoro.pk}/{get_valid_filename(nome)}"
    default_storage.delete(percorso)  # a retried body rewrites it
    return default_storage.save(percorso, ContentFile(contenuto))


def file_scaduti_elimina() -> int:
    """Remove the files (and folders) of jobs finished more than ``FILE_SCADENZA`` ago; the job
    keeps its row and says the file is gone. Returns how many files were removed."""
    from pathlib import Path

    from django.core.files.storage import default_storage

    vecchi = Lavoro.objects.exclude(file="").filter(finito_il__lt=_ora() - FILE_SCADENZA)
    tolti = 0
    for lavoro in vecchi:
        default_storage.delete(lavoro.file)
        try:
            Path(default_storage.path(lavoro.file)).parent.rmdir()
        except (NotImplementedError, OSError):
            pass
        Lavoro.objects.filter(pk=lavoro.pk).update(file="")
        tolti += 1
    return tolti


# --- the job's state in words: one home for its page and its JSON

def descrizione(lavoro: Lavoro, stato: str) -> str:
    if stato == Stato.IN_CODA:
        if lavoro.creato_il < _ora() - timedelta(minutes=1):
            return ("In coda: nessun worker lo ha ancora preso. Verificare che il worker dei "
                    "lavori in background sia avviato.")
        return "In coda: in attesa che un worker lo prenda."
    if stato == Stato.IN_CORSO:
        return f"In corso: {lavoro.passo or 'avvio'}."
    if stato == Stato.COMPLETATO:
        return lavoro.esito or "Completato."
    if stato == Stato.INTERROTTO:
        return INTERROTTO if lavoro.tipo == Lavoro.Tipo.PUBBLICAZIONE else INTERROTTO_GENERICO
    return lavoro.errore or Stato(stato).label


def stato_json(lavoro: Lavoro) -> dict:
    """The job's state as its page and ``static/js/lavoro.js`` read it."""
    stato = stato_effettivo(lavoro)
    return {"stato": stato, "etichetta": Stato(stato).label,
            "passo": lavoro.passo if stato == Stato.IN_CORSO else "",
            "descrizione": descrizione(lavoro, stato),
            "attivo": stato in Lavoro.ATTIVI}
