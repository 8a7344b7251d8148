"""The objective's page and list in Debian's chromium at 1280 px, on the Seregno 2021 demo moved
back to «Rendicontazione»:

* typing a consuntivo changes the shown % achievement and grade without saving (the static
  script posts the form to the JSON view; no inline script, no CSP violation), and a proposed
  grade far from the computed one is flagged while typing;
* the list's status and grade columns and the Fasi inline fit in the window;
* the Nucleo goes from one validated objective to the next with one click.

With AGGIORNA_IMMAGINI_GUIDE=1 the screenshot of the computed figures goes to docs/img/ (used by
docs/guida-dirigenti.md), as in test_browser_ruoli.py.
"""

from decimal import Decimal

import pytest

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo, Indicatore, Obiettivo
from tests.ruoli.test_browser_ruoli import _accedi, _foto

R = Obiettivo.StatoRendicontazione
CODICE = "LLPP.03"  # one indicator: target 30, consuntivo 36 → 120% → 5


def _prepara():
    carica_demo()
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=Ciclo.Stato.RENDICONTAZIONE, atto_approvazione=None)
    Obiettivo.objects.filter(ciclo=ciclo).update(stato_rendicontazione=R.VALIDATO)
    Obiettivo.objects.filter(ciclo=ciclo, codice=CODICE).update(stato_rendicontazione=R.BOZZA)
    return ciclo


def _testo(pagina, campo):
    return pagina.locator(f'#risultato-calcolato [data-campo="{campo}"]').inner_text().strip()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_typing_a_consuntivo_changes_the_shown_result_without_saving(live_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    ciclo = _prepara()
    obiettivo = Obiettivo.objects.get(ciclo=ciclo, codice=CODICE)
    violazioni = []
    with sync_playwright() as p:
        browser, pagina = _accedi(p, tmp_path / "dirigente", live_server, "dirigente.lavori-pubblici")
        pagina.on("console", lambda m: violazioni.append(m.text)
                  if "Content Security Policy" in m.text else None)
        try:
            pagina.goto(f"{live_server.url}/admin/obiettivi/obiettivo/{obiettivo.pk}/change/")
            assert _testo(pagina, "percentuale") == "120,00 %"
            assert _testo(pagina, "grado") == "5 — Obiettivo/i conseguito/i e superato/i"
            pagina.fill("#id_indicatori-0-consuntivo", "15")  # 15 / 30 → 50% → 2
            expect(pagina.locator('#risultato-calcolato [data-campo="percentuale"]')).to_have_text("50,00 %")
            assert _testo(pagina, "grado") == "2 — Obiettivo/i parzialmente conseguito/i"
            assert "Indicatore I1: consuntivo 15 % / target 30 % × 100 = 50,00%" in _testo(pagina, "righe")
            assert "non ancora salvati" in _testo(pagina, "origine")
            # the proposed grade (5) is now three levels away: the page says so while typing
            pagina.select_option("#id_grado_proposto", "4")
            expect(pagina.locator('#risultato-calcolato [data-campo="avvisi"]')).to_contain_text(
                "si discosta di 2 livelli")
            pagina.locator("#risultato-calcolato").scroll_into_view_if_needed()
            _foto(pagina, "dirigente-risultato-calcolato.png")
            pagina.fill("#id_indicatori-0-consuntivo", "1,2,3")
            expect(pagina.locator('#risultato-calcolato [data-campo="errori"]')).to_contain_text(
                "Indicatore I1, consuntivo: «1,2,3»")
        finally:
            browser.close()
    assert violazioni == []
    assert Indicatore.objects.get(obiettivo=obiettivo).consuntivo == Decimal("36")  # not saved
    assert Obiettivo.objects.get(pk=obiettivo.pk).grado_proposto == 5


MISURA_ELENCO = """() => {
  const contenitore = document.querySelector('#changelist .results');
  const destra = (sel) => document.querySelector(sel).getBoundingClientRect().right;
  return {finestra: document.documentElement.clientWidth,
          contenitore: contenitore.getBoundingClientRect().right,
          trabocca: contenitore.scrollWidth - contenitore.clientWidth,
          stato: destra('th.column-stato_breve'), grado: destra('th.column-gradi')};
}"""
MISURA_FASI = """() => {
  const tabella = document.querySelector('#fasi-group table');
  return {finestra: document.documentElement.clientWidth,
          pagina: document.documentElement.scrollWidth,
          destra: tabella.getBoundingClientRect().right,
          trabocca: tabella.parentElement.scrollWidth - tabella.parentElement.clientWidth};
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_status_grades_and_phases_fit_at_1280_px(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    ciclo = _prepara()
    con_fasi = Obiettivo.objects.filter(ciclo=ciclo, fasi__isnull=False, area__codice="LLPP").first()
    misure = {}
    with sync_playwright() as p:
        for utente, indirizzo in (
            ("dirigente.lavori-pubblici", "/admin/obiettivi/obiettivo/"),
            ("nucleo", "/admin/obiettivi/obiettivo/?ciclo=tutti"),
            ("admin", "/admin/obiettivi/obiettivo/?ciclo=tutti"),
        ):
            browser, pagina = _accedi(p, tmp_path / utente, live_server, utente)
            try:
                pagina.goto(f"{live_server.url}{indirizzo}")
                misure[utente] = pagina.evaluate(MISURA_ELENCO)
                if utente == "admin":  # every phase field is an input for an Amministratore
                    pagina.goto(f"{live_server.url}/admin/obiettivi/obiettivo/{con_fasi.pk}/change/")
                    misure["fasi"] = pagina.evaluate(MISURA_FASI)
            finally:
                browser.close()
    for utente in ("dirigente.lavori-pubblici", "nucleo", "admin"):
        m = misure[utente]
        assert m["finestra"] == 1280
        assert m["trabocca"] <= 0, (utente, m)
        assert m["stato"] <= m["contenitore"] and m["grado"] <= m["contenitore"], (utente, m)
    fasi = misure["fasi"]
    assert fasi["trabocca"] <= 0 and fasi["pagina"] <= 1280 and fasi["destra"] <= 1280, fasi


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_nucleo_validates_and_opens_the_next_with_one_click(live_server, tmp_path):
    from playwright.sync_api import sync_playwright

    ciclo = _prepara()
    inviati = list(Obiettivo.objects.filter(ciclo=ciclo, area__codice="SC").order_by("ordine", "codice")[:3])
    Obiettivo.objects.filter(pk__in=[o.pk for o in inviati]).update(
        stato_rendicontazione=R.INVIATO, grado_validato=None, motivazione_grado="")
    with sync_playwright() as p:
        browser, pagina = _accedi(p, tmp_path / "nucleo", live_server, "nucleo")
        try:
            pagina.goto(f"{live_server.url}/admin/obiettivi/obiettivo/?ciclo={ciclo.pk}"
                        "&stato_rendicontazione=inviato")
            pagina.get_by_role("link", name=inviati[0].codice, exact=True).click()
            clic = []
            for attuale, prossimo in zip(inviati, inviati[1:]):
                assert attuale.codice in pagina.locator("#content h2, #content-main").first.inner_text() \
                    or attuale.codice in pagina.title()
                with pagina.expect_navigation():
                    pagina.click("input[name=_valida_prossimo]")
                    clic.append(attuale.codice)
                assert f"/{prossimo.pk}/change/" in pagina.url
                assert "_changelist_filters=" in pagina.url
                assert f"Obiettivo {attuale.codice} validato." in pagina.locator(".messagelist").inner_text()
            with pagina.expect_navigation():
                pagina.click("input[name=_valida_prossimo]")
                clic.append(inviati[-1].codice)
            assert "stato_rendicontazione=inviato" in pagina.url
            assert "Non ci sono altri obiettivi inviati" in pagina.locator(".messagelist").inner_text()
        finally:
            browser.close()
    # one click per objective, from one validated objective to the next
    assert len(clic) == len(inviati)
    assert set(Obiettivo.objects.filter(pk__in=[o.pk for o in inviati])
               .values_list("stato_rendicontazione", flat=True)) == {R.VALIDATO}
