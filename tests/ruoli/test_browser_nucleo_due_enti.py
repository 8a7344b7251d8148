"""Two enti in Debian's chromium (issue 17): the demo ``nucleo`` is the Nucleo of Seregno and of
the synthetic «Comune di Esempio» (in forma associata): its desk shows both enti and it opens an
objective of each; ``admin``, the Amministratore of Seregno only, sees Seregno alone and the
other ente's objective does not exist for it (404)."""

import pytest

from obiettivi.demo import NOME_ESEMPIO, carica_demo_esempio
from obiettivi.models import Obiettivo
from tests.trasparenza.browser import apri_chromium

from .scrivania_demo import prepara_demo_in_rendicontazione


def _login(p, profilo, live_server, username):
    browser = apri_chromium(p, profilo)
    pagina = browser.new_page()
    pagina.goto(f"{live_server.url}/admin/")
    pagina.fill("#id_username", username)
    pagina.fill("#id_password", "demo")
    pagina.locator("input[type=submit]").click()
    pagina.wait_for_url(f"{live_server.url}/admin/")
    return browser, pagina


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_nucleo_of_two_enti_and_the_amministratore_of_one(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    ciclo, _ = prepara_demo_in_rendicontazione()
    carica_demo_esempio()
    di_seregno = Obiettivo.objects.filter(ciclo=ciclo).order_by("codice").first()
    di_esempio = Obiettivo.objects.filter(ciclo__ente__slug="esempio").order_by("codice").first()
    with sync_playwright() as p:
        browser, pagina = _login(p, tmp_path / "nucleo", live_server, "nucleo")
        try:
            scrivania = pagina.locator("#scrivania-nucleo").inner_text()
            assert "Comune di Seregno" in scrivania and NOME_ESEMPIO in scrivania
            for obiettivo in (di_seregno, di_esempio):
                pagina.goto(f"{live_server.url}/admin/obiettivi/obiettivo/{obiettivo.pk}/change/")
                assert obiettivo.codice in pagina.locator("#content").inner_text()
            pagina.goto(f"{live_server.url}/admin/obiettivi/obiettivo/?ciclo=tutti&q={di_esempio.codice}")
            assert di_esempio.titolo[:30] in pagina.locator("#result_list").inner_text()
        finally:
            browser.close()

        browser, pagina = _login(p, tmp_path / "admin", live_server, "admin")
        try:
            testo = pagina.locator("#scrivania-amministratore").inner_text()
            assert "Comune di Seregno" in testo and "Esempio" not in testo
            pagina.goto(f"{live_server.url}/admin/obiettivi/ciclo/")
            assert "Esempio" not in pagina.locator("#content").inner_text()
            risposta = pagina.goto(f"{live_server.url}/admin/obiettivi/obiettivo/{di_esempio.pk}/change/")
            assert risposta.status == 404
            pagina.goto(f"{live_server.url}/admin/obiettivi/obiettivo/{di_seregno.pk}/change/")
            assert di_seregno.codice in pagina.locator("#content").inner_text()
        finally:
            browser.close()
