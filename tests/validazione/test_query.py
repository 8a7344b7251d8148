"""The checks load a cycle in a fixed number of queries: the same at 50 and at 400 objectives,
for ``dati_verifiche``, the command and the admin page (docs/verifiche.md)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from obiettivi.synthetic import genera_ciclo
from validazione.queries import cicli, dati_verifiche

PICCOLO, GRANDE = 50, 400
ANNO = 2021
# the loader after the cycle: risultati_ciclo (9), then texts, indicators, the year before's
# indicators and cycle, phases, variations, barometro, financial indicators, SMVP versions (9)
BUDGET = {"dati_verifiche": 18, "comando": 19, "pagina": 25}


class TestQueryVerifiche(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cicli = {
            n: genera_ciclo(ente_slug=f"verifiche-{n}", anno=ANNO, n_obiettivi=n, seme=n)
            for n in (PICCOLO, GRANDE)
        }
        # the year before, so that the targets are compared with real rows
        for n in (PICCOLO, GRANDE):
            genera_ciclo(ente_slug=f"verifiche-{n}", anno=ANNO - 1, n_obiettivi=n, seme=n)
        cls.admin = get_user_model().objects.create_superuser("verifiche-admin", "", None)

    @pytest.fixture(autouse=True)
    def _fixture(self, django_assert_max_num_queries):
        self.al_massimo = django_assert_max_num_queries

    def _conta(self, funzione):
        with CaptureQueriesContext(connection) as query:
            funzione()
        return len(query)

    def _non_cresce(self, nome, funzione_per_n):
        conteggi = {n: self._conta(lambda n=n: funzione_per_n(n)) for n in (PICCOLO, GRANDE)}
        self.assertEqual(conteggi[PICCOLO], conteggi[GRANDE], f"{nome}: {conteggi}")
        with self.al_massimo(BUDGET[nome]):
            funzione_per_n(GRANDE)

    def test_loader(self):
        ciclo = {n: cicli().get(pk=c.pk) for n, c in self.cicli.items()}
        self._non_cresce("dati_verifiche", lambda n: dati_verifiche(ciclo[n]))
        dati = dati_verifiche(ciclo[GRANDE])
        self.assertEqual(len(dati.obiettivi), GRANDE)
        self.assertTrue(dati.ciclo_precedente)
        self.assertTrue(any(i.consuntivo_precedente is not None
                            for o in dati.obiettivi for i in o.indicatori))

    def test_command(self):
        def comando(n):
            try:
                call_command("verifica_relazione", f"verifiche-{n}", str(ANNO), stdout=StringIO())
            except SystemExit:
                pass

        self._non_cresce("comando", comando)

    def test_page(self):
        self.client.force_login(self.admin)

        def pagina(n):
            risposta = self.client.get(reverse("validazione:verifiche", args=[self.cicli[n].pk]))
            self.assertEqual(risposta.status_code, 200)

        self._non_cresce("pagina", pagina)
