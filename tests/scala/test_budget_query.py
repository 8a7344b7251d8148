"""Query budgets: every page and export of a cycle runs as many queries for 400 objectives as
for 50 (and no more than its budget). Times are measured by ``make bench``, not here.

The two synthetic cycles are built once for the class (``setUpTestData``); each page is
counted on both, and pinned on the larger with ``django_assert_max_num_queries``.
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from obiettivi.models import Obiettivo
from obiettivi.synthetic import genera_ciclo
from trasparenza.models import Pubblicazione
from trasparenza.report import relazione_dati
from trasparenza.services import file_pubblicati_scrivi, render_corpo
from valutazione.queries import risultati_ciclo

PICCOLO, GRANDE = 50, 400
ANNO = 2021

# Queries per page or export (the first request of a publication, with an empty cache).
BUDGET = {
    "risultati_ciclo": 9,
    "relazione_dati": 25,
    # the report page: +1 for the Nucleo's validation its summary names (issue 15)
    "relazione": 4,
    "relazione_versione": 5,
    # the publication, then the ente's published years and (if any) their objectives' codes,
    # for the links to the same objective in the year before and after (issue 13)
    "obiettivo": 3,
    "linea": 1,
    "area": 1,
    "dati_json": 2,
    "dati_csv": 2,
    "dati_csv_rfc4180": 2,
    "dati_ods": 2,
    "admin_elenco": 8,
    # the objective's page also shows the result computed from its indicators and phases (the
    # SMVP with its bands and levels, the indicators and phases as scoring reads them), and the
    # header «Performance — <ente>» reads the user's ente
    "admin_modifica": 14,
    # every public URL of a publication once its files are written (trasparenza.snapshot)
    "file_pubblicati": 0,
}


def _pubblica_senza_pdf(ciclo):
    """A publication as the service writes it, minus the PDF (not what is counted here)."""
    dati = relazione_dati(ciclo)
    dati["versione"] = 1
    return Pubblicazione.objects.create(
        ciclo=ciclo, versione=1, impronta=dati["impronta"], dati=dati, html=render_corpo(dati)
    )


class TestBudgetQuery(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cicli = {
            n: genera_ciclo(ente_slug=f"scala-{n}", anno=ANNO, n_obiettivi=n, seme=n)
            for n in (PICCOLO, GRANDE)
        }
        cls.pubblicazioni = {n: _pubblica_senza_pdf(c) for n, c in cls.cicli.items()}
        cls.admin = get_user_model().objects.create_superuser("scala-admin", "", None)

    @pytest.fixture(autouse=True)
    def _fixture(self, django_assert_max_num_queries):
        self.al_massimo = django_assert_max_num_queries

    def _conta(self, funzione):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as query:
            funzione()
        return len(query)

    def _non_cresce(self, nome, funzione_per_n):
        """Same count on both cycles, and within budget on the larger one."""
        conteggi = {n: self._conta(lambda n=n: funzione_per_n(n)) for n in (PICCOLO, GRANDE)}
        self.assertEqual(conteggi[PICCOLO], conteggi[GRANDE], f"{nome}: {conteggi}")
        with self.al_massimo(BUDGET[nome]):
            funzione_per_n(GRANDE)

    def _get(self, client, url, atteso=200):
        cache.clear()  # count the first request of a publication, not a cached one
        risposta = client.get(url)
        self.assertEqual(risposta.status_code, atteso, url)
        return risposta

    def _url(self, n, coda=""):
        return f"/scala-{n}/{ANNO}/{coda}"

    def test_scoring_and_assembly(self):
        self._non_cresce("risultati_ciclo", lambda n: risultati_ciclo(self.cicli[n]))
        self._non_cresce("relazione_dati", lambda n: relazione_dati(self.cicli[n]))
        self.assertEqual(len(relazione_dati(self.cicli[GRANDE])["obiettivi"]), GRANDE)

    def test_report_page_and_its_versioned_twin(self):
        self._non_cresce("relazione", lambda n: self._get(self.client, self._url(n)))
        self._non_cresce(
            "relazione_versione", lambda n: self._get(self.client, self._url(n, "versioni/1/"))
        )
        html = self.client.get(self._url(GRANDE)).content.decode()
        self.assertGreaterEqual(html.count("/obiettivi/"), GRANDE)

    def test_cached_report_page_is_two_queries(self):
        self._get(self.client, self._url(GRANDE))
        with self.al_massimo(2):  # the publication and the validation its summary names
            risposta = self.client.get(self._url(GRANDE))
        self.assertEqual(risposta.status_code, 200)
        self.assertIn(self.pubblicazioni[GRANDE].impronta[:12], risposta.content.decode())

    def test_objective_linea_and_area_pages(self):
        def primo(n):
            return self.pubblicazioni[n].dati

        self._non_cresce("obiettivo", lambda n: self._get(
            self.client, self._url(n, f"obiettivi/{primo(n)['obiettivi'][-1]['codice']}/")))
        self._non_cresce("linea", lambda n: self._get(
            self.client, self._url(n, f"linee/{primo(n)['linee'][0]['codice']}/")))
        self._non_cresce("area", lambda n: self._get(
            self.client, self._url(n, f"aree/{primo(n)['aree'][0]['slug']}/")))

    def test_open_data(self):
        self._non_cresce("dati_json", lambda n: self._get(self.client, self._url(n, "dati.json")))
        self._non_cresce("dati_csv", lambda n: self._get(self.client, self._url(n, "dati.csv")))
        self._non_cresce("dati_csv_rfc4180", lambda n: self._get(
            self.client, self._url(n, "dati-rfc4180.csv")))
        self._non_cresce("dati_ods", lambda n: self._get(self.client, self._url(n, "dati.ods")))
        for nome in ("dati.csv", "dati-rfc4180.csv"):
            righe = self._get(self.client, self._url(GRANDE, nome)).content.decode().splitlines()
            self.assertEqual(len(righe), GRANDE + 1)

    def test_admin_objective_changelist_and_change_page(self):
        self.client.force_login(self.admin)
        primo = {n: Obiettivo.objects.filter(ciclo=c, fasi__isnull=False).first()
                 for n, c in self.cicli.items()}
        # Warm Django's per-process caches (content types) as a running server has them.
        self.client.get(f"/admin/obiettivi/obiettivo/{primo[PICCOLO].pk}/change/")
        self._non_cresce("admin_elenco", lambda n: self._get(
            self.client, f"/admin/obiettivi/obiettivo/?ciclo={self.cicli[n].pk}"))
        self._non_cresce("admin_modifica", lambda n: self._get(
            self.client, f"/admin/obiettivi/obiettivo/{primo[n].pk}/change/"))

    def test_published_files_are_served_without_queries(self):
        import tempfile

        with tempfile.TemporaryDirectory() as cartella, override_settings(
            PUBBLICAZIONI_ROOT=cartella
        ):
            for ciclo in self.cicli.values():
                file_pubblicati_scrivi(ciclo=ciclo)
            for coda in ("", "versioni/1/", "dati.json", "dati.csv", "dati-rfc4180.csv", "dati.ods",
                         "versioni/1/dati.json", "versioni/1/dati.ods",
                         "obiettivi/", "esiti/raggiunti/", "esiti/esclusi/"):
                self._non_cresce("file_pubblicati", lambda n: self._get(self.client, self._url(n, coda)))
            dati = {n: p.dati for n, p in self.pubblicazioni.items()}
            for chiave, campo, tipo in (("obiettivi", "codice", "obiettivi"),
                                        ("linee", "codice", "linee"), ("aree", "slug", "aree")):
                self._non_cresce("file_pubblicati", lambda n: self._get(
                    self.client, self._url(n, f"{tipo}/{dati[n][chiave][-1][campo]}/")))
