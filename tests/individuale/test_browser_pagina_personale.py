"""In Debian's chromium: an employee without admin rights logs in on /valutazione-individuale/,
sees only their own scheda, signs the objectives; the page at 390 px (screenshot, no sideways
scrolling); axe-core (WCAG 2.1 A/AA) finds nothing; another's scheda by URL is «not found»."""

from pathlib import Path

import pytest
from django.utils import timezone

from individuale.models import SchedaValutazione

from ..trasparenza.browser import WCAG, apri_chromium
from .processo_mondo import S, costruisci_mondo, porta_a

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def test_an_employee_signs_their_own_scheda(live_server, tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect, sync_playwright

    mondo = costruisci_mondo()
    assert not mondo.valutato.is_staff
    scheda = porta_a(mondo.scheda, S.COLLOQUIO_INIZIALE, mondo)
    cartella = ROOT / "test-artifacts" / "screenshots"
    cartella.mkdir(parents=True, exist_ok=True)
    errori = []
    with sync_playwright() as p:
        browser = apri_chromium(p, tmp_path / "profilo")
        try:
            pagina = browser.new_page()
            pagina.on("console", lambda m: m.type == "error" and errori.append(m.text))
            pagina.goto(f"{live_server.url}/valutazione-individuale/")
            assert "/valutazione-individuale/accedi/" in pagina.url
            pagina.fill("#id_username", "mario.rossi")
            pagina.fill("#id_password", "demo")
            pagina.get_by_role("button", name="Accedi").click()
            pagina.wait_for_url(f"{live_server.url}/valutazione-individuale/")
            collegamenti = pagina.locator(".elenco-schede a")
            expect(collegamenti).to_have_count(1)
            assert "Bianchi" not in pagina.content()
            collegamenti.first.click()
            expect(pagina.locator("h1")).to_have_text("Scheda di valutazione di Mario Rossi")
            risultati = Axe().run(pagina, options={"runOnly": {"type": "tag", "values": WCAG}})
            assert risultati.violations_count == 0, risultati.generate_report()

            pagina.get_by_role("button", name="Firma per presa visione degli obiettivi").click()
            expect(pagina.locator(".alert-success")).to_contain_text(
                "Fatto: «Firma per presa visione degli obiettivi»")
            expect(pagina.locator(".cronologia")).to_contain_text("Firma per presa visione degli obiettivi")
            expect(pagina.get_by_role("button", name="Firma per presa visione degli obiettivi")).to_have_count(0)

            pagina.set_viewport_size({"width": 390, "height": 844})
            pagina.reload()
            larghezza = pagina.evaluate("() => document.documentElement.scrollWidth")
            assert larghezza <= 390, f"la pagina scorre di lato: {larghezza} px"
            pagina.screenshot(path=str(cartella / "individuale-scheda-390.png"), full_page=True)
            # the evaluation delivered today: remarks, conciliazione with its deadline, at 390 px
            SchedaValutazione.objects.filter(pk=scheda.pk).update(
                stato=S.PRESA_VISIONE, data_valutazione=timezone.localdate())
            pagina.reload()
            expect(pagina.locator(".callout")).to_contain_text("mancano 15 giorni")
            expect(pagina.get_by_role("button", name="Chiedi la conciliazione")).to_be_visible()
            larghezza = pagina.evaluate("() => document.documentElement.scrollWidth")
            assert larghezza <= 390, f"la pagina scorre di lato: {larghezza} px"
            pagina.screenshot(path=str(cartella / "individuale-presa-visione-390.png"), full_page=True)

            assert errori == []  # (the 404 below is logged by the console: expected)
            risposta = pagina.goto(f"{live_server.url}/valutazione-individuale/schede/"
                                   f"{mondo.scheda_altra.pk}/")
            assert risposta.status == 404
            assert "Bianchi" not in pagina.content()
        finally:
            browser.close()
    assert SchedaValutazione.objects.get(pk=scheda.pk).firma_assegnazione is not None
