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
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from . import avanzamento
from .models import Lavoro

logger = logging.getLogger(__name__)

Stato = Lavoro.Stato
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
    Lavoro.objects.filter(pk=lavoro.pk, stato=Stato.IN_CORSO).update(
        stato=Stato.INTERROTTO, errore=INTERROTTO, finito_il=_ora())


def attivo(ciclo) -> Lavoro | None:
    """The cycle's publication queued or running now (a dead worker's is marked «interrotto»)."""
    lavoro = Lavoro.objects.filter(ciclo=ciclo, tipo=Lavoro.Tipo.PUBBLICAZIONE,
                                   stato__in=Lavoro.ATTIVI).first()
    if lavoro is not None and worker_morto(lavoro):
        _segna_interrotto(lavoro)
        return None
    return lavoro


@dataclass(frozen=True)
class Accodato:
    lavoro: Lavoro
    nuovo: bool  # False: a publication of the cycle was already queued or running


def accoda_pubblicazione(*, ciclo, utente, nota: str = "", riprova_di: Lavoro | None = None) -> Accodato:
    """Queue the publication of ``ciclo``'s Relazione; returns at once. If one is already queued
    or running it is returned instead (a second click, another Amministratore): one per cycle."""
    from .tasks import pubblica_relazione

    for _ in range(2):
        esistente = attivo(ciclo)
        if esistente is not None:
            return Accodato(esistente, False)
        try:
            with transaction.atomic():
                lavoro = Lavoro.objects.create(ciclo=ciclo, utente=utente, nota=nota,
                                               riprova_di=riprova_di, passo="In attesa di un worker")
        except IntegrityError:  # another request queued one meanwhile: show that one
            continue
        transaction.on_commit(lambda: _invia(lavoro, pubblica_relazione))
        return Accodato(lavoro, True)
    return Accodato(attivo(ciclo) or Lavoro.objects.filter(ciclo=ciclo).first(), False)


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
    """A failed or interrupted publication queued again (a new job, linked to the old one)."""
    if lavoro.stato == Stato.IN_CORSO and worker_morto(lavoro):
        _segna_interrotto(lavoro)
        lavoro.refresh_from_db()
    if lavoro.stato not in (Stato.FALLITO, Stato.INTERROTTO):
        raise ValidationError("Si riprova solo un lavoro non riuscito o interrotto.")
    return accoda_pubblicazione(ciclo=lavoro.ciclo, utente=utente, nota=lavoro.nota,
                                riprova_di=lavoro)


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


def esegui_pubblicazione(lavoro_id: int) -> dict:
    """The body of the ``pubblica_relazione`` task, run by a worker: claim the job (once: a job
    already taken, done or interrupted is skipped), publish through the one road, record the
    outcome. Returns what the backend keeps as the task's result."""
    from obiettivi import workflow

    preso = Lavoro.objects.filter(pk=lavoro_id, stato=Stato.IN_CODA).update(
        stato=Stato.IN_CORSO, iniziato_il=_ora(), battito=_ora(), esecutore=_esecutore(),
        passo="Avvio")
    if not preso:
        return {"lavoro": lavoro_id, "saltato": True}
    lavoro = Lavoro.objects.select_related("ciclo", "utente").get(pk=lavoro_id)
    with Battito(lavoro_id) as battito, avanzamento.riportando(battito.passo):
        try:
            esito = workflow.ciclo_pubblica(ciclo=lavoro.ciclo, utente=lavoro.utente,
                                            nota=lavoro.nota)
        except ValidationError as errore:
            _chiudi(lavoro_id, stato=Stato.FALLITO, passo="", errore=" ".join(errore.messages))
            return {"lavoro": lavoro_id, "errore": " ".join(errore.messages)}
        except Exception:
            _chiudi(lavoro_id, stato=Stato.FALLITO, passo="", errore=ERRORE_INTERNO)
            raise  # the backend records the traceback
    versione = esito.pubblicazione.versione
    testo = (f"Pubblicata la versione {versione}." if esito.nuova else
             f"Nessuna modifica rispetto alla versione {versione}: nulla da pubblicare "
             "(i file pubblicati sono stati riscritti).")
    _chiudi(lavoro_id, stato=Stato.COMPLETATO, passo="", versione=versione, esito=testo)
    return {"lavoro": lavoro_id, "versione": versione, "nuova": esito.nuova}
