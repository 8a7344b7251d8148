"""The public home for many enti (issue 17, point 5): search by name (case and accents ignored,
the same on SQLite and PostgreSQL) and by province, only provinces with published enti in the
dropdown, pages of 50, the latest published year and how many; each ente's page with its
published Relazioni. Drafts never show; query counts do not grow with the number of enti."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from obiettivi.models import Ciclo, Ente
from trasparenza.models import Pubblicazione
from trasparenza.queries import ENTI_PER_PAGINA, chiave_ricerca
from validazione.models import DocumentoValidazione


def _pubblica(ciclo, versione=1):
    return Pubblicazione.objects.create(
        ciclo=ciclo, versione=versione, impronta="0" * 64, dati={}, html="<p>relazione</p>"
    )


def _ente(slug, nome, provincia="", pubblicati=(2021,), bozze=()):
    ente = Ente.objects.create(slug=slug, nome=nome, provincia=provincia)
    for anno in pubblicati:
        _pubblica(Ciclo.objects.create(ente=ente, anno=anno))
    for anno in bozze:
        Ciclo.objects.create(ente=ente, anno=anno)
    return ente


def _molti(numero, provincia="MB", prefisso="Comune numero"):
    """``numero`` enti with two published years each and a draft, in three bulk inserts."""
    enti = Ente.objects.bulk_create(
        Ente(slug=f"{prefisso.lower().replace(' ', '-')}-{i:04d}", nome=f"{prefisso} {i:04d}",
             provincia=provincia)
        for i in range(numero)
    )
    cicli = Ciclo.objects.bulk_create(
        Ciclo(ente=ente, anno=anno) for ente in enti for anno in (2020, 2021, 2022)
    )
    Pubblicazione.objects.bulk_create(
        Pubblicazione(ciclo=c, versione=1, impronta="0" * 64, dati={}, html="")
        for c in cicli if c.anno != 2022
    )
    return enti


def _nomi(html):
    return re.findall(r'<h2 class="h3"><a href="/[-a-z0-9]+/">([^<]+)</a>', html)


@pytest.fixture
def enti(db):
    return {
        "seregno": _ente("seregno", "Comune di Seregno", "MB", pubblicati=(2020, 2021), bozze=(2022,)),
        "forli": _ente("forli", "Comune di Forlì", "FC"),
        "santangelo": _ente("sant-angelo-lodigiano", "Comune di Sant’Angelo Lodigiano", "LO",
                            pubblicati=(2019,)),
        "lissone": _ente("lissone", "Comune di Lissone", "MB", pubblicati=(), bozze=(2021,)),
        "como": _ente("como", "Comune di Como", "CO", pubblicati=(), bozze=(2021,)),
    }


def test_search_key_drops_accents_case_apostrophes_and_spaces():
    assert chiave_ricerca("  Comune di FORLÌ ") == "comune di forli"
    assert chiave_ricerca("Sant’Angelo") == chiave_ricerca("sant'angelo") == "sant'angelo"
    assert chiave_ricerca("Urtijëi") == "urtijei"
    assert chiave_ricerca("Straße") == "strasse"


def test_home_lists_published_enti_with_latest_year_count_and_province(client, enti):
    html = client.get("/").content.decode()
    assert _nomi(html) == ["Comune di Forlì", "Comune di Sant’Angelo Lodigiano", "Comune di Seregno"]
    assert 'href="/seregno/2021/"' in html and "/seregno/2020/" not in html  # only the latest
    assert "/seregno/2022/" not in html  # the draft year
    assert "Provincia: MB · 2 anni pubblicati" in html
    assert "Provincia: FC · 1 anno pubblicato" in html
    assert 'href="/sant-angelo-lodigiano/2019/"' in html
    assert "Lissone" not in html and "Como" not in html  # drafts only
    assert "3 enti trovati" in html


@pytest.mark.parametrize("cercato, trovati", [
    ("FORLI", ["Comune di Forlì"]),
    ("forlì", ["Comune di Forlì"]),
    ("sant'angelo", ["Comune di Sant’Angelo Lodigiano"]),
    ("  SEREGNO ", ["Comune di Seregno"]),
    ("comune di", ["Comune di Forlì", "Comune di Sant’Angelo Lodigiano", "Comune di Seregno"]),
    ("lissone", []),  # exists, but only a draft
])
def test_search_by_name_ignores_case_and_accents(client, enti, cercato, trovati):
    risposta = client.get("/", {"q": cercato})
    html = risposta.content.decode()
    assert _nomi(html) == trovati
    assert f'value="{cercato.strip()}"' in html.replace("&#x27;", "'")  # the box keeps the search
    if not trovati:
        assert "Nessun ente con relazioni pubblicate corrisponde alla ricerca." in html
        assert "0 enti trovati" in html


def test_search_by_province_and_dropdown_lists_only_provinces_with_published_enti(client, enti):
    html = client.get("/", {"provincia": "mb"}).content.decode()
    assert _nomi(html) == ["Comune di Seregno"]
    assert '<option value="MB" selected>MB</option>' in html
    opzioni = re.findall(r'<option value="([A-Z]*)"', html)
    assert opzioni == ["", "FC", "LO", "MB"]  # not CO: Como has only a draft
    html = client.get("/", {"provincia": "CO"}).content.decode()
    assert _nomi(html) == []
    assert "Nessun ente con relazioni pubblicate corrisponde alla ricerca." in html
    html = client.get("/", {"provincia": "FC", "q": "seregno"}).content.decode()
    assert _nomi(html) == []
    html = client.get("/", {"provincia": "<script>", "q": "x" * 500}).content.decode()
    assert "&lt;script&gt;" not in html and "<script" not in html  # ignored, never echoed
    assert 'value="' + "x" * 100 + '"' in html


def test_pages_of_fifty_keep_the_search_in_their_links(client, db):
    _molti(120)
    _molti(3, provincia="MI", prefisso="Altro comune")
    html = client.get("/", {"provincia": "MB"}).content.decode()
    assert len(_nomi(html)) == ENTI_PER_PAGINA
    assert "120 enti trovati — pagina 1 di 3" in html
    assert 'href="?provincia=MB&amp;pagina=2"' in html and "Successiva" in html
    assert "Precedente" not in html
    html = client.get("/", {"provincia": "MB", "pagina": "3"}).content.decode()
    assert _nomi(html)[0] == "Comune numero 0100" and len(_nomi(html)) == 20
    assert 'aria-current="page"><span class="visually-hidden">Pagina </span>3<' in html
    assert "Successiva" not in html
    html = client.get("/", {"q": "NUMERO 00", "pagina": "2"}).content.decode()  # 0000-0099
    assert "100 enti trovati — pagina 2 di 2" in html and len(_nomi(html)) == 50
    assert 'href="?q=NUMERO+00&amp;pagina=1"' in html and _nomi(html)[0] == "Comune numero 0050"
    for sbagliata, attesa in (("abc", "pagina 1 di 3"), ("99", "pagina 3 di 3"), ("-1", "pagina 3 di 3")):
        html = client.get("/", {"provincia": "MB", "pagina": sbagliata}).content.decode()
        assert attesa in html, sbagliata


def test_thousands_are_written_the_italian_way(client, db):
    _molti(1001)
    html = client.get("/").content.decode()
    assert "1.001 enti trovati — pagina 1 di 21" in html


@pytest.mark.parametrize("parametri", [{}, {"q": "numero"}, {"provincia": "MB"}, {"q": "0001", "pagina": "1"}])
def test_home_query_count_is_the_same_at_3_and_200_enti(client, db, django_assert_num_queries, parametri):
    _molti(3)
    with django_assert_num_queries(3):  # the count or the names, the page, the provinces
        piccolo = client.get("/", parametri).content.decode()
    _molti(197, prefisso="Comune numero bis")
    with django_assert_num_queries(3):
        grande = client.get("/", parametri).content.decode()
    assert len(_nomi(grande)) >= len(_nomi(piccolo)) >= 1


# --- an ente's page ------------------------------------------------------------------------------


def test_ente_page_lists_its_published_reports_newest_first(client, enti):
    seregno = enti["seregno"]
    ciclo_2021 = seregno.cicli.get(anno=2021)
    seconda = _pubblica(ciclo_2021, versione=2)
    DocumentoValidazione.objects.create(ciclo=ciclo_2021, pubblicazione=seconda, esito="positiva",
                                        firmato_il=timezone.now())
    DocumentoValidazione.objects.create(ciclo=seregno.cicli.get(anno=2020),
                                        pubblicazione=Pubblicazione.objects.get(ciclo__anno=2020,
                                                                                ciclo__ente=seregno))
    risposta = client.get(reverse("trasparenza:ente", kwargs={"ente": "seregno"}))
    assert risposta.status_code == 200
    html = risposta.content.decode()
    assert "<h1" in html and "Comune di Seregno</h1>" in html
    assert re.findall(r"Relazione sulla Performance (\d{4})</a>", html) == ["2021", "2020"]
    assert "Versione 2, pubblicata il " + timezone.localdate(seconda.pubblicata_il).strftime("%d/%m/%Y") in html
    assert "Versione 1, pubblicata il" in html
    for percorso in ("relazione.pdf", "dati.csv", "dati.ods", "dati.json"):
        assert f'href="/seregno/2021/{percorso}"' in html and f'href="/seregno/2020/{percorso}"' in html
    # the signed document of 2021; 2020's is an unsigned draft: no link
    assert 'href="/seregno/2021/validazione/"' in html
    assert "/seregno/2020/validazione/" not in html
    assert "2022" not in html  # the draft year
    assert 'href="/">Relazioni pubblicate</a>' in html  # breadcrumb back to the home


@pytest.mark.parametrize("slug", ["lissone", "nessuno", "como"])
def test_ente_page_is_404_without_publications(client, enti, slug):
    assert client.get(f"/{slug}/").status_code == 404
    Ente.objects.create(slug="vuoto", nome="Comune senza cicli")
    assert client.get("/vuoto/").status_code == 404


def test_ente_page_query_count_does_not_grow_with_years(client, db, django_assert_num_queries):
    ente = _ente("tanti", "Comune di Tanti", pubblicati=(2020,))
    with django_assert_num_queries(2):
        client.get("/tanti/")
    for anno in range(2010, 2020):
        ciclo = Ciclo.objects.create(ente=ente, anno=anno)
        pub = _pubblica(ciclo)
        _pubblica(ciclo, versione=2)
        DocumentoValidazione.objects.create(ciclo=ciclo, pubblicazione=pub, firmato_il=timezone.now())
    with django_assert_num_queries(2):
        html = client.get("/tanti/").content.decode()
    assert html.count("Relazione sulla Performance 20") == 11
    assert html.count("/validazione/") == 10


def test_demo_seregno_is_in_monza_e_brianza_on_the_home_and_its_page(client, demo_pubblicata):
    """The demo as published by the real path (``ciclo_pubblica``): Seregno is in provincia MB,
    the home links its 2021 report, its page lists that year and nothing of the plan."""
    assert demo_pubblicata.ente.provincia == "MB"
    html = client.get("/", {"q": "seregno", "provincia": "MB"}).content.decode()
    assert _nomi(html) == ["Comune di Seregno"]
    assert "Provincia: MB · 1 anno pubblicato" in html and 'href="/seregno/2021/"' in html
    html = client.get("/seregno/").content.decode()
    assert re.findall(r"Relazione sulla Performance (\d{4})</a>", html) == ["2021"]
    assert "dati dimostrativi" in html
    area = demo_pubblicata.aree.first()
    assert area.nome not in html  # the page lists reports, not the plan's content


@pytest.mark.parametrize("sigla, valida", [("MB", True), ("", True), ("mb", False), ("M1", False),
                                           ("M", False)])
def test_province_is_a_two_letter_sigla_in_capitals(sigla, valida):
    from django.core.exceptions import ValidationError

    ente = Ente(slug="prova", nome="Comune di Prova", provincia=sigla)
    if valida:
        ente.clean_fields(exclude=["slug"])
    else:
        with pytest.raises(ValidationError) as errore:
            ente.clean_fields(exclude=["slug"])
        assert errore.value.message_dict["provincia"] == [
            "Scrivi la sigla della provincia: due lettere maiuscole, es. «MB»."]
