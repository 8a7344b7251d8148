"""One road to «pubblicata» (obiettivi.workflow.ciclo_pubblica) and a published cycle that
nothing outside its lock can change (trasparenza.models.ContestoCongelato)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from obiettivi import workflow
from obiettivi.models import Atto, Ciclo, Ente, Obiettivo
from trasparenza.models import ContestoCongelato, Pubblicazione
from trasparenza.report import relazione_dati
from valutazione.services import smvp_create_default

from tests.lavori.coda import esegui_coda

from .conftest import admin_url

S = Ciclo.Stato
URL = "/prova/2020/"


@pytest.fixture
def chiuso(mondo, monkeypatch):
    """The approved 2020 cycle of «Comune di Prova», with an SMVP and its acts; PDFs are a fast
    stand-in (their content is not the point here)."""
    monkeypatch.setattr(
        "trasparenza.services.render_pdf", lambda dati, **k: b"%PDF-1.7 " + dati["impronta"].encode()
    )
    ente = mondo.ente
    ente.sito_web = "https://www.comune.prova.it"
    ente.save()
    mondo.dirigente.first_name, mondo.dirigente.last_name = "Maria", "Rossi"
    mondo.dirigente.save()
    Ciclo.objects.filter(pk=mondo.chiuso.pk).update(smvp=smvp_create_default(ente=ente))
    ciclo = Ciclo.objects.get(pk=mondo.chiuso.pk)
    ciclo.atti.add(mondo.giunta)
    return ciclo


def _versioni(ciclo):
    return list(Pubblicazione.objects.filter(ciclo=ciclo).order_by("versione")
                .values_list("versione", flat=True))


def _stato(ciclo):
    return Ciclo.objects.values_list("stato", flat=True).get(pk=ciclo.pk)


@pytest.mark.parametrize("ruolo", ["nucleo", "dirigente"])
def test_only_an_amministratore_publishes_and_a_refusal_writes_nothing(mondo, chiuso, ruolo):
    with pytest.raises(ValidationError, match="Solo un Amministratore può pubblicare"):
        workflow.ciclo_pubblica(ciclo=chiuso, utente=getattr(mondo, ruolo))
    assert (_stato(chiuso), _versioni(chiuso)) == (S.APPROVATA, [])
    senza_smvp = Ciclo.objects.create(ente=mondo.ente, anno=2018, stato=S.APPROVATA)
    with pytest.raises(ValidationError, match="non ha un sistema di valutazione"):
        workflow.ciclo_pubblica(ciclo=senza_smvp, utente=mondo.amministratore)
    assert (_stato(senza_smvp), _versioni(senza_smvp)) == (S.APPROVATA, [])
    with pytest.raises(ValidationError, match="deve essere approvato dalla Giunta"):
        workflow.ciclo_pubblica(ciclo=mondo.aperto, utente=mondo.amministratore)
    assert (_stato(mondo.aperto), _versioni(mondo.aperto)) == (S.RENDICONTAZIONE, [])


def test_publishing_moves_the_state_with_the_log_of_every_transition(mondo, chiuso):
    esito = workflow.ciclo_pubblica(ciclo=chiuso, utente=mondo.amministratore)
    assert esito.nuova and esito.pubblicazione.versione == 1
    assert (_stato(chiuso), _versioni(chiuso)) == (S.PUBBLICATA, [1])
    ultima = chiuso.history.latest("history_date")
    assert (ultima.stato, ultima.history_user, ultima.history_change_reason) == (
        S.PUBBLICATA, mondo.amministratore, "Passaggio a «Pubblicata»: versione 1",
    )
    # the citizens see that version
    assert Client().get(URL + "dati.json").json()["versione"] == 1


def test_a_published_cycle_gets_no_new_version_without_a_reopening(mondo, chiuso):
    amm = mondo.amministratore
    workflow.ciclo_pubblica(ciclo=chiuso, utente=amm)
    # a change that went around the lock (the database, a script): refused, nothing written
    Obiettivo.objects.filter(pk=mondo.bloccato.pk).update(titolo="Cambiato senza riaprire")
    with pytest.raises(ValidationError, match="solo dopo aver riaperto il ciclo"):
        workflow.ciclo_pubblica(ciclo=chiuso, utente=amm)
    with pytest.raises(CommandError, match="solo dopo aver riaperto il ciclo"):
        call_command("pubblica", "prova", "2020")
    assert (_stato(chiuso), _versioni(chiuso)) == (S.PUBBLICATA, [1])
    # the same data again: nothing to publish, no error
    Obiettivo.objects.filter(pk=mondo.bloccato.pk).update(titolo="Obiettivo LP.01")
    esito = workflow.ciclo_pubblica(ciclo=chiuso, utente=amm)
    assert not esito.nuova and _versioni(chiuso) == [1]


def _pubblica_dall_admin(client, ciclo, capture, monkeypatch):
    """Confirm the preview (it queues a job), then let a worker run it; the job's page."""
    with capture(execute=True):
        risposta = client.post(f"/admin/obiettivi/ciclo/{ciclo.pk}/pubblica/", {"nota": ""})
    esegui_coda(monkeypatch)
    return client.get(risposta["Location"]) if risposta.status_code == 302 else risposta


def test_the_admins_passa_a_pubblicata_publishes_the_new_version(
        mondo, chiuso, client, django_capture_on_commit_callbacks, monkeypatch):
    """Before: the button moved a reopened and approved-again cycle to «pubblicata» while the
    citizens still saw the old version."""
    amm = mondo.amministratore
    workflow.ciclo_pubblica(ciclo=chiuso, utente=amm)
    workflow.ciclo_riapri(ciclo=chiuso, utente=amm, motivazione="Titolo da correggere")
    Obiettivo.objects.filter(pk=mondo.bloccato.pk).update(titolo="Titolo corretto")
    Ciclo.objects.filter(pk=chiuso.pk).update(stato=S.APPROVATA)  # approved again by the Giunta
    client.force_login(amm)
    pagina = client.get(admin_url(Ciclo, "change", chiuso.pk)).content.decode()
    assert "Passa a «Pubblicata»" in pagina
    # the button opens the preview; confirming there publishes
    anteprima = client.get(f"/admin/obiettivi/ciclo/{chiuso.pk}/avanza/", follow=True)
    assert "Che cosa cambia rispetto alla versione 1" in anteprima.content.decode()
    risposta = _pubblica_dall_admin(client, chiuso, django_capture_on_commit_callbacks, monkeypatch)
    assert "Pubblicata la versione 2." in risposta.content.decode()
    assert (_stato(chiuso), _versioni(chiuso)) == (S.PUBBLICATA, [1, 2])
    dati = Client().get(URL + "dati.json").json()
    assert dati["versione"] == 2 and "Titolo corretto" in [o["titolo"] for o in dati["obiettivi"]]


def test_the_admin_action_and_the_command_take_the_same_road(
        mondo, chiuso, client, django_capture_on_commit_callbacks, monkeypatch):
    client.force_login(mondo.amministratore)
    for ciclo in (chiuso, mondo.aperto):  # the list's action opens the preview of one cycle
        risposta = client.post(
            admin_url(Ciclo, "changelist"),
            {"action": "pubblica_relazione", "_selected_action": [ciclo.pk]}, follow=True,
        )
        assert risposta.redirect_chain[-1][0] == f"/admin/obiettivi/ciclo/{ciclo.pk}/pubblica/"
        risposta = _pubblica_dall_admin(client, ciclo, django_capture_on_commit_callbacks,
                                        monkeypatch)
    assert (_stato(chiuso), _versioni(chiuso)) == (S.PUBBLICATA, [1])
    assert chiuso.history.latest("history_date").history_user == mondo.amministratore
    assert "deve essere approvato dalla Giunta" in risposta.content.decode()
    assert (_stato(mondo.aperto), _versioni(mondo.aperto)) == (S.RENDICONTAZIONE, [])

    altro = Ciclo.objects.create(ente=mondo.ente, anno=2019, stato=S.APPROVATA, smvp=chiuso.smvp)
    call_command("pubblica", "prova", "2019")
    assert (_stato(altro), _versioni(altro)) == (S.PUBBLICATA, [1])
    assert altro.history.latest("history_date").history_change_reason == (
        "Passaggio a «Pubblicata»: versione 1"
    )
    with pytest.raises(CommandError, match="deve essere approvato dalla Giunta"):
        call_command("pubblica", "prova", "2021")


def test_editing_the_ente_an_atto_or_a_dirigente_does_not_change_a_published_report(mondo, chiuso):
    """Before: the fingerprint of the published report followed the ente's ``sito_web``, and
    ``pubblica`` issued version 2 of a «pubblicata» cycle nobody had reopened."""
    workflow.ciclo_pubblica(ciclo=chiuso, utente=mondo.amministratore)
    v1 = Pubblicazione.objects.get(ciclo=chiuso, versione=1)
    assert v1.dati["ente"]["contatti"]["sito_web"] == "https://www.comune.prova.it"
    assert ContestoCongelato.objects.filter(ciclo=chiuso).exists()

    ente = Ente.objects.get(pk=mondo.ente.pk)
    ente.sito_web, ente.nome = "https://nuovo.comune.prova.it", "Comune di Prova (nuovo nome)"
    ente.save()
    Atto.objects.filter(pk=mondo.giunta.pk).update(oggetto="Oggetto riscritto dopo")
    mondo.dirigente.last_name = "Bianchi"
    mondo.dirigente.save()

    assert relazione_dati(chiuso)["impronta"] == v1.impronta
    call_command("pubblica", "prova", "2020")
    assert (_stato(chiuso), _versioni(chiuso)) == (S.PUBBLICATA, [1])

    # Reopened, the cycle reads the ente, its acts and its people as they are today.
    workflow.ciclo_riapri(ciclo=chiuso, utente=mondo.amministratore, motivazione="Aggiornamento")
    assert not ContestoCongelato.objects.filter(ciclo=chiuso).exists()
    dati = relazione_dati(chiuso)
    assert dati["ente"]["contatti"]["sito_web"] == "https://nuovo.comune.prova.it"
    assert "Oggetto riscritto dopo" in [a["oggetto"] for a in dati["atti"]]
    assert ["Maria Bianchi"] in [a["dirigenti"] for a in dati["aree"]]


def test_approval_freezes_the_context_as_it_is_then(mondo, chiuso):
    ciclo = mondo.aperto
    Obiettivo.objects.filter(ciclo=ciclo).update(
        stato_rendicontazione=Obiettivo.StatoRendicontazione.VALIDATO, grado_validato=3
    )
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=S.VALIDAZIONE, smvp=chiuso.smvp)
    workflow.ciclo_avanza(ciclo=ciclo, utente=mondo.amministratore, atto=mondo.giunta)
    congelato = ContestoCongelato.objects.get(ciclo=ciclo).dati
    assert congelato["ente"]["contatti"]["sito_web"] == "https://www.comune.prova.it"
    Ente.objects.filter(pk=mondo.ente.pk).update(sito_web="https://dopo.comune.prova.it")
    dati = relazione_dati(Ciclo.objects.get(pk=ciclo.pk))
    assert dati["ente"]["contatti"]["sito_web"] == "https://www.comune.prova.it"


def test_the_published_organigramma_names_each_areas_dirigenti(mondo, chiuso):
    """Dirigenti's names are public by law (art. 14 D.Lgs. 33/2013): the organigramma of the page
    prints them beside their area, as frozen with the cycle. The demo has none (the seed names
    no one and we do not invent real officials' names): an area without names prints only its
    own."""
    workflow.ciclo_pubblica(ciclo=chiuso, utente=mondo.amministratore)
    pagina = Client().get(URL).content.decode()
    inizio = pagina.index('id="sez-organigramma"')
    organigramma = pagina[inizio:pagina.index("</section>", inizio)]
    assert "Maria Rossi" in organigramma, organigramma
    assert organigramma.count("Maria Rossi") == 1
