"""The reminders as a background job (avvisi.services.corpo_promemoria): cron's command and the
host's button only queue (nothing is sent in the process that asks), the worker sends; one job
at a time; a message the mail server refuses fails the job with an Italian error, and «Riprova»
sends the rest once. The worker runs in this process (tests/lavori/coda.py)."""

import html
import smtplib
import socket
import subprocess
import sys

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from avvisi.models import AvvisoInviato
from avvisi.services import EsitoPromemoria, accoda_promemoria
from lavori import servizi
from lavori.models import Lavoro
from seregno_perf import formati
from tests.lavori.coda import esegui_coda
from tests.ruoli.conftest import _due_enti_del_modulo, due_enti  # noqa: F401 (fixtures)

S, T = Lavoro.Stato, Lavoro.Tipo
GUASTO = "dirigente.persona@esempio.it"  # the address the broken mail server refuses
PULSANTE = "/admin/avvisi/avvisoinviato/invia-promemoria/"


class PostaGuasta(EmailBackend):
    """Django's test outbox, but the server refuses every message to ``GUASTO``."""

    def send_messages(self, messages):
        for messaggio in messages:
            if GUASTO in messaggio.to:
                raise smtplib.SMTPRecipientsRefused({GUASTO: (550, b"casella inesistente")})
        return super().send_messages(messages)


def _accoda(*argomenti, capture):
    with capture(execute=True):
        call_command("invia_promemoria", "--in-coda", *argomenti)


def _testo(risposta):
    return html.unescape(risposta.content.decode())


def test_the_command_queues_and_the_worker_sends(
        posta, monkeypatch, capsys, django_capture_on_commit_callbacks):
    _accoda("--oggi", "2022-03-24", capture=django_capture_on_commit_callbacks)
    lavoro = Lavoro.objects.get()
    assert (lavoro.tipo, lavoro.stato, lavoro.ente, lavoro.utente, lavoro.parametri) == (
        T.PROMEMORIA, S.IN_CODA, None, None, {"oggi": "2022-03-24"})
    tarea = DBTaskResult.objects.get()
    assert (tarea.task_path, tarea.args_kwargs["args"]) == ("lavori.tasks.esegui_lavoro", [lavoro.pk])
    assert mail.outbox == [] and not AvvisoInviato.objects.exists()  # nothing sent by cron
    assert f"Messo in coda il lavoro n. {lavoro.pk}" in capsys.readouterr().out
    # the next hour's cron, the worker stopped: no second job piles up
    _accoda(capture=django_capture_on_commit_callbacks)
    assert Lavoro.objects.count() == 1 and DBTaskResult.objects.count() == 1
    assert "è già in coda" in capsys.readouterr().out

    esegui_coda(monkeypatch)
    lavoro.refresh_from_db()
    assert lavoro.stato == S.COMPLETATO, lavoro.errore
    assert len(mail.outbox) == 4  # two openings, two 7-day reminders
    assert lavoro.esito == "Promemoria del 24/03/2022: 4 messaggi inviati, 0 già inviati in precedenza."
    assert lavoro.risultato == {"oggi": "2022-03-24", "inviati": 4, "gia_inviati": 0,
                                "senza_indirizzo": []}
    # a finished job does not stop the next one, which finds everything sent
    _accoda("--oggi", "2022-03-24", capture=django_capture_on_commit_callbacks)
    esegui_coda(monkeypatch)
    assert len(mail.outbox) == 4
    ultimo = Lavoro.objects.first()
    assert ultimo.pk != lavoro.pk and ultimo.esito.endswith("0 messaggi inviati, 4 già inviati in precedenza.")


def test_refused_messages_fail_the_job_and_riprova_sends_only_those(
        posta, monkeypatch, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.PostaGuasta"
    _accoda("--oggi", "2022-03-24", capture=django_capture_on_commit_callbacks)
    esegui_coda(monkeypatch)
    lavoro = Lavoro.objects.get()
    assert lavoro.stato == S.FALLITO
    assert lavoro.errore.startswith(
        "Promemoria del 24/03/2022: 2 messaggi inviati, 0 già inviati in precedenza, 2 non inviati "
        "per un errore del server di posta. Quelli non inviati: «Comune di Prova: è aperta la "
        f"rendicontazione 2021» a {GUASTO} (")
    assert "casella inesistente" in lavoro.errore
    assert lavoro.errore.endswith("«Riprova» (o il prossimo avvio) invia solo quelli mancanti.")
    assert sorted(m.to[0] for m in mail.outbox) == ["dirigente.lavori-pubblici@esempio.it"] * 2
    assert AvvisoInviato.objects.count() == 2  # the sent ones are recorded, the others not

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # server fixed
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        nuovo = servizi.riprova(lavoro, utente=None).lavoro
    assert (nuovo.riprova_di, nuovo.parametri) == (lavoro, {"oggi": "2022-03-24"})
    esegui_coda(monkeypatch)
    nuovo.refresh_from_db()
    assert nuovo.stato == S.COMPLETATO
    assert nuovo.esito == "Promemoria del 24/03/2022: 2 messaggi inviati, 2 già inviati in precedenza."
    assert sorted(m.to[0] for m in mail.outbox) == [GUASTO] * 2  # the rest, once
    assert AvvisoInviato.objects.count() == 4


def test_many_refused_messages_are_listed_up_to_ten(posta, monkeypatch, settings):
    from avvisi import services

    settings.EMAIL_BACKEND = f"{__name__}.PostaGuasta"
    monkeypatch.setattr(services, "ERRORI_MOSTRATI", 1)
    lavoro = accoda_promemoria(oggi=services.date(2022, 3, 24)).lavoro
    servizi.esegui(lavoro.pk)
    lavoro.refresh_from_db()
    assert lavoro.stato == S.FALLITO and "; e 1 altro. I messaggi inviati" in lavoro.errore


def test_without_a_date_the_worker_uses_the_day_it_runs_a_wrong_one_is_said(posta, monkeypatch):
    from avvisi import services

    monkeypatch.setattr(services.timezone, "localdate", lambda: services.date(2022, 3, 11))
    lavoro = accoda_promemoria().lavoro
    assert lavoro.parametri == {}
    servizi.esegui(lavoro.pk)
    lavoro.refresh_from_db()
    assert lavoro.stato == S.COMPLETATO and lavoro.risultato["oggi"] == "2022-03-11"
    assert len(mail.outbox) == 2  # the openings
    assert EsitoPromemoria().frase(services.date(2022, 3, 1)) == (
        "Promemoria del 01/03/2022: nessun messaggio dovuto.")
    sbagliato = Lavoro.objects.create(tipo=T.PROMEMORIA, parametri={"oggi": "24/03/2022"})
    servizi.esegui(sbagliato.pk)
    sbagliato.refresh_from_db()
    assert (sbagliato.stato, sbagliato.errore) == (
        S.FALLITO, "Parametro «oggi»: «24/03/2022» non è una data AAAA-MM-GG.")


def test_a_job_whose_worker_died_does_not_block_the_next(posta):
    processo = subprocess.Popen([sys.executable, "-c", "pass"])
    processo.wait()
    morto = Lavoro.objects.create(tipo=T.PROMEMORIA, stato=S.IN_CORSO,
                                  esecutore=f"{socket.gethostname()}:{processo.pid}")
    accodato = accoda_promemoria()
    assert accodato.nuovo and accodato.lavoro.pk != morto.pk
    morto.refresh_from_db()
    assert morto.stato == S.INTERROTTO
    assert not accoda_promemoria().nuovo  # the new one is queued: no third


def test_the_host_starts_the_reminders_from_the_register(
        posta, due_enti, client, monkeypatch, django_capture_on_commit_callbacks):
    host = due_enti.utenti.host
    client.force_login(host)
    elenco = _testo(client.get("/admin/avvisi/avvisoinviato/"))
    assert f'href="{PULSANTE}">Invia ora i promemoria dovuti</a>' in elenco
    pagina = client.get(PULSANTE)
    assert pagina.status_code == 200 and "a tutti gli enti" in _testo(pagina)
    assert not Lavoro.objects.exists()  # the page writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        risposta = client.post(PULSANTE)
    lavoro = Lavoro.objects.get()
    assert risposta["Location"] == f"/admin/lavori/lavoro/{lavoro.pk}/segui/"
    assert (lavoro.tipo, lavoro.utente, lavoro.ente, lavoro.parametri) == (T.PROMEMORIA, host, None, {})
    assert mail.outbox == [] and DBTaskResult.objects.count() == 1
    # a second click shows the same job
    assert "Un invio dei promemoria è già in coda" in _testo(client.get(PULSANTE))
    with django_capture_on_commit_callbacks(execute=True):
        seconda = client.post(PULSANTE, follow=True)
    assert Lavoro.objects.count() == 1 and seconda.redirect_chain[-1][0] == risposta["Location"]
    assert "era già in coda o in corso" in _testo(seconda)

    esegui_coda(monkeypatch)  # what is due today
    lavoro.refresh_from_db()
    assert lavoro.stato == S.COMPLETATO
    assert lavoro.esito.startswith(f"Promemoria del {formati.data(timezone.localdate())}: ")
    assert lavoro.risultato["inviati"] == len(mail.outbox)
    testo = _testo(client.get(risposta["Location"]))
    assert "Messaggi inviati" in testo and "Giorno dei promemoria" in testo
    assert "Lavoro «Invio dei promemoria» richiesto il " in " ".join(testo.split())


def test_an_amministratore_does_not_start_the_installations_reminders(
        posta, due_enti, client, django_capture_on_commit_callbacks):
    for utente in (due_enti.utenti.amministratore_a, posta.amministratore):
        client.force_login(utente)
        assert "Invia ora i promemoria" not in _testo(client.get("/admin/avvisi/avvisoinviato/"))
        assert client.get(PULSANTE).status_code == 403
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(PULSANTE).status_code == 403
    client.force_login(posta.dirigente)
    assert client.post(PULSANTE).status_code == 403
    assert not Lavoro.objects.exists() and mail.outbox == []
    # the job itself is the host's: its page does not exist for them
    lavoro = accoda_promemoria(utente=due_enti.utenti.host).lavoro
    client.force_login(due_enti.utenti.amministratore_a)
    assert client.get(f"/admin/lavori/lavoro/{lavoro.pk}/segui/").status_code == 404
    assert f"/admin/lavori/lavoro/{lavoro.pk}/segui/" not in _testo(client.get("/admin/lavori/lavoro/"))
    client.force_login(due_enti.utenti.host)
    assert f"/admin/lavori/lavoro/{lavoro.pk}/segui/" in _testo(client.get("/admin/lavori/lavoro/"))


def test_no_email_is_sent_inside_a_web_request(settings):
    """Only the reminders' service sends mail (run by the worker or the command); Django's own
    error mails (``mail_admins`` from a failed request) are off: no ADMINS."""
    import re
    from pathlib import Path

    invio = re.compile(r"\b(send_mail|send_mass_mail|mail_admins|mail_managers|EmailMessage|"
                       r"EmailMultiAlternatives|get_connection)\(")
    radice = Path(settings.BASE_DIR)
    trovati = sorted(
        str(file.relative_to(radice)) for file in radice.rglob("*.py")
        if not file.relative_to(radice).parts[0].startswith((".", "tests"))
        and invio.search(file.read_text(encoding="utf-8")))
    assert trovati == ["avvisi/services.py"]
    assert not settings.ADMINS and not settings.MANAGERS


def test_the_register_of_sent_messages_is_walled_off_per_ente(client, due_enti):
    """An Amministratore reads the messages about the cycles of their enti only; a message about
    no cycle (the Nucleo's daily summary, which may cover several enti) is the host's."""
    u = due_enti.utenti
    righe = {
        nome: AvvisoInviato.objects.create(
            tipo=AvvisoInviato.Tipo.APERTURA, destinatario=u.dirigente_a, chiave=f"prova:{nome}",
            ciclo=ciclo, indirizzo="d@example.org", oggetto=f"Oggetto {nome}", testo="Testo.")
        for nome, ciclo in (("a", due_enti.a.ciclo), ("b", due_enti.b.ciclo), ("nessuno", None))
    }
    url = "/admin/avvisi/avvisoinviato/"
    client.force_login(u.amministratore_a)
    testo = _testo(client.get(url))
    assert "Oggetto a" in testo and "Oggetto b" not in testo and "Oggetto nessuno" not in testo
    assert client.get(f"{url}{righe['b'].pk}/change/").status_code in (302, 404)
    assert client.get(f"{url}{righe['nessuno'].pk}/change/").status_code in (302, 404)
    assert "Oggetto b" not in _testo(client.get(f"{url}?q=Oggetto"))
    client.force_login(u.host)
    testo = _testo(client.get(url))
    assert all(f"Oggetto {nome}" in testo for nome in righe)
