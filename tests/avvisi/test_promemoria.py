"""invia_promemoria: each reminder is sent when due, not before, and once (Django's locmem
mail backend); the desk shows what was sent."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from avvisi.models import AvvisoInviato
from avvisi.services import promemoria_invia
from obiettivi import workflow
from obiettivi.models import Obiettivo

from .conftest import SCADENZA

Tipo = AvvisoInviato.Tipo
R = Obiettivo.StatoRendicontazione


def _invia(giorno):
    mail.outbox.clear()
    esito = promemoria_invia(oggi=giorno)
    return esito, [(m.to[0], m.subject) for m in mail.outbox]


def _tipi(esito):
    return sorted((a.tipo, a.destinatario.username) for a in esito.inviati)


def test_opening_goes_to_each_dirigente_once(posta):
    esito, inviati = _invia(SCADENZA - timedelta(days=20))
    assert _tipi(esito) == [
        (Tipo.APERTURA, "dirigente.lavori-pubblici"), (Tipo.APERTURA, "dirigente.persona"),
    ]
    messaggio = next(m for m in mail.outbox if m.to == ["dirigente.lavori-pubblici@esempio.it"])
    assert messaggio.subject == "Comune di Prova: è aperta la rendicontazione 2021"
    assert "31/03/2022 (mancano 20 giorni)" in messaggio.body
    assert "- LP.01 Obiettivo LP.01" in messaggio.body and "SP.01" not in messaggio.body
    assert f"https://performance.esempio.it/admin/obiettivi/obiettivo/{posta.proprio.pk}/change/" in messaggio.body
    # the second run the same day (or the next) sends nothing
    esito, inviati = _invia(SCADENZA - timedelta(days=20))
    assert inviati == [] and esito.gia_inviati == 2
    assert _invia(SCADENZA - timedelta(days=19))[1] == []


def test_deadline_reminders_7_and_1_day_before_and_not_before(posta):
    _invia(SCADENZA - timedelta(days=20))  # the opening
    assert _invia(SCADENZA - timedelta(days=8))[1] == []
    esito, inviati = _invia(SCADENZA - timedelta(days=7))
    assert _tipi(esito) == [
        (Tipo.SCADENZA_7, "dirigente.lavori-pubblici"), (Tipo.SCADENZA_7, "dirigente.persona"),
    ]
    assert ("dirigente.persona@esempio.it",
            "Comune di Prova 2021: mancano 7 giorni al termine della rendicontazione") in inviati
    assert _invia(SCADENZA - timedelta(days=6))[1] == []
    assert _invia(SCADENZA - timedelta(days=2))[1] == []
    # the dirigente of Lavori pubblici sends everything: no last reminder for them
    workflow.obiettivo_invia(obiettivo=posta.proprio, utente=posta.dirigente)
    esito, inviati = _invia(SCADENZA - timedelta(days=1))
    assert (Tipo.SCADENZA_1, "dirigente.persona") in _tipi(esito)
    assert (Tipo.SCADENZA_1, "dirigente.lavori-pubblici") not in _tipi(esito)
    corpo = next(m.body for m in mail.outbox if m.to == ["dirigente.persona@esempio.it"])
    assert "(manca 1 giorno)" in corpo and "Resta da inviare al Nucleo 1 obiettivo:" in corpo
    assert _invia(SCADENZA)[1] == []  # the 1-day reminder went yesterday


def test_sent_back_objective_mails_its_dirigente_with_the_comment_once(posta):
    _invia(SCADENZA - timedelta(days=20))
    workflow.obiettivo_rinvia(obiettivo=posta.inviato, utente=posta.nucleo,
                              commento="Manca il valore dell'indicatore.")
    esito, inviati = _invia(SCADENZA - timedelta(days=20))
    assert _tipi(esito) == [(Tipo.RINVIO, "dirigente.lavori-pubblici")]
    assert "Manca il valore dell'indicatore." in mail.outbox[0].body
    assert _invia(SCADENZA - timedelta(days=19))[1] == []
    # sent again, sent back again: a new event, a new mail
    Obiettivo.objects.filter(pk=posta.inviato.pk).update(stato_rendicontazione=R.INVIATO)
    workflow.obiettivo_rinvia(obiettivo=posta.inviato, utente=posta.nucleo, commento="Ancora no.")
    esito, _ = _invia(SCADENZA - timedelta(days=19))
    assert _tipi(esito) == [(Tipo.RINVIO, "dirigente.lavori-pubblici")]


def test_nucleo_gets_one_daily_digest_of_what_was_sent(posta):
    giorno = SCADENZA - timedelta(days=10)
    _invia(giorno - timedelta(days=1))  # openings
    assert not [s for _, s in _invia(giorno)[1] if "Riepilogo" in s]  # nothing sent yet
    Obiettivo.objects.filter(pk=posta.altrui.pk).update(relazione="Fatto.", grado_proposto=4)
    posta.altrui.refresh_from_db()
    workflow.obiettivo_invia(obiettivo=posta.proprio, utente=posta.dirigente)
    workflow.obiettivo_invia(obiettivo=posta.altrui, utente=posta.altro_dirigente)
    esito, inviati = _invia(giorno)
    digest = [m for m in mail.outbox if m.to == ["nucleo@esempio.it"]]
    assert len(digest) == 1  # one mail, not one per objective
    assert digest[0].subject == "Riepilogo del 21/03/2022: 2 obiettivi inviati al Nucleo"
    assert "LP.01" in digest[0].body and "SP.01" in digest[0].body
    assert _invia(giorno)[1] == []  # once a day
    # the next day: only what was sent since the last digest
    Obiettivo.objects.filter(pk=posta.altrui.pk).update(stato_rendicontazione=R.BOZZA)
    posta.altrui.refresh_from_db()
    workflow.obiettivo_invia(obiettivo=posta.altrui, utente=posta.altro_dirigente)
    esito, inviati = _invia(giorno + timedelta(days=1))
    (corpo,) = [m.body for m in mail.outbox if m.to == ["nucleo@esempio.it"]]
    assert "SP.01" in corpo and "LP.01" not in corpo
    assert mail.outbox[0].subject.endswith("1 obiettivo inviato al Nucleo")


def test_amministratore_told_when_every_active_objective_is_validated(posta):
    giorno = SCADENZA - timedelta(days=5)
    _invia(giorno)
    assert not AvvisoInviato.objects.filter(tipo=Tipo.TUTTI_VALIDATI).exists()
    Obiettivo.objects.filter(ciclo=posta.aperto).update(
        stato_rendicontazione=R.VALIDATO, grado_proposto=3, grado_validato=3)
    esito, inviati = _invia(giorno)
    assert inviati == [("programmazione@esempio.it",
                        "Comune di Prova 2021: tutti gli obiettivi sono validati")]
    assert f"/admin/obiettivi/ciclo/{posta.aperto.pk}/avanza/" in mail.outbox[0].body
    assert _invia(giorno + timedelta(days=1))[1] == []


def test_user_without_address_gets_nothing_and_is_reported(posta):
    posta.altro_dirigente.email = ""
    posta.altro_dirigente.save(update_fields=["email"])
    esito, inviati = _invia(SCADENZA - timedelta(days=20))
    assert [a for a, _ in inviati] == ["dirigente.lavori-pubblici@esempio.it"]
    assert esito.senza_indirizzo == ["dirigente.persona"]


def test_failed_mail_is_not_recorded_and_is_retried(posta, monkeypatch):
    from django.core.mail import EmailMessage

    def guasto(self, fail_silently=False):
        raise OSError("server SMTP non raggiungibile")

    monkeypatch.setattr(EmailMessage, "send", guasto)
    esito = promemoria_invia(oggi=SCADENZA - timedelta(days=20))
    assert len(esito.errori) == 2 and not AvvisoInviato.objects.exists()
    monkeypatch.undo()
    assert len(_invia(SCADENZA - timedelta(days=20))[1]) == 2


def test_command_twice_sends_each_reminder_once(posta, capsys):
    call_command("invia_promemoria", "--oggi", "2022-03-24")
    primi = len(mail.outbox)
    assert primi == 4  # two openings, two 7-day reminders
    call_command("invia_promemoria", "--oggi", "2022-03-24")
    assert len(mail.outbox) == primi
    assert ("Promemoria del 24/03/2022: 0 messaggi inviati, 4 già inviati in precedenza."
            in capsys.readouterr().out)
    with pytest.raises(CommandError, match="non è una data AAAA-MM-GG"):
        call_command("invia_promemoria", "--oggi", "24/03/2022")


def test_desk_shows_the_reminders_sent_to_the_user(posta, client):
    _invia(SCADENZA - timedelta(days=7))
    client.force_login(posta.dirigente)
    html = client.get("/admin/").content.decode()
    assert "Avvisi che ti sono stati inviati per e-mail" in html
    assert "mancano 7 giorni al termine della rendicontazione" in html
    client.force_login(posta.altro_dirigente)
    html = client.get("/admin/").content.decode()
    assert html.count("è aperta la rendicontazione 2021") == 1


def test_digest_lists_an_objective_once_even_if_sent_twice(posta):
    giorno = SCADENZA - timedelta(days=10)
    workflow.obiettivo_invia(obiettivo=posta.proprio, utente=posta.dirigente)
    workflow.obiettivo_rinvia(obiettivo=posta.proprio, utente=posta.nucleo, commento="Rivedere.")
    posta.proprio.refresh_from_db()
    workflow.obiettivo_invia(obiettivo=posta.proprio, utente=posta.dirigente)
    _invia(giorno)
    (corpo,) = [m.body for m in mail.outbox if m.to == ["nucleo@esempio.it"]]
    assert corpo.count("- LP.01 ") == 1
