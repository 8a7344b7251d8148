"""Published pages and data files travel compressed (issue 13, point 7): brotli or gzip twins
written at publication, served by the middleware with Content-Encoding when the browser accepts
them; the views give the same compressed bytes when a file is missing."""

import gzip

import brotli
import pytest
from django.test import Client, override_settings

from trasparenza import snapshot

URL = "/seregno/2021/"
TESTI = ["", "dati.json", "dati.csv", "obiettivi/LLPP.01/", "linee/2/", "aree/servizi-persona/",
         "versioni/1/"]


@pytest.fixture(autouse=True)
def cartella(tmp_path):
    with override_settings(PUBBLICAZIONI_ROOT=tmp_path / "pubblicati"):
        yield tmp_path / "pubblicati"


@pytest.fixture
def pubblicato(demo_pubblicata):
    return demo_pubblicata


def _corpo(risposta):
    return b"".join(risposta.streaming_content) if risposta.streaming else risposta.content


@pytest.mark.parametrize(
    ("intestazione", "attesa"),
    [
        ("gzip, deflate, br, zstd", "br"),  # what Chromium sends
        ("gzip, deflate", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("*", "br"),
        ("gzip;q=0, br;q=0", None),
        ("identity", None),
        ("", None),
        ("br;q=abc, gzip", "gzip"),
    ],
)
def test_the_accepted_encoding_is_read_from_the_header(intestazione, attesa):
    assert snapshot.codifica_accettata(intestazione) == attesa


def test_compression_is_the_same_bytes_every_time():
    testo = "Livello di performance di ente: 4,00\n".encode() * 200
    assert snapshot.comprimi(testo, "gzip") == snapshot.comprimi(testo, "gzip")
    assert gzip.decompress(snapshot.comprimi(testo, "gzip")) == testo
    assert brotli.decompress(snapshot.comprimi(testo, "br")) == testo


def test_published_files_are_served_compressed_without_queries(
    pubblicato, django_assert_num_queries
):
    client = Client()
    for nome in TESTI:
        in_chiaro = _corpo(client.get(URL + nome))
        for codifica, decomprimi in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            with django_assert_num_queries(0):
                risposta = client.get(URL + nome, HTTP_ACCEPT_ENCODING=codifica)
            assert risposta.status_code == 200, nome
            assert risposta["Content-Encoding"] == codifica, nome
            assert risposta["Vary"] == "Accept-Encoding", nome
            compresso = _corpo(risposta)
            assert decomprimi(compresso) == in_chiaro, nome
            assert len(compresso) * 3 < len(in_chiaro), nome
    # the page shrinks to a small fraction
    pagina = _corpo(client.get(URL))
    assert len(_corpo(client.get(URL, HTTP_ACCEPT_ENCODING="br"))) * 6 < len(pagina)
    # the PDF is never re-compressed
    pdf = client.get(URL + "relazione.pdf", HTTP_ACCEPT_ENCODING="gzip, br")
    assert "Content-Encoding" not in pdf and "Vary" not in pdf


def test_compressed_files_keep_etag_304_and_head(pubblicato):
    client = Client()
    chiaro = client.get(URL + "dati.json")
    prima = client.get(URL + "dati.json", HTTP_ACCEPT_ENCODING="br")
    assert prima["ETag"] != chiaro["ETag"]  # another representation, another tag
    assert client.get(URL + "dati.json", HTTP_ACCEPT_ENCODING="br",
                      HTTP_IF_NONE_MATCH=prima["ETag"]).status_code == 304
    testa = client.head(URL + "dati.json", HTTP_ACCEPT_ENCODING="br")
    assert testa.status_code == 200 and testa.content == b""
    assert testa["Content-Length"] == str(len(_corpo(prima)))
    assert testa["Content-Encoding"] == "br"


def test_the_views_give_the_compressed_bytes_of_the_missing_files(pubblicato, cartella):
    client = Client()
    dai_file = {}
    for nome in TESTI:
        for cod in ("br", "gzip"):
            risposta = client.get(URL + nome, HTTP_ACCEPT_ENCODING=cod)
            risposta.corpo = _corpo(risposta)
            dai_file[(nome, cod)] = risposta
    for percorso in cartella.rglob("*.br"):  # a twin missing: the plain file, uncompressed
        percorso.unlink()
    senza_gemello = client.get(URL, HTTP_ACCEPT_ENCODING="br")
    assert "Content-Encoding" not in senza_gemello
    assert _corpo(senza_gemello) == brotli.decompress(dai_file[("", "br")].corpo)
    for percorso in sorted(cartella.rglob("*"), reverse=True):  # no file: the views answer
        percorso.unlink() if not percorso.is_dir() or percorso.is_symlink() else percorso.rmdir()
    for (nome, cod), da_file in dai_file.items():
        dalla_vista = client.get(URL + nome, HTTP_ACCEPT_ENCODING=cod)
        assert dalla_vista["Content-Encoding"] == cod, nome
        assert _corpo(dalla_vista) == da_file.corpo, (nome, cod)
        assert "Accept-Encoding" in dalla_vista["Vary"]
    # rigenera writes the twins again
    from django.core.management import call_command

    call_command("rigenera_file_pubblicati")
    assert (cartella / "seregno" / "2021" / "v1" / "index.html.br").is_file()
    assert (cartella / "seregno" / "2021" / "v1" / "obiettivi" / "LLPP.01" / "index.html.gz").is_file()
