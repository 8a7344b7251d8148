"""The permission matrix across enti (issue 17), generated: role × model × operation × ente,
through the real admin.

Two enti: A (the roles world's «Comune di Prova») and B («Comune di Altrove», built by
``conftest.costruisci_secondo_ente``), with one row of each model in each. Roles: the
Amministratore of A, the Nucleo of A only, the Nucleo of A and B (in forma associata), a
dirigente of an area of A, the host (superuser of the installation). The rows of A are in an
open cycle (rendicontazione), in the dirigente's area, drafts.

Personal data keep their own rules inside an ente (``permessi.schede_visibili``): of the two
schede of each ente (in «bozza») the Nucleo sees only the dirigente's (its role group says
``nucleo_vede``), the dirigente of A only the staff scheda they evaluate, the Amministratore
(HR) both; an individual objective (on its scheda's page) goes with its scheda. The documento
di validazione is written only by the Nucleo of its ente (the host and the Amministratore read it).

The expected answer comes from the policy below, written from the issue and independent of
``obiettivi.permessi``; every operation is an HTTP request. Then the issue's own check: as the
Nucleo of A only, nothing of B is named by any list, filter, dropdown or autocomplete.
"""

import pytest
from django.contrib import admin

from individuale.models import FondoPremi, ObiettivoIndividuale, Persona, SchedaValutazione
from obiettivi import permessi
from obiettivi.models import Area, Atto, Ciclo, Fase, Indicatore, Obiettivo
from obiettivi.models import TestoReport as ModelloTesto
from validazione.models import DocumentoValidazione
from valutazione.models import IndicatoreFinanziario, Smvp, StandardBarometro

from .conftest import admin_url

RUOLI = ("amministratore_a", "nucleo_a", "nucleo_ab", "dirigente_a", "host")
OPERAZIONI = ("list", "view", "change", "delete", "history", "export", "autocomplete")
ENTI = ("a", "b")
MODELLI = {
    "Obiettivo": (Obiettivo, "obiettivo"), "Indicatore": (Indicatore, "indicatore"),
    "Fase": (Fase, "fase"), "Ciclo": (Ciclo, "ciclo"), "Area": (Area, "area"), "Atto": (Atto, "atto"),
    "Smvp": (Smvp, "smvp"), "StandardBarometro": (StandardBarometro, "standard"),
    "IndicatoreFinanziario": (IndicatoreFinanziario, "finanziario"), "TestoReport": (ModelloTesto, "testo"),
    "Persona": (Persona, "persona"), "FondoPremi": (FondoPremi, "fondo"),
    "SchedaValutazione": (SchedaValutazione, "scheda"), "SchedaPersonale": (SchedaValutazione, "scheda_personale"),
    "ObiettivoIndividuale": (ObiettivoIndividuale, "obiettivo_individuale"),
    "DocumentoValidazione": (DocumentoValidazione, "documento"),
}
DI_AREA = {"Obiettivo", "Indicatore", "Fase", "StandardBarometro"}  # what a dirigente reports on
SOLO_HR = {"Persona"}  # the personnel register: the Amministratore only
SENZA_ESPORTAZIONE = {"Persona", "FondoPremi", "DocumentoValidazione"}  # no CSV export action in their admin
# The schede (personal data): who sees each, by role, in its own ente (the host sees all).
SCHEDE = {"SchedaValutazione": {"amministratore_a", "nucleo_a", "nucleo_ab"},
          "SchedaPersonale": {"amministratore_a", "dirigente_a"}}
SCHEDE["ObiettivoIndividuale"] = SCHEDE["SchedaValutazione"]  # an objective of the dirigente's scheda
VALUTA = {"SchedaPersonale": "dirigente_a"}  # the evaluator among the roles (the Sindaco is not one)
# Reached only from its scheda's page (an inline): seen, changed, removed there.
SOLO_DALLA_SCHEDA = {"ObiettivoIndividuale": ("view", "change", "delete")}
# Autocomplete: (source app, source model, field, search term per ente)
AUTOCOMPLETE = {
    "Obiettivo": ("obiettivi", "variazioneobiettivo", "obiettivo", {"a": "LP.01", "b": "AL.01"}),
    "Atto": ("obiettivi", "ciclo", "atti", {"a": "77", "b": "5"}),
    "SchedaValutazione": ("individuale", "obiettivoindividuale", "scheda",
                          {"a": "Provadirigenti", "b": "Altrovedirigenti"}),
    "SchedaPersonale": ("individuale", "obiettivoindividuale", "scheda",
                        {"a": "Provaimpiegati", "b": "Altroveimpiegati"}),
}
# Deleted only from elsewhere (a phase from its objective's page).
NON_SI_CANCELLA = {"Fase"}


def vede(ruolo, modello, ente):
    if ruolo == "host":
        return True
    if modello in SCHEDE:
        return ruolo in SCHEDE[modello] and (ente == "a" or ruolo == "nucleo_ab")
    if modello == "DocumentoValidazione":  # the Nucleo's, read by the Amministratore
        return ruolo != "dirigente_a" and (ente == "a" or ruolo == "nucleo_ab")
    if ruolo == "amministratore_a":
        return ente == "a"
    if ruolo in ("nucleo_a", "nucleo_ab"):
        return modello not in SOLO_HR and (ente == "a" or ruolo == "nucleo_ab")
    return ente == "a" and modello in DI_AREA  # dirigente of A: their area's rows


def atteso(ruolo, modello, operazione, ente):
    """The policy of issue 17: each role walled to its enti, as a table a reader can check."""
    if not vede(ruolo, modello, ente):
        return False
    if operazione in ("list", "view", "history", "export", "autocomplete"):
        return True
    if modello == "DocumentoValidazione":  # a draft: its Nucleo writes and removes it
        return ruolo in ("nucleo_a", "nucleo_ab")
    amministra = ruolo == "host" or ruolo == "amministratore_a"
    if modello in SCHEDE:  # in «bozza»: HR (and the evaluator, without removing the scheda)
        return amministra or (VALUTA.get(modello) == ruolo and (
            operazione == "change" or modello == "ObiettivoIndividuale"))
    if operazione == "delete":
        return amministra and modello not in NON_SI_CANCELLA
    # change: the Amministratore everything of its ente; a dirigente the outcome of their
    # drafts; the Nucleo nothing here (no objective was sent to it)
    return amministra or (ruolo == "dirigente_a" and modello in DI_AREA)


CASI = [
    (ruolo, modello, operazione, ente)
    for ruolo in RUOLI
    for modello in MODELLI
    for operazione in SOLO_DALLA_SCHEDA.get(modello, OPERAZIONI)
    if not (operazione == "autocomplete" and modello not in AUTOCOMPLETE)
    and not (operazione == "export" and modello in SENZA_ESPORTAZIONE)
    for ente in ENTI
]


def test_the_matrix_is_large_enough():
    assert len(CASI) >= 150
    assert {atteso(*caso) for caso in CASI} == {True, False}
    # the other ente is closed to every role but the host and the Nucleo of both
    assert not any(atteso(r, m, o, "b") for r, m, o, _ in CASI if r in ("amministratore_a", "nucleo_a", "dirigente_a"))


def _dalla_scheda(client, obj, operazione):
    """An individual objective on its scheda's page: there (view), with its weight editable
    (change), removable (delete)."""
    risposta = client.get(admin_url(SchedaValutazione, "change", obj.scheda_id))
    if risposta.status_code in (403, 404):
        return False
    assert risposta.status_code == 200
    (insieme,) = [i for i in risposta.context["inline_admin_formsets"]
                  if i.formset.model is ObiettivoIndividuale]
    forms = [f for f in insieme.formset.forms if f.instance.pk == obj.pk]
    if not forms:
        return False
    if operazione == "view":
        return True
    if operazione == "change":
        return "peso" in forms[0].fields and bool(insieme.has_change_permission)
    return bool(insieme.formset.can_delete and insieme.has_delete_permission)


def _esegui(client, obj, modello, operazione, ente):
    model = type(obj)
    if modello in SOLO_DALLA_SCHEDA:
        return _dalla_scheda(client, obj, operazione)
    if operazione == "list":
        tutti = "?ciclo=tutti" if model is Obiettivo else ""
        risposta = client.get(admin_url(model, "changelist") + tutti)
        if risposta.status_code == 403:
            return False
        assert risposta.status_code == 200
        return obj.pk in {o.pk for o in risposta.context["cl"].result_list}
    if operazione == "export":
        risposta = client.post(
            admin_url(model, "changelist"), {"action": "esporta_csv", "_selected_action": [obj.pk]})
        if risposta.status_code in (302, 403):
            return False
        assert risposta.status_code == 200 and risposta["Content-Type"].startswith("text/csv")
        righe = risposta.content.decode().splitlines()
        return len(righe) == 2 and righe[1].split(";")[0] == str(obj.pk)
    if operazione == "autocomplete":
        app, sorgente, campo, termini = AUTOCOMPLETE[modello]
        risposta = client.get("/admin/autocomplete/", {
            "term": termini[ente], "app_label": app, "model_name": sorgente, "field_name": campo})
        if risposta.status_code in (403, 404):
            return False
        assert risposta.status_code == 200
        return str(obj.pk) in {r["id"] for r in risposta.json()["results"]}
    vista = {"view": "change", "change": "change", "delete": "delete", "history": "history"}[operazione]
    indirizzo = admin_url(model, vista, obj.pk)
    risposta = client.get(indirizzo)
    assert risposta.status_code in (200, 403, 404), (indirizzo, risposta.status_code)
    if operazione == "change":
        return risposta.status_code == 200 and bool(risposta.context["has_change_permission"])
    return risposta.status_code == 200


@pytest.mark.parametrize(("ruolo", "modello", "operazione", "ente"), CASI, ids=["-".join(c) for c in CASI])
def test_matrice_enti(due_enti, client, ruolo, modello, operazione, ente):
    client.force_login(getattr(due_enti.utenti, ruolo))
    obj = getattr(getattr(due_enti, ente), MODELLI[modello][1])
    assert _esegui(client, obj, modello, operazione, ente) is atteso(ruolo, modello, operazione, ente)


# --- the check: the Nucleo of A reaches nothing of B ------------------------------------

def _admin_scopati():
    return [m for m in admin.site._registry
            if m._meta.app_label in ("obiettivi", "valutazione", "validazione", "individuale", "trasparenza",
                                     "lavori")]


def test_every_admin_model_has_a_path_to_its_ente():
    mancanti = [m._meta.label_lower for m in _admin_scopati() if m._meta.label_lower not in permessi.PERCORSI_ENTE]
    assert mancanti == []


@pytest.mark.parametrize("ruolo", ["nucleo_a", "amministratore_a", "dirigente_a"])
def test_no_list_filter_or_dropdown_names_the_other_ente(due_enti, client, ruolo):
    """Every list of every scoped admin (rows, filters' choices, search box) and every change
    page of A's rows (dropdowns) as a role of A only: «Altrove» (every row of B says it) is
    never there; nor in an export."""
    client.force_login(getattr(due_enti.utenti, ruolo))
    aperte = 0
    for model in _admin_scopati():
        risposta = client.get(admin_url(model, "changelist"))
        if risposta.status_code != 200:
            continue
        aperte += 1
        assert "Altrove" not in risposta.content.decode(), model
        for riga in risposta.context["cl"].result_list:
            assert permessi.ente_di(riga) != due_enti.b.ente.pk, (model, riga)
    assert aperte >= (3 if ruolo == "dirigente_a" else 10)
    for nome, (model, attributo) in MODELLI.items():
        if nome in SOLO_DALLA_SCHEDA:
            continue  # on its scheda's page, opened as a SchedaValutazione
        obj = getattr(due_enti.a, attributo)
        risposta = client.get(admin_url(model, "change", obj.pk))
        if risposta.status_code == 200:
            assert "Altrove" not in risposta.content.decode(), nome


def test_the_nucleo_of_a_and_b_sees_both(due_enti, client):
    client.force_login(due_enti.utenti.nucleo_ab)
    risposta = client.get(admin_url(Obiettivo, "changelist") + "?ciclo=tutti")
    assert {due_enti.a.obiettivo.pk, due_enti.b.obiettivo.pk} <= {o.pk for o in risposta.context["cl"].result_list}
    testo = client.get(admin_url(Ciclo, "changelist")).content.decode()
    assert "Comune di Altrove" in testo and "Comune di Prova" in testo


def test_the_nucleo_of_a_cannot_open_b_by_url(due_enti, client):
    """Every admin URL of B's rows answers 404 (as if they did not exist), the results and
    verifiche pages of B's cycle too."""
    client.force_login(due_enti.utenti.nucleo_a)
    for nome, (model, attributo) in MODELLI.items():
        if nome in SOLO_DALLA_SCHEDA:
            continue
        obj = getattr(due_enti.b, attributo)
        for vista in ("change", "history", "delete"):
            assert client.get(admin_url(model, vista, obj.pk)).status_code in (403, 404), (model, vista)
    ciclo = due_enti.b.ciclo.pk
    for indirizzo in (f"/admin/valutazione/smvp/risultati/{ciclo}/", f"/admin/verifiche/{ciclo}/"):
        assert client.get(indirizzo).status_code in (403, 404), indirizzo
    assert "Altrove" not in client.get("/admin/valutazione/smvp/risultati/").content.decode()


# --- the incarichi themselves -----------------------------------------------------------------

def test_existing_members_of_the_groups_get_every_ente_at_migration(db):
    """Migration 0011: an installation keeps working (each Amministratore and Nucleo member of
    before is given every ente); running it twice adds nothing."""
    import importlib

    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from obiettivi.models import Ente, Incarico

    migrazione = importlib.import_module("obiettivi.migrations.0011_incarichi")
    enti = [Ente.objects.create(slug=f"e{n}", nome=f"Comune {n}") for n in range(3)]
    vecchio = get_user_model().objects.create_user("vecchio.nucleo", is_staff=True)
    vecchio.groups.add(Group.objects.get(name=permessi.NUCLEO))
    assert not permessi.is_nucleo(vecchio)  # the group alone gives no ente
    for _ in range(2):
        migrazione.incarichi_dai_gruppi(apps, None)
    # every ente of the database (others may exist, made by fixtures shared with other tests)
    assert Incarico.objects.filter(utente=vecchio, ruolo=permessi.NUCLEO).count() == Ente.objects.count()
    permessi.dimentica(vecchio)
    assert all(permessi.is_nucleo(vecchio, ente) for ente in enti)


def test_assegna_and_revoca_keep_the_group_in_step(db):
    from django.contrib.auth import get_user_model

    from obiettivi.models import Ente

    a, b = (Ente.objects.create(slug=s, nome=s) for s in ("a", "b"))
    utente = get_user_model().objects.create_user("amm", is_staff=True)
    permessi.assegna(utente, a, permessi.AMMINISTRATORE)
    permessi.assegna(utente, b, permessi.AMMINISTRATORE)
    assert permessi.is_amministratore(utente, a) and permessi.is_amministratore(utente, b)
    permessi.revoca(utente, a, permessi.AMMINISTRATORE)
    assert not permessi.is_amministratore(utente, a) and permessi.is_amministratore(utente, b)
    permessi.revoca(utente, b, permessi.AMMINISTRATORE)
    assert not utente.groups.filter(name=permessi.AMMINISTRATORE).exists()
    with pytest.raises(ValueError):
        permessi.assegna(utente, a, permessi.DIRIGENTE)
