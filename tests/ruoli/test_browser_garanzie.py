"""In Debian's chromium: the approving act created from the approval page through the admin's
«+» popup, and «Pubblica» giving feedback while the request waits for the PDF."""

import pytest

from lavori.models import Lavoro
from obiettivi import regole
from obiettivi.models import Atto, Ciclo, Obiettivo
from trasparenza.models import Pubblicazione
from tests.lavori.coda import esegui_coda
from valutazione.services import smvp_create_default

from .conftest import costruisci_mondo
from .test_browser_ruoli import _accedi

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
S = Ciclo.Stato


def _amministratore(mondo):
    mondo.amministratore.set_password("demo")
    mondo.amministratore.save()
    return mondo.amministratore.username


def test_a_new_delibera_from_the_popup_approves_the_cycle(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    mondo = costruisci_mondo()
    ciclo = mondo.aperto
    Obiettivo.objects.filter(ciclo=ciclo).update(
        stato_rendicontazione=Obiettivo.StatoRendicontazione.VALIDATO, grado_validato=3)
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=S.VALIDAZIONE)
    with sync_playwright() as p:
        browser, pagina = _accedi(p, tmp_path / "amministratore", live_server, _amministratore(mondo))
        try:
            pagina.goto(f"{live_server.url}/admin/obiettivi/ciclo/{ciclo.pk}/avanza/")
            with pagina.expect_popup() as apertura:
                pagina.click("#add_id_atto")
            popup = apertura.value
            popup.wait_for_load_state()
            assert popup.input_value("#id_ente") == str(mondo.ente.pk)
            assert popup.input_value("#id_tipo") == regole.DELIBERA_GIUNTA
            popup.fill("#id_organo", "Giunta Comunale")
            popup.fill("#id_numero", "41")
            popup.fill("#id_data", "28/04/2022")
            popup.fill("#id_anno", "2022")
            popup.fill("#id_oggetto", "Approvazione della Relazione sulla Performance 2021")
            with popup.expect_event("close"):
                popup.click("input[name=_save]")
            nuovo = Atto.objects.get(ente=mondo.ente, numero="41")
            assert pagina.input_value("#id_atto") == str(nuovo.pk)
            pagina.click("input[name=_conferma]")
            pagina.wait_for_selector(".messagelist")
            assert "è ora «Approvata»" in pagina.locator(".messagelist").inner_text()
        finally:
            browser.close()
    ciclo.refresh_from_db()
    assert (ciclo.stato, ciclo.atto_approvazione) == (S.APPROVATA, nuovo)


def test_publishing_shows_progress_then_the_new_version(live_server, tmp_path, monkeypatch):
    """The confirm button's feedback, seen without racing the request: a listener added after the
    page's own holds the first submission, the page's state is read, then the form is sent as
    the script left it (its hidden copy of the button carries «_conferma»)."""
    from playwright.sync_api import expect, sync_playwright

    mondo = costruisci_mondo()
    ciclo = mondo.chiuso
    Ciclo.objects.filter(pk=ciclo.pk).update(smvp=smvp_create_default(ente=mondo.ente))
    monkeypatch.setattr("trasparenza.services.render_pdf", lambda dati, **k: b"%PDF-1.7 prova")
    with sync_playwright() as p:
        browser, pagina = _accedi(p, tmp_path / "amministratore", live_server, _amministratore(mondo))
        try:
            pagina.goto(f"{live_server.url}/admin/obiettivi/ciclo/{ciclo.pk}/change/")
            pagina.get_by_role("link", name="Passa a «Pubblicata»").click()
            assert "Prima pubblicazione" in pagina.content()
            pagina.fill("#id_nota", "Prima versione.")
            pagina.evaluate("""() => document.querySelector('form.pubblica-conferma')
                .addEventListener('submit', evento => evento.preventDefault())""")
            pulsante = pagina.locator("input[type=submit][name=_conferma]")
            expect(pagina.locator(".pubblica-in-corso")).to_be_hidden()
            pulsante.click()
            expect(pulsante).to_be_disabled()
            expect(pulsante).to_have_value("Pubblicazione in corso…")
            expect(pagina.locator(".pubblica-in-corso")).to_be_visible()
            expect(pagina.locator("form.pubblica-conferma")).to_have_attribute("aria-busy", "true")
            pulsante.click(force=True)  # a second click sends nothing more
            assert Pubblicazione.objects.filter(ciclo=ciclo).count() == 0
            expect(pagina.locator("input[type=hidden][name=_conferma]")).to_have_count(1)
            with pagina.expect_navigation():
                pagina.evaluate("() => document.querySelector('form.pubblica-conferma').submit()")
            # the request only queued a job: its page, which follows it by itself
            lavoro = Lavoro.objects.get(ciclo=ciclo)
            pagina.wait_for_url(f"{live_server.url}/admin/obiettivi/ciclo/{ciclo.pk}/lavoro/{lavoro.pk}/")
            expect(pagina.locator("#lavoro-etichetta")).to_have_text("In coda")
            assert Pubblicazione.objects.filter(ciclo=ciclo).count() == 0
            esegui_coda(monkeypatch)  # a worker runs it; the page reloads once it is done
            expect(pagina.locator("#lavoro-etichetta")).to_have_text("Completato", timeout=15000)
            pagina.click("#lavoro-pubblicata")
            pagina.wait_for_url(f"{live_server.url}/admin/obiettivi/ciclo/{ciclo.pk}/pubblicata/1/")
            assert "La versione 1 della Relazione 2020 è pubblicata" in pagina.content()
        finally:
            browser.close()
    pub = Pubblicazione.objects.get(ciclo=ciclo)
    assert (pub.versione, pub.nota) == (1, "Prima versione.")
