"""Production settings: secure by default with DEBUG=0, every opt-out explicit, a missing
SECRET_KEY is a clear error, the demo users are refused by a system check."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from seregno_perf.checks import check_utenti_demo

ROOT = Path(__file__).resolve().parents[2]
CHIAVE = "k3y-di-prova-" + "x7Qp9zLm2Rv8" * 5  # ≥ 50 characters, many distinct ones
# Variables of settings.py that must not leak from the caller's environment into the child.
NOSTRE = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER",
    "AXES_FAILURE_LIMIT", "AXES_COOLOFF_MINUTES", "AXES_PROXY_COUNT", "STATICFILES_BACKEND",
    "PEG_IMPORT_MAX_BYTES", "DATA_UPLOAD_MAX_MEMORY_SIZE", "FILE_UPLOAD_MAX_MEMORY_SIZE",
}


def _ambiente(tmp_path, **variabili):
    env = {k: v for k, v in os.environ.items() if k not in NOSTRE and not k.startswith("DJANGO_")}
    # an empty database of its own: the developer's db.sqlite3 may hold the demo users
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'vuoto.sqlite3'}"
    env.update(variabili)
    return env


def _esegui(tmp_path, argomenti, **variabili):
    return subprocess.run(
        [sys.executable, *argomenti], cwd=ROOT, env=_ambiente(tmp_path, **variabili),
        capture_output=True, text=True, timeout=120,
    )


def _deploy(tmp_path, **variabili):
    base = {"DEBUG": "0", "SECRET_KEY": CHIAVE, "ALLOWED_HOSTS": "performance.example.it"}
    return _esegui(
        tmp_path, ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **{**base, **variabili}
    )


def _impostazioni(tmp_path, espressione, **variabili):
    """Evaluate an expression on the settings module as a fresh process would load it."""
    codice = f"import seregno_perf.settings as s; print(repr({espressione}))"
    esito = _esegui(tmp_path, ["-c", codice], **variabili)
    assert esito.returncode == 0, esito.stderr
    return esito.stdout.strip()


def test_check_deploy_passes_with_only_debug_secret_key_and_hosts(tmp_path):
    esito = _deploy(tmp_path)
    assert esito.returncode == 0, esito.stdout + esito.stderr
    assert "no issues" in esito.stdout + esito.stderr


@pytest.mark.parametrize(
    ("variabile", "codice"),
    [
        ("SECURE_SSL_REDIRECT", "security.W008"),
        ("SESSION_COOKIE_SECURE", "security.W012"),
        ("CSRF_COOKIE_SECURE", "security.W016"),
        ("SECURE_HSTS_SECONDS", "security.W004"),
    ],
)
def test_turning_a_protection_off_is_explicit_and_reported(tmp_path, variabile, codice):
    esito = _deploy(tmp_path, **{variabile: "0"})
    assert esito.returncode != 0
    assert codice in esito.stdout + esito.stderr


def test_missing_secret_key_in_production_is_a_clear_error(tmp_path):
    esito = _esegui(tmp_path, ["manage.py", "check"], DEBUG="0", ALLOWED_HOSTS="x.example.it")
    assert esito.returncode != 0
    assert "SECRET_KEY non impostata: in produzione (DEBUG=0) è obbligatoria." in esito.stderr


def test_development_defaults_stay_as_make_run_needs_them(tmp_path):
    valori = _impostazioni(
        tmp_path, "(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_PROXY_SSL_HEADER, s.ALLOWED_HOSTS[:2], s.DATABASES['default']['ENGINE'])",
    )
    assert valori == (
        "(True, False, False, 0, None, ['127.0.0.1', 'localhost'], 'django.db.backends.sqlite3')"
    )


def test_production_defaults_and_proxy_opt_in(tmp_path):
    prod = {"DEBUG": "0", "SECRET_KEY": CHIAVE, "ALLOWED_HOSTS": "x.example.it"}
    espressione = ("(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
                   "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)")
    assert _impostazioni(tmp_path, espressione, **prod) == "(True, True, True, 31536000, None)"
    assert _impostazioni(tmp_path, "s.SECURE_PROXY_SSL_HEADER", SECURE_PROXY_SSL_HEADER="1", **prod) == (
        "('HTTP_X_FORWARDED_PROTO', 'https')"
    )
    assert _impostazioni(
        tmp_path, "s.SECURE_PROXY_SSL_HEADER", SECURE_PROXY_SSL_HEADER="HTTP_X_SCHEME=https", **prod
    ) == "('HTTP_X_SCHEME', 'https')"
    esito = _esegui(tmp_path, ["-c", "import seregno_perf.settings"], SECURE_PROXY_SSL_HEADER="boh", **prod)
    assert esito.returncode != 0 and "SECURE_PROXY_SSL_HEADER: usare 1" in esito.stderr


def test_limits_are_read_from_the_environment(tmp_path):
    assert _impostazioni(
        tmp_path, "(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), s.PEG_IMPORT_MAX_BYTES)",
        AXES_FAILURE_LIMIT="3", AXES_COOLOFF_MINUTES="10", PEG_IMPORT_MAX_BYTES="1000",
    ) == "(3, 600.0, 1000)"
    esito = _esegui(tmp_path, ["-c", "import seregno_perf.settings"], AXES_FAILURE_LIMIT="cinque")
    assert esito.returncode != 0 and "AXES_FAILURE_LIMIT deve essere un numero intero" in esito.stderr


# --- The demo users ------------------------------------------------------------------------

@pytest.mark.django_db
def test_demo_users_with_the_demo_password_fail_the_check_in_production():
    from obiettivi.demo import carica_demo

    carica_demo()
    User = get_user_model()
    with override_settings(DEBUG=True):  # development: allowed
        assert check_utenti_demo() == []
    with override_settings(DEBUG=False):
        errori = check_utenti_demo()
        assert [e.id for e in errori] == ["seregno_perf.E001"]
        assert "admin" in errori[0].msg and "nucleo" in errori[0].msg
        assert "dirigente.lavori-pubblici" in errori[0].msg
        with pytest.raises(SystemCheckError, match="seregno_perf.E001"):
            call_command("check")

        # the name alone is not enough: a changed password is fine
        for utente in User.objects.filter(username__in=["admin", "nucleo"]) | User.objects.filter(
            username__startswith="dirigente."
        ):
            utente.set_password("Una-password-vera-2024!")
            utente.save()
        assert check_utenti_demo() == []
        call_command("check")

        # …and one demo account left with «demo» is enough to fail
        dirigente = User.objects.filter(username__startswith="dirigente.").first()
        dirigente.set_password("demo")
        dirigente.save()
        assert dirigente.username in check_utenti_demo()[0].msg

    # a user called otherwise with the password «demo» is not a demo user
    User.objects.create_user("mario.rossi", password="demo")
    dirigente.set_password("Altra-password-2024!")
    dirigente.save()
    with override_settings(DEBUG=False):
        assert check_utenti_demo() == []


@pytest.mark.django_db
def test_the_check_never_rewrites_a_password_hash():
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    # a hash from a weaker hasher than the preferred one: User.check_password would upgrade it
    utente = User.objects.create(username="admin", password=make_password("demo", hasher="md5"))
    prima = utente.password
    hashers = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
               "django.contrib.auth.hashers.MD5PasswordHasher"]
    with override_settings(DEBUG=False, PASSWORD_HASHERS=hashers):
        assert check_utenti_demo()[0].id == "seregno_perf.E001"
        assert User.objects.get(pk=utente.pk).password == prima
        User.objects.get(pk=utente.pk).check_password("demo")  # what the check must not do
        assert User.objects.get(pk=utente.pk).password != prima
