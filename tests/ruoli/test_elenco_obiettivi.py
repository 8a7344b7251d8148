"""The objectives' list keeps its place: a cycle column and filter, the dirigente's list opening
on their open cycle («Tutti i cicli» still there), the filters kept after saving, after the
workflow's buttons and after bulk actions, and «Salva, valida e apri il prossimo» for the
Nucleo: the next submitted objective of the same filtered list."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from obiettivi.models import Obiettivo
from tests.ruoli.conftest import admin_url, dati_della_pagina

pytestmark = pytest.mark.django_db
R = Obiettivo.StatoRendicontazione
ELENCO = admin_url(Obiettivo, "changelist")


def _client(utente):
    client = Client()
    client.force_login(utente)
    return client


def _query(indirizzo):
    return {k: v[0] for k, v in parse_qs(urlsplit(indirizzo).query).items()}


def test_a_dirigente_list_opens_on_the_open_cycle(mondo):
    client = _client(mondo.dirigente)
    risposta = client.get(f"{ELENCO}?stato_rendicontazione=bozza")
    assert risposta.status_code == 302
    assert _query(risposta["Location"]) == {"ciclo": str(mondo.aperto.pk),
                                            "stato_rendicontazione": "bozza"}
    elenco = client.get(risposta["Location"])
    assert [o.codice for o in elenco.context["cl"].result_list] == ["LP.01"]


def test_every_cycle_is_still_one_click_away(mondo):
    client = _client(mondo.dirigente)
    aperto = client.get(f"{ELENCO}?ciclo={mondo.aperto.pk}").content.decode()
    assert 'href="?ciclo=tutti"' in aperto and "Tutti i cicli" in aperto
    tutti = client.get(f"{ELENCO}?ciclo=tutti")
    assert tutti.status_code == 200
    righe = sorted((o.codice, o.ciclo.anno) for o in tutti.context["cl"].result_list)
    assert righe == [("LP.01", 2020), ("LP.01", 2021), ("LP.02", 2021)]
    # the two LP.01 rows tell their cycle apart: year and ente in their own column
    html = tutti.content.decode()
    assert html.count('<td class="field-ciclo_breve">2021<br><span class="small quiet">Comune di Prova</span></td>') == 2
    assert html.count('<td class="field-ciclo_breve">2020<br>') == 1


def test_the_nucleo_and_the_amministratore_open_every_cycle(mondo):
    for utente in (mondo.nucleo, mondo.amministratore):
        assert _client(utente).get(ELENCO).status_code == 200


def test_filters_are_kept_after_saving(mondo):
    client = _client(mondo.dirigente)
    filtri = f"ciclo={mondo.aperto.pk}&stato_rendicontazione=bozza"
    indirizzo = admin_url(Obiettivo, "change", mondo.proprio.pk) + "?" + \
        f"_changelist_filters={filtri.replace('=', '%3D').replace('&', '%26')}"
    dati = dati_della_pagina(client.get(indirizzo))
    dati["relazione"] = "A metà."
    risposta = client.post(indirizzo, dati)
    assert risposta.status_code == 302
    assert _query(risposta["Location"]) == {"ciclo": str(mondo.aperto.pk),
                                            "stato_rendicontazione": "bozza"}


def _con_filtri(ob, filtri):
    from urllib.parse import quote

    return admin_url(Obiettivo, "change", ob.pk) + "?_changelist_filters=" + quote(filtri)


def test_filters_are_kept_after_sending_and_after_an_error(mondo):
    client = _client(mondo.dirigente)
    filtri = f"ciclo={mondo.aperto.pk}&stato_rendicontazione=bozza"
    indirizzo = _con_filtri(mondo.proprio, filtri)
    dati = dati_della_pagina(client.get(indirizzo))
    dati.update({"relazione": "Fatto.", "grado_proposto": "2", "_invia": "Salva e invia al Nucleo"})
    risposta = client.post(indirizzo, dati)
    assert risposta.status_code == 302
    assert urlsplit(risposta["Location"]).path == ELENCO
    assert _query(risposta["Location"])["stato_rendicontazione"] == "bozza"
    assert Obiettivo.objects.get(pk=mondo.proprio.pk).stato_rendicontazione == R.INVIATO


def test_filters_are_kept_after_a_bulk_action(mondo):
    Obiettivo.objects.filter(pk=mondo.proprio.pk).update(relazione="Fatto.", grado_proposto=3)
    client = _client(mondo.dirigente)
    elenco = f"{ELENCO}?ciclo={mondo.aperto.pk}&stato_rendicontazione=bozza"
    risposta = client.post(elenco, {"action": "invia_al_nucleo",
                                    "_selected_action": [mondo.proprio.pk]})
    assert risposta.status_code == 302
    assert _query(risposta["Location"]) == {"ciclo": str(mondo.aperto.pk),
                                            "stato_rendicontazione": "bozza"}
    assert Obiettivo.objects.get(pk=mondo.proprio.pk).stato_rendicontazione == R.INVIATO


def _valida_e_prossimo(client, ob, filtri):
    indirizzo = _con_filtri(ob, filtri)
    dati = dati_della_pagina(client.get(indirizzo))
    dati["_valida_prossimo"] = "Salva, valida e apri il prossimo"
    return client.post(indirizzo, dati)


def test_validate_and_open_the_next_submitted_objective_of_the_same_list(mondo):
    Obiettivo.objects.filter(pk=mondo.altrui.pk).update(
        relazione="Fatto.", grado_proposto=3, stato_rendicontazione=R.INVIATO)
    client = _client(mondo.nucleo)
    filtri = f"ciclo={mondo.aperto.pk}&stato_rendicontazione=inviato"
    pagina = client.get(_con_filtri(mondo.inviato, filtri)).content.decode()
    assert 'name="_valida_prossimo"' in pagina

    risposta = _valida_e_prossimo(client, mondo.inviato, filtri)  # LP.02, then SP.01
    assert risposta.status_code == 302
    assert urlsplit(risposta["Location"]).path == admin_url(Obiettivo, "change", mondo.altrui.pk)
    assert _query(risposta["Location"]) == {"_changelist_filters": filtri}
    ob = Obiettivo.objects.get(pk=mondo.inviato.pk)
    assert (ob.stato_rendicontazione, ob.grado_validato) == (R.VALIDATO, 4)  # the proposed one

    pagina = client.get(risposta["Location"])
    assert "Obiettivo LP.02 validato. Ecco il prossimo" in pagina.content.decode()
    risposta = _valida_e_prossimo(client, mondo.altrui, filtri)  # the last one
    assert urlsplit(risposta["Location"]).path == ELENCO
    assert _query(risposta["Location"]) == {"ciclo": str(mondo.aperto.pk),
                                            "stato_rendicontazione": "inviato"}
    messaggio = client.get(risposta["Location"]).content.decode()
    assert "Non ci sono altri obiettivi inviati al Nucleo in questo elenco." in messaggio
    assert Obiettivo.objects.get(pk=mondo.altrui.pk).stato_rendicontazione == R.VALIDATO


def test_the_next_one_follows_the_list_order_and_its_filters(mondo):
    """Among the submitted objectives, the one after the validated one in the list's order;
    one outside the list's filters (another area) is never opened."""
    Obiettivo.objects.filter(pk=mondo.altrui.pk).update(
        relazione="Fatto.", grado_proposto=3, stato_rendicontazione=R.INVIATO)
    client = _client(mondo.nucleo)
    filtri = f"ciclo={mondo.aperto.pk}&area={mondo.area_a.pk}"
    risposta = _valida_e_prossimo(client, mondo.inviato, filtri)
    assert urlsplit(risposta["Location"]).path == ELENCO  # SP.01 is of area B: not this list
    assert Obiettivo.objects.get(pk=mondo.altrui.pk).stato_rendicontazione == R.INVIATO
