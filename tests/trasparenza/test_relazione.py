"""The published Relazione: the demo's figures on the page, the PDF read back, the open data
against its schema, frozen publications with versions, nothing unpublished reachable."""

import csv
import io
import json
import re
import subprocess

import jsonschema
import pytest
from django.db import transaction
from django.test import Client
from pypdf import PdfReader

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo, Ente, Obiettivo
from obiettivi.workflow import ciclo_pubblica
from trasparenza import opendata
from trasparenza.models import Pubblicazione
from trasparenza.report import impronta, relazione_dati

URL = "/seregno/2021/"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The Seregno demo loaded and published once per module, rolled back at the end."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            carica_demo()
            ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
            pub = ciclo_pubblica(ciclo=ciclo, utente=None).pubblicazione
            yield {"ciclo_id": ciclo.pk, "pub_id": pub.pk}
            transaction.set_rollback(True)


@pytest.fixture
def client():
    return Client()


def _pdf_bytes(pub):
    with pub.pdf.open("rb") as fh:
        return fh.read()


@pytest.mark.django_db
def test_page_has_every_section_and_the_published_figures(demo, client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for sezione in [
        "Presentazione e quadro normativo", "Il Piano esecutivo di gestione e le sue variazioni",
        "Il contesto territoriale", "Scheda servizi", "L'organigramma",
        "Il personale", "La salute finanziaria", "Il barometro della qualità",
        "La scala dei voti", "I nostri obiettivi rilevanti", "Andamento per tipologia",
        "Azioni e linee strategiche", "Il livello di performance di ente",
        "Prevenzione della corruzione e trasparenza", "Come sono calcolati i risultati", "Contatti",
    ]:
        assert sezione in html, sezione
    assert re.search(r'class="valore-livello">4,00<', html)
    assert re.search(r'class="valore-barometro">2,30<', html)
    assert "Dati dimostrativi" in html
    assert 'href="#calcolo-livello-ente"' in html and 'id="calcolo-livello-ente"' in html
    pub = Pubblicazione.objects.get(pk=demo["pub_id"])
    assert pub.impronta in html
    # every objective of the document is listed, with its status where it has one
    for ob in Obiettivo.objects.filter(ciclo_id=demo["ciclo_id"]):
        assert f"obiettivi/{ob.codice}/" in html
    assert "Rinviato al 2023" in html
    assert "<script" not in html and " style=" not in html


@pytest.mark.django_db
def test_json_is_valid_against_its_schema_and_numbers_are_numbers(demo, client):
    response = client.get(URL + "dati.json")
    assert response.status_code == 200
    dati = json.loads(response.content)
    validator = jsonschema.Draft202012Validator(
        opendata.schema(), format_checker=jsonschema.FormatChecker()
    )
    errori = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(dati)]
    assert errori == []
    assert dati["livello_performance_ente"] == 4.0
    assert dati["barometro_qualita"]["media"] == 2.3
    assert {k: v["valore"] for k, v in dati["componenti"].items()} == {
        "finanziaria": 4.0, "obiettivi": 4.0, "qualita": 4.0,
    }
    assert dati["versione"] == 1
    assert dati["impronta"] == impronta(dati)
    assert dati["licenza"]["codice"] == "CC-BY-4.0"
    assert len(dati["obiettivi"]) == 102
    assert [l["codice"] for l in dati["linee"]] == ["1", "2", "3", "4"]


@pytest.mark.django_db
def test_schema_rejects_numbers_as_strings(demo, client):
    dati = json.loads(client.get(URL + "dati.json").content)
    dati["livello_performance_ente"] = "4,00"
    validator = jsonschema.Draft202012Validator(opendata.schema())
    assert not validator.is_valid(dati)


@pytest.mark.django_db
def test_rfc4180_csv_has_one_row_per_objective_agreeing_with_json(demo, client):
    """The machine twin (dati.csv is for people since issue 13: tests/trasparenza/test_dati_aperti.py)."""
    response = client.get(URL + "dati-rfc4180.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    righe = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    dati = json.loads(client.get(URL + "dati.json").content)
    assert len(righe) == len(dati["obiettivi"]) == 102
    per_codice = {r["codice"]: r for r in righe}
    for ob in dati["obiettivi"]:
        riga = per_codice[ob["codice"]]
        assert riga["stato"] == ob["stato"]
        assert riga["grado"] == ("" if ob["grado"] is None else str(ob["grado"]))
        if ob["percentuale_raggiungimento"] is not None:
            assert float(riga["percentuale_raggiungimento"]) == ob["percentuale_raggiungimento"]


@pytest.mark.django_db
def test_pdf_read_back_has_titles_fingerprint_and_page_numbers(demo, client, tmp_path):
    response = client.get(URL + "relazione.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    pub = Pubblicazione.objects.get(pk=demo["pub_id"])
    assert pdf == _pdf_bytes(pub)
    reader = PdfReader(io.BytesIO(pdf))
    pagine = len(reader.pages)
    assert pagine > 20
    percorso = tmp_path / "relazione.pdf"
    percorso.write_bytes(pdf)
    testo = subprocess.run(
        ["pdftotext", str(percorso), "-"], capture_output=True, text=True, check=True
    ).stdout
    compatto = re.sub(r"\s+", " ", testo)
    assert pub.impronta in compatto
    assert f"pagina 2 di {pagine}" in compatto
    assert "Livello di performance di ente: 4,00" in compatto
    assert "2,30" in compatto
    # objectives' titles are in the PDF (compare without whitespace: long titles wrap)
    senza_spazi = re.sub(r"\s+", "", testo)
    for ob in Obiettivo.objects.filter(ciclo_id=demo["ciclo_id"])[:102:7]:
        assert re.sub(r"\s+", "", ob.titolo) in senza_spazi, ob.codice
    info = subprocess.run(["pdfinfo", str(percorso)], capture_output=True, text=True).stdout
    assert "A4" in info and re.search(r"Tagged:\s+yes", info)
    # PDF/A-3u identification in the XMP metadata of the document catalog
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert re.search(rb'pdfaid:part="3"', xmp) and re.search(rb'pdfaid:conformance="U"', xmp)
    # every link goes somewhere a reader can follow: inside the PDF or to a web address; the
    # site's own pages have no address in a PDF read offline (no file:// links)
    uri = [
        str(a.get_object()["/A"].get("/URI"))
        for pagina in reader.pages
        for a in pagina.get("/Annots") or []
        if "/A" in a.get_object() and "/URI" in a.get_object()["/A"]
    ]
    assert [u for u in uri if not u.startswith(("http://", "https://", "mailto:"))] == []


@pytest.mark.django_db
def test_objective_linea_and_area_pages(demo, client):
    ob = Obiettivo.objects.filter(ciclo_id=demo["ciclo_id"], stato="rinviato").get()
    html = client.get(f"{URL}obiettivi/{ob.codice}/").content.decode()
    assert ob.titolo.replace("'", "&#x27;") in html and "Rinviato al 2023" in html
    attivo = Obiettivo.objects.filter(ciclo_id=demo["ciclo_id"], stato="attivo").first()
    html = client.get(f"{URL}obiettivi/{attivo.codice}/").content.decode()
    assert "Come è calcolato" in html and f"<strong>{attivo.grado_validato} — " in html
    html = client.get(f"{URL}linee/2/").content.decode()
    assert "NON SONO STATI PREVISTI SPECIFICI OBIETTIVI" in html
    assert "Copertura: <strong>67 %</strong>" in html
    risposta = client.get(f"{URL}aree/lavori-pubblici/")
    assert risposta.status_code == 200 and "NUOVA SALA CONSILIARE" in risposta.content.decode()
    assert client.get(f"{URL}obiettivi/NON-ESISTE/").status_code == 404
    assert client.get(f"{URL}linee/9/").status_code == 404


@pytest.mark.django_db
def test_later_edits_do_not_change_what_citizens_see_until_republished(demo, client):
    prima_json = client.get(URL + "dati.json").content
    prima_html = client.get(URL).content
    ob = Obiettivo.objects.filter(ciclo_id=demo["ciclo_id"], stato="attivo").first()
    ob.titolo = "TITOLO MODIFICATO DOPO LA PUBBLICAZIONE"
    ob.grado_validato = 1 if ob.grado_validato != 1 else 2
    ob.save()
    assert client.get(URL + "dati.json").content == prima_json
    assert client.get(URL).content == prima_html
    # a published cycle changes only after a reopening and a new approval
    Ciclo.objects.filter(pk=demo["ciclo_id"]).update(stato=Ciclo.Stato.APPROVATA)
    esito = ciclo_pubblica(ciclo=Ciclo.objects.get(pk=demo["ciclo_id"]), utente=None)
    assert esito.nuova and esito.pubblicazione.versione == 2
    dati = json.loads(client.get(URL + "dati.json").content)
    assert dati["versione"] == 2 and dati["impronta"] != json.loads(prima_json)["impronta"]
    html = client.get(URL).content.decode()
    assert "TITOLO MODIFICATO DOPO LA PUBBLICAZIONE" in html
    assert "Versione 1" in html and "Versione 2" in html
    assert f"Obiettivo {ob.codice}: titolo modificato." in html
    # version 1 is still there, unchanged
    v1 = client.get(URL + "versioni/1/dati.json")
    assert v1.status_code == 200 and v1.content == prima_json


@pytest.mark.django_db
def test_publishing_unchanged_data_creates_no_new_version(demo):
    ciclo = Ciclo.objects.get(pk=demo["ciclo_id"])
    esito = ciclo_pubblica(ciclo=ciclo, utente=None)
    assert not esito.nuova
    assert esito.pubblicazione.pk == demo["pub_id"]
    assert Pubblicazione.objects.filter(ciclo=ciclo).count() == 1


@pytest.mark.django_db
def test_anonymous_users_reach_nothing_unpublished(client):
    ente = Ente.objects.create(slug="bozza", nome="Comune in bozza")
    Ciclo.objects.create(ente=ente, anno=2022)
    for percorso in ["", "relazione.pdf", "dati.json", "dati.csv", "versioni/1/",
                     "obiettivi/X/", "linee/1/", "aree/x/"]:
        assert client.get(f"/bozza/2022/{percorso}").status_code == 404, percorso
    assert "Comune in bozza" not in client.get("/").content.decode()


@pytest.mark.django_db
def test_published_page_is_cacheable_and_revalidates_with_etag(demo, client):
    response = client.get(URL)
    assert "max-age" in response["Cache-Control"]
    etag = response["ETag"]
    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.django_db
def test_report_page_queries_do_not_grow_with_the_cycle(demo, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        assert client.get(URL).status_code == 200
    for percorso in ["dati.json", "dati.csv", "obiettivi/LLPP.01/", "linee/1/", "aree/territorio/"]:
        with django_assert_max_num_queries(3):
            assert client.get(URL + percorso).status_code == 200, percorso


@pytest.mark.django_db
def test_admin_action_publishes_a_cycle(client, django_capture_on_commit_callbacks, monkeypatch):
    from django.contrib.auth import get_user_model

    ente = Ente.objects.create(slug="azione", nome="Comune dell'azione")
    from valutazione.services import smvp_create_default

    ciclo = Ciclo.objects.create(ente=ente, anno=2023, smvp=smvp_create_default())
    admin = get_user_model().objects.create_superuser("capo", "capo@example.org", "x")
    client.force_login(admin)
    risposta = client.post(
        "/admin/obiettivi/ciclo/",
        {"action": "pubblica_relazione", "_selected_action": [ciclo.pk]},
        follow=True,
    )
    assert risposta.status_code == 200
    assert "non si può pubblicare" in risposta.content.decode()  # still in pianificazione
    assert not Pubblicazione.objects.filter(ciclo=ciclo).exists()
    assert Client().get("/azione/2023/").status_code == 404
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=Ciclo.Stato.APPROVATA)
    risposta = client.post(
        "/admin/obiettivi/ciclo/",
        {"action": "pubblica_relazione", "_selected_action": [ciclo.pk]},
        follow=True,
    )
    assert "Prima pubblicazione" in risposta.content.decode()  # the preview: nothing yet
    assert not Pubblicazione.objects.filter(ciclo=ciclo).exists()
    from tests.lavori.coda import esegui_coda

    with django_capture_on_commit_callbacks(execute=True):  # the confirmation queues a job
        risposta = client.post(f"/admin/obiettivi/ciclo/{ciclo.pk}/pubblica/", {"nota": ""})
    assert not Pubblicazione.objects.filter(ciclo=ciclo).exists()
    esegui_coda(monkeypatch)  # a worker runs it
    pub = Pubblicazione.objects.get(ciclo=ciclo)
    assert pub.versione == 1 and pub.pubblicata_da == admin and pub.pdf
    assert "Pubblicata la versione 1." in client.get(risposta["Location"]).content.decode()
    assert Ciclo.objects.get(pk=ciclo.pk).stato == Ciclo.Stato.PUBBLICATA
    client.logout()
    assert Client().get("/azione/2023/").status_code == 200


@pytest.mark.django_db
def test_relazione_command_renders_current_data_in_any_state(demo, tmp_path):
    from django.core.management import call_command

    ob = Obiettivo.objects.filter(ciclo_id=demo["ciclo_id"], stato="attivo").first()
    ob.titolo = "BOZZA NON ANCORA PUBBLICATA"
    ob.save()
    Ciclo.objects.filter(pk=demo["ciclo_id"]).update(stato=Ciclo.Stato.RENDICONTAZIONE)
    call_command(
        "relazione", "seregno", "2021",
        "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"),
    )
    dati = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert dati["versione"] is None and dati["impronta"] == impronta(dati)
    assert any(o["titolo"] == "BOZZA NON ANCORA PUBBLICATA" for o in dati["obiettivi"])
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "BOZZA NON ANCORA PUBBLICATA" in html and "Anteprima non pubblicata" in html
    # citizens still see the published version only
    assert "BOZZA NON ANCORA PUBBLICATA" not in Client().get(URL).content.decode()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Ciclo non trovato"):
        call_command("relazione", "seregno", "1999", "--json", str(tmp_path / "x.json"))
