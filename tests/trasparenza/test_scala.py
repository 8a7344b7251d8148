"""Query budgets of the report on a large cycle: assembling the Relazione and serving its page
do not grow with the number of objectives (pinned on 100 and 2,000 objectives)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from obiettivi.synthetic import genera_ciclo
from trasparenza.models import Pubblicazione
from trasparenza.report import relazione_dati
from trasparenza.services import render_corpo

BUDGET_ASSEMBLAGGIO = 25


def _pubblica_senza_pdf(ciclo):
    """A publication row as the service writes it, minus the PDF (slow at 2,000 objectives and
    not what this test measures)."""
    dati = relazione_dati(ciclo)
    dati["versione"] = 1
    return Pubblicazione.objects.create(
        ciclo=ciclo, versione=1, impronta=dati["impronta"], dati=dati, html=render_corpo(dati)
    )


@pytest.mark.django_db
def test_assembly_and_page_queries_do_not_grow_with_n(client, django_assert_max_num_queries):
    conteggi = {}
    for n, slug in ((100, "piccolo"), (2000, "grande")):
        ciclo = genera_ciclo(ente_slug=slug, anno=2021, n_obiettivi=n, seme=7)
        with CaptureQueriesContext(connection) as query:
            dati = relazione_dati(ciclo)
        assert len(dati["obiettivi"]) == n
        conteggi[n] = len(query)
        _pubblica_senza_pdf(ciclo)
        # 5: the publication, the Nucleo's validation its summary names, the versions, …
        with django_assert_max_num_queries(5):
            risposta = client.get(f"/{slug}/2021/")
        assert risposta.status_code == 200
        html = risposta.content.decode()
        assert html.count("/obiettivi/") >= n
        with django_assert_max_num_queries(3):
            assert client.get(f"/{slug}/2021/dati.json").status_code == 200
    assert conteggi[2000] == conteggi[100], conteggi
    assert conteggi[2000] <= BUDGET_ASSEMBLAGGIO, conteggi
