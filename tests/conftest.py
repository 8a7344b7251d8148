import os

import pytest
from django.test import override_settings

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _isolated_media(tmp_path_factory):
    """Tests write publications into a temporary folder, never into the project's media, and
    hash passwords fast."""
    from django.conf import settings

    with override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        # carica_demo hashes 8 demo passwords: the default hasher would cost seconds per load.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


@pytest.fixture(scope="module", autouse=True)
def _isolated_published_files(tmp_path_factory):
    """Each test module gets its own folder of published files (trasparenza.snapshot): they are
    written when a publication commits, and must not outlive the module's database."""
    with override_settings(PUBBLICAZIONI_ROOT=tmp_path_factory.mktemp("pubblicati")):
        yield
