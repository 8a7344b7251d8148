"""History (who changed what, when, from what to what) and the scoping of the admin paths that
are not a row of the matrix: dropdowns, filters, search, autocomplete, revert, results, SMVP."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from obiettivi import permessi, workflow
from obiettivi.models import Ciclo, Fase, Indicatore, Obiettivo
from valutazione.models import Smvp, StandardBarometro
from valutazione.services import smvp_create_default

from .conftest import admin_url, dati_della_pagina


def test_history_says_who_changed_what_from_what_to_what(mondo, client):
    ob = mondo.inviato
    client.force_login(mondo.nucleo)
    indirizzo = admin_url(Obiettivo, "change", ob.pk)
    dati = dati_della_pagina(client.get(indirizzo))
    dati.update({"grado_validato": "2", "motivazione_grado": "Fasi in ritardo."})
    assert client.post(indirizzo, dati).status_code == 302

    ultima = ob.history.latest("history_id")
    precedente = ultima.prev_record
    delta = ultima.diff_against(precedente)
    modifiche = {c.field: (c.old, c.new) for c in delta.changes}
    assert modifiche == {"grado_validato": (None, 2), "motivazione_grado": ("", "Fasi in ritardo.")}
    assert ultima.history_user == mondo.nucleo

    # The Nucleo and administrators read it on the history page, with the user and the values.
    for utente in (mondo.nucleo, mondo.amministratore):
        client.force_login(utente)
        pagina = client.get(admin_url(Obiettivo, "history", ob.pk))
        assert pagina.status_code == 200
        html = pagina.content.decode()
        assert "nucleo" in html and "Fasi in ritardo." in html


def test_history_of_another_area_is_closed_and_revert_is_disabled(mondo, client):
    client.force_login(mondo.dirigente)
    storico_altrui = admin_url(Obiettivo, "history", mondo.altrui.pk)
    assert client.get(storico_altrui).status_code in (403, 404)
    versione = mondo.altrui.history.latest("history_id")
    revert = reverse("admin:obiettivi_obiettivo_simple_history", args=[mondo.altrui.pk, versione.history_id])
    assert client.get(revert).status_code == 404
    client.force_login(mondo.amministratore)
    versione = mondo.proprio.history.latest("history_id")
    revert = reverse("admin:obiettivi_obiettivo_simple_history", args=[mondo.proprio.pk, versione.history_id])
    assert client.get(revert).status_code == 200
    assert client.post(revert, {"titolo": "ripristinato"}).status_code == 403


def test_every_workflow_step_and_the_cycle_state_are_in_the_history(mondo):
    ob = mondo.proprio
    ob.relazione, ob.grado_proposto = "Fatto.", 4
    ob._history_user = mondo.dirigente
    ob.save()
    workflow.obiettivo_invia(obiettivo=ob, utente=mondo.dirigente)
    workflow.obiettivo_valida(obiettivo=ob, utente=mondo.nucleo)
    righe = list(ob.history.order_by("history_id").values_list(
        "stato_rendicontazione", "grado_validato", "history_user__username", "history_change_reason"))
    assert righe[-3:] == [
        ("bozza", None, "dirigente.lavori-pubblici", None),
        ("inviato", None, "dirigente.lavori-pubblici", "Inviato al Nucleo"),
        ("validato", 4, "nucleo", "Validato dal Nucleo"),
    ]
    workflow.ciclo_riapri(ciclo=mondo.chiuso, utente=mondo.amministratore, motivazione="Rettifica")
    stati = list(mondo.chiuso.history.order_by("history_id").values_list("stato", flat=True))
    assert stati[-1] == "validazione" and "approvata" in stati


def test_bulk_delete_is_recorded_and_refused_in_a_locked_cycle(mondo, client):
    client.force_login(mondo.amministratore)
    elenco = admin_url(StandardBarometro, "changelist")
    chiuso, aperto = mondo.standard["bloccato"], mondo.standard["proprio"]
    risposta = client.post(elenco, {"action": "delete_selected", "post": "yes",
                                    "_selected_action": [chiuso.pk, aperto.pk]})
    assert risposta.status_code in (200, 403)
    assert StandardBarometro.objects.filter(pk__in=[chiuso.pk, aperto.pk]).count() == 2
    client.post(elenco, {"action": "delete_selected", "post": "yes", "_selected_action": [aperto.pk]})
    assert not StandardBarometro.objects.filter(pk=aperto.pk).exists()
    cancellato = StandardBarometro.history.filter(id=aperto.pk).latest("history_id")
    assert cancellato.history_type == "-" and cancellato.history_user == mondo.amministratore


def test_objective_deletion_takes_its_phases(mondo, client):
    client.force_login(mondo.amministratore)
    indirizzo = admin_url(Obiettivo, "delete", mondo.altrui.pk)
    assert client.post(indirizzo, {"post": "yes"}).status_code == 302
    assert not Obiettivo.objects.filter(pk=mondo.altrui.pk).exists()
    assert Fase.history.filter(obiettivo_id=mondo.altrui.pk, history_type="-").count() == 1


def test_dropdowns_filters_search_and_autocomplete_are_scoped(mondo, client):
    client.force_login(mondo.dirigente)
    elenco = client.get(admin_url(Obiettivo, "changelist") + "?ciclo=tutti")
    filtri = {f.title: [c["display"] for c in f.choices(elenco.context["cl"])]
              for f in elenco.context["cl"].filter_specs}
    assert "Area Servizi alla persona (Comune di Prova — 2021)" not in filtri["area"]
    assert any("Area Lavori pubblici" in a for a in filtri["area"])
    assert set(filtri["ciclo"]) == {"Tutti i cicli", "Comune di Prova — 2021",
                                    "Comune di Prova — 2020"}

    cerca = client.get(admin_url(Obiettivo, "changelist"), {"q": "SP.01", "ciclo": "tutti"})
    assert list(cerca.context["cl"].result_list) == []
    assert client.get(admin_url(Obiettivo, "changelist"), {
        "area": mondo.area_b.pk, "ciclo": "tutti"}).context["cl"].result_count == 0

    autocomplete = client.get(reverse("admin:autocomplete"), {
        "app_label": "obiettivi", "model_name": "indicatore", "field_name": "obiettivo", "term": "0",
    })
    codici = {r["text"].split(" ")[0] for r in autocomplete.json()["results"]}
    assert codici == {"LP.01", "LP.02"}

    standard = client.get(admin_url(StandardBarometro, "change", mondo.standard["proprio"].pk))
    form = standard.context["adminform"].form
    assert set(form.fields) == {"rilevato"}
    # The amministratore's dropdowns offer every area; a dirigente's would offer only theirs.
    assert set(permessi.scopa_scelte(mondo.dirigente, mondo.area_a.__class__.objects.all())) == {
        mondo.area_a, mondo.area_c}
    assert not permessi.scopa_scelte(mondo.dirigente, Smvp.objects.all()).exists()


def test_results_pages_are_not_for_dirigenti(mondo, client):
    mondo.aperto.smvp = smvp_create_default()
    mondo.aperto.save()
    url = reverse("admin:valutazione_risultati", args=[mondo.aperto.pk])
    client.force_login(mondo.dirigente)
    assert client.get(url).status_code == 403
    client.force_login(mondo.nucleo)
    assert client.get(url).status_code == 200


def test_smvp_of_a_locked_cycle_is_read_only(mondo, client):
    smvp = smvp_create_default()
    Ciclo.objects.filter(pk=mondo.chiuso.pk).update(smvp=smvp)
    client.force_login(mondo.amministratore)
    pagina = client.get(admin_url(Smvp, "change", smvp.pk))
    assert pagina.status_code == 200 and not pagina.context["has_change_permission"]
    assert client.post(admin_url(Smvp, "change", smvp.pk), {"nome": "x"}).status_code == 403
    duplica = client.post(admin_url(Smvp, "changelist"),
                          {"action": "duplica_come_nuova_versione", "_selected_action": [smvp.pk]})
    assert duplica.status_code == 302 and Smvp.objects.filter(versione=2).exists()


def test_nothing_is_added_to_a_locked_cycle(mondo, client):
    client.force_login(mondo.amministratore)
    risposta = client.post(admin_url(Indicatore, "add"), {
        "obiettivo": mondo.bloccato.pk, "codice": "NUOVO", "nome": "Nuovo", "tipo": "alto",
        "peso": "1",
    })
    assert risposta.status_code == 200
    assert "i suoi dati non si modificano più" in risposta.content.decode()
    assert not Indicatore.objects.filter(codice="NUOVO").exists()


def test_roles_come_from_migrations(db):
    gruppi = {g.name: set(g.permissions.values_list("codename", flat=True))
              for g in Group.objects.filter(name__in=permessi.RUOLI)}
    assert set(gruppi) == set(permessi.RUOLI)
    assert "change_obiettivo" in gruppi[permessi.DIRIGENTE]
    assert "add_obiettivo" not in gruppi[permessi.DIRIGENTE]
    assert "delete_obiettivo" not in gruppi[permessi.NUCLEO]
    assert {"view_historicalobiettivo", "view_riaperturaciclo"} <= gruppi[permessi.NUCLEO]
    assert {"add_obiettivo", "delete_ciclo", "change_smvp"} <= gruppi[permessi.AMMINISTRATORE]


def test_decimal_outcome_fields_accept_italian_input_for_the_dirigente(mondo, client):
    fase = Fase.objects.get(obiettivo=mondo.proprio)
    client.force_login(mondo.dirigente)
    indirizzo = admin_url(Fase, "change", fase.pk)
    dati = dati_della_pagina(client.get(indirizzo))
    dati["percentuale"] = "72,5"
    assert client.post(indirizzo, dati).status_code == 302
    fase.refresh_from_db()
    assert fase.percentuale == Decimal("72.5") and fase.peso == 100


@pytest.mark.django_db(transaction=True)
def test_roles_survive_a_flush_and_match_the_migration(django_db_blocker):
    """Transactional tests flush the database; post_migrate re-creates the same groups."""
    from django.core.management import call_command

    prima = {g.name: set(g.permissions.values_list("codename", flat=True))
             for g in Group.objects.filter(name__in=permessi.RUOLI)}
    call_command("flush", verbosity=0, interactive=False)
    dopo = {g.name: set(g.permissions.values_list("codename", flat=True))
            for g in Group.objects.filter(name__in=permessi.RUOLI)}
    assert dopo == prima and len(dopo[permessi.NUCLEO]) > 20
