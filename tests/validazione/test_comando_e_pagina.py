"""``verifica_relazione`` and the admin page «Verifiche della Relazione» on the Seregno demo:
2021 passes with rilievi; its plan copied to 2022 and put in rendicontazione, with no outcomes,
fails naming the objectives. The page: Nucleo and Amministratore only."""

import json
import tempfile
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.urls import reverse

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo, Obiettivo
from obiettivi.services import ciclo_copia
from obiettivi.workflow import ciclo_avanza
from validazione import verifiche as v
from validazione.queries import cicli, verifiche_ciclo


def esegui(*argomenti):
    """(exit status, output) of ``verifica_relazione``."""
    uscita = StringIO()
    try:
        call_command("verifica_relazione", *argomenti, stdout=uscita, no_color=True)
    except SystemExit as fine:
        return fine.code, uscita.getvalue()
    return 0, uscita.getvalue()


class TestVerificheSeregno(TestCase):
    @classmethod
    def setUpTestData(cls):
        carica_demo()
        cls.ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
        cls.utenti = {u.username: u for u in get_user_model().objects.all()}
        # next year's cycle copied from the plan, in rendicontazione, nothing reported yet
        cls.copia = ciclo_copia(da=cls.ciclo, anno=2022).ciclo
        for _ in range(2):
            ciclo_avanza(ciclo=cls.copia, utente=cls.utenti["admin"])
        cls.copia.refresh_from_db()

    # --- the command ---------------------------------------------------------------------

    def test_seregno_2021_passes_with_rilievi(self):
        stato, uscita = esegui("seregno", "2021")
        self.assertEqual(stato, 0, uscita)
        self.assertIn("Verifiche della Relazione 2021 — Comune di Seregno", uscita)
        self.assertIn("5. Variazioni del piano coperte da atti: CON RILIEVI", uscita)
        self.assertIn("! SGP.03 — «Stralciato» senza un atto di variazione del PEG", uscita)
        self.assertIn("! LLPP.15 — «Rinviato al 2023» senza motivazione", uscita)
        self.assertIn("14. Apporto dei cittadini e degli utenti: CON RILIEVI", uscita)
        self.assertIn("15. Approvazione della Giunta: SUPERATA", uscita)
        self.assertIn("Regola: Ogni obiettivo attivo ha l'esito rendicontato", uscita)
        self.assertTrue(uscita.rstrip().endswith(
            "Esito: verifiche superate con rilievi. 15 verifiche: 11 superate, 4 con rilievi, "
            "nessuna non superata."), uscita[-300:])

    def test_copied_cycle_in_rendicontazione_fails_naming_the_objectives(self):
        self.assertEqual(self.copia.stato, Ciclo.Stato.RENDICONTAZIONE)
        stato, uscita = esegui("seregno", "2022")
        self.assertEqual(stato, 1, uscita[-500:])
        self.assertIn("1. Esiti degli obiettivi attivi: NON SUPERATA", uscita)
        attivi = Obiettivo.objects.filter(ciclo=self.copia, stato="attivo")
        self.assertEqual(attivi.count(), 101)
        for codice in attivi.values_list("codice", flat=True):
            self.assertIn(
                f"✗ {codice} — esito non inviato al Nucleo («Bozza del dirigente»); manca la "
                "relazione del dirigente; manca il grado validato dal Nucleo", uscita)
        self.assertIn("✗ Nessun atto della Giunta approva la Relazione.", uscita)
        # the targets are now compared with the 2021 consuntivi of the same codes
        self.assertIn("consuntivo 2021", uscita)
        self.assertIn("Esito: verifiche non superate.", uscita)

    def test_json_file(self):
        percorso = self.enterContext(tempfile.TemporaryDirectory()) + "/verifiche.json"
        stato, uscita = esegui("seregno", "2021", "--json", percorso)
        self.assertEqual(stato, 0)
        self.assertIn(f"Verifiche scritte in JSON in {percorso}.", uscita)
        with open(percorso, encoding="utf-8") as file:
            testo = file.read()
        dati = json.loads(testo)
        self.assertIn("«Stralciato»", testo)  # UTF-8, not \u escapes
        self.assertEqual(list(dati), ["ente", "anno", "stato_ciclo", "esito", "riepilogo",
                                      "verifiche"])
        self.assertEqual((dati["ente"], dati["anno"], dati["esito"]),
                         ("seregno", 2021, v.CON_RILIEVI))
        self.assertEqual(dati["riepilogo"], {v.SUPERATA: 11, v.CON_RILIEVI: 4, v.NON_SUPERATA: 0})
        self.assertEqual(len(dati["verifiche"]), 15)
        variazioni = next(x for x in dati["verifiche"] if x["codice"] == "variazioni-atti")
        sgp03 = Obiettivo.objects.get(ciclo=self.ciclo, codice="SGP.03")
        self.assertIn({"descrizione": "SGP.03 — «Stralciato» senza un atto di variazione del PEG "
                                      "che lo disponga", "esito": v.CON_RILIEVI,
                       "tipo": v.OBIETTIVO, "id": sgp03.pk, "codice": "SGP.03"},
                      variazioni["evidenze"])
        # the same data on standard output, and the same every time
        stato, uscita = esegui("seregno", "2021", "--json", "-")
        self.assertEqual(json.loads(uscita), dati)
        self.assertEqual(uscita, testo)

    def test_unknown_ente_or_year(self):
        for argomenti in (("boh", "2021"), ("seregno", "1999")):
            with self.assertRaises(CommandError) as errore:
                call_command("verifica_relazione", *argomenti, stdout=StringIO())
            self.assertEqual(errore.exception.returncode, 2)
            self.assertIn(f"Ciclo non trovato: ente «{argomenti[0]}», anno {argomenti[1]}.",
                          str(errore.exception))

    # --- the admin page ------------------------------------------------------------------

    def _url(self, ciclo=None):
        return reverse("validazione:verifiche", args=[(ciclo or self.ciclo).pk])

    def test_page_permissions(self):
        atteso = {"nucleo": 200, "admin": 200, "dirigente.lavori-pubblici": 403}
        for nome, codice in atteso.items():
            self.client.force_login(self.utenti[nome])
            self.assertEqual(self.client.get(self._url()).status_code, codice, nome)
        self.client.logout()
        risposta = self.client.get(self._url())
        self.assertEqual(risposta.status_code, 302)
        self.assertTrue(risposta["Location"].startswith(reverse("admin:login")))

    def test_page_shows_every_check_with_links_to_the_evidence(self):
        self.client.force_login(self.utenti["nucleo"])
        with self.assertNumQueries(_QUERY_PAGINA):
            html = self.client.get(self._url()).content.decode()
        self.assertIn("<title>Verifiche della Relazione 2021 — Comune di Seregno", html)
        for verifica in verifiche_ciclo(self.ciclo):
            self.assertIn(f'<section id="{verifica.codice}">', html)
        sgp03 = Obiettivo.objects.get(ciclo=self.ciclo, codice="SGP.03")
        self.assertIn(f'<strong>Rilievo:</strong> <a href="'
                      f'{reverse("admin:obiettivi_obiettivo_change", args=[sgp03.pk])}">'
                      "SGP.03 — «Stralciato» senza motivazione", html)
        atto = self.ciclo.atto_approvazione
        self.assertIn(reverse("admin:obiettivi_atto_change", args=[atto.pk]), html)
        self.assertIn("Superate con rilievi", html)
        # the summary counts each check's rilievi: 85 objectives measured only by phases
        self.assertIn('<a href="#obiettivi-senza-indicatori">Obiettivi senza indicatori</a></td>'
                      '<td><span class="esito esito-con_rilievi">Con rilievi</span></td>'
                      '<td>0</td><td>85</td>', html)

    def test_page_of_a_failing_cycle(self):
        self.client.force_login(self.utenti["admin"])
        html = self.client.get(self._url(self.copia)).content.decode()
        self.assertIn("<strong>Mancanza:</strong>", html)
        self.assertIn("Non superate", html)

    def test_the_cycle_page_links_to_the_checks(self):
        self.client.force_login(self.utenti["nucleo"])
        html = self.client.get(
            reverse("admin:obiettivi_ciclo_change", args=[self.ciclo.pk])).content.decode()
        self.assertIn(f'<a href="{self._url()}">Verifiche della Relazione</a>', html)

    def test_unknown_cycle_is_404(self):
        self.client.force_login(self.utenti["nucleo"])
        self.assertEqual(self.client.get(reverse("validazione:verifiche", args=[999999]))
                         .status_code, 404)


# session, user, groups, the cycle (with its SMVP and acts), the loader (19: see
# tests/validazione/test_query.py), the admin's permissions for the menu (2), the header's ente (1),
# the user's incarichi (1, issue 17)
_QUERY_PAGINA = 26


@pytest.mark.django_db
def test_cycle_without_smvp_fails_on_the_smvp_and_is_not_scored():
    carica_demo()
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
    Ciclo.objects.filter(pk=ciclo.pk).update(smvp=None)
    smvp = next(x for x in verifiche_ciclo(cicli().get(pk=ciclo.pk)) if x.codice == "smvp")
    assert smvp.esito == v.NON_SUPERATA
    assert smvp.evidenze[0].descrizione == "Il ciclo non ha un sistema di valutazione (SMVP)."
