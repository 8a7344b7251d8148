"""The ``premi`` key of the Relazione's data costs the same number of queries at 50 and at 400
schede (and one query while no scheda is definitive)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from individuale.synthetic import genera_schede
from obiettivi.synthetic import genera_ciclo
from trasparenza.report import premi

pytestmark = pytest.mark.django_db
BUDGET = 13  # premi_ciclo's 9 (+ the role groups' order, the bands, the states)


def _conta(ciclo):
    with CaptureQueriesContext(connection) as query:
        dati = premi(ciclo)
    return len(query), dati


def test_premi_queries_do_not_grow_with_the_schede(django_assert_max_num_queries):
    conteggi = {}
    for n, slug in ((50, "premi-piccolo"), (400, "premi-grande")):
        ciclo = genera_ciclo(ente_slug=slug, anno=2029, n_obiettivi=20, seme=5)
        vuoto, dati = _conta(ciclo)
        assert vuoto == 1 and dati["disponibili"] is False
        genera_schede(ciclo, n, seme=5)
        conteggi[n], dati = _conta(ciclo)
        assert dati["persone"] == n
        with django_assert_max_num_queries(BUDGET):
            premi(ciclo)
    assert conteggi[400] == conteggi[50], conteggi
