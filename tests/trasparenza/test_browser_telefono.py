"""The published Seregno 2021 pages on a phone (issue 13, points 3 and 7), in Debian's chromium:
at 390 × 844 the document is exactly as wide as the screen and no table is wider, objective rows
are cards; printed, the same markup keeps its tables; the search box of the objectives' list
works with JavaScript and is hidden without it; axe-core (WCAG 2.1 A/AA) finds nothing on any
public page at 390 and 1280 px; the page arrives compressed. Screenshots in
test-artifacts/screenshots/."""

from pathlib import Path

import pytest

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo
from obiettivi.workflow import ciclo_pubblica
from tests.trasparenza.browser import WCAG, apri_chromium

ROOT = Path(__file__).resolve().parents[2]
PAGINE = {
    "home": "/",
    "relazione": "/seregno/2021/",
    "versione": "/seregno/2021/versioni/1/",
    "obiettivo": "/seregno/2021/obiettivi/LLPP.01/",
    "obiettivo-escluso": "/seregno/2021/obiettivi/SGP.12/",
    "linea": "/seregno/2021/linee/2/",
    "area": "/seregno/2021/aree/servizi-persona/",
    "elenco": "/seregno/2021/obiettivi/",
    "esito": "/seregno/2021/esiti/esclusi/",
    "premi": "/seregno/2021/premi/",
}
LARGHEZZE = """() => {
  const w = document.documentElement.clientWidth;
  return {
    scroll: document.documentElement.scrollWidth,
    viewport: w,
    tabelle: [...document.querySelectorAll('table')]
      .filter(t => t.getClientRects().length && t.getBoundingClientRect().right > w + 0.5)
      .map(t => (t.caption ? t.caption.textContent : t.id).trim()),
  };
}"""
SCHEDA = "() => getComputedStyle(document.querySelector('table.tabella-obiettivi tbody tr')).display"


@pytest.fixture
def pubblicata(transactional_db, tmp_path, settings):
    settings.PUBBLICAZIONI_ROOT = tmp_path / "pubblicati"
    carica_demo()
    ciclo_pubblica(ciclo=Ciclo.objects.get(ente__slug="seregno", anno=2021), utente=None)


@pytest.mark.browser
def test_every_public_page_fits_a_phone_and_objectives_are_cards(pubblicata, live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    cartella = ROOT / "test-artifacts" / "screenshots"
    cartella.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = apri_chromium(p, tmp_path / "profilo", java_script_enabled=False)
        try:
            pagina = browser.new_page()
            pagina.set_viewport_size({"width": 390, "height": 844})
            for nome, percorso in PAGINE.items():
                pagina.goto(live_server.url + percorso, wait_until="load")
                misure = pagina.evaluate(LARGHEZZE)
                assert misure["scroll"] == misure["viewport"] == 390, (nome, misure)
                assert misure["tabelle"] == [], (nome, misure)
                pagina.screenshot(path=str(cartella / f"telefono-{nome}.png"))
            for percorso in (PAGINE["relazione"], PAGINE["area"], PAGINE["elenco"]):
                pagina.goto(live_server.url + percorso, wait_until="load")
                assert pagina.evaluate(SCHEDA) == "block", percorso
                # the card shows code, title, outcome; linea/azione/tipologia are on the objective's page
                riga = pagina.locator("table.tabella-obiettivi tbody tr").first
                assert riga.locator("th a").is_visible()
                assert riga.locator(".titolo-scheda").is_visible()
                assert riga.locator(".esito-scheda").is_visible()
                assert not riga.locator(".nascosta-telefono").first.is_visible()
                # printed (the PDF's markup is the same), the table stays a table
                pagina.emulate_media(media="print")
                assert pagina.evaluate(SCHEDA) == "table-row", percorso
                pagina.emulate_media(media="screen")
            # without JavaScript the search box stays hidden: the filter links do the work
            pagina.goto(live_server.url + PAGINE["elenco"], wait_until="load")
            assert not pagina.locator(".cerca-obiettivi").is_visible()
            pagina.get_by_role("link", name="Obiettivi tolti dal piano, rinviati o sospesi (4)").click()
            assert pagina.url.endswith("/esiti/esclusi/")
            assert pagina.locator("table.tabella-obiettivi tbody tr").count() == 4
            pagina.set_viewport_size({"width": 1280, "height": 900})
            pagina.goto(live_server.url + PAGINE["relazione"], wait_until="load")
            assert pagina.evaluate(SCHEDA) == "table-row"
        finally:
            browser.close()


@pytest.mark.browser
def test_search_box_filters_the_list_with_javascript(pubblicata, live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    errori = []
    with sync_playwright() as p:
        browser = apri_chromium(p, tmp_path / "profilo")
        try:
            pagina = browser.new_page()
            pagina.set_viewport_size({"width": 390, "height": 844})
            pagina.on("console", lambda m: m.type == "error" and errori.append(m.text))
            pagina.goto(live_server.url + PAGINE["elenco"], wait_until="networkidle")
            campo = pagina.get_by_label("Cerca tra questi obiettivi (codice, titolo, area, esito)")
            assert campo.is_visible()
            righe = pagina.locator("table.tabella-obiettivi tbody tr")
            assert righe.count() == 102
            campo.fill("llpp.0")
            visibili = [r for r in righe.all() if r.is_visible()]
            assert len(visibili) == 9
            assert all(r.locator("th").inner_text().startswith("LLPP.0") for r in visibili)
            assert pagina.locator("#cerca-obiettivi-esito").inner_text() == "9 obiettivi su 102"
            campo.fill("sospeso covid")  # words in any order, accents and case ignored
            assert 0 < len([r for r in righe.all() if r.is_visible()]) < 102
            campo.fill("")
            assert len([r for r in righe.all() if r.is_visible()]) == 102
        finally:
            browser.close()
    assert errori == []


@pytest.mark.browser
def test_axe_finds_no_violation_on_any_public_page_at_both_widths(pubblicata, live_server, tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = apri_chromium(p, tmp_path / "profilo")
        try:
            pagina = browser.new_page()
            for larghezza, altezza in ((390, 844), (1280, 900)):
                pagina.set_viewport_size({"width": larghezza, "height": altezza})
                for nome, percorso in PAGINE.items():
                    pagina.goto(live_server.url + percorso, wait_until="networkidle")
                    risultati = Axe().run(pagina, options={"runOnly": {"type": "tag", "values": WCAG}})
                    assert risultati.violations_count == 0, (
                        f"{nome} a {larghezza} px: {risultati.generate_report()}")
        finally:
            browser.close()


@pytest.mark.browser
def test_the_report_page_arrives_compressed(pubblicata, live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = apri_chromium(p, tmp_path / "profilo")
        try:
            pagina = browser.new_page()
            pagina.set_viewport_size({"width": 390, "height": 844})
            risposta = pagina.goto(live_server.url + PAGINE["relazione"], wait_until="load")
            intestazioni = risposta.all_headers()
            assert intestazioni["content-encoding"] == "br"
            assert "4,00" in pagina.locator(".valore-livello").first.inner_text()
        finally:
            browser.close()
