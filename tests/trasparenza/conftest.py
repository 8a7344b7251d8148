import pytest

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo
from obiettivi.workflow import ciclo_pubblica


@pytest.fixture
def demo_pubblicata(db, django_capture_on_commit_callbacks, monkeypatch):
    """Seregno 2021 loaded and published, its files written (after commit); the PDF is a fast
    stand-in carrying the fingerprint (its content is not what these tests read)."""
    monkeypatch.setattr(
        "trasparenza.services.render_pdf",
        lambda dati, archivio=True: b"%PDF-1.7\n% " + dati["impronta"].encode() + b"\n%%EOF\n",
    )
    carica_demo()
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
    with django_capture_on_commit_callbacks(execute=True):
        ciclo_pubblica(ciclo=ciclo, utente=None)
    return ciclo
