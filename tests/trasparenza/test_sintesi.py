"""Issue 13, points 1, 2 and 4: «In sintesi» first (figures from the report data, Gulpease ≥ 60),
«Cosa non è stato raggiunto e perché» with the Nucleo's public reason, plain words in the main
text, no placeholder for a section without data."""

import re
import subprocess
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo, Obiettivo
from obiettivi.workflow import ciclo_pubblica
from seregno_perf import formati
from trasparenza import leggibilita
from trasparenza.report import relazione_dati
from trasparenza.services import render_corpo, render_html_stampa, render_pdf
from valutazione import scoring

URL = "/seregno/2021/"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            carica_demo()
            ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
            ciclo_pubblica(ciclo=ciclo, utente=None)
            html = Client().get(URL).content.decode()
            yield {"ciclo_id": ciclo.pk, "html": html, "dati": relazione_dati(ciclo)}
            transaction.set_rollback(True)


def _sezione(html, ident):
    inizio = html.index(f'<section id="{ident}"')
    return html[inizio:html.index("</section>", inizio)]


# --- the rules, pure ---------------------------------------------------------------------------

SCALA = tuple(scoring.DatiLivello(v, f"L{v}") for v in range(1, 6))


@pytest.mark.parametrize("grado, classe", [
    (1, scoring.ESITO_NON_RAGGIUNTO), (2, scoring.ESITO_PARZIALE), (3, scoring.ESITO_RAGGIUNTO),
    (4, scoring.ESITO_RAGGIUNTO), (5, scoring.ESITO_RAGGIUNTO),
])
def test_class_of_a_grade_is_read_from_the_smvp_scale(grado, classe):
    assert scoring.classe_grado(grado, scoring.Regole(scala_gradi=SCALA)) == classe


def test_class_of_a_grade_follows_another_scale():
    scala = tuple(scoring.DatiLivello(v, f"L{v}") for v in range(0, 11))  # 0–10: middle is 5
    regole = scoring.Regole(scala_gradi=scala)
    assert [scoring.classe_grado(g, regole) for g in (0, 4, 5)] == [
        scoring.ESITO_NON_RAGGIUNTO, scoring.ESITO_PARZIALE, scoring.ESITO_RAGGIUNTO]


def _linea(codice, grado):
    return SimpleNamespace(nodo=SimpleNamespace(codice=codice, grado=grado))


def test_strongest_and_weakest_linea_or_none_when_all_equal():
    a, b, c = _linea("1", 3), _linea("2", 4.5), _linea("3", 2)
    assert scoring.estremi_linee([a, b, c, _linea("4", None)]) == (b, c)
    assert scoring.estremi_linee([_linea("1", 4), _linea("2", 4)]) is None
    assert scoring.estremi_linee([a]) is None


def test_gulpease_of_a_known_text():
    # 2 sentences, 9 words, 44 letters: 89 + (600 − 440) / 9 = 106,78
    testo = "Il Comune ha fatto bene. Gli obiettivi sono raggiunti."
    assert leggibilita.gulpease(testo) == pytest.approx(89 + (300 * 2 - 10 * 44) / 9)
    assert leggibilita.gulpease("Voto 4,00 su 5.") == pytest.approx(89 + (300 - 10 * 6) / 4)
    with pytest.raises(ValueError):
        leggibilita.gulpease("…")


def test_visible_text_leaves_out_the_svg_and_ends_blocks_as_sentences():
    html = "<h2>Titolo</h2><svg><title>Nascosto</title></svg><p>Frase uno. Frase due</p>"
    assert leggibilita.testo_html(html) == "Titolo.\nFrase uno. Frase due."


# --- the report data ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_summary_in_the_report_data(demo):
    s = demo["dati"]["sintesi"]
    assert (s["livello"], s["scala_min"], s["scala_max"]) == (4.0, 1, 5)
    assert s["etichetta"] == "obiettivi pienamente conseguiti"
    assert s["significato"] == (
        "La scala va da 1 (obiettivi non raggiunti) a 5 (obiettivi conseguiti e superati).")
    assert [(c["nome"], c["valore"], c["peso"]) for c in s["componenti"]] == [
        ("salute finanziaria", 4.0, 40.0), ("obiettivi raggiunti", 4.0, 30.0),
        ("qualità dei servizi", 4.0, 30.0)]
    assert s["conteggi"] == {"raggiunti": 97, "parziali": 1, "non_raggiunti": 0, "esclusi": 4,
                             "non_valutati": 0, "totale": 102}
    assert len(s["aree"]) == 6 and sum(a["conteggi"]["totale"] for a in s["aree"]) == 102
    lp = next(a for a in s["aree"] if a["area_codice"] == "LLPP")
    assert (lp["slug"], lp["esito"], lp["conteggi"]["parziali"], lp["conteggi"]["esclusi"]) == (
        "lavori-pubblici", "4,00", 1, 1)
    # the four linee of the demo all have 4,00: no strongest/weakest, said as such
    assert s["linea_migliore"] is None and s["linee_pari"] == {"n": 4, "esito": "4,00"}
    n = demo["dati"]["non_raggiunti"]
    assert [o["codice"] for o in n["non_raggiunti"]] == ["LLPP.07"]
    assert {o["codice"] for o in n["esclusi"]} == {"SGP.03", "SGP.20", "LLPP.15", "SC.11"}
    assert n["modificati_dal_nucleo"] == []


# --- the page ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_summary_comes_first_and_downloads_versions_fingerprint_below_it(demo):
    html = demo["html"]
    corpo = html[html.index("<h1"):]
    assert corpo.index("<section") == corpo.index('<section id="sintesi"')
    posizioni = [corpo.index(x) for x in (
        'href="#scarica"', '<section id="sintesi"', 'id="scarica"', 'class="versioni',
        'class="impronta"', 'id="titolo-indice"', '<section id="sez-peg"')]
    assert posizioni == sorted(posizioni)
    sintesi = _sezione(html, "sintesi")
    assert 'class="valore-livello">4,00<' in sintesi
    assert "obiettivi pienamente conseguiti" in sintesi
    for parola in ("Salute finanziaria", "Obiettivi raggiunti", "Qualità dei servizi"):
        assert parola in sintesi
    assert 'id="grafico-esiti"' in sintesi and 'id="grafico-esiti-tabella"' in sintesi
    assert sintesi.count('class="sintesi-area"') == 6
    assert 'href="/seregno/2021/aree/lavori-pubblici/"' in sintesi
    assert 'href="#sez-non-raggiunti"' in sintesi and 'id="sez-non-raggiunti"' in html
    assert "Le 4 linee hanno tutte lo stesso voto: 4,00." in sintesi
    assert 'id="sintesi-andamento"' in sintesi  # the place of the multi-year trend
    # dates in running text in words: «Versione 1, pubblicata il 2 dicembre 2026»
    mesi = "|".join(formati.MESI)
    assert re.search(rf"Versione 1</strong> \(quella che stai leggendo\), pubblicata il \d{{1,2}} ({mesi}) \d{{4}}", html)
    assert re.search(rf"Versione 1, pubblicata il \d{{1,2}} ({mesi}) \d{{4}}\.", html)


@pytest.mark.django_db
def test_gulpease_of_the_summary_is_at_least_60(demo):
    html = demo["html"]
    # the whole section, nested ones (the multi-year trend) included: up to the downloads
    sintesi = html[html.index('<section id="sintesi"'):html.index('<div class="scarica')]
    testo = leggibilita.testo_html(sintesi)
    assert "4,00" in testo
    assert leggibilita.gulpease(testo) >= 60


@pytest.mark.django_db
def test_main_text_has_no_formulas_symbols_or_codes(demo):
    html = demo["html"]
    principale = html[:html.index('<section id="sez-calcoli"')] + html[
        html.index('<section id="sez-contatti"'):]
    # the ente's own texts (here the Relazione 2021 quoting its SMVP) are printed as written
    principale = re.sub(r'<div class="testo-ente">.*?</div>', "", principale, flags=re.S)
    for gergo in ("PFin", "PObj_Gen", "PQua_Gen", "Σ", "nodi figli"):
        assert gergo not in principale, gergo
    glossario = _sezione(html, "sez-glossario")
    for termine in ("PFin", "PObj_Gen", "PQua_Gen", "Σ", "Nodi figli"):
        assert termine in glossario


@pytest.mark.django_db
def test_a_section_without_data_is_left_out_and_contatti_is_printed_once(demo):
    html = demo["html"]
    assert "non sono stati ancora inseriti" not in html
    assert "Nessun dato inserito" not in html
    assert "sez-popolazione" not in html  # the demo has no population data: no section, no index
    assert len(re.findall(r"<h[23][^>]*>Contatti</h[23]>", html)) == 1
    assert html.count("info.controllo@seregno.info") == 1
    # the scale of grades is printed right under its own heading
    modalita = _sezione(html, "sez-modalita")
    assert "<h3>La scala dei voti</h3>" in modalita and "Obiettivo/i non raggiunto/i" in modalita


@pytest.mark.django_db
def test_pdf_summary_right_after_the_cover(demo, tmp_path):
    dati = demo["dati"]
    html = render_html_stampa(dati)
    corpo = html[html.index("<body"):]
    ordine = [corpo.index(x) for x in ('class="copertina"', '<section id="sintesi"',
                                       'class="impronta"', 'id="titolo-indice"')]
    assert ordine == sorted(ordine)
    percorso = tmp_path / "r.pdf"
    percorso.write_bytes(render_pdf(dati, archivio=False))
    seconda = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(percorso), "-"],
                             capture_output=True, text=True, check=True).stdout
    assert "In sintesi" in seconda and "4,00" in seconda


# --- what was not achieved, and the Nucleo's texts ------------------------------------------------

@pytest.mark.django_db
def test_not_achieved_lists_the_nucleo_changes_with_its_public_reason_only(demo):
    ciclo = Ciclo.objects.get(pk=demo["ciclo_id"])
    ob = Obiettivo.objects.filter(ciclo=ciclo, stato="attivo", grado_validato=4).order_by("codice")[0]
    with transaction.atomic():
        Obiettivo.objects.filter(pk=ob.pk).update(
            grado_proposto=4, grado_validato=1,
            motivazione_grado="Le evidenze non mostrano il risultato Zqpubblico1.",
            commento_nucleo="Commento di rinvio Zqinterno2.")
        dati = relazione_dati(ciclo)
        html = render_corpo(dati)
        transaction.set_rollback(True)
    voce = next(o for o in dati["obiettivi"] if o["codice"] == ob.codice)
    assert voce["grado_modificato_dal_nucleo"] and voce["classe_esito"] == "non_raggiunto"
    n = dati["non_raggiunti"]
    assert [o["codice"] for o in n["modificati_dal_nucleo"]] == [ob.codice]
    assert ob.codice in [o["codice"] for o in n["non_raggiunti"]]
    sezione = _sezione(html, "sez-non-raggiunti")
    assert "Voti cambiati dal Nucleo di valutazione" in sezione
    assert "Zqpubblico1" in sezione
    assert "Zqinterno2" not in html and "Zqinterno2" not in str(dati)
    assert dati["sintesi"]["conteggi"]["non_raggiunti"] == 1


@pytest.mark.django_db
def test_the_multi_year_trend_is_shown_once_inside_the_summary(demo):
    dati = dict(demo["dati"])
    dati["andamento"] = [
        {"anno": anno, "versione": 1, "livello_performance_ente": livello,
         "componenti": {"finanziaria": 4.0, "obiettivi": livello, "qualita": 4.0}}
        for anno, livello in ((2021, 4.0), (2022, 4.02))
    ]
    html = render_corpo(dati)
    assert html.count('id="grafico-andamento"') == 1
    posizione = html.index('id="grafico-andamento"')
    assert html.index('<section id="sintesi"') < posizione < html.index('class="impronta"')
    assert 'id="grafico-andamento"' not in render_corpo(demo["dati"])  # one year: no trend
