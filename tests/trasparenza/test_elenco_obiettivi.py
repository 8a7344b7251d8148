"""The objectives' list and its filters without JavaScript (issue 13, point 3): a published page
of every objective, one page per class of outcome, links by area and by linea; files written at
publication, served with no query, the views answering with the same bytes when one is missing."""

import re

import pytest
from django.test import Client, override_settings

from trasparenza import snapshot
from trasparenza.pagine import ESITI

URL = "/seregno/2021/"


@pytest.fixture(autouse=True)
def cartella(tmp_path):
    with override_settings(PUBBLICAZIONI_ROOT=tmp_path / "pubblicati"):
        yield tmp_path / "pubblicati"


@pytest.fixture
def pubblicato(demo_pubblicata):
    return demo_pubblicata.pubblicazioni.get()


def _corpo(risposta):
    return b"".join(risposta.streaming_content) if risposta.streaming else risposta.content


def _codici(html):
    return re.findall(r'<th scope="row"><a href="/seregno/2021/obiettivi/([^/]+)/">', html)


def test_the_list_has_every_objective_and_links_filtering_it(pubblicato, django_assert_num_queries):
    client = Client()
    with django_assert_num_queries(0):
        risposta = client.get(URL + "obiettivi/")
    html = _corpo(risposta).decode()
    assert risposta.status_code == 200
    assert sorted(_codici(html)) == sorted(o["codice"] for o in pubblicato.dati["obiettivi"])
    for area in pubblicato.dati["aree"]:
        assert f'href="{URL}aree/{area["slug"]}/"' in html
    for linea in pubblicato.dati["linee"]:
        assert f'href="{URL}linee/{linea["codice"]}/"' in html
    assert f'href="{URL}esiti/raggiunti/"' in html and f'href="{URL}esiti/esclusi/"' in html
    # the card of a row names its area and its outcome
    ob = pubblicato.dati["obiettivi"][0]
    assert f'<td data-etichetta="Esito" class="esito-scheda">{ob["esito"]}</td>' in html
    # the search box is hidden until the static script shows it; no inline code
    assert '<div class="cerca-obiettivi" hidden>' in html
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/cerca-obiettivi.js" defer>']


@pytest.mark.parametrize("slug", list(ESITI))
def test_each_outcome_page_lists_exactly_its_objectives(pubblicato, slug):
    html = _corpo(Client().get(f"{URL}esiti/{slug}/")).decode()
    attesi = [o["codice"] for o in pubblicato.dati["obiettivi"] if o["classe_esito"] == ESITI[slug]]
    assert sorted(_codici(html)) == sorted(attesi)
    if not attesi:
        assert "Nessun obiettivo con questo esito." in html


def test_the_demo_outcome_pages_split_the_102_objectives(pubblicato):
    client = Client()
    trovati = [c for slug in ESITI for c in _codici(_corpo(client.get(f"{URL}esiti/{slug}/")).decode())]
    assert len(trovati) == len(set(trovati)) == 102
    esclusi = _corpo(client.get(URL + "esiti/esclusi/")).decode()
    assert 'aria-current="page">Obiettivi tolti dal piano, rinviati o sospesi (4)' in esclusi


def test_the_views_give_the_same_bytes_when_the_files_are_missing(pubblicato, cartella):
    client = Client()
    urls = [URL + "obiettivi/"] + [f"{URL}esiti/{slug}/" for slug in ESITI]
    dai_file = {u: _corpo(client.get(u)) for u in urls}
    for percorso in sorted(cartella.rglob("*"), reverse=True):
        percorso.unlink() if not percorso.is_dir() or percorso.is_symlink() else percorso.rmdir()
    for u in urls:
        dalla_vista = client.get(u)
        assert dalla_vista.status_code == 200, u
        assert _corpo(dalla_vista) == dai_file[u], u
    assert client.get(URL + "esiti/inventato/").status_code == 404


def test_list_urls_are_file_urls_and_nothing_else(pubblicato):
    assert snapshot.file_per_url(URL + "obiettivi/").percorso.parts[-2:] == ("obiettivi", "index.html")
    assert snapshot.file_per_url(URL + "esiti/raggiunti/").percorso.parts[-3:] == (
        "esiti", "raggiunti", "index.html")
    for url in (URL + "esiti/", URL + "esiti/../", URL + "linee/", URL + "versioni/1/obiettivi/"):
        assert snapshot.file_per_url(url) is None, url


def test_the_report_links_the_list(pubblicato):
    html = _corpo(Client().get(URL)).decode()
    assert f'href="{URL}obiettivi/">Tutti gli obiettivi in un elenco</a>' in html
