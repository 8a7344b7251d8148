"""Publication as a background job, in this process (lavori.servizi, the job's admin pages): the
request only queues; a worker runs the one road and records the steps, the version or the
Italian error; one job per cycle at a time; a job whose worker died is shown «interrotto» and
retried. The real worker processes (killed, and the RQ backend) are in test_worker.py."""

import html
import json
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from lavori import servizi
from lavori.models import Lavoro
from obiettivi.models import Ciclo
from tests.ruoli.conftest import _mondo_del_modulo, admin_url, mondo  # noqa: F401 (fixtures)
from tests.ruoli.test_pubblicazione import _versioni, chiuso  # noqa: F401 (a fixture)

from .coda import esegui_coda

S = Lavoro.Stato


def _testo(risposta):
    return html.unescape(risposta.content.decode())


def _pagina(ciclo, lavoro, coda=""):
    return f"/admin/obiettivi/ciclo/{ciclo.pk}/lavoro/{lavoro.pk}/{coda}"


def _pid_morto():
    processo = subprocess.Popen([sys.executable, "-c", "pass"])
    processo.wait()
    return processo.pid


@pytest.fixture
def amministrazione(mondo, client):
    client.force_login(mondo.amministratore)
    return client


def test_the_request_only_queues_a_second_one_shows_the_same_job(
        mondo, chiuso, amministrazione, django_capture_on_commit_callbacks):
    url = f"/admin/obiettivi/ciclo/{chiuso.pk}/pubblica/"
    with django_capture_on_commit_callbacks(execute=True):
        prima = amministrazione.post(url, {"nota": "Prima versione."})
        seconda = amministrazione.post(url, {"nota": "Un altro clic."})
    lavoro = Lavoro.objects.get()
    assert prima["Location"] == seconda["Location"] == _pagina(chiuso, lavoro)
    assert amministrazione.get(url)["Location"] == _pagina(chiuso, lavoro)  # the preview too
    assert (lavoro.stato, lavoro.nota, lavoro.utente) == (S.IN_CODA, "Prima versione.",
                                                          mondo.amministratore)
    assert _versioni(chiuso) == []  # nothing published inside the request
    tarea = DBTaskResult.objects.get()  # one task in the backend's queue, naming the job
    assert (tarea.task_path, tarea.args_kwargs["args"]) == ("lavori.tasks.esegui_lavoro",
                                                            [lavoro.pk])
    assert lavoro.id_task == str(tarea.id)
    pagina = amministrazione.get(_pagina(chiuso, lavoro))
    assert pagina["Refresh"] == "5" and "js/lavoro.js" in _testo(pagina)
    assert "In coda: in attesa che un worker lo prenda." in _testo(pagina)
    assert json.loads(amministrazione.get(_pagina(chiuso, lavoro, "stato/")).content) == {
        "stato": "in_coda", "etichetta": "In coda", "passo": "",
        "descrizione": "In coda: in attesa che un worker lo prenda.", "attivo": True}


def test_the_database_refuses_two_active_publications_of_a_cycle(chiuso):
    Lavoro.objects.create(ciclo=chiuso)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lavoro.objects.create(ciclo=chiuso, stato=S.IN_CORSO)
    Lavoro.objects.create(ciclo=chiuso, stato=S.COMPLETATO)  # finished ones are history


def test_the_worker_publishes_reporting_each_step_then_the_page_links_the_version(
        mondo, chiuso, amministrazione, django_capture_on_commit_callbacks, monkeypatch,
        django_assert_max_num_queries):
    passi = []
    originale = servizi.Battito.passo

    def registra(self, testo):
        passi.append((testo, Lavoro.objects.get(pk=self.lavoro_id).stato))
        originale(self, testo)

    monkeypatch.setattr(servizi.Battito, "passo", registra)
    with django_capture_on_commit_callbacks(execute=True):
        lavoro = servizi.accoda_pubblicazione(ciclo=chiuso, utente=mondo.amministratore).lavoro
    # inside the test's transaction nothing commits: the files are written where the commit
    # would be, as in a worker
    monkeypatch.setattr("trasparenza.services.transaction.on_commit", lambda f, robust=False: f())
    esegui_coda(monkeypatch)
    assert passi == [(p, S.IN_CORSO) for p in (
        "Calcolo dei risultati", "PDF", "Salvataggio della versione", "File pubblicati")]
    lavoro.refresh_from_db()
    assert (lavoro.stato, lavoro.versione, lavoro.passo, lavoro.errore) == (S.COMPLETATO, 1, "", "")
    assert lavoro.esecutore.startswith(socket.gethostname() + ":")
    assert lavoro.iniziato_il <= lavoro.finito_il
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert _versioni(chiuso) == [1]
    assert Ciclo.objects.get(pk=chiuso.pk).stato == Ciclo.Stato.PUBBLICATA
    with django_assert_max_num_queries(12):
        pagina = amministrazione.get(_pagina(chiuso, lavoro))
    testo = _testo(pagina)
    assert "Refresh" not in pagina and "Completato" in testo and "Pubblicata la versione 1." in testo
    assert f'href="/admin/obiettivi/ciclo/{chiuso.pk}/pubblicata/1/"' in testo
    assert "Riprova" not in testo
    # run again (a retry of a job already done): skipped, nothing published twice
    assert servizi.esegui(lavoro.pk) == {"lavoro": lavoro.pk, "saltato": True}
    assert _versioni(chiuso) == [1]


def test_a_refused_publication_fails_with_the_italian_reason_and_can_be_retried(
        mondo, amministrazione, django_capture_on_commit_callbacks, monkeypatch):
    aperto = mondo.aperto  # not approved: workflow.ciclo_pubblica refuses it
    with django_capture_on_commit_callbacks(execute=True):
        lavoro = servizi.accoda_pubblicazione(ciclo=aperto, utente=mondo.amministratore).lavoro
    esegui_coda(monkeypatch)
    lavoro.refresh_from_db()
    assert lavoro.stato == S.FALLITO and "approvato dalla Giunta" in lavoro.errore
    testo = _testo(amministrazione.get(_pagina(aperto, lavoro)))
    assert "Non riuscito" in testo and "approvato dalla Giunta" in testo and 'value="Riprova"' in testo
    with django_capture_on_commit_callbacks(execute=True):
        risposta = amministrazione.post(_pagina(aperto, lavoro, "riprova/"))
    nuovo = Lavoro.objects.get(riprova_di=lavoro)
    assert risposta["Location"] == _pagina(aperto, nuovo) and nuovo.stato == S.IN_CODA
    assert amministrazione.get(_pagina(aperto, lavoro, "riprova/")).status_code == 405
    with pytest.raises(ValidationError):  # a queued job is not retried
        servizi.riprova(nuovo, utente=mondo.amministratore)


def test_an_unexpected_error_is_failed_with_a_generic_italian_message_and_logged(
        mondo, chiuso, django_capture_on_commit_callbacks, monkeypatch):
    def guasto(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("obiettivi.workflow.ciclo_pubblica", guasto)
    with django_capture_on_commit_callbacks(execute=True):
        lavoro = servizi.accoda_pubblicazione(ciclo=chiuso, utente=mondo.amministratore).lavoro
    esegui_coda(monkeypatch)
    lavoro.refresh_from_db()
    assert (lavoro.stato, lavoro.errore) == (S.FALLITO, servizi.ERRORE_INTERNO)
    tarea = DBTaskResult.objects.get()
    assert tarea.status == "FAILED" and "disk full" in tarea.traceback


def test_a_queue_that_does_not_answer_fails_the_job_instead_of_leaving_it_queued(
        mondo, chiuso, django_capture_on_commit_callbacks, monkeypatch):
    def giu(*args, **kwargs):
        raise ConnectionError("Redis non risponde")

    monkeypatch.setattr("django_tasks_db.backend.DatabaseBackend.enqueue", giu)
    with django_capture_on_commit_callbacks(execute=True):
        lavoro = servizi.accoda_pubblicazione(ciclo=chiuso, utente=mondo.amministratore).lavoro
    lavoro.refresh_from_db()
    assert lavoro.stato == S.FALLITO and "non risponde" in lavoro.errore


def test_a_job_whose_worker_died_is_interrupted_and_a_new_request_queues_a_new_one(
        mondo, chiuso, amministrazione, django_capture_on_commit_callbacks):
    morto = Lavoro.objects.create(ciclo=chiuso, stato=S.IN_CORSO, passo="PDF",
                                  esecutore=f"{socket.gethostname()}:{_pid_morto()}",
                                  iniziato_il=timezone.now(), battito=timezone.now())
    testo = _testo(amministrazione.get(_pagina(chiuso, morto)))
    assert "Interrotto" in testo and "Il worker che eseguiva il lavoro si è fermato" in testo
    assert 'value="Riprova"' in testo
    stato = json.loads(amministrazione.get(_pagina(chiuso, morto, "stato/")).content)
    assert (stato["stato"], stato["attivo"]) == ("interrotto", False)
    # the preview no longer leads to it; confirming queues a new job
    assert amministrazione.get(f"/admin/obiettivi/ciclo/{chiuso.pk}/pubblica/").status_code == 200
    morto.refresh_from_db()
    assert morto.stato == S.INTERROTTO
    with django_capture_on_commit_callbacks(execute=True):
        amministrazione.post(f"/admin/obiettivi/ciclo/{chiuso.pk}/pubblica/", {"nota": ""})
    assert Lavoro.objects.filter(ciclo=chiuso, stato=S.IN_CODA).count() == 1


@pytest.mark.parametrize("eta, interrotto", [(30, False), (600, True)])
def test_on_another_host_the_heartbeat_tells(chiuso, eta, interrotto, settings):
    settings.LAVORI_SCADENZA_BATTITO = 120
    lavoro = Lavoro.objects.create(ciclo=chiuso, stato=S.IN_CORSO, esecutore="altro-host:1",
                                   iniziato_il=timezone.now() - timedelta(seconds=eta),
                                   battito=timezone.now() - timedelta(seconds=eta))
    assert servizi.worker_morto(lavoro) is interrotto
    vivo = Lavoro(ciclo=chiuso, stato=S.IN_CORSO, esecutore=f"{socket.gethostname()}:1")  # init
    assert not servizi.worker_morto(vivo)


def test_the_register_of_jobs_is_for_the_amministratore(
        mondo, chiuso, amministrazione, client, django_assert_max_num_queries):
    for n in range(5):
        Lavoro.objects.create(ciclo=chiuso, stato=S.COMPLETATO, versione=n + 1)
    Lavoro.objects.create(ciclo=chiuso, stato=S.IN_CORSO, passo="PDF",
                          esecutore=f"{socket.gethostname()}:1")
    with django_assert_max_num_queries(12):
        risposta = amministrazione.get(admin_url(Lavoro, "changelist"))
    testo = _testo(risposta)
    assert risposta.status_code == 200 and testo.count(">Apri</a>") == 6
    assert "In corso" in testo and "PDF" in testo
    client.force_login(mondo.nucleo)
    assert client.get(admin_url(Lavoro, "changelist")).status_code == 403


@pytest.mark.parametrize("stato", list(S))
def test_the_pages_of_a_job_speak_italian_in_every_state(mondo, chiuso, amministrazione, stato):
    """The admin walk (tests/ruoli/test_admin_italiano.py) reaches pages with one id only: the
    job's page and its register, in each state, are read here with the walk's own checks."""
    from tests.ruoli.passeggiata import leggi_pagina, problemi

    lavoro = Lavoro.objects.create(
        ciclo=chiuso, stato=stato, passo="PDF" if stato == S.IN_CORSO else "",
        esecutore=f"{socket.gethostname()}:{_pid_morto() if stato == S.INTERROTTO else 1}",
        versione=1 if stato == S.COMPLETATO else None,
        esito="Pubblicata la versione 1." if stato == S.COMPLETATO else "",
        errore="La Relazione non si pubblica." if stato == S.FALLITO else "",
        utente=mondo.amministratore)
    for url in (_pagina(chiuso, lavoro), admin_url(Lavoro, "changelist"),
                admin_url(Lavoro, "change", lavoro.pk)):
        risposta = amministrazione.get(url)
        assert risposta.status_code == 200, url
        testo = leggi_pagina(risposta.content.decode())
        assert problemi(testo) == [], (url, problemi(testo))
        assert S(stato).label in testo


def test_a_job_queued_for_long_says_to_check_the_worker(chiuso, amministrazione):
    lavoro = Lavoro.objects.create(ciclo=chiuso)
    Lavoro.objects.filter(pk=lavoro.pk).update(creato_il=timezone.now() - timedelta(minutes=5))
    testo = _testo(amministrazione.get(_pagina(chiuso, lavoro)))
    assert "nessun worker lo ha ancora preso" in testo


def test_running_the_queue_in_a_test_leaves_the_test_process_signals_alone(db, monkeypatch):
    import signal

    prima = signal.getsignal(signal.SIGTERM)
    esegui_coda(monkeypatch)
    assert signal.getsignal(signal.SIGTERM) is prima
