"""The scheda's admin page: which fields each role changes in which state
(``permessi.campi_scheda_modificabili``), the objectives' weights, the levels of the SMVP's
scale, the process buttons."""

from decimal import Decimal

import pytest
from django.urls import reverse

from individuale.models import ObiettivoIndividuale, PunteggioComportamento, SchedaValutazione

from ..ruoli.conftest import dati_della_pagina
from . import mondo_admin

_mondo = pytest.fixture(scope="module")(mondo_admin.mondo_del_modulo)


@pytest.fixture
def mondo(_mondo, db):
    return mondo_admin.rinfresca(_mondo)


def _url(scheda):
    return reverse("admin:individuale_schedavalutazione_change", args=[scheda.pk])


def _pagina(client, utente, scheda):
    client.force_login(utente)
    risposta = client.get(_url(scheda), HTTP_HOST="127.0.0.1")
    assert risposta.status_code == 200
    return risposta


def _post(client, scheda, dati):
    return client.post(_url(scheda), dati, HTTP_HOST="127.0.0.1")


def _stato(scheda, stato):
    SchedaValutazione.objects.filter(pk=scheda.pk).update(stato=stato)


def _righe_obiettivi(dati):
    return sorted({k.split("-")[1] for k in dati if k.startswith("obiettivi-") and k.endswith("-peso")})


def test_in_bozza_il_valutatore_assegna_gli_obiettivi_che_sommano_a_100(client, mondo):
    pagina = _pagina(client, mondo.dirigente, mondo.rossi)
    dati = dati_della_pagina(pagina)
    assert "part_time" not in dati  # HR's data: read-only for the evaluator
    (riga,) = _righe_obiettivi(dati)
    nuova = {"obiettivi-1-descrizione": "Ridurre i tempi delle pratiche edilizie", "obiettivi-1-peso": "50",
             "obiettivi-1-indicatore": "giorni medi ≤ 30", "obiettivi-1-ordine": "2",
             "obiettivi-1-obiettivo": str(mondo.proprio.pk)}
    dati.update(nuova)
    dati["obiettivi-TOTAL_FORMS"] = "2"
    html = _post(client, mondo.rossi, dati).content.decode()
    assert "La somma dei pesi degli obiettivi individuali è 60: deve essere 100." in html
    assert ObiettivoIndividuale.objects.filter(scheda=mondo.rossi).count() == 1
    dati["obiettivi-1-peso"] = "90"
    risposta = _post(client, mondo.rossi, dati)
    assert risposta.status_code == 302, risposta.context["errors"] if risposta.context else risposta
    assert sorted(ObiettivoIndividuale.objects.filter(scheda=mondo.rossi).values_list("peso", flat=True)) == [
        Decimal("10"), Decimal("90")]


def test_l_obiettivo_obbligatorio_non_si_toglie_e_rispetta_il_minimo(client, mondo):
    dati = dati_della_pagina(_pagina(client, mondo.dirigente, mondo.rossi))
    (riga,) = _righe_obiettivi(dati)
    dati[f"obiettivi-{riga}-DELETE"] = "on"
    html = _post(client, mondo.rossi, dati).content.decode()
    assert "L&#x27;obiettivo obbligatorio «FORMAZIONE-40-ORE»" in html and "non si può togliere" in html
    del dati[f"obiettivi-{riga}-DELETE"]
    dati[f"obiettivi-{riga}-peso"] = "5"
    dati.update({"obiettivi-1-descrizione": "Altro", "obiettivi-1-peso": "95", "obiettivi-1-ordine": "2",
                 "obiettivi-TOTAL_FORMS": "2"})
    html = _post(client, mondo.rossi, dati).content.decode()
    assert "pesa 5 % degli obiettivi individuali: deve pesare almeno 10 %" in html
    assert ObiettivoIndividuale.objects.get(scheda=mondo.rossi).peso == Decimal("10")


def test_l_amministratore_cambia_i_dati_della_persona_non_i_punteggi(client, mondo):
    dati = dati_della_pagina(_pagina(client, mondo.amministratore, mondo.rossi))
    assert "punteggio_finale" not in dati and "commento_valutatore" not in dati
    dati["part_time"] = "50"
    risposta = _post(client, mondo.rossi, dati)
    assert risposta.status_code == 302, risposta.context and risposta.context["errors"]
    mondo.rossi.refresh_from_db()
    assert mondo.rossi.part_time == Decimal("50")


def test_in_valutazione_il_valutatore_da_i_livelli_della_scala(client, mondo):
    _stato(mondo.rossi, "valutazione")
    pagina = _pagina(client, mondo.dirigente, mondo.rossi)
    dati = dati_della_pagina(pagina)
    pesi = [k for k in dati if k.startswith("obiettivi-") and k.endswith("-peso")]
    assert pesi == []  # weights are fixed once the evaluation starts
    livelli = sorted(k for k in dati if k.startswith("comportamenti-") and k.endswith("-livello"))
    assert len(livelli) == 3
    dati[livelli[0]] = "7"
    html = _post(client, mondo.rossi, dati).content.decode()
    assert "«7» non è tra i valori ammessi (1, 2, 3, 4, 5)." in html
    dati[livelli[0]] = "4"
    (riga,) = _righe_obiettivi({k.replace("-risultato", "-peso"): v for k, v in dati.items()})
    dati[f"obiettivi-{riga}-risultato"] = "85,5"
    dati["commento_valutatore"] = "Buon anno."
    risposta = _post(client, mondo.rossi, dati)
    assert risposta.status_code == 302, risposta.context and risposta.context["errors"]
    assert 4 in PunteggioComportamento.objects.filter(scheda=mondo.rossi).values_list("livello", flat=True)
    assert ObiettivoIndividuale.objects.get(scheda=mondo.rossi).risultato == Decimal("85.5")


def test_il_nucleo_valuta_i_dirigenti_non_il_personale(client, mondo):
    _stato(mondo.lavori, "valutazione")
    dati = dati_della_pagina(_pagina(client, mondo.nucleo, mondo.lavori))
    assert any(k.endswith("-livello") for k in dati)
    assert "punteggio_differenziazione" in dati
    client.force_login(mondo.nucleo)
    assert client.get(_url(mondo.rossi), HTTP_HOST="127.0.0.1").status_code == 404


def test_presa_visione_e_definitiva_in_sola_lettura(client, mondo):
    for stato in ("presa_visione", "definitiva"):
        _stato(mondo.rossi, stato)
        for utente in (mondo.dirigente, mondo.amministratore):
            pagina = _pagina(client, utente, mondo.rossi)
            assert pagina.context["adminform"].form.fields == {}
            assert not any(i.has_change_permission or i.has_add_permission
                           for i in pagina.context["inline_admin_formsets"])
            assert _post(client, mondo.rossi, {"part_time": "10"}).status_code == 403


def test_in_conciliazione_il_valutatore_scrive_l_esito(client, mondo):
    _stato(mondo.rossi, "conciliazione")
    dati = dati_della_pagina(_pagina(client, mondo.dirigente, mondo.rossi))
    assert set(dati) >= {"conciliazione_esito", "conciliazione_punteggio"}
    dati = dati_della_pagina(_pagina(client, mondo.amministratore, mondo.rossi))
    assert "conciliazione_esito" in dati and "conciliazione_punteggio" not in dati


def test_i_pulsanti_del_processo_nella_pagina(client, mondo):
    html = _pagina(client, mondo.dirigente, mondo.rossi).content.decode()
    azione = reverse("individuale:azione", args=[mondo.rossi.pk, "assegna_obiettivi"])
    assert f'action="{azione}"' in html
    # the process's forms are outside the change form
    assert html.index(f'action="{azione}"') < html.index('id="schedavalutazione_form"')
    html = _pagina(client, mondo.amministratore, mondo.verdi).content.decode()
    assert "assegna_obiettivi" not in html


def test_la_scheda_non_si_aggiunge_a_mano_e_si_cancella_solo_in_bozza(client, mondo):
    client.force_login(mondo.amministratore)
    assert client.get(reverse("admin:individuale_schedavalutazione_add"), HTTP_HOST="127.0.0.1").status_code == 403
    url = reverse("admin:individuale_schedavalutazione_delete", args=[mondo.bianchi.pk])
    assert client.get(url, HTTP_HOST="127.0.0.1").status_code == 200
    _stato(mondo.bianchi, "valutazione")
    assert client.get(url, HTTP_HOST="127.0.0.1").status_code == 403
    client.force_login(mondo.dirigente)
    assert client.get(url, HTTP_HOST="127.0.0.1").status_code == 403


def test_due_fondi_con_lo_stesso_ambito_rifiutati(client, mondo):
    from individuale.models import FondoPremi

    FondoPremi.objects.create(ciclo=mondo.aperto, nome="Fondo dell'ente", importo=Decimal("1000"))
    client.force_login(mondo.amministratore)
    risposta = client.post(reverse("admin:individuale_fondopremi_add"), {
        "ciclo": mondo.aperto.pk, "nome": "Secondo fondo", "area": "", "gruppo": "",
        "importo": "40.000", "atto": ""}, HTTP_HOST="127.0.0.1")
    assert ("Il ciclo ha già un fondo per lo stesso ambito: «Fondo dell&#x27;ente»"
            in risposta.content.decode())
    risposta = client.post(reverse("admin:individuale_fondopremi_add"), {
        "ciclo": mondo.aperto.pk, "nome": "Fondo dei dirigenti", "area": "",
        "gruppo": mondo.gruppi["dirigente"].pk, "importo": "40.000", "atto": ""}, HTTP_HOST="127.0.0.1")
    assert risposta.status_code == 302
    assert FondoPremi.objects.get(nome="Fondo dei dirigenti").importo == Decimal("40000")


def test_il_dirigente_valutato_non_legge_la_sua_valutazione_prima_della_consegna(client, mondo):
    SchedaValutazione.objects.filter(pk=mondo.lavori.pk).update(
        stato="valutazione", commento_valutatore="Giudizio riservato", punteggio_ente=Decimal("80"))
    PunteggioComportamento.objects.filter(scheda=mondo.lavori).update(livello=2, commento="Da migliorare")
    pagina = _pagina(client, mondo.dirigente, mondo.lavori)
    html = pagina.content.decode()
    assert "Giudizio riservato" not in html and "Da migliorare" not in html and "80,00" not in html
    SchedaValutazione.objects.filter(pk=mondo.lavori.pk).update(stato="presa_visione")
    html = _pagina(client, mondo.dirigente, mondo.lavori).content.decode()
    assert "Giudizio riservato" in html and "Da migliorare" in html
