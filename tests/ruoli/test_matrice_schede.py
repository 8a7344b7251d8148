"""The permission matrix of performance individuale (issue 16 point 4), generated: role × model
× operation × scope, through HTTP on the real admin.

World (``tests/individuale/mondo_admin.py``), every scheda in «bozza»: ``personale_a`` (Rossi,
staff of area A, evaluated by dirigente.lavori-pubblici), ``personale_b`` (Verdi, staff of area
B, evaluated by dirigente.persona), ``dirigente_a`` (the scheda of dirigente.lavori-pubblici,
evaluated by the Sindaco, seen by the Nucleo), ``dirigente_b`` (the scheda of dirigente.persona).

Roles: the Amministratore (HR), the Nucleo, ``dirigente_a`` (evaluator of area A's staff and
evaluated person of the scheda ``dirigente_a``), ``dirigente_b``, the Sindaco (group
«Valutatore», evaluator of the dirigenti), a plain user without admin rights (Rossi himself)
and a superuser.

The expected answer comes from the policy below, written from the issue and independent of
``obiettivi.permessi``. Each answer is one of: ``si`` (done / shown), ``no`` (403, or the row
missing from a list, a search, an export or an autocomplete), ``404`` (the object does not exist
for the user), ``login`` (sent to the admin's login page).
"""

import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from individuale.models import FondoPremi

from ..individuale import mondo_admin
from .conftest import dati_della_pagina

RUOLI = ("amministratore", "nucleo", "dirigente_a", "dirigente_b", "sindaco", "impiegato", "superutente")
AMBITI = ("personale_a", "personale_b", "dirigente_a", "dirigente_b")
OPERAZIONI_SCHEDA = ("list", "view", "change", "delete", "history", "export", "autocomplete", "search")
OPERAZIONI_PERSONA = ("list", "view", "change", "delete", "history", "autocomplete", "search")
OPERAZIONI_FONDO = ("list", "view", "change", "delete", "history")
OPERAZIONI_OBIETTIVO = ("view", "change")

# --- the policy, from the issue ------------------------------------------------------------------

HR = ("amministratore", "superutente")
# who evaluates the scheda of each scope
VALUTATORE = {"personale_a": "dirigente_a", "personale_b": "dirigente_b",
              "dirigente_a": "sindaco", "dirigente_b": "sindaco"}
# whose scheda it is (the person evaluated, among the roles)
VALUTATO = {"personale_a": "impiegato", "dirigente_a": "dirigente_a", "dirigente_b": "dirigente_b"}
DEI_DIRIGENTI = ("dirigente_a", "dirigente_b")  # the Nucleo sees (and proposes) these


def vede_scheda(ruolo, ambito):
    """«A person sees their own scheda; an evaluator sees the schede they evaluate; the Nucleo
    sees the dirigenti's schede; the Amministratore (HR) manages schede»."""
    return (ruolo in HR or VALUTATORE[ambito] == ruolo or VALUTATO.get(ambito) == ruolo
            or (ruolo == "nucleo" and ambito in DEI_DIRIGENTI))


def atteso_scheda(ruolo, operazione, ambito):
    if ruolo == "impiegato":  # no admin rights: their page is /valutazione-individuale/
        return "login"
    vede = vede_scheda(ruolo, ambito)
    if operazione in ("list", "export", "autocomplete", "search"):
        return "si" if vede else "no"
    if not vede:
        return "404"  # another area's scheda by URL: it does not exist for the user
    if operazione in ("view", "history"):
        return "si"
    if operazione == "delete":  # a draft created by mistake: HR only
        return "si" if ruolo in HR else "no"
    # change, in «bozza»: HR and the evaluator assign objectives and weights; the person
    # evaluated and the Nucleo change nothing yet
    return "si" if ruolo in HR or VALUTATORE[ambito] == ruolo else "no"


def atteso_persona(ruolo, operazione, ambito):
    """The personnel register is HR's only."""
    if ruolo == "impiegato":
        return "login"
    if ruolo in HR:
        return "si"
    if operazione in ("list", "search", "autocomplete"):
        return "no"
    return "404"


def atteso_fondo(ruolo, operazione):
    """Funds: HR manages them, the Nucleo reads them (aggregates, no person)."""
    if ruolo == "impiegato":
        return "login"
    if ruolo in HR:
        return "si"
    if ruolo == "nucleo":
        return "si" if operazione in ("list", "view", "history") else "no"
    return "no" if operazione == "list" else "404"


def atteso_obiettivo(ruolo, operazione, ambito):
    """An individual objective, on its scheda's page: seen with the scheda, its weight changed
    (in «bozza») by HR and the evaluator."""
    if ruolo == "impiegato":
        return "login"
    if not vede_scheda(ruolo, ambito):
        return "404"
    if operazione == "view":
        return "si"
    return "si" if ruolo in HR or VALUTATORE[ambito] == ruolo else "no"


# --- doing it through HTTP -----------------------------------------------------------------------

_mondo = pytest.fixture(scope="module")(mondo_admin.mondo_del_modulo)


@pytest.fixture
def mondo(_mondo, db):
    vars(_mondo).pop("fondo", None)  # each test's own, rolled back with it
    mondo = mondo_admin.rinfresca(_mondo)
    mondo.fondo = FondoPremi.objects.create(ciclo=mondo.aperto, nome="Fondo risultato 2021", importo=100000)
    return mondo


UTENTI = {"amministratore": "amministratore", "nucleo": "nucleo", "dirigente_a": "dirigente",
          "dirigente_b": "altro_dirigente", "sindaco": "sindaco", "impiegato": "impiegato",
          "superutente": "superutente"}
SCHEDE = {"personale_a": "rossi", "personale_b": "verdi", "dirigente_a": "lavori", "dirigente_b": "persona_dir"}
PERSONE = {"personale_a": "p_rossi", "personale_b": "p_verdi", "dirigente_a": "p_lavori",
           "dirigente_b": "p_persona_dir"}
H = {"HTTP_HOST": "127.0.0.1"}


def _esito(risposta, *, presente=None):
    """The answer as the policy words it."""
    if risposta.status_code == 302 and "/login/" in risposta["Location"]:
        return "login"
    if risposta.status_code == 403:
        return "no"
    if risposta.status_code == 404:
        return "404"
    assert risposta.status_code in (200, 302), risposta.status_code
    if presente is not None:
        return "si" if presente(risposta) else "no"
    return "si"


def _url(obj, vista):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{vista}", args=[obj.pk])


def _lista(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def _nella_lista(obj):
    return lambda r: obj.pk in {o.pk for o in r.context["cl"].result_list}


def _autocomplete(client, modello_sorgente, campo, termine, obj):
    risposta = client.get(reverse("admin:autocomplete"), {
        "app_label": "individuale", "model_name": modello_sorgente, "field_name": campo,
        "term": termine}, **H)
    return _esito(risposta, presente=lambda r: str(obj.pk) in {
        x["id"] for x in json.loads(r.content)["results"]})


def _cambia(client, obj):
    """Open the change page and save it back unchanged: «si» if saved, «no» if read-only."""
    pagina = client.get(_url(obj, "change"), **H)
    esito = _esito(pagina)
    if esito != "si":
        return esito
    return _esito(client.post(_url(obj, "change"), dati_della_pagina(pagina), **H))


def esegui(client, obj, operazione, *, cognome):
    if operazione == "list":
        return _esito(client.get(_lista(obj), **H), presente=_nella_lista(obj))
    if operazione == "search":
        return _esito(client.get(_lista(obj), {"q": cognome}, **H), presente=_nella_lista(obj))
    if operazione == "view":
        return _esito(client.get(_url(obj, "change"), **H))
    if operazione == "change":
        return _cambia(client, obj)
    if operazione == "delete":
        return _esito(client.get(_url(obj, "delete"), **H))
    if operazione == "history":
        return _esito(client.get(_url(obj, "history"), **H))
    if operazione == "export":
        risposta = client.post(_lista(obj), {"action": "esporta_csv", "_selected_action": [obj.pk]}, **H)
        return _esito(risposta, presente=lambda r: cognome in r.content.decode())
    raise AssertionError(operazione)


CASI_SCHEDA = [(r, o, a) for r in RUOLI for a in AMBITI for o in OPERAZIONI_SCHEDA]
CASI_PERSONA = [(r, o, a) for r in RUOLI for a in AMBITI for o in OPERAZIONI_PERSONA]
CASI_FONDO = [(r, o) for r in RUOLI for o in OPERAZIONI_FONDO]
CASI_OBIETTIVO = [(r, o, a) for r in RUOLI for a in AMBITI for o in OPERAZIONI_OBIETTIVO]


def test_la_matrice_ha_piu_di_cento_casi():
    assert len(CASI_SCHEDA) + len(CASI_PERSONA) + len(CASI_FONDO) + len(CASI_OBIETTIVO) >= 100 + 300


@pytest.mark.parametrize("ruolo,operazione,ambito", CASI_SCHEDA)
def test_scheda(client, mondo, ruolo, operazione, ambito):
    client.force_login(getattr(mondo, UTENTI[ruolo]))
    scheda = getattr(mondo, SCHEDE[ambito])
    cognome = scheda.persona.cognome
    if operazione == "autocomplete":
        ottenuto = _autocomplete(client, "obiettivoindividuale", "scheda", cognome, scheda)
    else:
        ottenuto = esegui(client, scheda, operazione, cognome=cognome)
    assert ottenuto == atteso_scheda(ruolo, operazione, ambito)


@pytest.mark.parametrize("ruolo,operazione,ambito", CASI_PERSONA)
def test_persona(client, mondo, ruolo, operazione, ambito):
    client.force_login(getattr(mondo, UTENTI[ruolo]))
    persona = getattr(mondo, PERSONE[ambito])
    if operazione == "autocomplete":
        ottenuto = _autocomplete(client, "schedavalutazione", "persona", persona.cognome, persona)
    else:
        ottenuto = esegui(client, persona, operazione, cognome=persona.cognome)
    assert ottenuto == atteso_persona(ruolo, operazione, ambito)


@pytest.mark.parametrize("ruolo,operazione", CASI_FONDO)
def test_fondo(client, mondo, ruolo, operazione):
    client.force_login(getattr(mondo, UTENTI[ruolo]))
    assert esegui(client, mondo.fondo, operazione, cognome=mondo.fondo.nome) == atteso_fondo(ruolo, operazione)


@pytest.mark.parametrize("ruolo,operazione,ambito", CASI_OBIETTIVO)
def test_obiettivo_individuale_dalla_sua_scheda(client, mondo, ruolo, operazione, ambito):
    client.force_login(getattr(mondo, UTENTI[ruolo]))
    scheda = getattr(mondo, SCHEDE[ambito])
    obiettivo = scheda.obiettivi.first()
    pagina = client.get(_url(scheda, "change"), **H)
    ottenuto = _esito(pagina)
    if ottenuto == "si":
        (insieme,) = [i for i in pagina.context["inline_admin_formsets"] if i.formset.prefix == "obiettivi"]
        (form,) = [f for f in insieme.formset.forms if f.instance.pk == obiettivo.pk]
        if operazione == "view":
            ottenuto = "si" if escape(obiettivo.descrizione) in pagina.content.decode() else "no"
        else:
            ottenuto = "si" if "peso" in form.fields and insieme.has_change_permission else "no"
    assert ottenuto == atteso_obiettivo(ruolo, operazione, ambito)


def test_il_dirigente_dei_lavori_pubblici_vede_il_suo_personale_e_la_propria_scheda(client, mondo):
    """The issue's check, in its own words."""
    client.force_login(mondo.dirigente)
    risposta = client.get(reverse("admin:individuale_schedavalutazione_changelist"), **H)
    assert {s.pk for s in risposta.context["cl"].result_list} == {mondo.rossi.pk, mondo.bianchi.pk, mondo.lavori.pk}
    assert client.get(_url(mondo.verdi, "change"), **H).status_code == 404
