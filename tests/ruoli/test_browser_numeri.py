"""In Debian's chromium: a dirigente types «40.000» as an indicator's consuntivo on the objective's
page and forty thousand is saved (issue 12: it was saved as 40 with a success message); the page
then shows it back as «40.000»."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from obiettivi import permessi
from obiettivi.models import Ciclo, Ente, Indicatore, Obiettivo
from obiettivi.services import area_upsert, nodo_upsert
from tests.trasparenza.browser import apri_chromium


def _mondo():
    ente = Ente.objects.create(slug="prova", nome="Comune di Prova")
    ciclo = Ciclo.objects.create(ente=ente, anno=2021, stato=Ciclo.Stato.RENDICONTAZIONE)
    area = area_upsert(ciclo=ciclo, codice="LP", nome="Area Lavori pubblici", slug="lavori-pubblici")
    nodo = nodo_upsert(ciclo=ciclo, codice="1", titolo="Linea", livello_nome="linea strategica")
    dirigente = get_user_model().objects.create_user("dirigente.lavori-pubblici", password="demo",
                                                     is_staff=True)
    dirigente.groups.add(Group.objects.get(name=permessi.DIRIGENTE))
    area.dirigenti.add(dirigente)
    obiettivo = Obiettivo.objects.create(ciclo=ciclo, area=area, nodo=nodo, codice="LP.01",
                                         titolo="Campagna vaccinale")
    Indicatore.objects.create(obiettivo=obiettivo, codice="I1", nome="Dosi somministrate",
                              unita="dosi", target=Decimal("40000"), consuntivo=None)
    return obiettivo


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_il_dirigente_scrive_40_000_e_si_salvano_quarantamila(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    obiettivo = _mondo()
    with sync_playwright() as p:
        browser = apri_chromium(p, tmp_path / "dirigente")
        try:
            pagina = browser.new_page()
            pagina.goto(f"{live_server.url}/admin/login/?next=/admin/")
            pagina.fill("#id_username", "dirigente.lavori-pubblici")
            pagina.fill("#id_password", "demo")
            pagina.click("input[type=submit]")
            pagina.wait_for_url(f"{live_server.url}/admin/")
            pagina.goto(f"{live_server.url}/admin/obiettivi/obiettivo/{obiettivo.pk}/change/")
            campo = pagina.locator("#id_indicatori-0-consuntivo")
            assert campo.get_attribute("inputmode") == "decimal"
            campo.fill("40.000")
            pagina.click("input[name=_continue]")
            pagina.wait_for_selector(".messagelist")
            assert "errorlist" not in pagina.content()
            assert pagina.locator("#id_indicatori-0-consuntivo").input_value() == "40.000"
            assert pagina.locator("#id_indicatori-0-target").count() == 0  # read-only for a dirigente
        finally:
            browser.close()
    assert Indicatore.objects.get(obiettivo=obiettivo).consuntivo == Decimal("40000")
