"""Settings for seregno_perf: one module, configured from the environment.

DEBUG, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL are read from the environment. Without
DATABASE_URL the project uses a SQLite file in its own folder; with ``postgres://…`` it uses
PostgreSQL through psycopg 3.

With ``DEBUG=0`` every security setting defaults to its secure value (HTTPS redirect, secure
cookies, HSTS); each can be turned off only by an explicit environment variable, listed in
docs/deploy.md and docs/sicurezza.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sì"}


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} deve essere un numero intero, non {value!r}.") from None


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SECRET_KEY non impostata: in produzione (DEBUG=0) è obbligatoria."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "mptt",
    "import_export",
    "simple_history",
    "seregno_perf.apps.AccessiConfig",  # django-axes, with an Italian name
    "csp",
    "obiettivi",
    "valutazione",
    "trasparenza",
    "validazione",
    "avvisi",
    "individuale",
    "django_tasks",
    "django_tasks_db",
    "lavori",
    "seregno_perf.apps.SeregnoPerfConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "seregno_perf.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The public site answers GET and HEAD only (405 otherwise), files and views alike.
    "seregno_perf.middleware.MetodiPubbliciMiddleware",
    # Published reports as files, served like static ones (trasparenza/snapshot.py).
    "trasparenza.middleware.PubblicazioniMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "seregno_perf.urls"
# Where the admin's URLs begin (seregno_perf/urls.py): everything else is the public site.
ADMIN_PREFISSO = "/admin/"
# The person's own schede di valutazione (individuale/urls.py): private pages with forms (login,
# signatures), mounted here by seregno_perf/urls.py.
PAGINE_PERSONALI_PREFISSO = "/valutazione-individuale/"
# Where the site takes forms; everywhere else is the read-only public site (GET and HEAD only).
PREFISSI_CON_MODULI = (ADMIN_PREFISSO, PAGINE_PERSONALI_PREFISSO)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "seregno_perf.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out client before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "it"
LANGUAGES = [("it", "Italiano")]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
# The project's Italian wins over Django's and the third-party apps' catalogs (grammar, the
# «Cronologia» vocabulary, lower-case months, django-axes and django-simple-history in Italian):
# locale/it/LC_MESSAGES/*.po, compiled to the committed .mo (docs/ARCHITECTURE.md, «Lingua e testi»).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True
# Years must print as "2021", not "2.021": thousands separators only where asked for.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
# Published snapshots (HTML, PDF, data) are written here, never rewritten.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# The files of published reports (page, dati.json, dati.csv, PDF), served without the database;
# rewritten from it by `manage.py rigenera_file_pubblicati`.
PUBBLICAZIONI_ROOT = Path(os.environ.get("PUBBLICAZIONI_ROOT", MEDIA_ROOT / "pubblicati"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

LOGIN_URL = "admin:login"

# The demo cycle is illustrative: pages say so where data is marked as such.
SITE_NAME = "Relazioni sulla Performance"


# --- E-mail (avvisi: ``manage.py invia_promemoria``) -------------------------------------------
# Development prints messages on the console; production sends through SMTP, configured by the
# variables below (docs/deploy.md). SITO_URL is the address the links in the messages start with.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # port 465
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)  # STARTTLS, port 587
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "performance@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITO_URL = os.environ.get("SITO_URL", "http://127.0.0.1:8000")


# --- Security --------------------------------------------------------------------------------
# Production (DEBUG=0) defaults are the secure ones; a variable set to 0 turns one off.
# Behind a reverse proxy that terminates HTTPS, set SECURE_PROXY_SSL_HEADER=1 (the proxy must
# set X-Forwarded-Proto and strip it from clients), or "HEADER_NAME=value" for another header.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)


def _proxy_ssl_header(value):
    value = (value or "").strip()
    if not value or value.lower() in {"0", "false", "no", "off"}:
        return None
    if value.lower() in {"1", "true", "yes", "on", "si", "sì"}:
        return ("HTTP_X_FORWARDED_PROTO", "https")
    nome, _, atteso = value.partition("=")
    if not nome or not atteso:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER: usare 1 (X-Forwarded-Proto: https) oppure NOME=valore, "
            f"non {value!r}."
        )
    return (nome.strip(), atteso.strip())


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(os.environ.get("SECURE_PROXY_SSL_HEADER"))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)  # one working day
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Uploads and request bodies. Form data (without files) above DATA_UPLOAD_MAX_MEMORY_SIZE is
# refused with 400; uploaded files above FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to disk.
# PEG_IMPORT_MAX_BYTES is the largest PEG file the import accepts (the proxy's body limit,
# e.g. nginx client_max_body_size, must be at least this).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)  # 2.5 MiB
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 5000)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
PEG_IMPORT_MAX_BYTES = env_int("PEG_IMPORT_MAX_BYTES", 5 * 1024 * 1024)  # 5 MiB
# A PEG file with more rows than this (headers included) is previewed and imported by a background
# job, not in the request (docs/import-peg.md); 0: every import is a job.
PEG_IMPORT_RIGHE_SINCRONE = env_int("PEG_IMPORT_RIGHE_SINCRONE", 300)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# --- Login protection (django-axes) ---------------------------------------------------------
# After AXES_FAILURE_LIMIT wrong passwords for one username from one address, that pair is
# refused (even with the right password) for AXES_COOLOFF_MINUTES. Unlock earlier with
# ``python manage.py axes_reset_username NOME`` or from the admin (Accessi all'amministrazione ›
# Tentativi di accesso).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "seregno_perf.views.accesso_bloccato"  # Italian page, minutes
AXES_HTTP_RESPONSE_CODE = 429
# The client address: REMOTE_ADDR, unless the app runs behind AXES_PROXY_COUNT trusted proxies
# (then the address the nearest proxy put in X-Forwarded-For). Never trust a header by default.
AXES_IPWARE_PROXY_COUNT = env_int("AXES_PROXY_COUNT", 0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)
AXES_IPWARE_PROXY_ORDER = "right-most"
# The register's admin pages are the project's, in Italian (seregno_perf/admin.py).
AXES_ENABLE_ADMIN = False

# --- Content Security Policy (django-csp 4) -------------------------------------------------
# Public pages: no inline script or style, nothing from other origins, never framed.
# The Django admin (and only it, see seregno_perf.middleware) also allows inline styles:
# style="…" attributes (django-mptt's tree indent, simple-history, Django's own templates) and
# the <style> block of valutazione's «Risultati calcolati». Never inline <script>: the admin
# loads only its own static scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        # Bootstrap Italia's stylesheet embeds one icon font as a data: URI (VideoJS).
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
CONTENT_SECURITY_POLICY_ADMIN_PREFIX = ADMIN_PREFISSO
CONTENT_SECURITY_POLICY_ADMIN_UPDATE = {"style-src": [UNSAFE_INLINE]}

# --- Logging: errors to stderr (gunicorn's log), also in production ---------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Background jobs (lavori/, docs/deploy.md «Worker») ---------------------------------------
# Django's Tasks API through the django-tasks backport. Default: the database backend (the jobs
# in a table of this database; `manage.py db_worker` runs them — `make run` starts one). With
# TASKS_BACKEND=rq: Redis at REDIS_URL and `manage.py rqworker --job-class django_tasks_rq.Job`,
# for several workers on several hosts.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "db").strip().lower()
# A job's time limit (seconds): RQ kills a job past it; the database worker has none of its own.
LAVORI_LIMITE = env_int("LAVORI_LIMITE", 1800)
# The running job's heartbeat (seconds between two) and how old it may get before a job on
# another host is shown «interrotto» (on the same host the worker's process is checked).
LAVORI_BATTITO = env_int("LAVORI_BATTITO", 10)
LAVORI_SCADENZA_BATTITO = env_int("LAVORI_SCADENZA_BATTITO", 120)
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {
        "URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "DEFAULT_TIMEOUT": LAVORI_LIMITE,
    }}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "db":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"TASKS_BACKEND deve essere «db» o «rq», non {TASKS_BACKEND!r}.")
