"""The objective's change form: the result computed from its indicators and phases (server-side
and through the JSON view the page's script calls), «Grado proposto» as a choice with the SMVP's
labels below those figures, the explanation a far-off proposed grade needs, and the JSON view's
permissions and Italian messages."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from obiettivi import regole, workflow
from obiettivi.models import Ciclo, Obiettivo
from tests.ruoli.conftest import admin_url, dati_della_pagina
from valutazione.services import smvp_create_default

pytestmark = pytest.mark.django_db
R = Obiettivo.StatoRendicontazione


@pytest.fixture
def con_smvp(mondo):
    mondo.aperto.smvp = smvp_create_default()
    mondo.aperto.save(update_fields=["smvp"])
    return mondo


def _client(utente):
    client = Client()
    client.force_login(utente)
    return client


def _risultato(ob):
    return admin_url(Obiettivo, "change", ob.pk).replace("/change/", "/risultato/")


# --- the pure rule ----------------------------------------------------------------------------

@pytest.mark.parametrize(("proposto", "calcolato", "spiegazione", "errore"), [
    (3, 2, "", False),        # one level: the dirigente's judgement
    (2, 3, "", False),
    (4, 2, "", True),         # two levels: explain
    (1, 5, "   ", True),      # blank is no explanation
    (5, 1, "Opera consegnata in anticipo, fuori indicatore.", False),
    (None, 1, "", False),     # nothing proposed yet
    (5, None, "", False),     # nothing measured
])
def test_a_far_proposed_grade_needs_a_line_of_explanation(proposto, calcolato, spiegazione, errore):
    errori = regole.errori_scostamento(proposto, calcolato, spiegazione)
    assert bool(errori) is errore
    if errore:
        (messaggio,) = errori["spiegazione_grado"]
        assert f"({proposto})" in messaggio and f"({calcolato})" in messaggio
    assert regole.SCOSTAMENTO_DA_SPIEGARE == 2


# --- the page ---------------------------------------------------------------------------------

def test_the_page_shows_the_saved_result_between_the_phases_and_the_proposed_grade(con_smvp):
    # LP.01: indicator 80 / 100 = 80%, one phase at 50%: (50 × 50% + 80 × 50%) = 65% → 2
    risposta = _client(con_smvp.dirigente).get(admin_url(Obiettivo, "change", con_smvp.proprio.pk))
    html = risposta.content.decode()
    assert risposta.context["risultato"].percentuale_testo == "65,00 %"
    assert risposta.context["risultato"].grado == 2
    assert "65,00 %" in html and "2 — Obiettivo/i parzialmente conseguito/i" in html
    assert "fasi: (50 × 100) / 100 = 50,00%" in html  # scoring's explanation, printed
    fasi = html.index('id="fasi-group"')
    blocco = html.index('id="risultato-calcolato"')
    grado = html.index('name="grado_proposto"')
    assert fasi < blocco < grado, "the grade is chosen below the figures it comes from"
    assert 'src="/static/js/risultato-obiettivo.js"' in html
    assert "<script>" not in html.split('id="risultato-calcolato"')[1]  # no inline script (CSP)


def test_the_proposed_grade_is_a_choice_with_the_smvp_labels(con_smvp):
    risposta = _client(con_smvp.dirigente).get(admin_url(Obiettivo, "change", con_smvp.proprio.pk))
    html = risposta.content.decode()
    select = re.search(r'<select name="grado_proposto".*?</select>', html, re.S).group(0)
    etichette = re.findall(r'<option value="(\d)">([^<]+)</option>', select)
    assert etichette == [
        ("1", "1 — Obiettivo/i non raggiunto/i"),
        ("2", "2 — Obiettivo/i parzialmente conseguito/i"),
        ("3", "3 — Obiettivo/i raggiunto/i in misura adeguata"),
        ("4", "4 — Obiettivo/i pienamente conseguito/i"),
        ("5", "5 — Obiettivo/i conseguito/i e superato/i"),
    ]


def test_the_nucleo_sees_the_figures_beside_its_grade_which_starts_as_the_proposed_one(con_smvp):
    risposta = _client(con_smvp.nucleo).get(admin_url(Obiettivo, "change", con_smvp.inviato.pk))
    html = risposta.content.decode()
    assert risposta.context["risultato"].percentuale_testo == "65,00 %"
    assert html.index('id="risultato-calcolato"') < html.index('name="grado_validato"')
    scelto = re.search(r'<select name="grado_validato".*?</select>', html, re.S).group(0)
    assert '<option value="4" selected>4 — Obiettivo/i pienamente conseguito/i</option>' in scelto


def test_without_an_smvp_the_page_says_so(mondo):
    risposta = _client(mondo.dirigente).get(admin_url(Obiettivo, "change", mondo.proprio.pk))
    assert risposta.context["risultato"] is None
    assert "non ha un sistema di valutazione (SMVP)" in risposta.content.decode()


def test_save_and_continue_shows_the_figures_of_the_saved_values(con_smvp):
    client = _client(con_smvp.dirigente)
    indirizzo = admin_url(Obiettivo, "change", con_smvp.proprio.pk)
    dati = dati_della_pagina(client.get(indirizzo))
    dati["indicatori-0-consuntivo"] = "100"
    dati["_continue"] = "1"
    risposta = client.post(indirizzo, dati, follow=True)
    assert risposta.context["risultato"].percentuale_testo == "75,00 %"  # (50 + 100) / 2


# --- the JSON view ----------------------------------------------------------------------------

def test_the_json_view_computes_the_typed_values_with_scoring(con_smvp):
    client = _client(con_smvp.dirigente)
    dati = dati_della_pagina(client.get(admin_url(Obiettivo, "change", con_smvp.proprio.pk)))
    dati["indicatori-0-consuntivo"] = "1.250,5"  # target 100: capped at 120%
    dati["fasi-0-percentuale"] = "100"
    dati["grado_proposto"] = "5"
    risposta = client.post(_risultato(con_smvp.proprio), dati)
    assert risposta.status_code == 200
    corpo = risposta.json()
    assert corpo["percentuale"] == "110,00 %"  # 100 × 50% + 120 × 50%
    assert corpo["grado"] == 5
    assert corpo["grado_testo"] == "5 — Obiettivo/i conseguito/i e superato/i"
    assert corpo["righe"] == [
        "Indicatore LP.01-I: consuntivo 1.250,5 / target 100 × 100 = 1.250,50%, limitato a 120%",
        "indicatori: (120 × 1) / 1 = 120,00%",
        "fasi: (100 × 100) / 100 = 100,00%",
        "100,00 × 50% + 120,00 × 50% = 110,00%",
        "Fascia dell'SMVP: da 105 in su → 5",
    ]
    assert corpo["avvisi"] == []
    dati["grado_proposto"] = "2"
    assert "spiegare in una riga" in client.post(_risultato(con_smvp.proprio), dati).json()["avvisi"][0]
    con_smvp.proprio.refresh_from_db()
    assert con_smvp.proprio.indicatori.get().consuntivo == Decimal("80")  # nothing saved


def test_the_json_view_ignores_fields_the_user_cannot_change(con_smvp):
    """A dirigente's page carries no target (read-only for them): the view uses the saved one."""
    client = _client(con_smvp.dirigente)
    dati = dati_della_pagina(client.get(admin_url(Obiettivo, "change", con_smvp.proprio.pk)))
    assert "indicatori-0-target" not in dati  # read-only for a dirigente
    assert client.post(_risultato(con_smvp.proprio), dati).json()["percentuale"] == "65,00 %"
    dati["indicatori-0-target"] = "1"  # posted anyway: 80 / 1 would be capped at 120%
    dati["fasi-0-peso"] = "0"
    assert client.post(_risultato(con_smvp.proprio), dati).json()["percentuale"] == "65,00 %"


def test_a_number_that_cannot_be_read_is_an_italian_message_not_an_error_page(con_smvp):
    client = _client(con_smvp.dirigente)
    dati = dati_della_pagina(client.get(admin_url(Obiettivo, "change", con_smvp.proprio.pk)))
    dati["indicatori-0-consuntivo"] = "1,2,3"
    dati["fasi-0-percentuale"] = "metà"
    risposta = client.post(_risultato(con_smvp.proprio), dati)
    assert risposta.status_code == 400
    errori = risposta.json()["errori"]
    assert errori[0].startswith("Indicatore LP.01-I, consuntivo: «1,2,3»")
    assert errori[1].startswith("Fase LP.01-F, % realizzata: «metà» non è un numero")


def test_the_json_view_is_scoped_like_the_page(con_smvp):
    assert _client(con_smvp.altro_dirigente).post(_risultato(con_smvp.proprio), {}).status_code == 404
    assert _client(con_smvp.dirigente).get(_risultato(con_smvp.altrui)).status_code == 404
    assert _client(con_smvp.nucleo).get(_risultato(con_smvp.proprio)).status_code == 200
    anonimo = Client().post(_risultato(con_smvp.proprio), {})
    assert anonimo.status_code == 302 and "/admin/login/" in anonimo["Location"]
    senza_csrf = Client(enforce_csrf_checks=True)
    senza_csrf.force_login(con_smvp.dirigente)
    assert senza_csrf.post(_risultato(con_smvp.proprio), {}).status_code == 403


# --- the explanation of a far-off grade: the form and «Invia al Nucleo» ------------------------

def _pagina(client, ob):
    return dati_della_pagina(client.get(admin_url(Obiettivo, "change", ob.pk)))


def test_the_form_asks_for_an_explanation_of_a_far_off_grade(con_smvp):
    client = _client(con_smvp.dirigente)
    indirizzo = admin_url(Obiettivo, "change", con_smvp.proprio.pk)
    dati = _pagina(client, con_smvp.proprio)
    dati.update({"relazione": "Fatto.", "grado_proposto": "5"})  # computed: 2
    risposta = client.post(indirizzo, dati)
    assert risposta.status_code == 200
    assert "si discosta di 3 livelli" in str(risposta.context["adminform"].form.errors["spiegazione_grado"])
    # the indicator typed in the same form counts: 100% and 100% → 4, one level from 5
    dati.update({"indicatori-0-consuntivo": "100", "fasi-0-percentuale": "100"})
    assert client.post(indirizzo, dati).status_code == 302
    dati = _pagina(client, con_smvp.proprio)
    dati.update({"indicatori-0-consuntivo": "0", "fasi-0-percentuale": "0",
                 "spiegazione_grado": "Il servizio è stato riorganizzato: l'indicatore non lo misura."})
    assert client.post(indirizzo, dati).status_code == 302
    con_smvp.proprio.refresh_from_db()
    assert con_smvp.proprio.spiegazione_grado.startswith("Il servizio")


def test_send_to_the_nucleo_refuses_a_far_off_grade_without_explanation(con_smvp):
    ob = con_smvp.proprio
    Obiettivo.objects.filter(pk=ob.pk).update(relazione="Fatto.", grado_proposto=5)
    with pytest.raises(Exception) as errore:
        workflow.obiettivo_invia(obiettivo=ob, utente=con_smvp.dirigente)
    assert "si discosta di 3 livelli" in str(errore.value)
    ob.refresh_from_db()
    assert ob.stato_rendicontazione == R.BOZZA
    Obiettivo.objects.filter(pk=ob.pk).update(spiegazione_grado="Anticipato il collaudo.")
    workflow.obiettivo_invia(obiettivo=ob, utente=con_smvp.dirigente)
    ob.refresh_from_db()
    assert ob.stato_rendicontazione == R.INVIATO


def test_a_cycle_without_smvp_sends_as_before(mondo):
    ob = mondo.proprio
    Obiettivo.objects.filter(pk=ob.pk).update(relazione="Fatto.", grado_proposto=5)
    assert Ciclo.objects.get(pk=mondo.aperto.pk).smvp_id is None
    workflow.obiettivo_invia(obiettivo=ob, utente=mondo.dirigente)
    ob.refresh_from_db()
    assert ob.stato_rendicontazione == R.INVIATO


def test_the_page_says_whether_the_figures_follow_what_the_user_types(con_smvp):
    dirigente = _client(con_smvp.dirigente).get(admin_url(Obiettivo, "change", con_smvp.proprio.pk))
    assert "«Salva e continua le modifiche» lo aggiorna" in dirigente.content.decode()
    nucleo = _client(con_smvp.nucleo).get(admin_url(Obiettivo, "change", con_smvp.inviato.pk))
    assert nucleo.context["risultato_modificabile"] is False
    assert "«Salva e continua le modifiche» lo aggiorna" not in nucleo.content.decode()
