"""The public home page: only enti with publications, only published cycles, bounded queries;
and, in a real browser, accessibility (axe-core, WCAG 2.1 A/AA), fonts, no console errors."""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse

from obiettivi.models import Ciclo, Ente
from trasparenza.models import Pubblicazione
from tests.trasparenza.browser import WCAG, apri_chromium

ROOT = Path(__file__).resolve().parents[2]


def _ente(slug, nome, **campi):
    return Ente.objects.create(slug=slug, nome=nome, **campi)


def _pubblica(ciclo, versione=1):
    return Pubblicazione.objects.create(
        ciclo=ciclo, versione=versione, impronta="0" * 64, dati={}, html="<p>relazione</p>"
    )


@pytest.fixture
def enti(db):
    seregno = _ente("seregno", "Comune di Seregno")
    pubblicato = Ciclo.objects.create(ente=seregno, anno=2021, dati_dimostrativi=True)
    _pubblica(pubblicato)
    _pubblica(pubblicato, versione=2)
    Ciclo.objects.create(ente=seregno, anno=2022)  # draft: no publication
    bozza = _ente("lissone", "Comune di Lissone")  # only a draft cycle
    Ciclo.objects.create(ente=bozza, anno=2020)
    _ente("vuoto", "Comune senza cicli")
    return seregno


def test_only_enti_with_publications_and_only_published_years(client, enti):
    risposta = client.get(reverse("trasparenza:home"))
    assert risposta.status_code == 200
    html = risposta.content.decode()
    assert "Comune di Seregno" in html
    assert 'href="/seregno/2021/"' in html
    assert html.count('href="/seregno/2021/"') == 1  # two versions, one link
    assert "Performance 2022" not in html and "/2022/" not in html  # the draft cycle's year
    assert "Lissone" not in html and "/2020/" not in html
    assert "Comune senza cicli" not in html
    assert "dati dimostrativi" in html


def test_nothing_published_says_so(client, db):
    Ciclo.objects.create(ente=_ente("bozza", "Comune in bozza"), anno=2021)
    html = client.get("/").content.decode()
    assert "Comune in bozza" not in html
    assert "Non è ancora stata pubblicata nessuna relazione." in html


def test_layout_landmarks_and_no_inline_code(client, enti):
    html = client.get("/").content.decode()
    assert '<html lang="it">' in html
    for marcatore in ("<header", "<nav", "<main", "<footer", 'href="#contenuto"', "Vai al contenuto",
                      "Amministrazione trasparente", "Relazioni sulla Performance", "CC BY 4.0"):
        assert marcatore in html, marcatore
    assert "<script" not in html and "<style" not in html
    assert not re.search(r"\sstyle=", html)


def test_templates_and_css_have_no_inline_styles_or_scripts():
    cartelle = [ROOT / "templates", ROOT / "trasparenza" / "templates",
                ROOT / "valutazione" / "templates", ROOT / "obiettivi" / "templates"]
    for cartella in cartelle:
        for file in cartella.rglob("*.html"):
            testo = file.read_text()
            # a static script file is allowed (CSP script-src 'self'); inline code never
            testo = re.sub(r"""<script src="\{% static '[-a-z/]+\.js' %\}" defer></script>""", "", testo)
            assert "<script" not in testo and "<style" not in testo, file
            assert not re.search(r"\sstyle=", testo), file


def test_home_query_count_is_bounded(client, db, django_assert_max_num_queries):
    for numero in range(15):
        ente = _ente(f"ente-{numero}", f"Comune numero {numero}")
        for anno in (2019, 2020, 2021):
            _pubblica(Ciclo.objects.create(ente=ente, anno=anno))
    with django_assert_max_num_queries(3):  # count, page, provinces (test_home_enti.py pins more)
        html = client.get("/").content.decode()
    assert html.count("Relazione sulla Performance 2021") == 15  # each ente's latest year
    assert "Relazione sulla Performance 2020" not in html  # earlier years are on the ente's page
    assert html.count("<h2") >= 15


# --- in a real browser ---------------------------------------------------------------------------



@pytest.mark.browser
def test_home_in_chromium_is_accessible_with_fonts_and_no_console_errors(live_server, enti, tmp_path):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    Ente.objects.filter(pk=enti.pk).update(
        sito_web="www.comune.seregno.mb.it", email="info@example.org"
    )
    errori = []
    with sync_playwright() as p:
        browser = apri_chromium(p, tmp_path / "profilo")
        try:
            pagina = browser.new_page()
            pagina.on("console", lambda m: m.type == "error" and errori.append(m.text))
            pagina.on("pageerror", lambda e: errori.append(str(e)))
            pagina.on("response", lambda r: r.status >= 400 and errori.append(f"{r.status} {r.url}"))
            pagina.goto(live_server.url + "/", wait_until="networkidle")
            pagina.evaluate("document.fonts.ready")
            assert pagina.evaluate("document.fonts.check('16px \"Titillium Web\"')")
            assert pagina.evaluate("document.fonts.check('bold 16px \"Titillium Web\"')")
            caricati = pagina.evaluate(
                "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
            )
            assert any("Titillium Web" in famiglia for famiglia in caricati), caricati
            famiglia_body = pagina.evaluate("getComputedStyle(document.body).fontFamily")
            assert famiglia_body.startswith('"Titillium Web"'), famiglia_body
            assert pagina.get_by_role("link", name="Relazione sulla Performance 2021").is_visible()

            risultati = Axe().run(
                pagina, options={"runOnly": {"type": "tag", "values": WCAG}}
            )
            assert risultati.violations_count == 0, risultati.generate_report()

            # skip link: first Tab reaches it and it becomes visible
            pagina.keyboard.press("Tab")
            attivo = pagina.evaluate("document.activeElement.textContent.trim()")
            assert attivo == "Vai al contenuto"

            cartella = ROOT / "test-artifacts" / "screenshots"
            cartella.mkdir(parents=True, exist_ok=True)
            pagina.keyboard.press("Shift+Tab")
            pagina.screenshot(path=str(cartella / "home.png"), full_page=True)
        finally:
            browser.close()
    assert errori == []


PAGINA_GRAFICI = """{% extends "base.html" %}{% load relazione %}
{% block breadcrumb %}<li class="breadcrumb-item"><a href="/">Relazioni pubblicate</a><span class="separator">/</span></li>
<li class="breadcrumb-item active" aria-current="page">Relazione 2021</li>{% endblock %}
{% block content %}
<h1>Relazione sulla Performance 2021</h1>
<div class="avviso-dimostrativo"><p class="avviso-dimostrativo-titolo">Dati dimostrativi</p>
<p>Alcuni valori sono illustrativi.</p></div>
<h2>Risultati</h2>
{% grafico_barre "grafico-aree" "Grado per area" "Barre da 1 a 5." righe 5 scala_min=1 riferimento=soglia riferimento_etichetta="Media" intestazione_etichetta="Area" intestazione_valore="Grado" %}
{% grafico_composizione "grafico-ente" "Livello di performance di ente" "Tre componenti pesate." componenti 5 %}
{% grafico_colonne "grafico-anni" "Copertura per anno" "Colonne." anni 100 unita=" %" decimali=0 %}
<div class="impronta"><p>Impronta SHA-256: <code>{{ impronta }}</code></p></div>
{% endblock %}"""


@pytest.mark.browser
def test_chart_page_with_ente_is_accessible(live_server, enti, tmp_path):
    """The shared parts a report page uses (ente block, contacts, charts, callouts) pass axe."""
    from decimal import Decimal

    from axe_playwright_python.sync_playwright import Axe
    from django.template import engines
    from playwright.sync_api import sync_playwright

    Ente.objects.filter(pk=enti.pk).update(
        sito_web="www.comune.seregno.mb.it", email="info@example.org", telefono="0362 2631",
        indirizzo="Piazza Martiri della Libertà 1, 20831 Seregno", ufficio_referente="Servizio Controlli",
    )
    enti.refresh_from_db()
    html = engines["django"].from_string(PAGINA_GRAFICI).render({
        "ente": enti,
        "righe": [("Area Affari generali e servizi istituzionali", Decimal("4.2")),
                  ("Area Servizi al cittadino", Decimal("3.1"))],
        "soglia": Decimal("3.5"),
        "componenti": [{"etichetta": "Indicatori finanziari", "valore": Decimal("1.6"), "nota": "4,00 × 40 %"},
                       {"etichetta": "Obiettivi", "valore": Decimal("1.2"), "nota": "4,00 × 30 %"},
                       {"etichetta": "Qualità", "valore": Decimal("1.2"), "nota": "4,00 × 30 %"}],
        "anni": [("2020", 80), ("2021", Decimal("92.5"))],
        "impronta": "a" * 64,
    })
    errori = []
    with sync_playwright() as p:
        browser = apri_chromium(p, tmp_path / "profilo")
        try:
            pagina = browser.new_page()
            pagina.on("console", lambda m: m.type == "error" and errori.append(m.text))
            pagina.on("response", lambda r: r.status >= 400 and errori.append(f"{r.status} {r.url}"))
            pagina.goto(live_server.url + "/", wait_until="networkidle")
            pagina.set_content(html, wait_until="networkidle")
            assert pagina.get_by_role("img", name="Grado per area").is_visible()
            assert pagina.locator(".blocco-ente-nome").inner_text() == "Comune di Seregno"
            larghezza = pagina.evaluate(
                "document.querySelector('#grafico-aree svg').getBoundingClientRect().width"
            )
            assert 300 < larghezza <= 770  # scaled to the column, capped by .grafico
            risultati = Axe().run(pagina, options={"runOnly": {"type": "tag", "values": WCAG}})
            assert risultati.violations_count == 0, risultati.generate_report()
            cartella = ROOT / "test-artifacts" / "screenshots"
            cartella.mkdir(parents=True, exist_ok=True)
            pagina.screenshot(path=str(cartella / "grafici.png"), full_page=True)
            pagina.set_viewport_size({"width": 390, "height": 800})
            pagina.screenshot(path=str(cartella / "grafici-mobile.png"), full_page=True)
        finally:
            browser.close()
    assert errori == []
