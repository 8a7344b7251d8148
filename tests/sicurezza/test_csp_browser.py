"""The Content-Security-Policy in Debian's chromium: the published demo report and the admin
pages load with zero CSP violations (``securitypolicyviolation`` events and console errors)."""

import pytest
from django.urls import reverse

from obiettivi.demo import carica_demo
from obiettivi.models import Area, Ciclo, Obiettivo
from obiettivi.workflow import ciclo_pubblica
from tests.trasparenza.browser import apri_chromium

# Registered before any page script: records every violation the browser reports.
SPIA_CSP = """
window.__violazioni = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violazioni.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _visita(pagina, indirizzo, problemi):
    risposta = pagina.goto(indirizzo, wait_until="networkidle")
    assert risposta.status == 200, indirizzo
    assert "content-security-policy" in risposta.headers, indirizzo
    for violazione in pagina.evaluate("window.__violazioni"):
        problemi.append(f"{indirizzo}: {violazione}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_report_and_admin_pages_load_without_csp_violations(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    carica_demo()
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
    ciclo_pubblica(ciclo=ciclo, utente=None)
    obiettivo = Obiettivo.objects.filter(ciclo=ciclo).order_by("codice").first()
    pubbliche = [
        "/", "/seregno/2021/", f"/seregno/2021/obiettivi/{obiettivo.codice}/",
        "/seregno/2021/linee/2/", "/seregno/2021/aree/servizi-persona/",
    ]
    admin = [
        reverse("admin:index"),
        reverse("admin:obiettivi_obiettivo_changelist"),
        reverse("admin:obiettivi_obiettivo_change", args=[obiettivo.pk]),
        reverse("admin:obiettivi_area_changelist"),
        reverse("admin:obiettivi_area_change", args=[Area.objects.filter(ciclo=ciclo).first().pk]),
        reverse("admin:obiettivi_obiettivo_history", args=[obiettivo.pk]),
        reverse("admin:valutazione_risultati", args=[ciclo.pk]),
        reverse("admin:trasparenza_pubblicazione_changelist"),
    ]
    problemi = []
    with sync_playwright() as p:
        browser = apri_chromium(p, tmp_path / "profilo")
        try:
            pagina = browser.new_page()
            pagina.add_init_script(SPIA_CSP)
            pagina.on("console", lambda m: m.type == "error" and not m.text.startswith(
                "Failed to load resource") and problemi.append(m.text))
            pagina.on("response", lambda r: r.status >= 400 and not r.url.endswith(
                "/favicon.ico") and problemi.append(f"{r.status} {r.url}"))
            pagina.on("pageerror", lambda e: problemi.append(str(e)))
            for percorso in pubbliche:
                _visita(pagina, live_server.url + percorso, problemi)
            # the admin, logged in through its own login form (under its policy)
            _visita(pagina, live_server.url + reverse("admin:login"), problemi)
            pagina.fill("#id_username", "admin")
            pagina.fill("#id_password", "demo")
            pagina.click("input[type=submit]")
            pagina.wait_for_url(live_server.url + reverse("admin:index"))
            for percorso in admin:
                _visita(pagina, live_server.url + percorso, problemi)
            # the admin's own scripts ran: the change form's «Salva» works as a JS page
            pagina.goto(live_server.url + admin[2])
            assert pagina.evaluate("typeof window.django !== 'undefined'")
        finally:
            browser.close()
    assert problemi == [], "\n".join(p[:300] for p in problemi)
