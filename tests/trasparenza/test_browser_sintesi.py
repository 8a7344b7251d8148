"""Issue 13: at 390 × 844 a citizen reads the ente's level and its label on the first screen,
outside the demo-data notice, and the page is not wider than the phone. Screenshots of the
first screen at 390 and 1280 px go to test-artifacts/screenshots/."""

from pathlib import Path

import pytest

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo
from obiettivi.workflow import ciclo_pubblica
from tests.trasparenza.browser import apri_chromium

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_ente_level_and_label_on_the_first_screen_of_a_phone(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    carica_demo()
    ciclo_pubblica(ciclo=Ciclo.objects.get(ente__slug="seregno", anno=2021), utente=None)
    cartella = ROOT / "test-artifacts" / "screenshots"
    cartella.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        for larghezza, altezza in ((390, 844), (1280, 800)):
            browser = apri_chromium(p, tmp_path / f"profilo-{larghezza}", java_script_enabled=False)
            try:
                pagina = browser.new_page()
                pagina.set_viewport_size({"width": larghezza, "height": altezza})
                pagina.goto(live_server.url + "/seregno/2021/", wait_until="load")
                pagina.screenshot(path=str(cartella / f"relazione-primo-schermo-{larghezza}.png"))
                livello = pagina.locator("#sintesi .valore-livello")
                assert livello.inner_text() == "4,00"
                etichetta = pagina.locator("#sintesi .sintesi-livello-testo strong").nth(1)
                assert etichetta.inner_text() == "obiettivi pienamente conseguiti"
                for elemento in (livello, etichetta):
                    box = elemento.bounding_box()
                    assert box and box["y"] >= 0 and box["y"] + box["height"] <= altezza, box
                # not the notice's text: the figure is in the summary, outside the callout
                assert pagina.locator(".avviso-dimostrativo .valore-livello").count() == 0
                assert pagina.evaluate("document.documentElement.scrollWidth") == larghezza
                # the first section of the page is the summary
                assert pagina.evaluate(
                    "document.querySelector('main section, #main-container section, section').id"
                ) == "sintesi"
            finally:
                browser.close()
