"""The three journeys of the review workflow in Debian's chromium, on the Seregno 2021 demo moved
back to «Rendicontazione»: a dirigente reports an objective and sends it; the Nucleo changes the
grade with a reason and validates; an Amministratore closes reporting and approves the cycle with
the Giunta's atto. Each user logs in through the real admin login form.

Screenshots go to test-artifacts/screenshots/; with AGGIORNA_IMMAGINI_GUIDE=1 also to docs/img/
(used by docs/guida-dirigenti.md and docs/guida-nucleo.md), so an ordinary test run leaves the
working tree clean.
"""

import os
import shutil
from pathlib import Path

import pytest

from obiettivi.demo import carica_demo
from obiettivi.models import Atto, Ciclo, Obiettivo
from tests.trasparenza.browser import apri_chromium

ROOT = Path(__file__).resolve().parents[2]
IMMAGINI = ROOT / "docs" / "img"
ARTEFATTI = ROOT / "test-artifacts" / "screenshots"
R = Obiettivo.StatoRendicontazione
CODICE = "LLPP.07"


def _foto(pagina, nome):
    ARTEFATTI.mkdir(parents=True, exist_ok=True)
    pagina.screenshot(path=str(ARTEFATTI / nome))
    if os.environ.get("AGGIORNA_IMMAGINI_GUIDE") == "1":
        IMMAGINI.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ARTEFATTI / nome, IMMAGINI / nome)


def _accedi(p, profilo, live_server, username):
    browser = apri_chromium(p, profilo)
    pagina = browser.new_page()
    pagina.goto(f"{live_server.url}/admin/login/?next=/admin/")
    pagina.fill("#id_username", username)
    pagina.fill("#id_password", "demo")
    pagina.click("input[type=submit]")
    pagina.wait_for_url(f"{live_server.url}/admin/")
    return browser, pagina


def _prepara():
    """The demo, as it was before the Nucleo's work on one objective of Lavori pubblici."""
    carica_demo()
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=Ciclo.Stato.RENDICONTAZIONE, atto_approvazione=None)
    Obiettivo.objects.filter(ciclo=ciclo).update(stato_rendicontazione=R.VALIDATO)
    Obiettivo.objects.filter(ciclo=ciclo, codice=CODICE).update(
        stato_rendicontazione=R.BOZZA, relazione="", grado_proposto=None, grado_validato=None,
        motivazione_grado="",
    )
    Atto.objects.get_or_create(
        ente=ciclo.ente, organo="Giunta Comunale", numero="95", anno=2022,
        defaults={"oggetto": "Approvazione della Relazione sulla Performance 2021 (dimostrativo)"},
    )
    return ciclo, Obiettivo.objects.get(ciclo=ciclo, codice=CODICE)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_three_journeys_dirigente_nucleo_amministratore(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    ciclo, obiettivo = _prepara()
    pagina_obiettivo = f"{live_server.url}/admin/obiettivi/obiettivo/{obiettivo.pk}/change/"
    with sync_playwright() as p:
        # 1. The dirigente of Lavori pubblici reports the objective and sends it to the Nucleo.
        browser, pagina = _accedi(p, tmp_path / "dirigente", live_server, "dirigente.lavori-pubblici")
        try:
            pagina.goto(f"{live_server.url}/admin/obiettivi/obiettivo/?stato_rendicontazione=bozza")
            assert pagina.get_by_role("link", name=CODICE).is_visible()
            _foto(pagina, "dirigente-elenco.png")
            pagina.get_by_role("link", name=CODICE).click()
            assert pagina.locator("#id_titolo").count() == 0  # the plan is read-only for a dirigente
            pagina.fill("#id_relazione", "Demolizione completata a novembre; restano le opere di "
                                         "messa in sicurezza dell'area, previste nel 2022.")
            pagina.select_option("#id_grado_proposto", "3")
            _foto(pagina, "dirigente-rendicontazione.png")
            pagina.click("input[name=_invia]")
            pagina.wait_for_selector(".messagelist")
            assert "inviato al Nucleo" in pagina.locator(".messagelist").inner_text()
            _foto(pagina, "dirigente-inviato.png")
        finally:
            browser.close()
        obiettivo.refresh_from_db()
        assert (obiettivo.stato_rendicontazione, obiettivo.grado_proposto) == (R.INVIATO, 3)

        # 2. The Nucleo lowers the grade, says why, and validates.
        browser, pagina = _accedi(p, tmp_path / "nucleo", live_server, "nucleo")
        try:
            pagina.goto(f"{live_server.url}/admin/obiettivi/obiettivo/?stato_rendicontazione=inviato")
            _foto(pagina, "nucleo-elenco.png")
            pagina.goto(pagina_obiettivo)
            assert pagina.locator("#id_relazione").count() == 0  # the dirigente's text stays theirs
            pagina.select_option("#id_grado_validato", "2")
            with pagina.expect_navigation():
                pagina.click("input[name=_valida]")
            pagina.wait_for_selector(".errorlist")
            assert "indicare la motivazione del Nucleo" in pagina.content()
            pagina.fill("#id_motivazione_grado", "La messa in sicurezza dell'area, parte "
                                                 "dell'obiettivo, è rinviata al 2022.")
            pagina.fill("#id_commento_nucleo", "Grado ridotto per la parte non conclusa.")
            _foto(pagina, "nucleo-validazione.png")
            pagina.click("input[name=_valida]")
            pagina.wait_for_selector(".messagelist")
            assert f"Obiettivo {CODICE} validato." in pagina.locator(".messagelist").inner_text()
            pagina.goto(f"{pagina_obiettivo.replace('/change/', '/history/')}")
            _foto(pagina, "nucleo-storico.png")
            assert "nucleo" in pagina.content()
        finally:
            browser.close()
        obiettivo.refresh_from_db()
        assert (obiettivo.stato_rendicontazione, obiettivo.grado_validato) == (R.VALIDATO, 2)

        # 3. The Amministratore closes reporting, then approves with the Giunta's atto.
        browser, pagina = _accedi(p, tmp_path / "amministratore", live_server, "admin")
        try:
            pagina.goto(f"{live_server.url}/admin/obiettivi/ciclo/{ciclo.pk}/change/")
            pagina.get_by_role("link", name="Passa a «Validazione»").click()
            pagina.click("input[name=_conferma]")
            pagina.wait_for_selector(".messagelist")
            pagina.get_by_role("link", name="Passa a «Approvata»").click()
            pagina.select_option("#id_atto", label="Giunta Comunale n. 95/2022")
            _foto(pagina, "amministratore-approvazione.png")
            pagina.click("input[name=_conferma]")
            pagina.wait_for_selector(".messagelist")
            assert "è ora «Approvata»" in pagina.locator(".messagelist").inner_text()
            _foto(pagina, "amministratore-approvata.png")
        finally:
            browser.close()
    ciclo.refresh_from_db()
    assert ciclo.stato == Ciclo.Stato.APPROVATA and ciclo.atto_approvazione.numero == "95"
