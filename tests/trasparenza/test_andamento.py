"""Years side by side (issue 13, point 5): a report carries the ente's earlier published years
(``andamento``, frozen with the cycle) and shows them as a chart and a table; each objective
page links to the same objective in the previous and next published year. Built on the demo's
Seregno 2021 and its illustrative 2022 (``carica_demo_successivo``)."""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, TestCase

from obiettivi.demo import carica_demo, carica_demo_successivo
from obiettivi.models import Ciclo, Obiettivo
from trasparenza import queries
from trasparenza.report import relazione_dati


# Marked, so that pytest-django creates the test database the module fixture uses (without
# any marked test in the session, django_db_blocker.unblock() would reach the real database).
pytestmark = pytest.mark.django_db

@pytest.fixture(scope="module")
def due_anni(django_db_setup, django_db_blocker):
    """2021 and 2022 published (a small PDF), their files written as after the commit;
    everything rolled back at the end."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as mp:
        mp.setattr("trasparenza.services.render_pdf", lambda dati, archivio=True: b"%PDF-1.7\n%%EOF\n")
        with transaction.atomic():
            carica_demo()
            with TestCase.captureOnCommitCallbacks(execute=True):  # the files, as after the commit
                carica_demo_successivo()
            cicli = {c.anno: c for c in Ciclo.objects.filter(ente__slug="seregno")}
            pubblicati = {
                anno: queries.pubblicazione_corrente(ente_slug="seregno", anno=anno).dati
                for anno in (2021, 2022)
            }
            yield {"cicli": cicli, "dati": pubblicati}
            transaction.set_rollback(True)


def _testo(risposta):
    corpo = b"".join(risposta.streaming_content) if risposta.streaming else risposta.content
    return corpo.decode()


def test_the_first_published_year_has_no_trend_and_keeps_its_figures(due_anni):
    dati = due_anni["dati"][2021]
    assert "andamento" not in dati
    assert (dati["livello_performance_ente"], dati["barometro_qualita"]["media"]) == (4.0, 2.3)


def test_the_second_year_carries_both_years_as_published(due_anni):
    d21, d22 = due_anni["dati"][2021], due_anni["dati"][2022]
    andamento = d22["andamento"]
    assert [a["anno"] for a in andamento] == [2021, 2022]
    primo, secondo = andamento
    assert primo["livello_performance_ente"] == d21["livello_performance_ente"] == 4.0
    assert primo["impronta"] == d21["impronta"] and primo["versione"] == 1
    assert primo["componenti"] == {k: d21["componenti"][k]["valore"]
                                   for k in ("finanziaria", "obiettivi", "qualita")}
    assert secondo["livello_performance_ente"] == d22["livello_performance_ente"]
    assert secondo["componenti"]["obiettivi"] == d22["componenti"]["obiettivi"]["valore"]
    assert d22["dati_dimostrativi"] and "2022" in d22["nota_dati_dimostrativi"]


def test_the_trend_is_frozen_with_the_cycle(due_anni):
    """A later change to another year's publication does not change a locked cycle's report."""
    ciclo = due_anni["cicli"][2022]
    prima = relazione_dati(ciclo)["impronta"]
    assert prima == due_anni["dati"][2022]["impronta"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(queries, "andamento_anni_precedenti", lambda c: pytest.fail("letto di nuovo"))
        assert relazione_dati(ciclo)["impronta"] == prima


def test_the_page_shows_the_trend_as_chart_and_table(due_anni):
    pagina = _testo(Client().get("/seregno/2022/"))
    sezione = pagina[pagina.index('id="andamento"'):pagina.index("</section>", pagina.index('id="andamento"'))]
    assert "grafico-andamento" in sezione and "<table" in sezione
    assert '<a href="/seregno/2021/">2021</a>' in sezione
    assert "4,02" in sezione or due_anni["dati"][2022]["livello_performance_ente"] != 4.02
    assert 'id="andamento"' not in _testo(Client().get("/seregno/2021/"))


def test_objective_pages_link_the_same_objective_in_the_year_before_and_after(due_anni):
    client = Client()
    cartella = settings.PUBBLICAZIONI_ROOT
    p21 = (cartella / "seregno/2021/v1/obiettivi/SGP.01/index.html").read_text()
    p22 = (cartella / "seregno/2022/v1/obiettivi/SGP.01/index.html").read_text()
    assert 'href="/seregno/2022/obiettivi/SGP.01/" rel="next"' in p21
    assert 'href="/seregno/2021/obiettivi/SGP.01/" rel="prev"' in p22
    assert 'rel="next"' not in p22
    # struck in 2021, not copied: no link to a page that does not exist
    assert not Obiettivo.objects.filter(ciclo=due_anni["cicli"][2022], codice="SGP.03").exists()
    p21_stralciato = _testo(client.get("/seregno/2021/obiettivi/SGP.03/"))
    assert 'rel="next"' not in p21_stralciato
    # the view that answers when a file is missing gives the same links
    (cartella / "seregno/2021/v1/obiettivi/SGP.01/index.html").unlink()
    assert _testo(client.get("/seregno/2021/obiettivi/SGP.01/")) == p21


def test_the_trend_follows_the_schema(due_anni):
    import jsonschema

    from trasparenza import opendata

    validatore = jsonschema.Draft202012Validator(opendata.schema())
    validatore.validate(due_anni["dati"][2022])
    rotto = {**due_anni["dati"][2022], "andamento": [{"anno": 2021, "livello_performance_ente": "4,00"}]}
    assert not validatore.is_valid(rotto)
