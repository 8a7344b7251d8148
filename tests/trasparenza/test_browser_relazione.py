"""The published Seregno 2021 report in Debian's chromium: axe-core (WCAG 2.1 A/AA) reports no
violation on the report, objective, linea and area pages; pages work without JavaScript; the
figures a citizen reads are the published ones. Screenshots go to test-artifacts/screenshots/."""

from pathlib import Path

import pytest

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo
from obiettivi.workflow import ciclo_pubblica
from tests.trasparenza.browser import WCAG, apri_chromium

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_published_report_pages_are_accessible_without_javascript(live_server, tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    carica_demo()
    ciclo_pubblica(ciclo=Ciclo.objects.get(ente__slug="seregno", anno=2021), utente=None)
    cartella = ROOT / "test-artifacts" / "screenshots"
    cartella.mkdir(parents=True, exist_ok=True)
    pagine = {
        "relazione": "/seregno/2021/",
        "obiettivo": "/seregno/2021/obiettivi/LLPP.01/",
        "linea": "/seregno/2021/linee/2/",
        "area": "/seregno/2021/aree/servizi-persona/",
    }
    errori = []
    with sync_playwright() as p:
        browser = apri_chromium(p, tmp_path / "profilo", java_script_enabled=False)
        try:
            pagina = browser.new_page()
            pagina.on("response", lambda r: r.status >= 400 and errori.append(f"{r.status} {r.url}"))
            for nome, percorso in pagine.items():
                pagina.goto(live_server.url + percorso, wait_until="load")
                assert pagina.locator("h1").first.is_visible(), nome
                pagina.screenshot(path=str(cartella / f"relazione-{nome}.png"), full_page=nome != "relazione")
            pagina.goto(live_server.url + pagine["relazione"])
            assert pagina.locator(".valore-livello").inner_text() == "4,00"
            assert pagina.locator(".valore-barometro").inner_text() == "2,30"
            assert pagina.get_by_text("Dati dimostrativi", exact=True).first.is_visible()
            # the table of contents leads to the sections
            pagina.get_by_role("link", name="Il livello di performance di ente").first.click()
            assert pagina.url.endswith("#sez-livello-ente")
        finally:
            browser.close()

        # axe-core needs JavaScript: a second context, same pages
        browser = apri_chromium(p, tmp_path / "profilo-axe")
        try:
            pagina = browser.new_page()
            pagina.on("console", lambda m: m.type == "error" and errori.append(m.text))
            for nome, percorso in pagine.items():
                pagina.goto(live_server.url + percorso, wait_until="networkidle")
                risultati = Axe().run(pagina, options={"runOnly": {"type": "tag", "values": WCAG}})
                assert risultati.violations_count == 0, f"{nome}: {risultati.generate_report()}"
        finally:
            browser.close()
    assert errori == []
