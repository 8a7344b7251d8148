"""The state machine (obiettivi.workflow) and the review buttons of the admin."""

import pytest
from django.core.exceptions import ValidationError

from obiettivi import workflow
from obiettivi.models import Ciclo, Indicatore, Obiettivo, RiaperturaCiclo
from trasparenza.models import ContestoCongelato, Pubblicazione
from valutazione.services import smvp_create_default

from .conftest import admin_url, dati_della_pagina

S = Ciclo.Stato
R = Obiettivo.StatoRendicontazione


def _ricarica(obj):
    obj.refresh_from_db()
    return obj


# --- the cycle ------------------------------------------------------------------------------


def test_locked_and_publishable_states():
    for stato in S:
        ciclo = Ciclo(stato=stato)
        assert workflow.ciclo_bloccato(ciclo) is (stato in (S.APPROVATA, S.PUBBLICATA, S.VALIDATA))
        assert workflow.puo_pubblicare(ciclo) is (stato in (S.APPROVATA, S.PUBBLICATA, S.VALIDATA))
    assert [workflow.stato_successivo(Ciclo(stato=s)) for s in workflow.ORDINE_STATI] == [
        S.MONITORAGGIO, S.RENDICONTAZIONE, S.VALIDAZIONE, S.APPROVATA, S.PUBBLICATA, S.VALIDATA,
        None,
    ]


@pytest.mark.parametrize("ruolo", ["nucleo", "dirigente"])
def test_only_an_amministratore_moves_a_cycle(mondo, ruolo):
    ciclo = mondo.aperto
    ciclo.stato = S.PIANIFICAZIONE
    ciclo.save()
    with pytest.raises(ValidationError, match="Solo un Amministratore"):
        workflow.ciclo_avanza(ciclo=ciclo, utente=getattr(mondo, ruolo))
    assert _ricarica(ciclo).stato == S.PIANIFICAZIONE
    with pytest.raises(ValidationError, match="Solo un Amministratore"):
        workflow.ciclo_riapri(ciclo=mondo.chiuso, utente=getattr(mondo, ruolo), motivazione="x")


def test_the_whole_cycle_from_planning_to_publication(mondo, monkeypatch):
    ciclo, amm = mondo.aperto, mondo.amministratore
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=S.PIANIFICAZIONE)
    ciclo = workflow.ciclo_avanza(ciclo=ciclo, utente=amm)
    ciclo = workflow.ciclo_avanza(ciclo=ciclo, utente=amm)
    assert ciclo.stato == S.RENDICONTAZIONE

    # Reporting closes only when every active objective was sent.
    with pytest.raises(ValidationError) as errore:
        workflow.ciclo_avanza(ciclo=ciclo, utente=amm)
    assert "2 obiettivi attivi non sono ancora stati inviati al Nucleo (LP.01, SP.01)" in errore.value.messages[0]
    for ob, dirigente in ((mondo.proprio, mondo.dirigente), (mondo.altrui, mondo.altro_dirigente)):
        ob.relazione, ob.grado_proposto = "Concluso nei tempi.", 4
        ob.save()
        workflow.obiettivo_invia(obiettivo=ob, utente=dirigente)
    ciclo = workflow.ciclo_avanza(ciclo=ciclo, utente=amm)
    assert ciclo.stato == S.VALIDAZIONE

    # Approval needs every objective validated and the Giunta's atto.
    with pytest.raises(ValidationError) as errore:
        workflow.ciclo_avanza(ciclo=ciclo, utente=amm)
    assert any("non sono ancora stati validati dal Nucleo" in m for m in errore.value.messages)
    assert any("indicare l'atto della Giunta" in m for m in errore.value.messages)
    for ob in Obiettivo.objects.filter(ciclo=ciclo):
        workflow.obiettivo_valida(obiettivo=ob, utente=mondo.nucleo)
    ciclo = workflow.ciclo_avanza(ciclo=ciclo, utente=amm, atto=mondo.giunta)
    assert (ciclo.stato, ciclo.atto_approvazione) == (S.APPROVATA, mondo.giunta)
    assert mondo.giunta in ciclo.atti.all()

    # Approval froze what the report reads from outside the cycle.
    assert ContestoCongelato.objects.get(ciclo=ciclo).dati["ente"]["nome"] == "Comune di Prova"

    # Publishing is the transition: «Pubblicata» publishes version 1 in the same step.
    monkeypatch.setattr("trasparenza.services.render_pdf", lambda dati, **k: b"%PDF-1.7 prova")
    Ciclo.objects.filter(pk=ciclo.pk).update(smvp=smvp_create_default(ente=mondo.ente))
    assert not Pubblicazione.objects.filter(ciclo=ciclo).exists()
    ciclo = workflow.ciclo_avanza(ciclo=ciclo, utente=amm)
    assert ciclo.stato == S.PUBBLICATA
    assert list(Pubblicazione.objects.filter(ciclo=ciclo).values_list("versione", flat=True)) == [1]
    # «validata» comes only from the Nucleo's signed documento di validazione
    with pytest.raises(ValidationError, match="solo quando il Nucleo di valutazione firma"):
        workflow.ciclo_avanza(ciclo=ciclo, utente=amm)

    # Every state is in the cycle's history, with who did it.
    storia = list(ciclo.history.order_by("history_id").values_list("stato", "history_user__username"))
    assert [s for s, _ in storia][-5:] == [
        S.MONITORAGGIO, S.RENDICONTAZIONE, S.VALIDAZIONE, S.APPROVATA, S.PUBBLICATA,
    ]
    assert {u for _, u in storia[-5:]} == {"programmazione"}


def test_atto_of_another_ente_is_refused(mondo):
    from obiettivi.models import Atto, Ente

    altro = Ente.objects.create(slug="altro", nome="Altro comune")
    atto = Atto.objects.create(ente=altro, organo="Giunta Comunale", numero="1", anno=2022, oggetto="x")
    ciclo = mondo.aperto
    Obiettivo.objects.filter(ciclo=ciclo).update(stato_rendicontazione=R.VALIDATO, grado_validato=3)
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=S.VALIDAZIONE)
    with pytest.raises(ValidationError, match="è di un altro ente"):
        workflow.ciclo_avanza(ciclo=_ricarica(ciclo), utente=mondo.amministratore, atto=atto)
    assert _ricarica(ciclo).stato == S.VALIDAZIONE


def test_reopening_needs_a_reason_and_is_recorded(mondo):
    ciclo = mondo.chiuso
    with pytest.raises(ValidationError, match="indicare la motivazione"):
        workflow.ciclo_riapri(ciclo=ciclo, utente=mondo.amministratore, motivazione="  ")
    with pytest.raises(ValidationError, match="solo in uno stato precedente"):
        workflow.ciclo_riapri(ciclo=mondo.aperto, utente=mondo.amministratore, motivazione="x",
                              stato=S.VALIDAZIONE)
    riapertura = workflow.ciclo_riapri(
        ciclo=ciclo, utente=mondo.amministratore, motivazione="Errore materiale nel grado di LP.01"
    )
    assert (riapertura.da_stato, riapertura.a_stato, riapertura.utente) == (
        S.APPROVATA, S.VALIDAZIONE, mondo.amministratore)
    assert _ricarica(ciclo).stato == S.VALIDAZIONE and not workflow.ciclo_bloccato(ciclo)
    ultima = ciclo.history.latest("history_date")
    assert ultima.history_change_reason.startswith("Riapertura: Errore materiale")
    assert RiaperturaCiclo.objects.filter(ciclo=ciclo).count() == 1


def test_cycle_pages_advance_and_reopen(mondo, client):
    client.force_login(mondo.amministratore)
    Obiettivo.objects.filter(ciclo=mondo.aperto).update(stato_rendicontazione=R.VALIDATO, grado_validato=3)
    Ciclo.objects.filter(pk=mondo.aperto.pk).update(stato=S.VALIDAZIONE)
    pagina = client.get(admin_url(Ciclo, "change", mondo.aperto.pk)).content.decode()
    assert "Passa a «Approvata»" in pagina
    indirizzo = f"/admin/obiettivi/ciclo/{mondo.aperto.pk}/avanza/"
    risposta = client.post(indirizzo, {})
    assert risposta.status_code == 200 and "Questo campo è obbligatorio" in risposta.content.decode()
    risposta = client.post(indirizzo, {"atto": mondo.giunta.pk})
    assert risposta.status_code == 302
    assert _ricarica(mondo.aperto).stato == S.APPROVATA
    risposta = client.post(f"/admin/obiettivi/ciclo/{mondo.aperto.pk}/riapri/",
                           {"stato": S.RENDICONTAZIONE, "motivazione": ""})
    assert risposta.status_code == 200 and _ricarica(mondo.aperto).stato == S.APPROVATA
    client.post(f"/admin/obiettivi/ciclo/{mondo.aperto.pk}/riapri/",
                {"stato": S.RENDICONTAZIONE, "motivazione": "Rettifica richiesta dal Nucleo"})
    assert _ricarica(mondo.aperto).stato == S.RENDICONTAZIONE

    client.force_login(mondo.nucleo)
    assert client.get(indirizzo).status_code == 403


# --- the objective --------------------------------------------------------------------------


def test_submit_rules(mondo):
    ob = mondo.proprio
    with pytest.raises(ValidationError, match="Solo il dirigente dell'area"):
        workflow.obiettivo_invia(obiettivo=ob, utente=mondo.altro_dirigente)
    with pytest.raises(ValidationError) as errore:
        workflow.obiettivo_invia(obiettivo=ob, utente=mondo.dirigente)
    assert errore.value.messages == [
        "Obiettivo LP.01: Per inviare al Nucleo scrivere la relazione sintetica.",
        "Obiettivo LP.01: Per inviare al Nucleo indicare il grado proposto.",
    ]
    assert _ricarica(ob).stato_rendicontazione == R.BOZZA
    ob.relazione, ob.grado_proposto = "Fatto.", 5
    ob.save()
    versione = _ricarica(ob).versione
    workflow.obiettivo_invia(obiettivo=ob, utente=mondo.dirigente)
    assert _ricarica(ob).stato_rendicontazione == R.INVIATO and ob.versione == versione + 1
    with pytest.raises(ValidationError, match="è già «Inviato al Nucleo»"):
        workflow.obiettivo_invia(obiettivo=ob, utente=mondo.dirigente)


def test_validation_and_send_back_rules(mondo):
    ob = mondo.inviato  # proposed 4
    with pytest.raises(ValidationError, match="Solo il Nucleo"):
        workflow.obiettivo_valida(obiettivo=ob, utente=mondo.dirigente)
    with pytest.raises(ValidationError, match="indicare la motivazione del Nucleo"):
        workflow.obiettivo_valida(obiettivo=ob, utente=mondo.nucleo, grado_validato=3)
    assert _ricarica(ob).stato_rendicontazione == R.INVIATO and ob.grado_validato is None
    with pytest.raises(ValidationError, match="scrivere nel commento"):
        workflow.obiettivo_rinvia(obiettivo=ob, utente=mondo.nucleo, commento=" ")

    workflow.obiettivo_rinvia(obiettivo=ob, utente=mondo.nucleo, commento="Manca il dato di dicembre.")
    assert _ricarica(ob).stato_rendicontazione == R.RINVIATO
    assert ob.commento_nucleo == "Manca il dato di dicembre."
    workflow.obiettivo_invia(obiettivo=ob, utente=mondo.dirigente)  # the dirigente answers
    workflow.obiettivo_valida(obiettivo=ob, utente=mondo.nucleo, grado_validato=3,
                              motivazione_grado="Indicatore I2 non raggiunto.")
    assert (_ricarica(ob).stato_rendicontazione, ob.grado_validato) == (R.VALIDATO, 3)

    # In validazione the Nucleo still validates, but no longer sends back.
    Ciclo.objects.filter(pk=mondo.aperto.pk).update(stato=S.VALIDAZIONE)
    with pytest.raises(ValidationError, match="rinviare al dirigente solo mentre il ciclo è in «Rendicontazione»"):
        workflow.obiettivo_rinvia(obiettivo=_ricarica(ob), utente=mondo.nucleo, commento="x")
    # Locked: nothing moves.
    with pytest.raises(ValidationError, match="ora è «Approvata»"):
        workflow.obiettivo_valida(obiettivo=mondo.bloccato, utente=mondo.nucleo)


def test_dirigente_page_changes_only_outcome_and_submits(mondo, client):
    client.force_login(mondo.dirigente)
    ob = mondo.proprio
    indirizzo = admin_url(Obiettivo, "change", ob.pk)
    pagina = client.get(indirizzo)
    form = pagina.context["adminform"].form
    assert set(form.fields) == {"relazione", "grado_proposto", "spiegazione_grado", "versione_letta"}
    assert 'name="_invia"' in pagina.content.decode()
    indicatori = pagina.context["inline_admin_formsets"][0].formset.forms[0]
    assert set(indicatori.fields) >= {"consuntivo", "data_consuntivo"}
    assert "target" not in indicatori.fields and "peso" not in indicatori.fields

    dati = dati_della_pagina(pagina)
    dati.update({"titolo": "Titolo cambiato", "grado_validato": "5", "peso": "9",
                 "indicatori-0-consuntivo": "95", "indicatori-0-target": "1"})
    dati["_invia"] = "Salva e invia al Nucleo"
    risposta = client.post(indirizzo, dati)
    assert risposta.status_code == 200
    assert "Per inviare al Nucleo scrivere la relazione sintetica." in risposta.content.decode()
    assert _ricarica(ob).stato_rendicontazione == R.BOZZA

    dati.update({"relazione": "Lavori conclusi a novembre.", "grado_proposto": "4"})
    risposta = client.post(indirizzo, dati)
    assert risposta.status_code == 302
    ob = _ricarica(ob)
    assert (ob.relazione, ob.grado_proposto, ob.stato_rendicontazione) == (
        "Lavori conclusi a novembre.", 4, R.INVIATO)
    assert ob.titolo == "Obiettivo LP.01" and ob.grado_validato is None and ob.peso == 1
    indicatore = Indicatore.objects.get(obiettivo=ob)
    assert indicatore.consuntivo == 95 and indicatore.target == 100
    # Submitted: the page is now read-only for the dirigente.
    assert client.post(indirizzo, dati).status_code == 403


def test_nucleo_page_changes_only_review_and_validates(mondo, client):
    client.force_login(mondo.nucleo)
    ob = mondo.inviato
    indirizzo = admin_url(Obiettivo, "change", ob.pk)
    pagina = client.get(indirizzo)
    form = pagina.context["adminform"].form
    assert set(form.fields) == {"grado_validato", "motivazione_grado", "commento_nucleo", "versione_letta"}
    html = pagina.content.decode()
    assert 'name="_valida"' in html and 'name="_rinvia"' in html and 'name="_invia"' not in html
    dati = dati_della_pagina(pagina)
    dati.update({"grado_validato": "3", "relazione": "riscritta dal Nucleo", "grado_proposto": "1",
                 "_valida": "Salva e valida"})
    risposta = client.post(indirizzo, dati)
    assert risposta.status_code == 200
    assert "indicare la motivazione del Nucleo" in risposta.content.decode()
    dati["motivazione_grado"] = "Target raggiunto solo all'80%."
    assert client.post(indirizzo, dati).status_code == 302
    ob = _ricarica(ob)
    assert (ob.grado_validato, ob.stato_rendicontazione, ob.relazione, ob.grado_proposto) == (
        3, R.VALIDATO, "Fatto.", 4)


def test_nucleo_sends_back_from_the_page(mondo, client):
    client.force_login(mondo.nucleo)
    indirizzo = admin_url(Obiettivo, "change", mondo.inviato.pk)
    dati = dati_della_pagina(client.get(indirizzo))
    dati["_rinvia"] = "Salva e rinvia al dirigente"
    risposta = client.post(indirizzo, dati)
    assert "Per rinviare al dirigente scrivere nel commento" in risposta.content.decode()
    dati["commento_nucleo"] = "Allegare il verbale di collaudo."
    assert client.post(indirizzo, dati).status_code == 302
    assert _ricarica(mondo.inviato).stato_rendicontazione == R.RINVIATO
    client.force_login(mondo.dirigente)
    pagina = client.get(indirizzo).content.decode()
    assert "Allegare il verbale di collaudo." in pagina and 'name="_invia"' in pagina


def test_bulk_actions_use_the_services(mondo, client):
    mondo.proprio.relazione, mondo.proprio.grado_proposto = "Fatto.", 3
    mondo.proprio.save()
    client.force_login(mondo.dirigente)
    elenco = admin_url(Obiettivo, "changelist")
    client.post(elenco, {"action": "invia_al_nucleo",
                         "_selected_action": [mondo.proprio.pk, mondo.altrui.pk, mondo.inviato.pk]})
    assert _ricarica(mondo.proprio).stato_rendicontazione == R.INVIATO
    assert _ricarica(mondo.altrui).stato_rendicontazione == R.BOZZA  # not in the dirigente's areas
    client.force_login(mondo.nucleo)
    client.post(elenco, {"action": "valida_confermando",
                         "_selected_action": [mondo.proprio.pk, mondo.inviato.pk, mondo.altrui.pk]})
    assert (_ricarica(mondo.proprio).grado_validato, mondo.proprio.stato_rendicontazione) == (3, R.VALIDATO)
    assert (_ricarica(mondo.inviato).grado_validato, mondo.inviato.stato_rendicontazione) == (4, R.VALIDATO)
    assert _ricarica(mondo.altrui).stato_rendicontazione == R.BOZZA
    assert mondo.proprio.history.filter(history_change_reason="Validato dal Nucleo",
                                        history_user=mondo.nucleo).count() == 1


# --- no lost update -------------------------------------------------------------------------


def test_a_stale_form_is_refused(mondo, client, django_user_model):
    indirizzo = admin_url(Obiettivo, "change", mondo.proprio.pk)
    client.force_login(mondo.dirigente)
    dati_dirigente = dati_della_pagina(client.get(indirizzo))

    # Meanwhile an Amministratore saves the same objective.
    from django.test import Client

    altro = Client()
    altro.force_login(mondo.amministratore)
    dati_amm = dati_della_pagina(altro.get(indirizzo))
    dati_amm["titolo"] = "Titolo corretto dall'Amministratore"
    assert altro.post(indirizzo, dati_amm).status_code == 302

    dati_dirigente["relazione"] = "La mia relazione"
    risposta = client.post(indirizzo, dati_dirigente)
    assert risposta.status_code == 200
    errori = risposta.context["adminform"].form.non_field_errors()
    assert any("Nel frattempo qualcun altro ha salvato l'obiettivo LP.01" in e for e in errori)
    assert "Nel frattempo qualcun altro ha salvato l&#x27;obiettivo LP.01" in risposta.content.decode()
    ob = _ricarica(mondo.proprio)
    assert ob.relazione == "" and ob.titolo == "Titolo corretto dall'Amministratore"

    # Reloaded, the dirigente's save goes through.
    dati_dirigente = dati_della_pagina(client.get(indirizzo))
    dati_dirigente["relazione"] = "La mia relazione"
    assert client.post(indirizzo, dati_dirigente).status_code == 302
    assert _ricarica(mondo.proprio).relazione == "La mia relazione"


def test_a_stale_indicator_page_is_refused_too(mondo, client):
    indicatore = Indicatore.objects.get(obiettivo=mondo.proprio)
    indirizzo = admin_url(Indicatore, "change", indicatore.pk)
    client.force_login(mondo.dirigente)
    dati = dati_della_pagina(client.get(indirizzo))
    workflow_ob = _ricarica(mondo.proprio)
    workflow_ob.relazione = "salvata da un'altra finestra"
    workflow_ob.versione += 1
    workflow_ob.save()
    dati["consuntivo"] = "99"
    risposta = client.post(indirizzo, dati)
    assert "Nel frattempo qualcun altro" in risposta.content.decode()
    assert _ricarica(indicatore).consuntivo == 80
