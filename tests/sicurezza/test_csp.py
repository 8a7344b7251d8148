"""Security headers read from the responses: a strict Content-Security-Policy on every public
page (no inline script or style, never framed), the admin relaxed for inline styles only."""

import pytest
from django.urls import reverse

from obiettivi.models import Ciclo, Ente
from trasparenza.models import Pubblicazione

pytestmark = pytest.mark.django_db


def _direttive(risposta):
    politica = risposta["Content-Security-Policy"]
    return {parti.split()[0]: parti.split()[1:] for parti in politica.split(";") if parti.strip()}


@pytest.fixture
def pubblicata():
    ciclo = Ciclo.objects.create(ente=Ente.objects.create(slug="csp", nome="Comune CSP"), anno=2021)
    Pubblicazione.objects.create(
        ciclo=ciclo, versione=1, impronta="c" * 64, html="<p>relazione</p>",
        dati={"obiettivi": [], "linee": [], "aree": [], "risultati_aree": []},
    )
    return ciclo


@pytest.mark.parametrize("percorso", ["/", "/csp/2021/", "/csp/2021/dati.json"])
def test_public_pages_get_the_strict_policy(client, pubblicata, percorso):
    risposta = client.get(percorso)
    assert risposta.status_code == 200
    d = _direttive(risposta)
    assert d["default-src"] == ["'self'"]
    assert d["script-src"] == ["'self'"] and d["style-src"] == ["'self'"]
    assert d["object-src"] == ["'none'"] and d["base-uri"] == ["'none'"]
    assert d["frame-ancestors"] == ["'none'"] and d["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in risposta["Content-Security-Policy"]
    assert "'unsafe-eval'" not in risposta["Content-Security-Policy"]
    assert risposta["X-Frame-Options"] == "DENY"
    assert risposta["X-Content-Type-Options"] == "nosniff"
    assert risposta["Referrer-Policy"] == "same-origin"


def test_a_404_also_gets_the_policy(client, pubblicata):
    risposta = client.get("/csp/1999/")
    assert risposta.status_code == 404
    assert "frame-ancestors 'none'" in risposta["Content-Security-Policy"]


@pytest.mark.parametrize("nome", ["admin:login", "admin:index", "admin:obiettivi_obiettivo_changelist"])
def test_admin_allows_inline_styles_but_never_inline_scripts(admin_client, nome):
    risposta = admin_client.get(reverse(nome))
    assert risposta.status_code in (200, 302)
    d = _direttive(risposta)
    assert d["style-src"] == ["'self'", "'unsafe-inline'"]
    assert d["script-src"] == ["'self'"]
    assert d["frame-ancestors"] == ["'none'"] and d["default-src"] == ["'self'"]


def test_the_relaxation_is_scoped_to_the_admin_prefix(client, pubblicata):
    # a public URL that merely contains "admin" is not the admin
    assert "'unsafe-inline'" not in client.get("/csp/2021/?next=/admin/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in client.get("/adminx/")["Content-Security-Policy"]
