"""The desks (obiettivi/scrivania.py) run as many queries for a cycle of 400 objectives as for
one of 50, and no more than their budget: no query per objective."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from obiettivi import permessi, scrivania
from obiettivi.models import Area, Ciclo, Obiettivo
from obiettivi.synthetic import genera_ciclo
from tests.ruoli.incarichi import dai_ruolo

PICCOLO, GRANDE = 50, 400
R = Obiettivo.StatoRendicontazione

# Queries of each desk (the functions, plus 1 for the e-mails sent to the user), and of the whole home page (session, user, groups,
# the admin's app list and recent actions included, and the header's ente: 1 query, 2 for a
# dirigente whose ente is read through their areas).
BUDGET = {
    "dirigente": 5,  # groups, areas (2: theirs, then with their services), counts, to report
    "nucleo": 13,  # groups, incarichi (issue 17), cycles, submitted objectives, risultati_ciclo (9)
    "amministratore": 5,  # groups, incarichi (issue 17), cycles, blockers, publications
    "pagina_dirigente": 14,
    "pagina_nucleo": 20,  # + the incarichi (issue 17)
    "pagina_amministratore": 12,  # + the incarichi (issue 17)
}


def _utente(nome, ruolo):
    utente = get_user_model().objects.create_user(nome, is_staff=True)
    dai_ruolo(utente, ruolo)
    return utente


class TestScrivaniaQuery(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cicli, cls.dirigenti = {}, {}
        for n in (PICCOLO, GRANDE):
            ciclo = genera_ciclo(ente_slug=f"scrivania-{n}", anno=2021, n_obiettivi=n, seme=n)
            Ciclo.objects.filter(pk=ciclo.pk).update(stato=Ciclo.Stato.RENDICONTAZIONE)
            # every state on the desk: proposed grades sent, some validated, some sent back
            attivi = Obiettivo.objects.filter(ciclo=ciclo, stato=Obiettivo.Stato.ATTIVO)
            attivi.filter(grado_proposto__isnull=False).update(stato_rendicontazione=R.INVIATO)
            attivi.filter(grado_validato__isnull=False).update(stato_rendicontazione=R.VALIDATO)
            primi = list(attivi.filter(stato_rendicontazione=R.INVIATO).values_list("pk", flat=True)[:5])
            Obiettivo.objects.filter(pk__in=primi).update(
                stato_rendicontazione=R.RINVIATO, commento_nucleo="Da correggere.")
            cls.cicli[n] = ciclo
            dirigente = _utente(f"dirigente-{n}", permessi.DIRIGENTE)
            # the root areas: the dirigente answers for all their services too
            for area in Area.objects.filter(ciclo=ciclo, parent__isnull=True)[:3]:
                area.dirigenti.add(dirigente)
            cls.dirigenti[n] = dirigente
        cls.nucleo = _utente("nucleo-scala", permessi.NUCLEO)
        cls.amministratore = _utente("amministratore-scala", permessi.AMMINISTRATORE)

    @pytest.fixture(autouse=True)
    def _fixture(self, django_assert_max_num_queries):
        self.al_massimo = django_assert_max_num_queries

    def _conta(self, funzione):
        with CaptureQueriesContext(connection) as query:
            funzione()
        return len(query)

    def _fresco(self, utente):
        return get_user_model().objects.get(pk=utente.pk)  # no cached roles or areas

    def _solo_in_revisione(self, n):
        """Only the cycle of ``n`` objectives is under review (the Nucleo's desk reads those)."""
        altro = GRANDE if n == PICCOLO else PICCOLO
        Ciclo.objects.filter(pk=self.cicli[altro].pk).update(stato=Ciclo.Stato.PIANIFICAZIONE)
        Ciclo.objects.filter(pk=self.cicli[n].pk).update(stato=Ciclo.Stato.RENDICONTAZIONE)

    def test_dirigente_desk(self):
        conteggi = {
            n: self._conta(lambda n=n: scrivania.scrivania_di(self._fresco(self.dirigenti[n])))
            for n in (PICCOLO, GRANDE)
        }
        self.assertEqual(conteggi[PICCOLO], conteggi[GRANDE], conteggi)
        utente = self._fresco(self.dirigenti[GRANDE])
        with self.al_massimo(BUDGET["dirigente"] + 1):
            desk = scrivania.scrivania_di(utente)
        (ciclo,) = desk.dirigente
        self.assertTrue(ciclo.voci and ciclo.rinviati)
        self.client.force_login(self.dirigenti[GRANDE])
        with self.al_massimo(BUDGET["pagina_dirigente"]):
            self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_nucleo_desk(self):
        conteggi = {}
        for n in (PICCOLO, GRANDE):
            self._solo_in_revisione(n)
            conteggi[n] = self._conta(lambda: scrivania.scrivania_di(self._fresco(self.nucleo)))
        self.assertEqual(conteggi[PICCOLO], conteggi[GRANDE], conteggi)
        utente = self._fresco(self.nucleo)
        with self.al_massimo(BUDGET["nucleo"] + 1):
            desk = scrivania.scrivania_di(utente)
        self.assertGreater(desk.nucleo[0].in_coda, 50)
        self.client.force_login(self.nucleo)
        with self.al_massimo(BUDGET["pagina_nucleo"]):
            self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_amministratore_desk(self):
        utente = self._fresco(self.amministratore)
        with self.al_massimo(BUDGET["amministratore"] + 1):
            desk = scrivania.scrivania_di(utente)
        self.assertEqual(len(desk.amministratore), 2)
        self.assertTrue(all(c.bloccanti for c in desk.amministratore))
        self.client.force_login(self.amministratore)
        with self.al_massimo(BUDGET["pagina_amministratore"]):
            self.assertEqual(self.client.get("/admin/").status_code, 200)
