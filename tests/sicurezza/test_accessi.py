"""Login protection (django-axes): after AXES_FAILURE_LIMIT wrong passwords the admin login is
locked for that username from that address — even the right password is refused — with an
Italian page; the lock ends after the cool-off; /admin/ always requires login."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "Password-giusta-2024"


@pytest.fixture
def utente():
    return get_user_model().objects.create_user(
        "dirigente.prova", password=PASSWORD, is_staff=True, is_superuser=True
    )


def _accedi(client, username, password, indirizzo="10.0.0.7"):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=indirizzo,
    )


def _autenticato(client):
    return "_auth_user_id" in client.session


def test_limit_is_five_with_a_thirty_minute_cool_off_by_default():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=30)


def test_wrong_passwords_lock_the_login_even_for_the_right_password(utente):
    client = Client()
    limite = settings.AXES_FAILURE_LIMIT
    for _ in range(limite - 1):
        risposta = _accedi(client, utente.username, "sbagliata")
        assert risposta.status_code == 200  # the form again, with Django's error
        assert "Inserisci nome utente e password corretti" in risposta.content.decode()
    risposta = _accedi(client, utente.username, "sbagliata")
    assert risposta.status_code == 429
    testo = risposta.content.decode()
    assert "Accesso temporaneamente bloccato" in testo
    assert f"dopo {limite} tentativi l'accesso è bloccato per 30 minuti" in testo
    assert "anche la password corretta viene rifiutata" in testo

    risposta = _accedi(client, utente.username, PASSWORD)
    assert risposta.status_code == 429 and not _autenticato(client)
    assert Client().get("/admin/").status_code == 302  # still nobody in

    # another user from the same address is not locked out by someone else's mistakes
    get_user_model().objects.create_user("nucleo.prova", password=PASSWORD, is_staff=True)
    altro = Client()
    assert _accedi(altro, "nucleo.prova", PASSWORD).status_code == 302 and _autenticato(altro)


def test_the_lock_ends_after_the_cool_off(utente):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _accedi(client, utente.username, "sbagliata")
    assert _accedi(client, utente.username, PASSWORD).status_code == 429
    passato = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=passato)
    risposta = _accedi(client, utente.username, PASSWORD)
    assert risposta.status_code == 302 and _autenticato(client)


def test_a_success_below_the_limit_resets_the_count(utente):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _accedi(client, utente.username, "sbagliata")
    assert _accedi(client, utente.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _accedi(client, utente.username, "sbagliata").status_code == 200
    assert _accedi(client, utente.username, PASSWORD).status_code == 302


def test_a_forged_forwarded_for_header_does_not_escape_the_lock(utente):
    """Without AXES_PROXY_COUNT the address is REMOTE_ADDR: X-Forwarded-For is not trusted."""
    client = Client()
    for numero in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": utente.username, "password": "sbagliata"},
                    REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{numero}")
    risposta = client.post(LOGIN, {"username": utente.username, "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert risposta.status_code == 429


@pytest.mark.parametrize(
    "percorso",
    ["/admin/", "/admin/obiettivi/obiettivo/", "/admin/trasparenza/pubblicazione/",
     "/admin/valutazione/smvp/risultati/", "/admin/axes/accessattempt/"],
)
def test_admin_requires_login(client, percorso):
    risposta = client.get(percorso)
    assert risposta.status_code == 302
    assert risposta["Location"].startswith(LOGIN)
