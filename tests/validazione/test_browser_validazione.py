"""The Nucleo's validation in Debian's chromium, on the published Seregno 2021 demo: from the
verifiche page it opens the drafted documento di validazione, completes it, signs it with the
confirmation, and a citizen reads it next to the Relazione.

Screenshots go to test-artifacts/screenshots/; with AGGIORNA_IMMAGINI_GUIDE=1 also to docs/img/
(docs/guida-nucleo.md), as in tests/ruoli/test_browser_ruoli.py.
"""

import pytest

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo
from obiettivi.workflow import ciclo_pubblica
from tests.ruoli.test_browser_ruoli import _accedi, _foto
from validazione.models import DocumentoValidazione


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_nucleo_writes_signs_and_citizens_read(live_server, tmp_path, monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setattr(  # the Relazione's PDF is not what this test reads
        "trasparenza.services.render_pdf", lambda dati, archivio=True: b"%PDF-1.7\n%%EOF\n")
    carica_demo()
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
    ciclo_pubblica(ciclo=ciclo, utente=None)
    with sync_playwright() as p:
        browser, pagina = _accedi(p, tmp_path / "nucleo", live_server, "nucleo")
        try:
            pagina.goto(f"{live_server.url}/admin/verifiche/{ciclo.pk}/")
            pagina.get_by_role("link", name="Scrivi il documento di validazione").click()
            pagina.locator("#id_scostamenti").wait_for()
            assert "5. Variazioni del piano coperte da atti: con rilievi." in pagina.input_value(
                "#id_scostamenti")
            pagina.fill("#id_ricevuta_il", "03/07/2022")
            pagina.fill("#id_chiarezza", "Sintesi in linguaggio semplice, grafici con tabella, "
                                         "glossario delle sigle: chiara per i cittadini.")
            pagina.select_option("#id_esito", "validata")
            pagina.fill("#id_motivazione", "Verifiche superate con rilievi che non pregiudicano "
                                           "l'attendibilità della Relazione.")
            pagina.select_option("#id_firmatari", label="nucleo")
            _foto(pagina, "nucleo-documento-validazione.png")
            pagina.click("input[name=_continue]")
            pagina.get_by_role("link", name="Firma e pubblica").click()
            pagina.get_by_text("Con la firma il documento diventa immutabile").wait_for()
            _foto(pagina, "nucleo-firma-validazione.png")
            pagina.get_by_role("button", name="Firma e pubblica").click()
            pagina.get_by_text("Documento firmato e pubblicato").wait_for()
        finally:
            browser.close()
        documento = DocumentoValidazione.objects.get()
        assert documento.firmato and documento.ricevuta_il.isoformat() == "2022-07-03"

        browser, pagina = _accedi(p, tmp_path / "cittadino", live_server, "admin")
        try:
            pagina.goto(f"{live_server.url}/seregno/2021/")
            pagina.get_by_role("link", name="leggi il documento di validazione").click()
            pagina.get_by_role("heading", name="Esito: validata").wait_for()
            assert pagina.get_by_text(documento.impronta).is_visible()
            _foto(pagina, "validazione-pubblica.png")
        finally:
            browser.close()
    ciclo.refresh_from_db()
    assert ciclo.stato == Ciclo.Stato.VALIDATA
