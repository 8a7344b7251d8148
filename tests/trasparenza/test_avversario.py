"""What an adversarial test found (issue 17, point 6), in one process: a publication whose files
are not complete is served by the views, never as a stale current version; ETags follow the
bytes; URLs ending with a newline are 404; the public site answers GET and HEAD only; uploads of
the PEG leave no folder behind. The kills and the concurrent publications, which need other
processes, are in test_avversario_processi.py."""

import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from obiettivi.models import Ciclo, Obiettivo
from obiettivi.peg import admin as peg_admin
from obiettivi.workflow import ciclo_pubblica
from tests.peg.conftest import COMPLETO, ciclo, workbook  # noqa: F401 — fixtures of the PEG tests
# the published files' fixtures (a folder per test, a small PDF, the demo published) and reader
from tests.trasparenza.test_file_pubblicati import _corpo, cartella, pdf_rapido, pubblicato  # noqa: F401
from trasparenza import pagine, snapshot
from trasparenza.models import Pubblicazione

URL = "/seregno/2021/"
PEG = "/admin/obiettivi/ciclo/peg/"


def _nuova_versione(ciclo, titolo="Titolo corretto dopo la prima pubblicazione"):
    """The data changed and the cycle approved again: publishing makes version 2."""
    ob = Obiettivo.objects.filter(ciclo=ciclo).order_by("codice").first()
    ob.titolo = titolo
    ob.save()
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=Ciclo.Stato.APPROVATA)
    return ob


# --- 1. A publication whose files are not written: the views answer, never version 1 ----------

def test_committed_version_without_its_files_is_served_by_the_views_then_completed(
    pubblicato, cartella, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """The state a kill -9 after the commit leaves: the database at version 2, ``corrente`` on
    version 1, no file of version 2. Citizens get version 2 (from the database), and the
    start-up check writes its files, then served with no query."""
    ob = _nuova_versione(pubblicato)
    with django_capture_on_commit_callbacks(execute=False) as scritture:  # the writer dies
        assert ciclo_pubblica(ciclo=pubblicato, utente=None).pubblicazione.versione == 2
    assert len(scritture) == 1
    ciclo_dir = cartella / "seregno" / "2021"
    assert os.readlink(ciclo_dir / "corrente") == "v1" and not (ciclo_dir / "v2").exists()
    client = Client()
    for url, atteso in ((URL, "Versione 2"), (URL + "dati.json", '"versione": 2'),
                        (f"{URL}obiettivi/{ob.codice}/", "Titolo corretto")):
        assert snapshot.file_per_url(url) is None, url
        assert atteso in _corpo(client.get(url)).decode(), url
    # version 1's page (which does not list version 2) is not served from its file either
    assert snapshot.file_per_url(URL + "versioni/1/") is None
    assert 'href="/seregno/2021/versioni/2/"' in _corpo(client.get(URL + "versioni/1/")).decode()

    call_command("rigenera_file_pubblicati", "--incompleti")
    assert os.readlink(ciclo_dir / "corrente") == "v2"
    with django_assert_num_queries(0):
        pagina = client.get(URL)
        versione_1 = client.get(URL + "versioni/1/")
    assert "Versione 2" in _corpo(pagina).decode()
    assert 'href="/seregno/2021/versioni/2/"' in _corpo(versione_1).decode()


def test_a_half_written_version_is_not_served_and_the_next_publication_completes_it(
    pubblicato, cartella, django_capture_on_commit_callbacks, django_assert_num_queries
):
    ciclo_dir = cartella / "seregno" / "2021"
    (ciclo_dir / "v1" / snapshot.COMPLETA).unlink()  # a writer killed before its last step
    (ciclo_dir / "v1" / "dati.csv").unlink()
    assert snapshot.file_per_url(URL) is None
    assert snapshot.file_per_url(URL + "dati.json") is None
    assert Client().get(URL + "dati.csv").status_code == 200  # the view
    with django_capture_on_commit_callbacks(execute=True):
        assert not ciclo_pubblica(ciclo=pubblicato, utente=None).nuova  # nothing new: files rewritten
    with django_assert_num_queries(0):
        assert Client().get(URL + "dati.csv").status_code == 200


def test_a_version_number_left_by_a_rolled_back_publication_is_set_back(
    pubblicato, cartella, django_assert_num_queries
):
    ciclo_dir = cartella / "seregno" / "2021"
    (ciclo_dir / snapshot.ULTIMA).write_text("2\n")  # written before a commit that never came
    assert snapshot.file_per_url(URL) is None
    risposta = Client().get(URL)
    assert risposta.status_code == 200 and "Versione 1" in _corpo(risposta).decode()
    call_command("rigenera_file_pubblicati", "--incompleti")
    assert (ciclo_dir / snapshot.ULTIMA).read_text() == "1\n"
    with django_assert_num_queries(0):
        assert Client().get(URL).status_code == 200


def test_a_publication_that_fails_before_its_commit_leaves_no_pdf_and_the_old_number(
    pubblicato, cartella, monkeypatch
):
    _nuova_versione(pubblicato)
    pdf_prima = set(default_storage.listdir("pubblicazioni")[1])

    def guasto(*args, **kwargs):
        raise RuntimeError("errore del database al salvataggio")

    monkeypatch.setattr(Pubblicazione, "save", guasto)
    with pytest.raises(RuntimeError):
        ciclo_pubblica(ciclo=pubblicato, utente=None)
    assert set(default_storage.listdir("pubblicazioni")[1]) == pdf_prima
    assert snapshot.leggi_versione(cartella / "seregno" / "2021" / snapshot.ULTIMA) == 1
    assert snapshot.file_per_url(URL) is not None


def test_rigenera_removes_pdfs_no_publication_names(pubblicato):
    orfano = default_storage.save("pubblicazioni/seregno-2021-v2-000000000000.pdf",
                                  ContentFile(b"%PDF-1.7\n%%EOF\n"))
    nominato = Pubblicazione.objects.get(ciclo=pubblicato).pdf.name
    call_command("rigenera_file_pubblicati")
    assert not default_storage.exists(orfano)
    assert default_storage.exists(nominato)


# --- 2. The ETag is the hash of the bytes ------------------------------------------------------

def test_a_same_length_rewrite_changes_the_etag_and_a_client_with_the_old_one_gets_the_new_body(
    pubblicato, monkeypatch
):
    client = Client()
    prima = client.get(URL)
    vecchio_etag, vecchia_data = prima["ETag"], prima["Last-Modified"]
    assert client.get(URL, HTTP_IF_NONE_MATCH=vecchio_etag).status_code == 304
    # a template change of the same length, rewritten by rigenera_file_pubblicati in the same
    # second as the publication
    relazione = pagine.relazione
    monkeypatch.setattr(pagine, "relazione",
                        lambda *a, **k: relazione(*a, **k).replace("Relazione", "RELAZIONE"))
    call_command("rigenera_file_pubblicati")
    dopo = client.get(URL, HTTP_IF_NONE_MATCH=vecchio_etag, HTTP_IF_MODIFIED_SINCE=vecchia_data)
    assert dopo.status_code == 200
    corpo = _corpo(dopo)
    assert len(corpo) == len(_corpo(prima)) and corpo != _corpo(prima) and b"RELAZIONE" in corpo
    assert dopo["ETag"] != vecchio_etag
    assert client.get(URL, HTTP_IF_MODIFIED_SINCE=vecchia_data).status_code == 200
    # the compressed twin too
    gz = client.get(URL, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=vecchio_etag)
    assert gz.status_code == 200 and gz["Content-Encoding"] == "gzip"
    # unchanged bytes keep their ETag: a rewrite with the same content answers 304
    call_command("rigenera_file_pubblicati")
    assert client.get(URL, HTTP_IF_NONE_MATCH=dopo["ETag"]).status_code == 304


def test_a_file_replaced_behind_its_hash_gets_no_validator(pubblicato, cartella):
    """A file being replaced (the hash beside it names another inode) is served whole, with no
    ETag or Last-Modified a client could later use to get a 304 for other bytes."""
    client = Client()
    etag = client.get(URL + "dati.json")["ETag"]
    percorso = cartella / "seregno" / "2021" / "v1" / "dati.json"
    nuovo = percorso.with_name("altro")
    nuovo.write_bytes(percorso.read_bytes().replace(b"seregno", b"SEREGNO"))
    os.replace(nuovo, percorso)
    risposta = client.get(URL + "dati.json", HTTP_IF_NONE_MATCH=etag)
    assert risposta.status_code == 200 and b"SEREGNO" in _corpo(risposta)
    assert "ETag" not in risposta and "Last-Modified" not in risposta


# --- 3. Trailing newline, methods ---------------------------------------------------------------

@pytest.mark.parametrize("da_file", [True, False])
def test_urls_ending_with_a_newline_are_not_found(pubblicato, cartella, da_file):
    ob = Obiettivo.objects.filter(ciclo=pubblicato).order_by("codice").first()
    if not da_file:
        (cartella / "seregno" / "2021" / snapshot.ULTIMA).unlink()  # the views answer
    client = Client()
    for url in (URL, URL + "dati.json", URL + "versioni/1/", f"{URL}obiettivi/{ob.codice}/",
                URL + "obiettivi/"):
        assert client.get(url).status_code == 200, url
        for coda in ("%0a", "%0A", "%0d%0a"):
            # (…/obiettivi/%0a is redirected to …/obiettivi/%0A/, an objective that is not there)
            assert client.get(url + coda, follow=True).status_code == 404, url + coda
    assert snapshot.file_per_url(URL + "\n") is None
    assert snapshot.file_per_url(URL + "obiettivi/SGP.01\n/") is None


@pytest.mark.parametrize("da_file", [True, False])
def test_public_urls_answer_get_and_head_only(pubblicato, cartella, da_file):
    if not da_file:
        (cartella / "seregno" / "2021" / snapshot.ULTIMA).unlink()
    client = Client()
    for url in ("/", URL, URL + "dati.json", URL + "relazione.pdf", URL + "versioni/1/",
                URL + "obiettivi/", "/nessuno/"):
        for metodo in ("OPTIONS", "TRACE", "POST", "PUT", "DELETE", "PATCH"):
            risposta = client.generic(metodo, url)
            assert risposta.status_code == 405, (metodo, url)
            assert risposta["Allow"] == "GET, HEAD", (metodo, url)
            assert risposta.content == b"", (metodo, url)
            assert "Content-Security-Policy" in risposta, (metodo, url)
        assert client.head(url).status_code in (200, 404)
    # the admin keeps its forms
    assert client.options("/admin/login/").status_code != 405
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code != 405


# --- 4. Uploads of the PEG leave no folder behind ----------------------------------------------

@pytest.fixture
def amministratore(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("capo", password="x"))
    return client


def _caricati():
    try:
        cartelle, file = default_storage.listdir(peg_admin.CARTELLA_CARICATI)
    except FileNotFoundError:
        return []
    return cartelle + file


def _carica(client, ciclo, percorso):
    file = SimpleUploadedFile(percorso.name, percorso.read_bytes())
    return client.post(PEG, {"ciclo": ciclo.pk, "file": file, "foglio": ""})


def test_peg_upload_folders_go_when_the_import_ends(amministratore, ciclo, workbook):  # noqa: F811
    prima = _caricati()
    # an error: the preview deletes the file and its folder
    errata = _carica(amministratore, ciclo, workbook(dict(COMPLETO, fasi=[["O1", "F1", "A", "X", "100", "", ""]])))
    assert "1 errore" in errata.content.decode()
    assert _caricati() == prima
    # a preview kept for the confirmation, then confirmed
    anteprima = _carica(amministratore, ciclo, workbook())
    assert len(_caricati()) == len(prima) + 1
    amministratore.post(PEG, {"_conferma": "1", "token": anteprima.context["token"]})
    assert _caricati() == prima
    # nothing to change: no preview kept
    _carica(amministratore, ciclo, workbook())
    assert _caricati() == prima


def test_abandoned_peg_previews_older_than_a_day_are_removed(amministratore, ciclo, workbook):  # noqa: F811
    abbandonata = _carica(amministratore, ciclo, workbook())
    assert abbandonata.context["token"]
    (cartella_abbandonata,) = _caricati()
    recente = default_storage.save(f"{peg_admin.CARTELLA_CARICATI}/recente/peg.xlsx",
                                   ContentFile(b"x"))
    vecchio = time.time() - timedelta(days=1, minutes=1).total_seconds()
    percorso = default_storage.path(f"{peg_admin.CARTELLA_CARICATI}/{cartella_abbandonata}")
    for nome in os.listdir(percorso):
        os.utime(os.path.join(percorso, nome), (vecchio, vecchio))
    assert timezone.now() - default_storage.get_modified_time(
        f"{peg_admin.CARTELLA_CARICATI}/{cartella_abbandonata}/peg.xlsx") > timedelta(days=1)
    _carica(amministratore, ciclo, workbook(dict(COMPLETO, fasi=[["O1", "F1", "A", "X", "100", "", ""]])))
    assert cartella_abbandonata not in _caricati() and "recente" in _caricati()
    default_storage.delete(recente)
    os.rmdir(default_storage.path(f"{peg_admin.CARTELLA_CARICATI}/recente"))
