"""Published reports served as files (trasparenza.snapshot, trasparenza.middleware): written
when a publication commits, served with no database query and the same bytes and headers as the
views, conditional requests, new versions, rollback, regeneration."""

import os

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo, NodoStrategico, Obiettivo
from obiettivi.synthetic import genera_ciclo
from obiettivi.workflow import ciclo_pubblica
from trasparenza import snapshot
from trasparenza.services import file_pubblicati_scrivi

URL = "/seregno/2021/"
FILE = ["", "dati.json", "dati.csv", "dati-rfc4180.csv", "dati.ods", "relazione.pdf"]
INTESTAZIONI = ["Content-Type", "Content-Disposition", "Cache-Control", "Last-Modified",
                "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"]


@pytest.fixture(autouse=True)
def cartella(tmp_path):
    """A folder of published files of this test alone."""
    with override_settings(PUBBLICAZIONI_ROOT=tmp_path / "pubblicati"):
        yield tmp_path / "pubblicati"


@pytest.fixture(autouse=True)
def pdf_rapido(monkeypatch):
    """These tests are about files, not layout: a small PDF instead of WeasyPrint's 10 s one
    (the real PDF is read back in test_relazione.py)."""
    monkeypatch.setattr(
        "trasparenza.services.render_pdf",
        lambda dati, archivio=True: b"%PDF-1.7\n% " + dati["impronta"].encode() + b"\n%%EOF\n",
    )


@pytest.fixture
def pubblicato(db, django_capture_on_commit_callbacks):
    carica_demo()
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
    with django_capture_on_commit_callbacks(execute=True):
        ciclo_pubblica(ciclo=ciclo, utente=None)
    return ciclo


def _corpo(risposta):
    return b"".join(risposta.streaming_content) if risposta.streaming else risposta.content


def _byte(percorso):
    """A file's bytes; for the hashes beside a file (``.etag``), without the inode each names."""
    if percorso.name.endswith(snapshot.ETICHETTE):
        return b"".join(r.rsplit(b" ", 1)[0] + b"\n" for r in percorso.read_bytes().splitlines())
    return percorso.read_bytes()


def _togli_file(cartella):
    for percorso in sorted(cartella.rglob("*"), reverse=True):
        percorso.unlink() if not percorso.is_dir() or percorso.is_symlink() else percorso.rmdir()


def test_publishing_writes_every_file_once_committed(pubblicato, cartella):
    ciclo_dir = cartella / "seregno" / "2021"
    assert os.readlink(ciclo_dir / "corrente") == "v1"
    assert sorted(p.name for p in (ciclo_dir / "v1").iterdir()) == [
        ".completa", ".dettagli", ".pubblicazione", "aree", "dati-rfc4180.csv",
        "dati-rfc4180.csv.br", "dati-rfc4180.csv.etag", "dati-rfc4180.csv.gz", "dati.csv",
        "dati.csv.br", "dati.csv.etag", "dati.csv.gz", "dati.json", "dati.json.br",
        "dati.json.etag", "dati.json.gz", "dati.ods", "dati.ods.etag", "esiti", "index.html",
        "index.html.br", "index.html.etag", "index.html.gz", "linee", "obiettivi", "premi",
        "relazione.pdf", "relazione.pdf.etag",
    ]
    assert (ciclo_dir / ".ultima").read_text() == "1\n"
    assert (ciclo_dir / "v1" / ".completa").read_text() == "1\n"
    assert len(list((ciclo_dir / "v1" / "obiettivi").glob("*/index.html"))) == 102
    assert len(list((ciclo_dir / "v1" / "aree").glob("*/index.html"))) == 6
    pub = pubblicato.pubblicazioni.get()
    momento = int(pub.pubblicata_il.timestamp())
    for nome in ("dati.json", "dati.csv", "dati-rfc4180.csv", "dati.ods", "relazione.pdf", "index.html"):
        assert (ciclo_dir / "v1" / nome).stat().st_mtime == momento
    with pub.pdf.open("rb") as fh:
        assert (ciclo_dir / "v1" / "relazione.pdf").read_bytes() == fh.read()


def test_files_are_served_without_queries_with_the_bytes_and_headers_of_the_views(
    pubblicato, cartella, django_assert_num_queries
):
    ob = Obiettivo.objects.filter(ciclo=pubblicato).order_by("codice").last()
    area = ob.area.slug
    linea = NodoStrategico.objects.filter(ciclo=pubblicato, parent=None).first().codice
    dettagli = [f"obiettivi/{ob.codice}/", f"aree/{area}/", f"linee/{linea}/"]
    client = Client()
    dai_file = {}
    for versione, nomi in (("", FILE + dettagli), ("versioni/1/", FILE)):
        for nome in nomi:
            url = f"{URL}{versione}{nome}"
            with django_assert_num_queries(0):
                risposta = client.get(url)
            assert risposta.status_code == 200, url
            risposta.corpo = _corpo(risposta)
            dai_file[url] = risposta
    _togli_file(cartella)
    for url, da_file in dai_file.items():
        dalla_vista = client.get(url)
        assert dalla_vista.status_code == 200, url
        assert da_file.corpo == _corpo(dalla_vista), url
        for intestazione in INTESTAZIONI:
            assert da_file.get(intestazione) == dalla_vista.get(intestazione), (url, intestazione)
    assert dai_file[URL]["Cache-Control"] == "public, max-age=300"
    assert dai_file[URL + "versioni/1/"]["Cache-Control"] == "public, max-age=86400"
    assert "immutable" in dai_file[URL + "versioni/1/dati.json"]["Cache-Control"]
    assert ob.titolo in dai_file[f"{URL}obiettivi/{ob.codice}/"].corpo.decode()
    assert dai_file[URL + "dati.csv"]["Content-Disposition"] == (
        'attachment; filename="obiettivi-seregno-2021-v1.csv"'
    )
    assert dai_file[URL + "dati.ods"]["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert dai_file[URL + "versioni/1/dati-rfc4180.csv"]["Content-Disposition"] == (
        'attachment; filename="obiettivi-seregno-2021-v1-rfc4180.csv"'
    )


def test_conditional_and_head_requests(pubblicato, django_assert_num_queries):
    client = Client()
    prima = client.get(URL + "dati.json")
    etag, ultima = prima["ETag"], prima["Last-Modified"]
    with django_assert_num_queries(0):
        assert client.get(URL + "dati.json", HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client.get(URL + "dati.json", HTTP_IF_MODIFIED_SINCE=ultima).status_code == 304
        assert client.get(URL + "dati.json", HTTP_IF_NONE_MATCH='"altro"').status_code == 200
        testa = client.head(URL + "dati.json")
    assert testa.status_code == 200 and testa.content == b""
    assert testa["Content-Length"] == str(len(_corpo(prima)))
    assert testa["ETag"] == etag


def test_a_new_version_moves_the_current_files_and_keeps_the_old_ones(
    pubblicato, cartella, django_capture_on_commit_callbacks
):
    ciclo_dir = cartella / "seregno" / "2021"
    v1_json = (ciclo_dir / "v1" / "dati.json").read_bytes()
    ob = Obiettivo.objects.filter(ciclo=pubblicato).order_by("codice").first()
    ob.titolo = "Titolo corretto dopo la prima pubblicazione"
    ob.save()
    Ciclo.objects.filter(pk=pubblicato.pk).update(stato=Ciclo.Stato.APPROVATA)  # approved again
    with django_capture_on_commit_callbacks(execute=True):
        assert ciclo_pubblica(ciclo=pubblicato, utente=None).pubblicazione.versione == 2
    assert os.readlink(ciclo_dir / "corrente") == "v2"
    assert (ciclo_dir / "v1" / "dati.json").read_bytes() == v1_json
    client = Client()
    assert "Titolo corretto" in _corpo(client.get(URL + "dati.json")).decode()
    assert "Titolo corretto" not in _corpo(client.get(URL + "versioni/1/dati.json")).decode()
    # the page of version 1 now lists version 2, and says it is not the current one
    pagina_v1 = _corpo(client.get(URL + "versioni/1/")).decode()
    assert f'href="{URL}versioni/2/"' in pagina_v1
    assert "Versione 1</strong> (quella che stai leggendo)" in pagina_v1
    assert client.get(URL + "versioni/2/relazione.pdf").status_code == 200
    # the pages of objectives, linee and areas follow the current version, and only it
    assert "Titolo corretto" in _corpo(client.get(f"{URL}obiettivi/{ob.codice}/")).decode()
    assert (ciclo_dir / "v2" / "obiettivi" / ob.codice / "index.html").is_file()
    assert not (ciclo_dir / "v1" / "obiettivi").exists()


def test_a_rolled_back_publication_writes_no_file(db, cartella, django_capture_on_commit_callbacks):
    carica_demo()
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                ciclo_pubblica(ciclo=ciclo, utente=None)
                raise RuntimeError("errore dopo la pubblicazione")
    assert callbacks == []
    assert not (cartella / "seregno" / "2021" / "v1").exists()
    assert snapshot.file_per_url(URL) is None
    assert Client().get(URL).status_code == 404


def test_unpublished_cycles_have_no_files_and_answer_404(pubblicato, cartella):
    bozza = genera_ciclo(ente_slug="bozza", anno=2022, n_obiettivi=5, seme=3)
    file_pubblicati_scrivi(ciclo=bozza)
    assert not (cartella / "bozza").exists()
    client = Client()
    for url in ("/bozza/2022/", "/bozza/2022/dati.json", URL + "versioni/2/",
                URL + "versioni/2/dati.json", "/seregno/2021/../2021/dati.json",
                URL + "obiettivi/NON.ESISTE/", URL + "obiettivi/../", URL + "aree/nessuna/"):
        assert client.get(url).status_code == 404, url


def test_rigenera_rewrites_missing_files_and_removes_stale_ones(pubblicato, cartella):
    ciclo_dir = cartella / "seregno" / "2021"
    attesi = {p.relative_to(cartella): _byte(p) for p in ciclo_dir.rglob("*") if p.is_file()}
    _togli_file(cartella)
    # left by a database restored to an earlier state: an unknown cycle, an unknown version
    (cartella / "altro-ente" / "2020" / "v1").mkdir(parents=True)
    (cartella / "altro-ente" / "2020" / "v1" / "index.html").write_text("vecchia")
    (ciclo_dir / "v7").mkdir(parents=True)
    (ciclo_dir / "v7" / "index.html").write_text("vecchia")
    call_command("rigenera_file_pubblicati")
    assert {p.relative_to(cartella) for p in cartella.rglob("*")
            if p.is_file() and (p.name != ".blocco" or p.parent == ciclo_dir)} == attesi.keys()
    # files of another publication numbered 1 (a database rebuilt since) are replaced
    (ciclo_dir / "v1" / "dati.json").write_text('{"impronta": "di un altro database"}')
    (ciclo_dir / "v1" / ".pubblicazione").write_text("altra 2020-01-01T00:00:00+00:00\n")
    call_command("rigenera_file_pubblicati")
    trovati = {p.relative_to(cartella): _byte(p) for p in cartella.rglob("*")
               if p.is_file() and (p.name != ".blocco" or p.parent == ciclo_dir)}
    assert trovati == attesi
    assert os.readlink(ciclo_dir / "corrente") == "v1"


def test_file_lookup_only_matches_report_urls(pubblicato):
    assert snapshot.file_per_url(URL).percorso.name == "index.html"
    assert snapshot.file_per_url(URL + "obiettivi/SGP.01/").percorso.parent.name == "SGP.01"
    for url in ("/seregno/2021/obiettivi/../", "/seregno/2021/obiettivi/SGP.01/x/",
                "/seregno/2021/versioni/1/obiettivi/SGP.01/", "/seregno/2021/dati.xml", "/seregno/02021/",
                "/seregno/2021/versioni/0/", "/admin/", "/", "/seregno/2021/versioni/1/../../x"):
        assert snapshot.file_per_url(url) is None, url


def test_a_failure_writing_the_files_keeps_the_publication_served_by_the_views(
    db, cartella, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    carica_demo()
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)

    def disco_pieno(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(snapshot, "scrivi_atomico", disco_pieno)
    with django_capture_on_commit_callbacks(execute=True):
        esito = ciclo_pubblica(ciclo=ciclo, utente=None)
    assert esito.nuova and ciclo.pubblicazioni.count() == 1
    assert "No space left on device" in caplog.text
    assert snapshot.file_per_url(URL) is None
    risposta = Client().get(URL)
    assert risposta.status_code == 200 and esito.pubblicazione.impronta[:12] in risposta.content.decode()


def test_files_are_refused_to_hosts_not_allowed(pubblicato):
    with override_settings(ALLOWED_HOSTS=["relazioni.example.org"]):
        assert Client(HTTP_HOST="relazioni.example.org").get(URL).status_code == 200
        assert Client(HTTP_HOST="altro.example.com").get(URL).status_code == 400


def test_writers_of_one_cycle_take_turns(pubblicato, cartella):
    """A writer waits for the one holding the cycle's lock, then reads the database itself."""
    import threading
    import time

    preso, fatto = threading.Event(), threading.Event()

    def scrittore_lento():
        with snapshot.blocco(cartella / "seregno" / "2021"):
            preso.set()
            time.sleep(0.5)
        fatto.set()

    threading.Thread(target=scrittore_lento).start()
    assert preso.wait(5)
    inizio = time.monotonic()
    file_pubblicati_scrivi(ciclo=pubblicato)
    assert fatto.is_set() and time.monotonic() - inizio >= 0.3
    assert os.readlink(cartella / "seregno" / "2021" / "corrente") == "v1"
