# The role tests' small world (one cycle in rendicontazione, one approved, the three roles).
from datetime import date

import pytest
from django.core import mail

from obiettivi.models import Ciclo, Obiettivo
from tests.ruoli.conftest import _mondo_del_modulo, mondo  # noqa: F401

SCADENZA = date(2022, 3, 31)


@pytest.fixture
def posta(mondo, settings):
    """Everyone has an address; the open cycle has a deadline; LP.01 is ready to be sent."""
    settings.SITO_URL = "https://performance.esempio.it"
    for nome in ("dirigente", "altro_dirigente", "nucleo", "amministratore"):
        utente = getattr(mondo, nome)
        utente.email = f"{utente.username}@esempio.it"
        utente.save(update_fields=["email"])
    Ciclo.objects.filter(pk=mondo.aperto.pk).update(scadenza_rendicontazione=SCADENZA)
    mondo.aperto.refresh_from_db()
    Obiettivo.objects.filter(pk=mondo.proprio.pk).update(relazione="Fatto.", grado_proposto=3)
    mondo.proprio.refresh_from_db()
    mail.outbox.clear()
    return mondo
