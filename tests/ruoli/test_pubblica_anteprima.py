"""«Pubblica» with a preview (obiettivi.admin_pubblicazione): what changes against the version
citizens see, a confirmation with a note that queues a background job (its page, then the
result page once a worker ran it); GET never publishes; only an Amministratore."""

import html

import pytest

from obiettivi import workflow
from obiettivi.models import Ciclo
from trasparenza.models import Pubblicazione

from lavori.models import Lavoro
from tests.lavori.coda import esegui_coda

from .conftest import admin_url
from .test_pubblicazione import _stato, _versioni, chiuso  # noqa: F401 (a fixture)

S = Ciclo.Stato


def _pagina(client, ciclo):
    return f"/admin/obiettivi/ciclo/{ciclo.pk}/pubblica/"


def _testo(risposta):
    return html.unescape(risposta.content.decode())


def _conferma(client, ciclo, dati, capture, monkeypatch):
    """POST the confirmation: it answers at once with the queued job's page; then a worker runs
    the job, and the job's page links to the published version."""
    with capture(execute=True):
        risposta = client.post(_pagina(client, ciclo), dati)
    lavoro = Lavoro.objects.get(ciclo=ciclo, stato=Lavoro.Stato.IN_CODA)
    assert risposta.status_code == 302
    assert risposta["Location"] == f"/admin/obiettivi/ciclo/{ciclo.pk}/lavoro/{lavoro.pk}/"
    assert "In coda" in _testo(client.get(risposta["Location"]))
    esegui_coda(monkeypatch)
    lavoro.refresh_from_db()
    assert lavoro.stato == Lavoro.Stato.COMPLETATO, lavoro.errore
    return _testo(client.get(risposta["Location"])), lavoro


def test_first_publication_shows_the_summary_then_publishes_with_the_note(
        mondo, chiuso, client, django_capture_on_commit_callbacks, monkeypatch):
    client.force_login(mondo.amministratore)
    cambio = client.get(admin_url(Ciclo, "change", chiuso.pk)).content.decode()
    assert f'href="{_pagina(client, chiuso)}">Passa a «Pubblicata»' in cambio

    risposta = client.get(_pagina(client, chiuso))
    testo = _testo(risposta)
    assert risposta.status_code == 200
    assert "Prima pubblicazione" in testo and "Livello di performance di ente" in testo
    assert 'value="Pubblica la versione 1"' in testo and 'data-in-corso="Pubblicazione in corso…"' in testo
    assert "js/pubblica.js" in testo
    assert (_stato(chiuso), _versioni(chiuso)) == (S.APPROVATA, [])  # GET never publishes

    lavoro_testo, lavoro = _conferma(client, chiuso, {"nota": "Prima versione.", "_conferma": "1"},
                                     django_capture_on_commit_callbacks, monkeypatch)
    assert "Pubblicata la versione 1." in lavoro_testo
    assert f'href="/admin/obiettivi/ciclo/{chiuso.pk}/pubblicata/1/"' in lavoro_testo
    pub = Pubblicazione.objects.get(ciclo=chiuso)
    assert (pub.versione, pub.nota, pub.pubblicata_da) == (1, "Prima versione.", mondo.amministratore)
    assert _stato(chiuso) == S.PUBBLICATA
    esito = _testo(client.get(f"/admin/obiettivi/ciclo/{chiuso.pk}/pubblicata/1/"))
    assert "La versione 1 della Relazione 2020 è pubblicata" in esito
    for indirizzo in ("/prova/2020/", "/prova/2020/versioni/1/", "/prova/2020/versioni/1/relazione.pdf",
                      "/prova/2020/versioni/1/dati.json"):
        assert f'href="{indirizzo}"' in esito


def test_preview_lists_a_changed_grade_then_confirming_publishes_version_2(
        mondo, chiuso, client, django_assert_max_num_queries, django_capture_on_commit_callbacks,
        monkeypatch):
    amm = mondo.amministratore
    workflow.ciclo_pubblica(ciclo=chiuso, utente=amm)
    # A correction through the workflow: reopened, the Nucleo changes a grade, approved again.
    workflow.ciclo_riapri(ciclo=chiuso, utente=amm, motivazione="Grado di LP.01 da rivedere",
                          stato=S.VALIDAZIONE)
    workflow.obiettivo_valida(obiettivo=mondo.bloccato, utente=mondo.nucleo, grado_validato=2,
                              motivazione_grado="Fasi concluse in ritardo.")
    chiuso.refresh_from_db()
    workflow.ciclo_avanza(ciclo=chiuso, utente=amm, atto=mondo.giunta)
    prima = Pubblicazione.objects.get(ciclo=chiuso).dati
    vecchio = next(o for o in prima["obiettivi"] if o["codice"] == "LP.01")["esito"]

    client.force_login(amm)
    with django_assert_max_num_queries(40):
        risposta = client.get(_pagina(client, chiuso))
    testo = _testo(risposta)
    assert "Che cosa cambia rispetto alla versione 1" in testo
    assert "LP.01 — Obiettivo LP.01" in testo
    assert vecchio.startswith("4 — ")
    assert f"«{vecchio}» → «2 — " in testo
    assert "Livello di performance di ente" in testo  # the ente's figure moved too
    assert 'value="Pubblica la versione 2"' in testo
    assert _versioni(chiuso) == [1]

    testo, lavoro = _conferma(client, chiuso, {"nota": "Corretto il grado di LP.01."},
                              django_capture_on_commit_callbacks, monkeypatch)
    assert lavoro.versione == 2 and "/pubblicata/2/" in testo
    nuova = Pubblicazione.objects.get(ciclo=chiuso, versione=2)
    assert nuova.nota == "Corretto il grado di LP.01."
    assert any(m.startswith("Obiettivo LP.01: da «4 — ") for m in nuova.modifiche)
    assert (_stato(chiuso), _versioni(chiuso)) == (S.PUBBLICATA, [1, 2])


def test_a_published_cycle_with_the_same_data_has_nothing_to_publish(
        mondo, chiuso, client, django_capture_on_commit_callbacks, monkeypatch):
    workflow.ciclo_pubblica(ciclo=chiuso, utente=mondo.amministratore)
    client.force_login(mondo.amministratore)
    cambio = client.get(admin_url(Ciclo, "change", chiuso.pk)).content.decode()
    assert f'href="{_pagina(client, chiuso)}">Pubblica</a>' in cambio
    testo = _testo(client.get(_pagina(client, chiuso)))
    assert "Nessuna differenza" in testo and 'value="Conferma la pubblicazione"' in testo
    testo, _ = _conferma(client, chiuso, {"nota": ""}, django_capture_on_commit_callbacks,
                         monkeypatch)
    assert "Nessuna modifica rispetto alla versione 1" in testo
    assert _versioni(chiuso) == [1]


def test_a_cycle_that_cannot_be_published_says_why_and_offers_no_button(mondo, client):
    client.force_login(mondo.amministratore)
    testo = _testo(client.get(_pagina(client, mondo.aperto)))
    assert "deve essere approvato dalla Giunta" in testo and "_conferma" not in testo
    client.post(_pagina(client, mondo.aperto), {"nota": ""})
    assert _versioni(mondo.aperto) == [] and _stato(mondo.aperto) == S.RENDICONTAZIONE
    assert not Lavoro.objects.exists()  # nothing queued


@pytest.mark.parametrize("ruolo", ["nucleo", "dirigente"])
def test_only_an_amministratore(mondo, chiuso, client, ruolo):
    client.force_login(getattr(mondo, ruolo))
    assert client.get(_pagina(client, chiuso)).status_code == 403
    assert client.post(_pagina(client, chiuso), {"nota": ""}).status_code == 403
    assert client.get(f"/admin/obiettivi/ciclo/{chiuso.pk}/pubblicata/1/").status_code == 403
    lavoro = Lavoro.objects.create(ciclo=chiuso)
    for coda in ("", "stato/"):
        assert client.get(f"/admin/obiettivi/ciclo/{chiuso.pk}/lavoro/{lavoro.pk}/{coda}").status_code == 403
    assert client.post(f"/admin/obiettivi/ciclo/{chiuso.pk}/lavoro/{lavoro.pk}/riprova/").status_code == 403
    assert (_stato(chiuso), _versioni(chiuso)) == (S.APPROVATA, [])


def test_post_without_csrf_token_is_refused(mondo, chiuso):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(mondo.amministratore)
    assert client.post(_pagina(client, chiuso), {"nota": ""}).status_code == 403
    assert _versioni(chiuso) == []


def test_the_list_action_and_the_old_button_open_the_preview(mondo, chiuso, client):
    client.force_login(mondo.amministratore)
    risposta = client.post(admin_url(Ciclo, "changelist"),
                           {"action": "pubblica_relazione", "_selected_action": [chiuso.pk]})
    assert risposta.status_code == 302 and risposta["Location"] == _pagina(client, chiuso)
    risposta = client.post(admin_url(Ciclo, "changelist"), {
        "action": "pubblica_relazione", "_selected_action": [chiuso.pk, mondo.aperto.pk]},
        follow=True)
    assert "Si pubblica un ciclo alla volta" in _testo(risposta)
    risposta = client.post(f"/admin/obiettivi/ciclo/{chiuso.pk}/avanza/", {})
    assert risposta.status_code == 302 and risposta["Location"] == _pagina(client, chiuso)
    assert (_stato(chiuso), _versioni(chiuso)) == (S.APPROVATA, [])
