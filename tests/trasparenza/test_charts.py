"""Chart geometry (pure, no database) and the template tags that draw it with its table twin."""

import re
from decimal import Decimal

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.utils import translation

from trasparenza import charts
from trasparenza.templatetags.relazione import data_it, numero_it


def _contrasto(colore, sfondo="#FFFFFF"):
    def luminanza(esadecimale):
        canali = [int(esadecimale.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lineari = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in canali]
        return 0.2126 * lineari[0] + 0.7152 * lineari[1] + 0.0722 * lineari[2]

    chiaro, scuro = sorted([luminanza(colore), luminanza(sfondo)], reverse=True)
    return (chiaro + 0.05) / (scuro + 0.05)


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("valore", "decimali", "unita", "atteso"),
    [
        (Decimal("2.3"), 2, "", "2,30"),
        (Decimal("4"), 2, "", "4,00"),
        (Decimal("2.305"), 2, "", "2,31"),  # half-up, not banker's rounding
        (Decimal("2.345"), 1, "", "2,3"),
        (43878, 0, "", "43.878"),
        # every figure has its thousands grouped (seregno_perf.formati), and its unit after a space
        (Decimal("1234567.891"), 2, "", "1.234.567,89"),
        (Decimal("92.5"), 0, "%", "93 %"),
        (Decimal("92.5"), 0, " %", "93 %"),
        (Decimal("-0.001"), 2, "", "0,00"),
        (Decimal("-1.5"), 1, "", "-1,5"),
        ("12,5", 2, "", "12,50"),
        ("40.000", 0, "", "40.000"),
        (2.3, 2, "", "2,30"),
    ],
)
def test_formatta_numero(valore, decimali, unita, atteso):
    assert charts.formatta_numero(valore, decimali, unita) == atteso


@pytest.mark.parametrize("cattivo", ["abc", None, True, Decimal("NaN"), [1]])
def test_formatta_numero_rejects_non_numbers(cattivo):
    with pytest.raises(ValueError):
        charts.formatta_numero(cattivo)


def test_numero_it_filter():
    assert numero_it(Decimal("4")) == "4,00"
    assert numero_it(Decimal("2.3"), 1) == "2,3"
    assert numero_it(43878, 0) == "43.878"
    assert numero_it(Decimal("1254300")) == "1.254.300,00"
    assert numero_it(None) == ""
    assert numero_it("n.d.") == "n.d."
    with pytest.raises(TemplateSyntaxError):
        numero_it(Decimal("1"), "due")


def test_con_unita_filter_groups_thousands_and_keeps_the_unit():
    from trasparenza.templatetags.relazione import con_unita

    assert con_unita(40000.0, "dosi") == "40.000 dosi"
    assert con_unita(Decimal("12.50"), "%") == "12,5 %"
    assert con_unita(Decimal("1254300"), "€") == "1.254.300,00 €"  # euro: with cents
    assert con_unita(Decimal("812.5"), "€/abitante") == "812,50 €/abitante"
    assert con_unita(30, "giorni") == "30 giorni"
    assert con_unita(5, "") == "5"
    assert con_unita(None, "dosi") == "—"


def test_data_it_filter(settings):
    import datetime
    from zoneinfo import ZoneInfo

    assert data_it(datetime.date(2021, 12, 31)) == "31/12/2021"
    assert data_it(datetime.date(2022, 3, 5)) == "05/03/2022"
    assert data_it("2021-12-31") == "31/12/2021"  # dates of the report data are ISO text
    assert data_it("entro l'anno") == "entro l'anno"
    # 23:30 UTC on 31/12 is already 1 January in Rome
    tardi = datetime.datetime(2021, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert data_it(tardi) == "01/01/2022"
    assert data_it(None) == ""


# --- horizontal bars ---------------------------------------------------------------------------


def test_bar_lengths_are_proportional_to_the_scale():
    grafico = charts.grafico_barre(
        "voti", [("A", Decimal("1")), ("B", Decimal("3")), ("C", Decimal("5")), ("D", Decimal("4.2"))],
        scala_min=1, scala_max=5,
    )
    larghezze = [b.larghezza for b in grafico.barre]
    assert larghezze[0] == 0  # the scale's minimum draws no bar
    assert larghezze[2] == grafico.area  # the maximum fills the plot exactly
    assert larghezze[1] == pytest.approx(grafico.area / 2)
    assert larghezze[3] == pytest.approx(grafico.area * 0.8)
    assert [b.valore_testo for b in grafico.barre] == ["1,00", "3,00", "5,00", "4,20"]
    # each value label starts right of its bar, inside the drawing
    for barra in grafico.barre:
        assert barra.x_valore > grafico.x0 + barra.larghezza
        assert barra.x_valore < grafico.larghezza
    # bars do not overlap vertically
    fondi = [b.y + grafico.altezza_barra for b in grafico.barre]
    assert all(fondo < seguente.y for fondo, seguente in zip(fondi, grafico.barre[1:]))
    assert grafico.altezza > fondi[-1]


def test_coverage_and_barometro_scales():
    copertura = charts.grafico_barre("copertura", [("Linea 1", 100), ("Linea 2", 25)],
                                     scala_max=100, decimali=0, unita=" %")
    assert [b.valore_testo for b in copertura.barre] == ["100 %", "25 %"]
    assert [t.testo for t in copertura.tacche] == ["0", "25", "50", "75", "100"]
    barometro = charts.grafico_barre("barometro", [("Media", Decimal("2.30"))], scala_max=3)
    assert [t.testo for t in barometro.tacche] == ["0", "1", "2", "3"]
    assert barometro.barre[0].larghezza == pytest.approx(barometro.area * 2.3 / 3, abs=0.01)
    assert barometro.barre[0].valore_testo == "2,30"


def test_tiny_values_stay_visible_and_bars_are_clamped():
    grafico = charts.grafico_barre("minimo", [("quasi zero", Decimal("0.0001")), ("pieno", 100)],
                                   scala_max=100)
    assert grafico.barre[0].larghezza == 1.0  # a non-zero value never vanishes
    assert grafico.barre[1].larghezza == grafico.area  # never longer than the plot


@pytest.mark.parametrize("valore", [Decimal("5.01"), Decimal("0.99"), -1])
def test_values_outside_the_scale_raise(valore):
    with pytest.raises(ValueError, match="fuori scala"):
        charts.grafico_barre("fuori", [("Area X", valore)], scala_min=1, scala_max=5)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="massimo"):
        charts.grafico_barre("scala", [("A", 1)], scala_min=5, scala_max=1)
    with pytest.raises(ValueError, match="non ha righe"):
        charts.grafico_barre("vuoto", [], scala_max=5)
    with pytest.raises(ValueError, match="Identificativo"):
        charts.grafico_barre("Grafico 1", [("A", 1)], scala_max=5)
    with pytest.raises(ValueError, match="non è un numero"):
        charts.grafico_barre("testo", [("A", "tanto")], scala_max=5)
    with pytest.raises(ValueError, match="fuori scala"):
        charts.grafico_barre("rif", [("A", 1)], scala_max=5, riferimento=6)


def test_reference_line_position():
    grafico = charts.grafico_barre("rif", [("A", 2)], scala_min=1, scala_max=5,
                                   riferimento=Decimal("3"), riferimento_etichetta="Soglia")
    assert grafico.riferimento.posizione == pytest.approx(grafico.x0 + grafico.area / 2)
    assert grafico.riferimento.valore_testo == "3,00"


def test_long_labels_are_wrapped_and_never_cut():
    # issue 13: the barometro's labels were cut to «…NON…»; a label is now read whole
    lunga = ("Area Affari generali, servizi istituzionali e comunicazione " * 4).strip()
    barra = charts.grafico_barre("lunga", [(lunga, 3)], scala_max=5).barre[0]
    assert len(barra.linee_etichetta) > 2
    assert " ".join(barra.linee_etichetta) == lunga
    assert barra.etichetta == lunga  # the table twin keeps the whole text


def test_column_labels_are_wrapped_whole_and_the_chart_grows_to_hold_them():
    etichette = ["0 — Standard quali-quantitativo NON rispettato",
                 "1 — Standard quali-quantitativo parzialmente in linea con i valori programmati"]
    corto = charts.grafico_colonne("c1", [("0", 1), ("1", 2)], scala_max=5)
    lungo = charts.grafico_colonne("c2", [(e, i + 1) for i, e in enumerate(etichette)], scala_max=5)
    for colonna, etichetta in zip(lungo.colonne, etichette):
        assert " ".join(colonna.linee_etichetta) == etichetta
        assert not any("…" in linea for linea in colonna.linee_etichetta)
    righe = max(len(c.linee_etichetta) for c in lungo.colonne)
    assert righe >= 2
    assert lungo.altezza - corto.altezza == (righe - 1) * lungo.interlinea


def test_palette_contrast_against_white():
    for colore in charts.PALETTE + (charts.COLORE_RIFERIMENTO,):
        assert _contrasto(colore) >= 3, colore
    assert _contrasto(charts.COLORE_TESTO) >= 7


# --- composition -------------------------------------------------------------------------------


COMPONENTI = [
    {"etichetta": "Indicatori economico-finanziari", "valore": Decimal("1.60"), "nota": "4,00 × 40 %"},
    {"etichetta": "Obiettivi", "valore": Decimal("1.20"), "nota": "4,00 × 30 %"},
    {"etichetta": "Qualità dei servizi", "valore": Decimal("1.20"), "nota": "4,00 × 30 %"},
]


def test_composition_segments_are_adjacent_and_sum_to_the_total():
    grafico = charts.grafico_composizione("ente", COMPONENTI, scala_max=5, totale=Decimal("4.00"))
    segmenti = grafico.segmenti
    assert segmenti[0].x == grafico.x0
    for precedente, seguente in zip(segmenti, segmenti[1:]):
        assert seguente.x == pytest.approx(precedente.x + precedente.larghezza)
    fine = segmenti[-1].x + segmenti[-1].larghezza
    assert fine == pytest.approx(grafico.x0 + grafico.area * 4 / 5)
    assert grafico.totale_testo == "4,00"
    assert [s.quota_testo for s in segmenti] == ["40 %", "30 %", "30 %"]
    assert len({s.colore for s in segmenti}) == 3


def test_composition_rejects_overflow():
    with pytest.raises(ValueError, match="supera il massimo"):
        charts.grafico_composizione("troppo", [("A", 3), ("B", 3)], scala_max=5)


# --- columns ---------------------------------------------------------------------------------


def test_columns_heights_are_proportional():
    grafico = charts.grafico_colonne("anni", [("2020", 50), ("2021", 100)], scala_max=100)
    basse, alte = grafico.colonne
    assert alte.altezza == pytest.approx(2 * basse.altezza)
    assert alte.y + alte.altezza == pytest.approx(grafico.y_base)
    assert basse.x_centro < alte.x_centro


# --- template tags ------------------------------------------------------------------------------

PAGINA = Template(
    "{% load relazione %}"
    '{% grafico_barre "grafico-aree" "Grado per area" "Barre da 1 a 5 per area." righe 5 '
    'scala_min=1 riferimento=soglia riferimento_etichetta="Media" intestazione_etichetta="Area" %}'
    '{% grafico_composizione "grafico-ente" "Livello di ente" "Tre componenti pesate." componenti 5 totale=totale %}'
    '{% grafico_colonne "grafico-anni" "Andamento" "Colonne per anno." anni 100 unita=" %" decimali=0 %}'
)


def _renderizza(**extra):
    contesto = {
        "righe": [("Area Affari generali", Decimal("4.2")), ("Area <Tecnica>", Decimal("2.3"))],
        "soglia": Decimal("3"),
        "componenti": COMPONENTI,
        "totale": Decimal("4"),
        "anni": [("2020", 80), ("2021", Decimal("92.5"))],
        **extra,
    }
    with translation.override("it"):
        return PAGINA.render(Context(contesto))


def _svg(html, chart_id):
    figura = re.search(rf'<figure[^>]*id="{chart_id}".*?</figure>', html, re.S).group(0)
    svg = re.search(r"<svg.*?</svg>", figura, re.S).group(0)
    tabella = re.search(r"<table.*?</table>", figura, re.S).group(0)
    return svg, tabella


def test_tag_renders_svg_title_desc_and_table_twin_with_the_same_numbers():
    html = _renderizza()
    svg, tabella = _svg(html, "grafico-aree")
    assert 'role="img"' in svg
    assert 'aria-labelledby="grafico-aree-title grafico-aree-desc"' in svg
    assert '<title id="grafico-aree-title">Grado per area</title>' in svg
    assert '<desc id="grafico-aree-desc">Barre da 1 a 5 per area.</desc>' in svg
    assert "<caption>" in tabella and 'scope="col"' in tabella and 'scope="row"' in tabella
    numeri_svg = re.findall(r">(\d+,\d\d)<", svg)
    numeri_tabella = re.findall(r">(\d+,\d\d)<", tabella)
    assert {"4,20", "2,30", "3,00"} <= set(numeri_tabella)
    assert {"4,20", "2,30"} <= set(numeri_svg)
    assert "Area &lt;Tecnica&gt;" in svg and "Area &lt;Tecnica&gt;" in tabella  # escaped


def test_composition_and_column_tags():
    html = _renderizza()
    svg, tabella = _svg(html, "grafico-ente")
    for numero in ("1,60", "1,20", "4,00"):
        assert numero in svg and numero in tabella
    assert "4,00 × 40 %" in tabella
    svg, tabella = _svg(html, "grafico-anni")
    assert "93 %" in svg and "93 %" in tabella  # 92,5 rounded half-up with 0 decimals


def test_svg_is_plain_for_weasyprint_and_localisation_safe():
    html = _renderizza()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # unique ids on the page
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        assert "var(" not in svg and "foreignObject" not in svg and "style=" not in svg
        # coordinates must never be localised ("8,0" would break the drawing)
        for nome, valore in re.findall(r'\s(x|y|x1|x2|y1|y2|width|height|dy)="([^"]*)"', svg):
            assert re.fullmatch(r"-?\d+(\.\d+)?", valore), (nome, valore)
        assert re.search(r'viewBox="0 0 \d+(\.\d+)? \d+(\.\d+)?"', svg)


def test_same_chart_id_twice_on_a_page_is_an_error():
    doppio = Template(
        "{% load relazione %}"
        '{% grafico_barre "uguale" "A" "a" righe 5 %}{% grafico_barre "uguale" "B" "b" righe 5 %}'
    )
    with pytest.raises(ValueError, match="ripetuto"):
        doppio.render(Context({"righe": [("X", 1)]}))


def test_tag_propagates_out_of_scale_values():
    with pytest.raises(ValueError, match="fuori scala"):
        _renderizza(righe=[("Area", Decimal("7"))])
