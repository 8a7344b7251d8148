"""The home for many enti and an ente's page in Debian's chromium at 390 × 844 (issue 17, point
5): the search used without JavaScript (typed name, Enter; province chosen, «Cerca»; next page),
nothing wider than the phone, axe-core (WCAG 2.1 A/AA) finds nothing. Screenshots in
test-artifacts/screenshots/."""

from pathlib import Path

import pytest

from tests.trasparenza.browser import WCAG, apri_chromium
from tests.trasparenza.test_home_enti import _ente, _molti

ROOT = Path(__file__).resolve().parents[2]
LARGHEZZA = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
NOMI = "() => [...document.querySelectorAll('.elenco-enti h2 a')].map(a => a.textContent.trim())"


@pytest.fixture
def molti_enti(transactional_db):
    _molti(55)
    _ente("forli", "Comune di Forlì", "FC", pubblicati=(2020, 2021))
    _ente("sant-angelo-lodigiano", "Comune di Sant’Angelo Lodigiano", "LO", pubblicati=(2021,),
          bozze=(2022,))


@pytest.mark.browser
def test_home_search_on_a_phone_without_javascript_and_accessible(molti_enti, live_server, tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    cartella = ROOT / "test-artifacts" / "screenshots"
    cartella.mkdir(parents=True, exist_ok=True)
    errori = []
    with sync_playwright() as p:
        browser = apri_chromium(p, tmp_path / "senza-js", java_script_enabled=False)
        try:
            pagina = browser.new_page()
            pagina.set_viewport_size({"width": 390, "height": 844})
            pagina.on("response", lambda r: r.status >= 400 and errori.append(f"{r.status} {r.url}"))
            pagina.goto(live_server.url + "/", wait_until="load")
            assert pagina.evaluate(LARGHEZZA) == [390, 390]
            assert "57 enti trovati — pagina 1 di 2" in pagina.locator(".risultati-enti").inner_text()

            pagina.get_by_label("Nome dell'ente").fill("FORLI")
            with pagina.expect_navigation():
                pagina.get_by_label("Nome dell'ente").press("Enter")
            assert "q=FORLI" in pagina.url
            assert pagina.evaluate(NOMI) == ["Comune di Forlì"]
            assert pagina.get_by_role("link", name="Relazione sulla Performance 2021").is_visible()
            assert pagina.evaluate(LARGHEZZA) == [390, 390]
            pagina.screenshot(path=str(cartella / "telefono-home-ricerca.png"), full_page=True)

            pagina.get_by_label("Nome dell'ente").fill("")
            pagina.get_by_label("Provincia").select_option("MB")
            with pagina.expect_navigation():
                pagina.get_by_role("button", name="Cerca").click()
            assert "provincia=MB" in pagina.url
            assert "55 enti trovati — pagina 1 di 2" in pagina.locator(".risultati-enti").inner_text()
            assert len(pagina.evaluate(NOMI)) == 50
            assert pagina.evaluate(LARGHEZZA) == [390, 390]
            with pagina.expect_navigation():
                pagina.get_by_role("link", name="Successiva").click()
            assert pagina.evaluate(NOMI) == [f"Comune numero {i:04d}" for i in range(50, 55)]
            assert pagina.get_by_label("Provincia").input_value() == "MB"  # the search is kept
            assert pagina.evaluate(LARGHEZZA) == [390, 390]
            pagina.screenshot(path=str(cartella / "telefono-home-pagina-2.png"), full_page=True)

            pagina.get_by_label("Nome dell'ente").fill("paperopoli")
            with pagina.expect_navigation():
                pagina.get_by_label("Nome dell'ente").press("Enter")
            assert pagina.get_by_text("Nessun ente con relazioni pubblicate corrisponde alla ricerca.").is_visible()
        finally:
            browser.close()

        browser = apri_chromium(p, tmp_path / "con-js")
        try:
            pagina = browser.new_page()
            pagina.set_viewport_size({"width": 390, "height": 844})
            pagina.on("console", lambda m: m.type == "error" and errori.append(m.text))
            pagina.on("pageerror", lambda e: errori.append(str(e)))
            pagina.on("response", lambda r: r.status >= 400 and errori.append(f"{r.status} {r.url}"))
            for percorso in ("/?q=sant%27angelo&provincia=LO", "/?provincia=MB&pagina=2", "/?q=paperopoli",
                             "/forli/"):
                pagina.goto(live_server.url + percorso, wait_until="networkidle")
                assert pagina.evaluate(LARGHEZZA) == [390, 390], percorso
                risultati = Axe().run(pagina, options={"runOnly": {"type": "tag", "values": WCAG}})
                assert risultati.violations_count == 0, (percorso, risultati.generate_report())
            assert pagina.evaluate(
                "[...document.querySelectorAll('main h2 a')].map(a => a.textContent.trim())"
            ) == ["Relazione sulla Performance 2021", "Relazione sulla Performance 2020"]
            pagina.screenshot(path=str(cartella / "telefono-ente.png"), full_page=True)
        finally:
            browser.close()
    assert errori == []
