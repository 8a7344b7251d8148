"""The desks in Debian's chromium, on the Seregno demo in the middle of reporting
(``scrivania_demo``): a dirigente reports an objective in at most 3 clicks from the login form
(login → the objective on the desk → «Salva e invia al Nucleo»), counted here; the Nucleo's and
the Amministratore's desks are photographed.

Screenshots go to test-artifacts/screenshots/; with AGGIORNA_IMMAGINI_GUIDE=1 also to docs/img/
(``scripts/scrivanie.sh``).
"""

import pytest

from obiettivi.models import Obiettivo
from tests.trasparenza.browser import apri_chromium

from .scrivania_demo import prepara_demo_in_rendicontazione
from .test_browser_ruoli import _foto

R = Obiettivo.StatoRendicontazione
MASSIMO_CLIC = 3


class Clic:
    """Counts the clicks of a journey: every click goes through here."""

    def __init__(self, pagina):
        self.pagina, self.n = pagina, 0

    def __call__(self, selettore=None, *, locator=None):
        self.n += 1
        (locator or self.pagina.locator(selettore)).click()


def _login(p, profilo, live_server, username, clic=None):
    browser = apri_chromium(p, profilo)
    pagina = browser.new_page()
    pagina.goto(f"{live_server.url}/admin/")  # the address people have: the login form
    pagina.fill("#id_username", username)
    pagina.fill("#id_password", "demo")
    (clic or Clic(pagina))(locator=pagina.locator("input[type=submit]"))
    pagina.wait_for_url(f"{live_server.url}/admin/")
    return browser, pagina


def _scrivi_grado(pagina, grado):
    campo = pagina.locator("#id_grado_proposto")
    if campo.evaluate("e => e.tagName") == "SELECT":
        campo.select_option(str(grado))
    else:
        campo.fill(str(grado))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dirigente_reports_an_objective_in_three_clicks_and_desks(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    ciclo, da_rendicontare = prepara_demo_in_rendicontazione(con_2022=True)
    obiettivo = da_rendicontare[0]
    with sync_playwright() as p:
        browser = apri_chromium(p, tmp_path / "dirigente")
        try:
            pagina = browser.new_page()
            clic = Clic(pagina)
            pagina.goto(f"{live_server.url}/admin/")
            pagina.fill("#id_username", "dirigente.lavori-pubblici")
            pagina.fill("#id_password", "demo")
            clic(locator=pagina.locator("input[type=submit]"))  # 1: log in
            pagina.wait_for_url(f"{live_server.url}/admin/")
            scrivania = pagina.locator("#scrivania-dirigente")
            assert "mancano 12 giorni" in scrivania.inner_text()
            assert "1 obiettivo rinviato dal Nucleo" in scrivania.inner_text()
            _foto(pagina, "scrivania-dirigente.png")
            clic(locator=scrivania.get_by_role("link", name=obiettivo.codice, exact=True))  # 2
            pagina.wait_for_selector("#id_relazione")
            pagina.fill("#id_relazione", "Misure del PTPCT applicate e monitorate ogni trimestre.")
            _scrivi_grado(pagina, 4)
            if pagina.locator("#id_spiegazione_grado").count():
                pagina.fill("#id_spiegazione_grado", "Monitoraggio completo, una misura in ritardo.")
            clic("input[name=_invia]")  # 3: save and send to the Nucleo
            pagina.wait_for_selector(".messagelist")
            assert "inviato al Nucleo" in pagina.locator(".messagelist").inner_text()
        finally:
            browser.close()
        assert clic.n <= MASSIMO_CLIC, f"{clic.n} clic dal login all'invio"
        obiettivo.refresh_from_db()
        assert (obiettivo.stato_rendicontazione, obiettivo.grado_proposto) == (R.INVIATO, 4)

        browser, pagina = _login(p, tmp_path / "nucleo", live_server, "nucleo")
        try:
            testo = pagina.locator("#scrivania-nucleo").inner_text()
            assert f"Esamina il primo: {obiettivo.codice}" in testo  # just sent, first in order
            assert "Grado proposto diverso da quello calcolato" in testo
            _foto(pagina, "scrivania-nucleo.png")
        finally:
            browser.close()

        browser, pagina = _login(p, tmp_path / "admin", live_server, "admin")
        try:
            testo = pagina.locator("#scrivania-amministratore").inner_text()
            assert "obiettivi non ancora inviati al Nucleo" in testo
            assert "versione 1 del" in testo  # 2022, published
            _foto(pagina, "scrivania-amministratore.png")
        finally:
            browser.close()
