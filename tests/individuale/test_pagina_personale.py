"""The person's own pages (/valutazione-individuale/) and the action view: own schede only,
another's → 404, anonymous → login, never cached, scores only from the delivery, the buttons
posting to individuale:azione and coming back with an Italian message."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from individuale import processo
from individuale.models import ObiettivoIndividuale, PunteggioComportamento, SchedaValutazione

from .processo_mondo import ANNO, OGGI, S, mondo, porta_a, queries_finte  # noqa: F401

pytestmark = pytest.mark.django_db
HOST = {"HTTP_HOST": "127.0.0.1"}


def _client(utente=None, **kwargs):
    client = Client(**kwargs)
    if utente is not None:
        client.force_login(utente)
    return client


def _pagina(scheda):
    return reverse("individuale:scheda", args=[scheda.pk])


def _azione(scheda, azione):
    return reverse("individuale:azione", args=[scheda.pk, azione])


def _privata(risposta):
    cache = risposta["Cache-Control"]
    assert "private" in cache and "no-store" in cache, cache
    assert risposta["X-Robots-Tag"] == "noindex, nofollow"
    politica = risposta["Content-Security-Policy"]
    assert "script-src 'self'" in politica and "'unsafe-inline'" not in politica


def test_urls():
    assert reverse("individuale:accedi") == "/valutazione-individuale/accedi/"
    assert reverse("individuale:le_mie_schede") == "/valutazione-individuale/"
    assert reverse("individuale:azione", args=[7, "firma_assegnazione"]) == (
        "/valutazione-individuale/schede/7/azioni/firma_assegnazione/")


def test_anonymous_goes_to_the_login(mondo):
    for url in (reverse("individuale:le_mie_schede"), _pagina(mondo.scheda)):
        risposta = _client().get(url, **HOST)
        assert risposta.status_code == 302
        assert risposta["Location"].startswith("/valutazione-individuale/accedi/?next=")
    risposta = _client().post(_azione(mondo.scheda, "firma_assegnazione"), **HOST)
    assert risposta.status_code == 302 and "/accedi/" in risposta["Location"]
    assert not mondo.scheda.history.filter(history_change_reason__startswith="Firma").exists()


def test_own_list_shows_only_own_schede(mondo, django_assert_max_num_queries):
    client = _client(mondo.valutato)
    with django_assert_max_num_queries(6):
        risposta = client.get(reverse("individuale:le_mie_schede"), **HOST)
    assert risposta.status_code == 200
    _privata(risposta)
    testo = risposta.content.decode()
    assert _pagina(mondo.scheda) in testo
    for altra in (mondo.scheda_altra, mondo.scheda_carta, mondo.scheda_dirigente):
        assert _pagina(altra) not in testo
    assert "Bianchi" not in testo and "M002" not in testo
    assert '<meta name="robots" content="noindex, nofollow">' in testo


def test_the_list_says_what_waits_for_the_person(mondo, queries_finte):
    client = _client(mondo.valutato)
    assert "Da fare" not in client.get("/valutazione-individuale/", **HOST).content.decode()
    porta_a(mondo.scheda, S.COLLOQUIO_INIZIALE, mondo)
    testo = client.get("/valutazione-individuale/", **HOST).content.decode()
    assert "Da fare: Firma per presa visione degli obiettivi" in testo


def test_list_query_count_does_not_grow(mondo, django_assert_max_num_queries):
    """Many cycles for the same person: the same queries."""
    from obiettivi.models import Ciclo

    for anno in range(2010, 2020):
        ciclo = Ciclo.objects.create(ente=mondo.ente, anno=anno, smvp=mondo.smvp)
        SchedaValutazione.objects.create(ciclo=ciclo, persona=mondo.persona, gruppo=mondo.dipendenti)
    client = _client(mondo.valutato)
    with django_assert_max_num_queries(6):
        risposta = client.get(reverse("individuale:le_mie_schede"), **HOST)
    assert risposta.content.decode().count("/valutazione-individuale/schede/") == 11


def test_another_scheda_by_url_is_404(mondo):
    for utente, scheda in ((mondo.valutato, mondo.scheda_altra), (mondo.altro, mondo.scheda),
                           (mondo.valutato, mondo.scheda_dirigente)):
        assert _client(utente).get(_pagina(scheda), **HOST).status_code == 404
    # the personal page is the person's: not even the evaluator or HR open it here (they use the admin)
    for utente in (mondo.valutatore, mondo.amministratore, mondo.nucleo):
        assert _client(utente).get(_pagina(mondo.scheda), **HOST).status_code == 404
    assert _client(mondo.valutato).get("/valutazione-individuale/schede/999999/", **HOST).status_code == 404


def test_own_scheda_page(mondo, queries_finte, django_assert_max_num_queries):
    scheda = porta_a(mondo.scheda, S.COLLOQUIO_INIZIALE, mondo)
    client = _client(mondo.valutato)
    with django_assert_max_num_queries(14):
        risposta = client.get(_pagina(scheda), **HOST)
    assert risposta.status_code == 200
    _privata(risposta)
    testo = risposta.content.decode()
    assert "Scheda di valutazione di Mario Rossi" in testo
    assert "Ridurre i tempi" in testo and "Collaborazione" in testo
    assert "Obiettivi assegnati nel colloquio iniziale il 15/01/2021" in testo  # the timeline
    assert "Firma per presa visione degli obiettivi</button>" in testo
    assert f'action="{_azione(scheda, "firma_assegnazione")}"' in testo
    assert "I punteggi saranno visibili quando" in testo


def test_scores_only_from_the_delivery(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.VALUTAZIONE, mondo)
    ObiettivoIndividuale.objects.filter(scheda=scheda).update(risultato=83, commento="Ottimo lavoro")
    PunteggioComportamento.objects.filter(scheda=scheda).update(livello=4, commento="Collabora")
    client = _client(mondo.valutato)
    testo = client.get(_pagina(scheda), **HOST).content.decode()
    assert "Ottimo lavoro" not in testo and "83,00" not in testo and "buono" not in testo
    scheda = processo.esegui(scheda, "consegna_valutazione", mondo.valutatore, oggi=OGGI,
                             data=datetime.date(ANNO + 1, 2, 20))
    testo = client.get(_pagina(scheda), **HOST).content.decode()
    assert "Ottimo lavoro" in testo and "83,00" in testo and "4 — buono" in testo
    # the total: 10 % × 80 + 20 % × 70 (kept at the start) + 40 % × 83 + 30 % × 80 (level 4 of 5)
    assert "79,20" in testo


def test_the_conciliazione_deadline(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.PRESA_VISIONE, mondo)
    consegna = timezone.localdate() - datetime.timedelta(days=12)
    SchedaValutazione.objects.filter(pk=scheda.pk).update(data_valutazione=consegna)
    testo = _client(mondo.valutato).get(_pagina(scheda), **HOST).content.decode()
    scadenza = (consegna + datetime.timedelta(days=15)).strftime("%d/%m/%Y")
    assert f"Puoi chiedere la conciliazione entro il {scadenza} — mancano 3 giorni." in testo
    assert "Chiedi la conciliazione</button>" in testo


def test_signing_from_the_page(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.COLLOQUIO_INIZIALE, mondo)
    client = _client(mondo.valutato)
    risposta = client.post(_azione(scheda, "firma_assegnazione"), {"torna": _pagina(scheda)},
                           follow=True, **HOST)
    assert risposta.redirect_chain == [(_pagina(scheda), 302)]
    assert ("Fatto: «Firma per presa visione degli obiettivi». La scheda è ora «Colloquio "
            "iniziale: obiettivi assegnati».") in risposta.content.decode()
    scheda.refresh_from_db()
    assert scheda.firma_assegnazione is not None
    # the second click: refused with the reason, nothing written
    risposta = client.post(_azione(scheda, "firma_assegnazione"), {"torna": _pagina(scheda)},
                           follow=True, **HOST)
    assert "Gli obiettivi sono già stati firmati il" in risposta.content.decode()
    assert scheda.history.filter(
        history_change_reason=processo.AZIONI["firma_assegnazione"].motivo).count() == 1


def test_remarks_and_conciliazione_from_the_page(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.PRESA_VISIONE, mondo)
    SchedaValutazione.objects.filter(pk=scheda.pk).update(data_valutazione=timezone.localdate())
    client = _client(mondo.valutato)
    client.post(_azione(scheda, "firma_presa_visione"), {"osservazioni": "Non condivido il 3."},
                **HOST)
    risposta = client.post(_azione(scheda, "chiedi_conciliazione"), {"motivi": ""}, follow=True,
                           **HOST)
    assert "Indicare i motivi della richiesta." in risposta.content.decode()
    client.post(_azione(scheda, "chiedi_conciliazione"), {"motivi": "Manca il trasferimento."},
                **HOST)
    scheda.refresh_from_db()
    assert scheda.stato == S.CONCILIAZIONE
    assert (scheda.osservazioni_valutato, scheda.conciliazione_motivi) == (
        "Non condivido il 3.", "Manca il trasferimento.")


def test_action_view_input_typed_the_italian_way(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.CONCILIAZIONE, mondo)
    client = _client(mondo.amministratore)
    risposta = client.post(_azione(scheda, "esito_conciliazione"),
                           {"esito": "Accolta.", "punteggio": "81,5"}, **HOST)
    assert risposta.status_code == 302
    assert risposta["Location"] == f"/admin/individuale/schedavalutazione/{scheda.pk}/change/" \
        or risposta["Location"] == reverse("individuale:le_mie_schede")
    scheda.refresh_from_db()
    assert scheda.stato == S.DEFINITIVA and scheda.punteggio_finale == 81.5


def test_action_view_bad_date_is_explained(mondo, queries_finte):
    client = _client(mondo.valutatore)
    torna = f"/admin/individuale/schedavalutazione/{mondo.scheda.pk}/change/"
    risposta = client.post(_azione(mondo.scheda, "assegna_obiettivi"),
                           {"data": "31/02/2021", "torna": torna}, **HOST)
    assert risposta.status_code == 302 and risposta["Location"] == torna
    messaggi = [str(m) for m in risposta.wsgi_request._messages]
    assert messaggi == ["Data del colloquio: «31/02/2021» non è una data: scrivi gg/mm/aaaa, "
                        "per esempio 31/12/2021."]
    mondo.scheda.refresh_from_db()
    assert mondo.scheda.stato == S.BOZZA
    risposta = client.post(_azione(mondo.scheda, "assegna_obiettivi"),
                           {"data": "2021-01-15", "torna": torna}, **HOST)
    mondo.scheda.refresh_from_db()
    assert mondo.scheda.data_colloquio_iniziale == datetime.date(2021, 1, 15)


def test_action_view_refusals(mondo, queries_finte):
    url = _azione(mondo.scheda, "firma_assegnazione")
    assert _client(mondo.valutato).get(url, **HOST).status_code == 405
    assert _client(mondo.altro).post(url, **HOST).status_code == 404  # not their scheda
    assert _client(mondo.altro_dirigente).post(url, **HOST).status_code == 404
    assert _client(mondo.valutato).post(_azione(mondo.scheda, "cancella"), **HOST).status_code == 404
    csrf = _client(mondo.valutato, enforce_csrf_checks=True)
    assert csrf.post(url, **HOST).status_code == 403


def test_action_view_never_sends_elsewhere(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.COLLOQUIO_INIZIALE, mondo)
    for torna in ("https://altrove.example/", "//altrove.example/x", "/pagina/qualsiasi/"):
        risposta = _client(mondo.valutato).post(_azione(scheda, "firma_assegnazione"),
                                                {"torna": torna}, **HOST)
        assert risposta["Location"] == _pagina(scheda)


# --- login ------------------------------------------------------------------------------------

def test_login_page_in_italian_and_private():
    risposta = _client().get(reverse("individuale:accedi"), **HOST)
    assert risposta.status_code == 200
    _privata(risposta)
    testo = risposta.content.decode()
    assert "Accedi alla tua valutazione individuale" in testo and 'name="csrfmiddlewaretoken"' in testo


def test_login_without_admin_rights_then_own_list(mondo):
    client = _client()
    risposta = client.post(reverse("individuale:accedi"),
                           {"username": "mario.rossi", "password": "demo"}, **HOST)
    assert risposta.status_code == 302 and risposta["Location"] == "/valutazione-individuale/"
    assert not mondo.valutato.is_staff
    assert _pagina(mondo.scheda) in client.get("/valutazione-individuale/", **HOST).content.decode()
    # the admin stays closed to them
    assert client.get("/admin/", **HOST).status_code == 302


def test_wrong_password_in_italian_then_lockout(mondo):
    client = _client()
    for _ in range(4):
        risposta = client.post(reverse("individuale:accedi"),
                               {"username": "mario.rossi", "password": "sbagliata"}, **HOST)
        assert "Nome utente o password non corretti" in risposta.content.decode()
    risposta = client.post(reverse("individuale:accedi"),
                           {"username": "mario.rossi", "password": "sbagliata"}, **HOST)
    assert risposta.status_code == 429
    assert "Accesso temporaneamente bloccato" in risposta.content.decode()
    risposta = client.post(reverse("individuale:accedi"),
                           {"username": "mario.rossi", "password": "demo"}, **HOST)
    assert risposta.status_code == 429  # even the right password, until the cool-off


def test_logout(mondo):
    client = _client(mondo.valutato)
    risposta = client.post(reverse("individuale:esci"), **HOST)
    assert risposta.status_code == 302 and risposta["Location"] == reverse("individuale:accedi")
    assert client.get("/valutazione-individuale/", **HOST).status_code == 302


def test_no_personal_data_without_login(mondo):
    testo = _client().get(reverse("individuale:accedi"), **HOST).content.decode()
    assert not re.search(r"Rossi|M001|Bianchi", testo)


def test_a_staff_user_without_permissions_uses_the_same_pages(mondo):
    """A person flagged «staff» but with no role nor permission: the admin shows them nothing,
    the personal pages work the same."""
    mondo.valutato.is_staff = True
    mondo.valutato.save()
    client = _client()
    risposta = client.post(reverse("individuale:accedi"),
                           {"username": "mario.rossi", "password": "demo"}, **HOST)
    assert risposta["Location"] == "/valutazione-individuale/"
    testo = client.get("/valutazione-individuale/", **HOST).content.decode()
    assert _pagina(mondo.scheda) in testo and _pagina(mondo.scheda_altra) not in testo
    assert client.get(_pagina(mondo.scheda_altra), **HOST).status_code == 404
