"""The art. 20 aggregates published with the Relazione: the «premi» key validated by the schema,
the page /<ente>/<anno>/premi/ (Italian figures, tables with captions, linked from the report and
its index), the PDF section read back, and the statement while no scheda is definitive."""

import json
import re
import subprocess

import jsonschema
import pytest
from django.db import transaction
from django.test import Client

from individuale.models import SchedaValutazione
from individuale.queries import premi_ciclo
from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo
from obiettivi.synthetic import genera_ciclo
from obiettivi.workflow import ciclo_pubblica
from seregno_perf import formati
from trasparenza import opendata, pagine
from trasparenza.models import Pubblicazione
from trasparenza.report import relazione_dati

URL = "/seregno/2021/"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            carica_demo()
            ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
            pub = ciclo_pubblica(ciclo=ciclo, utente=None).pubblicazione
            yield {"ciclo": ciclo, "pub": pub, "premi": premi_ciclo(ciclo)}
            transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def _valida(dati):
    validatore = jsonschema.Draft202012Validator(opendata.schema(), format_checker=jsonschema.FormatChecker())
    return [f"{e.json_path}: {e.message}" for e in validatore.iter_errors(dati)]


def test_the_premi_key_is_valid_against_the_schema_and_the_schema_refuses_a_person(demo):
    dati = json.loads(Client().get(URL + "dati.json").content)
    assert _valida(dati) == []
    premi = dati["premi"]
    assert premi["stanziato"] == float(demo["premi"].stanziato) == 165000.0
    assert premi["distribuito"] == float(demo["premi"].distribuito)
    assert premi["complessivo"]["persone"] == 36
    # a cell of 3 people, or a person's name in a group, is not valid data
    falso = json.loads(json.dumps(dati))
    falso["premi"]["gruppi"][0]["fasce"][0]["persone"] = 3
    assert any("persone" in e for e in _valida(falso))
    falso = json.loads(json.dumps(dati))
    falso["premi"]["gruppi"][0]["cognome"] = "Rossi"
    assert any("cognome" in e for e in _valida(falso))


def test_the_page_shows_totals_bands_and_differentiation_in_italian(demo):
    risposta = Client().get(URL + "premi/")
    assert risposta.status_code == 200
    html = risposta.content.decode()
    assert "<h1" in html and "Premi: ammontare e distribuzione (art. 20 D.Lgs. 33/2013)" in html
    assert "165.000,00 €" in html and formati.euro(demo["premi"].distribuito) in html
    assert "<caption>Dirigenti: 6 persone, premi per fascia di punteggio</caption>" in html
    assert "<caption>Dipendenti: 25 persone, premi per fascia di punteggio</caption>" in html
    assert "<caption>Tutto il personale: 36 persone, premi per fascia di punteggio</caption>" in html
    assert "Grado di differenziazione dei premi per gruppo" in html
    assert "da 90 a 100 punti" in html and "una fascia è unita a quella superiore" in html
    assert re.search(r'data-etichetta="Indice di Gini" class="numero">0,\d\d<', html)
    assert "Dati dimostrativi" in html  # the cycle's illustrative data are said so here too
    assert "<script" not in html and " style=" not in html
    # the report links it, from its body and its index
    relazione = Client().get(URL).content.decode()
    assert 'href="/seregno/2021/premi/"' in relazione and 'href="#sez-premi"' in relazione


def test_the_page_is_read_from_the_publication_not_the_database(demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert Client().get(URL + "premi/").status_code == 200
    # a publication made before the page existed has no «premi»: 404, not an error
    pub = Pubblicazione.objects.get(pk=demo["pub"].pk)
    dati = {k: v for k, v in pub.dati.items() if k != "premi"}
    assert pagine.Dettagli(dati, pub).premi() is None


def test_the_pdf_has_the_section(demo):
    pub = Pubblicazione.objects.get(pk=demo["pub"].pk)
    with pub.pdf.open("rb") as fh:
        testo = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=fh.read(),
                               capture_output=True, check=True).stdout.decode()
    assert "Premi: ammontare e distribuzione (art. 20 D.Lgs. 33/2013)" in testo
    assert "Ammontare complessivo dei premi stanziati" in testo and "165.000,00 €" in testo
    assert "Distribuzione dei punteggi e dei premi per fascia" in testo
    assert "Grado di differenziazione" in testo


def test_until_a_scheda_is_definitive_the_key_says_when_it_will_be_published(demo):
    ciclo = genera_ciclo(ente_slug="senza-schede", anno=2029, n_obiettivi=5, seme=1)
    premi = relazione_dati(ciclo)["premi"]
    assert premi["disponibili"] is False
    assert premi["nota"] == ("I dati sui premi collegati alla performance (art. 20 D.Lgs. 33/2013) "
                             "saranno pubblicati quando le valutazioni individuali del 2029 "
                             "saranno concluse.")
    assert (premi["stanziato"], premi["distribuito"], premi["persone"], premi["gruppi"],
            premi["complessivo"]) == (None, None, None, [], None)
    assert _valida(relazione_dati(ciclo)) == []
    # some definitive and some not: published, and the note says they are partial
    demo_ciclo = Ciclo.objects.get(pk=demo["ciclo"].pk)
    una = SchedaValutazione.objects.filter(ciclo=demo_ciclo).first()
    SchedaValutazione.objects.filter(pk=una.pk).update(stato="presa_visione")
    premi = relazione_dati(demo_ciclo)["premi"]
    assert premi["disponibili"] and premi["persone"] == 35
    assert "solo le valutazioni individuali già definitive" in premi["nota"]
    SchedaValutazione.objects.filter(pk=una.pk).update(stato="definitiva")


def test_a_new_version_lists_the_bonuses_that_became_public(demo):
    """The bonuses are paid after the Relazione is validated: the version that publishes them
    says so among its changes."""
    from individuale import art20
    from trasparenza.services import confronta

    dopo = Pubblicazione.objects.get(pk=demo["pub"].pk).dati
    prima = {**dopo, "premi": art20.dati(None, nota="…"), "impronta": "x"}
    assert confronta(prima, dopo) == [
        "Premi stanziati (€, art. 20 D.Lgs. 33/2013): da — a 165.000,00.",
        f"Premi distribuiti (€, art. 20 D.Lgs. 33/2013): da — a {formati.numero(demo['premi'].distribuito)}.",
    ]


def test_bonuses_closed_after_validation_are_published_as_a_new_version_without_reopening(demo):
    """The schede become definitive after the Relazione is published and validated: only the
    «premi» key changes, and that alone is published as a new version — the cycle stays
    «validata»; any other change still needs a reopening."""
    from django.core.exceptions import ValidationError

    from individuale.models import FondoPremi

    ciclo = Ciclo.objects.get(pk=demo["ciclo"].pk)
    stato = ciclo.stato
    fondo = FondoPremi.objects.filter(ciclo=ciclo).order_by("pk").first()
    FondoPremi.objects.filter(pk=fondo.pk).update(importo=fondo.importo + 1000)
    from trasparenza.services import pubblicazione_anteprima

    anteprima = pubblicazione_anteprima(ciclo=ciclo)
    assert anteprima.cambia and anteprima.solo_premi
    esito = ciclo_pubblica(ciclo=ciclo, utente=None)
    assert esito.nuova and esito.pubblicazione.versione == demo["pub"].versione + 1
    assert Ciclo.objects.get(pk=ciclo.pk).stato == stato
    assert esito.pubblicazione.dati["premi"]["stanziato"] == float(demo["premi"].stanziato) + 1000
    assert any("premi" in m.lower() for m in esito.pubblicazione.modifiche), esito.pubblicazione.modifiche
    # anything else changed: refused, as before
    obiettivo = ciclo.obiettivi.filter(stato="attivo").order_by("codice").first()
    type(obiettivo).objects.filter(pk=obiettivo.pk).update(titolo=obiettivo.titolo + " (modificato)")
    assert not pubblicazione_anteprima(ciclo=ciclo).solo_premi
    with pytest.raises(ValidationError, match="riaperto il ciclo"):
        ciclo_pubblica(ciclo=ciclo, utente=None)
