"""Who reaches a scheda di valutazione through the admin (issue 16 point 4): list, change URL,
search, filters, autocomplete, history, export. Scores never rendered where
``vede_punteggi`` says no. The PDF (a background job) is in test_stampa_schede.py."""

from decimal import Decimal

import pytest
from django.urls import reverse

from individuale.models import Persona, SchedaValutazione

from . import mondo_admin

_mondo = pytest.fixture(scope="module")(mondo_admin.mondo_del_modulo)


@pytest.fixture
def mondo(_mondo, db):
    return mondo_admin.rinfresca(_mondo)


def _client(client, utente):
    client.force_login(utente)
    return client


LISTA = "admin:individuale_schedavalutazione_changelist"


def _url(vista, *args):
    return reverse(f"admin:individuale_schedavalutazione_{vista}", args=args)


def _elenco(client, **params):
    risposta = client.get(reverse(LISTA), params, HTTP_HOST="127.0.0.1")
    assert risposta.status_code == 200
    return {s.pk for s in risposta.context["cl"].result_list}


def test_il_dirigente_vede_le_schede_del_suo_personale_e_la_propria(client, mondo):
    c = _client(client, mondo.dirigente)
    assert _elenco(c) == {mondo.rossi.pk, mondo.bianchi.pk, mondo.lavori.pk}
    assert c.get(_url("change", mondo.verdi.pk), HTTP_HOST="127.0.0.1").status_code == 404
    assert c.get(_url("history", mondo.verdi.pk), HTTP_HOST="127.0.0.1").status_code == 404
    assert c.get(_url("delete", mondo.verdi.pk), HTTP_HOST="127.0.0.1").status_code in (403, 404)
    assert c.get(_url("change", mondo.rossi.pk), HTTP_HOST="127.0.0.1").status_code == 200


def test_la_ricerca_non_esce_dalle_schede_visibili(client, mondo):
    c = _client(client, mondo.dirigente)
    assert _elenco(c, q="Verdi") == set()
    assert _elenco(c, q="M003") == set()
    assert _elenco(c, q="Rossi") == {mondo.rossi.pk}


def test_i_filtri_non_nominano_altre_aree(client, mondo):
    c = _client(client, mondo.dirigente)
    html = c.get(reverse(LISTA), HTTP_HOST="127.0.0.1").content.decode()
    assert "Servizi alla persona" not in html
    assert "Verdi" not in html and "Persone" not in html


def test_il_nucleo_vede_solo_le_schede_dei_dirigenti(client, mondo):
    assert _elenco(_client(client, mondo.nucleo)) == {mondo.lavori.pk, mondo.persona_dir.pk}


def test_il_sindaco_vede_le_schede_che_valuta(client, mondo):
    assert _elenco(_client(client, mondo.sindaco)) == {mondo.lavori.pk, mondo.persona_dir.pk}


def test_l_amministratore_vede_tutte_le_schede(client, mondo):
    assert len(_elenco(_client(client, mondo.amministratore))) == 5


def test_chi_non_e_staff_non_entra_nell_admin(client, mondo):
    risposta = _client(client, mondo.impiegato).get(_url("change", mondo.rossi.pk), HTTP_HOST="127.0.0.1")
    assert risposta.status_code == 302 and "/login/" in risposta["Location"]


def test_autocomplete_delle_persone_e_solo_dell_amministratore(client, mondo):
    url = reverse("admin:autocomplete")
    parametri = {"app_label": "individuale", "model_name": "fondopremi", "field_name": "gruppo", "term": ""}
    c = _client(client, mondo.dirigente)
    risposta = c.get(url, {"app_label": "individuale", "model_name": "persona", "field_name": "utente",
                           "term": "a"}, HTTP_HOST="127.0.0.1")
    assert risposta.status_code == 403
    assert c.get(url, parametri, HTTP_HOST="127.0.0.1").status_code == 403


def _punteggio_finale(scheda, valore="87.5"):
    SchedaValutazione.objects.filter(pk=scheda.pk).update(punteggio_finale=Decimal(valore),
                                                          punteggio_ente=Decimal("80"))


def test_l_amministratore_non_vede_i_punteggi_prima_della_definitiva(client, mondo):
    _punteggio_finale(mondo.rossi)
    c = _client(client, mondo.amministratore)
    pagina = c.get(_url("change", mondo.rossi.pk), HTTP_HOST="127.0.0.1").content.decode()
    assert "87,5" not in pagina and "punteggio_finale" not in pagina
    lista = c.get(reverse(LISTA), HTTP_HOST="127.0.0.1").content.decode()
    assert "87,5" not in lista
    SchedaValutazione.objects.filter(pk=mondo.rossi.pk).update(stato="definitiva")
    lista = c.get(reverse(LISTA), HTTP_HOST="127.0.0.1").content.decode()
    assert "87,50" in lista


def test_il_valutatore_vede_i_punteggi(client, mondo):
    _punteggio_finale(mondo.rossi)
    c = _client(client, mondo.dirigente)
    assert "87,50" in c.get(reverse(LISTA), HTTP_HOST="127.0.0.1").content.decode()
    assert "punteggio_finale" in c.get(_url("change", mondo.rossi.pk), HTTP_HOST="127.0.0.1").content.decode()


def test_lo_storico_non_mostra_i_punteggi_nascosti(client, mondo):
    scheda = SchedaValutazione.objects.get(pk=mondo.rossi.pk)
    scheda.punteggio_finale = Decimal("91.25")
    scheda.save()
    pagina = _client(client, mondo.amministratore).get(_url("history", scheda.pk), HTTP_HOST="127.0.0.1")
    assert pagina.status_code == 200
    assert "91,25" not in pagina.content.decode()
    client.force_login(mondo.dirigente)
    assert "91,25" in client.get(_url("history", scheda.pk), HTTP_HOST="127.0.0.1").content.decode()


def _azione(client, nome, pks):
    return client.post(reverse(LISTA), {"action": nome, "_selected_action": [str(p) for p in pks]},
                       HTTP_HOST="127.0.0.1")


def test_l_esportazione_contiene_solo_le_schede_visibili_e_i_punteggi_permessi(client, mondo):
    _punteggio_finale(mondo.rossi)
    _punteggio_finale(mondo.verdi, "66")
    c = _client(client, mondo.amministratore)
    csv = _azione(c, "esporta_csv", [mondo.rossi.pk, mondo.verdi.pk]).content.decode()
    assert "Rossi" in csv and "Verdi" in csv and "87,5" not in csv
    c = _client(client, mondo.dirigente)
    csv = _azione(c, "esporta_csv", [mondo.rossi.pk, mondo.verdi.pk]).content.decode()
    assert "Rossi" in csv and "87,5" in csv
    assert "Verdi" not in csv and "66" not in csv


def test_crea_schede_dalla_lista_delle_persone(client, mondo):
    nuova = Persona.objects.create(ente=mondo.ente, cognome="Neri", nome="Prova", matricola="M010")
    c = _client(client, mondo.amministratore)
    url = reverse("admin:individuale_persona_changelist")
    pagina = c.post(url, {"action": "crea_schede", "_selected_action": [nuova.pk, mondo.p_rossi.pk]},
                    HTTP_HOST="127.0.0.1")
    assert pagina.status_code == 200 and "Crea le schede" in pagina.content.decode()
    risposta = c.post(url, {
        "action": "crea_schede", "_selected_action": [nuova.pk, mondo.p_rossi.pk], "conferma": "1",
        "ciclo": mondo.aperto.pk, "gruppo": mondo.gruppi["dipendente"].pk, "area": mondo.area_b.pk,
        "valutatore": "",
    }, HTTP_HOST="127.0.0.1", follow=True)
    testi = [str(m) for m in risposta.context["messages"]]
    assert any("Creata 1 scheda" in t for t in testi), testi
    assert any("1 persona aveva già la scheda del ciclo ed è stata saltata: Rossi Prova (M001)" in t
               for t in testi), testi
    scheda = SchedaValutazione.objects.get(persona=nuova)
    assert scheda.valutatore == mondo.altro_dirigente and scheda.area == mondo.area_b


def test_crea_schede_senza_valutatore_per_i_dirigenti_e_un_errore_del_modulo(client, mondo):
    nuova = Persona.objects.create(ente=mondo.ente, cognome="Neri", nome="Prova", matricola="M010")
    c = _client(client, mondo.amministratore)
    pagina = c.post(reverse("admin:individuale_persona_changelist"), {
        "action": "crea_schede", "_selected_action": [nuova.pk], "conferma": "1",
        "ciclo": mondo.aperto.pk, "gruppo": mondo.gruppi["dirigente"].pk, "area": mondo.area_b.pk,
    }, HTTP_HOST="127.0.0.1")
    assert "Indicare chi valuta" in pagina.content.decode()
    assert not SchedaValutazione.objects.filter(persona=nuova).exists()


def test_le_persone_sono_dell_amministratore(client, mondo):
    url = reverse("admin:individuale_persona_changelist")
    assert _client(client, mondo.dirigente).get(url, HTTP_HOST="127.0.0.1").status_code == 403
    assert _client(client, mondo.amministratore).get(url, HTTP_HOST="127.0.0.1").status_code == 200


def test_il_sindaco_entra_nell_admin_e_trova_le_sue_schede(client, mondo):
    c = _client(client, mondo.sindaco)
    pagina = c.get("/admin/", HTTP_HOST="127.0.0.1")
    assert pagina.status_code == 200
    html = pagina.content.decode()
    assert reverse(LISTA) in html
    assert reverse("admin:individuale_persona_changelist") not in html
