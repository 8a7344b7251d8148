"""The lean print stylesheet, read back from a real PDF: pages, running footer, toc, charts.

Rendered with WeasyPrint from a sample HTML (cover + toc + 3 sections + a 60-row table + a
chart); read back with pypdf and poppler's pdftotext. No database needed.
"""

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from pypdf import PdfReader
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

STATIC = Path(__file__).resolve().parents[2] / "static"
STAMPA = STATIC / "css" / "stampa.css"

SAMPLE = """{% load relazione %}<!doctype html>
<html lang="it"><head><meta charset="utf-8"><title>Relazione</title></head><body>
<section class="copertina">
  <p class="stampa-ente">Comune di Prova</p>
  <h1 class="stampa-titolo">Relazione sulla Performance 2021</h1>
</section>
<nav class="indice"><h2>Indice</h2><ol>
  {% for s in sezioni %}<li><a class="toc" href="#{{ s.id }}">{{ s.titolo }}</a></li>{% endfor %}
</ol></nav>
{% for s in sezioni %}
<section id="{{ s.id }}" class="{% if not forloop.first %}sezione-nuova-pagina{% endif %}">
  <h2>{{ s.titolo }}</h2>
  <p>{{ testo }}</p>
  {% if forloop.first %}
  {% grafico_barre "grafico-aree" "Grado medio per area" "Barre orizzontali, scala da 1 a 5." righe 5 scala_min=1 riferimento=soglia riferimento_etichetta="Soglia" intestazione_etichetta="Area" intestazione_valore="Grado" %}
  {% endif %}
  {% if forloop.last %}
  <table><caption>Obiettivi operativi</caption>
    <thead><tr><th scope="col">N.</th><th scope="col">Obiettivo</th><th scope="col" class="numero">Grado</th></tr></thead>
    <tbody>{% for r in tabella %}<tr><td>{{ r.0 }}</td><td>Obiettivo operativo numero {{ r.0 }}</td><td class="numero">{{ r.1|numero_it }}</td></tr>{% endfor %}</tbody>
  </table>
  {% endif %}
</section>
{% endfor %}
</body></html>"""


def _render_pdf(tmp_path):
    sezioni = [
        {"id": "contesto", "titolo": "Il contesto territoriale"},
        {"id": "obiettivi", "titolo": "Gli obiettivi strategici"},
        {"id": "risultati", "titolo": "I risultati per area"},
    ]
    html = Template(SAMPLE).render(Context({
        "sezioni": sezioni,
        "testo": "Testo di prova della sezione. " * 30,
        "righe": [("Area Affari generali", Decimal("4.20")), ("Area Servizi al cittadino", Decimal("3.75")),
                  ("Area Lavori pubblici", Decimal("2.30"))],
        "soglia": Decimal("3"),
        "tabella": [(n, Decimal(n % 5) + 1) for n in range(1, 61)],
    }))
    fonts = FontConfiguration()
    pdf_path = tmp_path / "relazione.pdf"
    HTML(string=html, base_url=str(STATIC)).write_pdf(
        pdf_path, stylesheets=[CSS(filename=str(STAMPA), font_config=fonts)], font_config=fonts
    )
    return pdf_path


@pytest.fixture(scope="module")
def pdf(tmp_path_factory):
    return _render_pdf(tmp_path_factory.mktemp("stampa"))


@pytest.fixture(scope="module")
def testo(pdf):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) non installato: eseguire scripts/system-deps.sh")
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_more_than_two_pages_and_footer_counts_them(pdf, testo):
    pagine = len(PdfReader(pdf).pages)
    assert pagine > 2
    assert f"pagina 2 di {pagine}" in testo
    assert f"pagina {pagine} di {pagine}" in testo


def test_cover_has_no_running_footer_or_header(pdf):
    copertina = PdfReader(pdf).pages[0].extract_text()
    assert "Relazione sulla Performance 2021" in copertina
    assert "pagina" not in copertina
    seconda = PdfReader(pdf).pages[1].extract_text()
    # running header on page 2 comes from string-set on the cover's elements
    assert "Comune di Prova" in seconda and "Relazione sulla Performance 2021" in seconda


def test_toc_shows_the_page_of_each_section(pdf, testo):
    reader = PdfReader(pdf)
    pagina_di = {}
    for numero, pagina in enumerate(reader.pages, start=1):
        for titolo in ("Il contesto territoriale", "Gli obiettivi strategici", "I risultati per area"):
            if titolo in pagina.extract_text() and numero > 2:
                pagina_di.setdefault(titolo, numero)
    assert len(pagina_di) == 3
    indice = reader.pages[1].extract_text()
    for titolo, numero in pagina_di.items():
        assert re.search(re.escape(titolo) + r"[ .]*" + str(numero) + r"\b", indice), (titolo, indice)


def test_long_table_repeats_header_and_chart_title_is_there(pdf, testo):
    assert "Grado medio per area" in testo
    assert "4,20" in testo and "2,30" in testo
    pagine_con_intestazione = [
        p.extract_text() for p in PdfReader(pdf).pages if "Obiettivo operativo numero" in p.extract_text()
    ]
    assert len(pagine_con_intestazione) >= 2  # the 60-row table spans pages…
    assert all("Grado" in p for p in pagine_con_intestazione)  # …and its thead is repeated


def test_titillium_is_embedded(pdf):
    fonts = set()
    for pagina in PdfReader(pdf).pages:
        for font in (pagina.get("/Resources", {}).get("/Font", {}) or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert any("Titillium" in f for f in fonts), fonts
