"""The permission matrix, generated: role × model × operation × scope, through the real admin.

Scopes: ``proprio`` (an area the dirigente directs, objective still a draft), ``altrui`` (another
dirigente's area), ``inviato`` (own area, already sent to the Nucleo), ``bloccato`` (own area, in
an approved cycle). Models that belong to no area (cycle, financial indicators, report texts)
have only ``proprio`` (the open cycle) and ``bloccato``.

The expected answer comes from the policy below, written from the issue and independent of
``obiettivi.permessi``; every operation is done through HTTP (``import``: the rule the import
code must ask, ``permessi.campi_importabili``).
"""

import pytest

from obiettivi import permessi
from obiettivi.models import Ciclo, Fase, Indicatore, Obiettivo
from obiettivi.models import TestoReport as ModelloTesto
from valutazione.models import IndicatoreFinanziario, StandardBarometro

from .conftest import admin_url, dati_della_pagina

RUOLI = ("amministratore", "nucleo", "dirigente")
OPERAZIONI = ("list", "view", "change", "delete", "export", "import", "history")
DI_AREA = {"Obiettivo", "Indicatore", "Fase", "StandardBarometro"}
MODELLI = {
    "Obiettivo": Obiettivo, "Indicatore": Indicatore, "Fase": Fase,
    "StandardBarometro": StandardBarometro, "IndicatoreFinanziario": IndicatoreFinanziario,
    "Ciclo": Ciclo, "TestoReport": ModelloTesto,
}
AMBITI = {
    "Obiettivo": ("proprio", "altrui", "inviato", "bloccato"),
    "Indicatore": ("proprio", "altrui", "inviato", "bloccato"),
    "Fase": ("proprio", "altrui", "inviato", "bloccato"),
    "StandardBarometro": ("proprio", "altrui", "bloccato"),
    "IndicatoreFinanziario": ("proprio", "bloccato"),
    "Ciclo": ("proprio", "bloccato"),
    "TestoReport": ("proprio", "bloccato"),
}


def atteso(ruolo, modello, operazione, ambito):
    """The policy of issue 4, as a table a reader can check."""
    vede = ruolo in ("amministratore", "nucleo") or (modello in DI_AREA and ambito != "altrui")
    if operazione in ("list", "view", "history", "export"):
        return vede
    if ambito == "bloccato":  # after validation nobody changes anything
        return False
    if operazione == "delete":  # single phases are deleted only from their objective's page
        return ruolo == "amministratore" and modello != "Fase"
    # change and import: each role its own fields
    if ruolo == "amministratore":
        return True
    if ruolo == "dirigente":
        return modello in DI_AREA and ambito == "proprio"
    return modello == "Obiettivo" and ambito == "inviato"  # the Nucleo reviews what was sent


def oggetto(mondo, modello, ambito):
    if modello in ("Obiettivo", "Indicatore", "Fase"):
        obiettivo = getattr(mondo, ambito)
        if modello == "Obiettivo":
            return obiettivo
        return MODELLI[modello].objects.get(obiettivo=obiettivo)
    if modello == "StandardBarometro":
        return mondo.standard[ambito]
    if modello == "IndicatoreFinanziario":
        return mondo.finanziari[ambito]
    if modello == "TestoReport":
        return mondo.testi[ambito]
    return mondo.aperto if ambito == "proprio" else mondo.chiuso


CASI = [
    (ruolo, modello, operazione, ambito)
    for ruolo in RUOLI
    for modello in MODELLI
    for ambito in AMBITI[modello]
    for operazione in OPERAZIONI
]


def test_the_matrix_is_large_enough():
    assert len(CASI) >= 100
    assert {atteso(*caso) for caso in CASI} == {True, False}


def _esegui(client, utente, obj, operazione):
    model = type(obj)
    if operazione == "import":
        campi = permessi.campi_importabili(utente, obj)
        return permessi.puo_vedere(utente, obj) and (campi is permessi.TUTTI or bool(campi))
    if operazione == "list":
        # every cycle (a dirigente's objectives list otherwise opens on their open cycle)
        tutti = "?ciclo=tutti" if model is Obiettivo else ""
        risposta = client.get(admin_url(model, "changelist") + tutti)
        if risposta.status_code == 403:
            return False
        assert risposta.status_code == 200
        return obj.pk in {o.pk for o in risposta.context["cl"].result_list}
    if operazione == "export":
        risposta = client.post(
            admin_url(model, "changelist"), {"action": "esporta_csv", "_selected_action": [obj.pk]}
        )
        if risposta.status_code in (302, 403):  # nothing selectable, or no access at all
            return False
        assert risposta.status_code == 200 and risposta["Content-Type"].startswith("text/csv")
        righe = risposta.content.decode().splitlines()
        if len(righe) == 1:  # only the header: the selected row is not in the user's queryset
            return False
        assert len(righe) == 2 and righe[1].split(";")[0] == str(obj.pk)
        return True
    vista = {"view": "change", "change": "change", "delete": "delete", "history": "history"}[operazione]
    indirizzo = admin_url(model, vista, obj.pk)
    risposta = client.get(indirizzo)
    assert risposta.status_code in (200, 403, 404), (indirizzo, risposta.status_code)
    if operazione != "change" or risposta.status_code != 200:
        return risposta.status_code == 200
    dati = dati_della_pagina(risposta)
    esito = client.post(indirizzo, dati)
    assert esito.status_code in (302, 403), esito.context and esito.context["errors"]
    return esito.status_code == 302


@pytest.mark.parametrize(("ruolo", "modello", "operazione", "ambito"), CASI,
                         ids=["-".join(c) for c in CASI])
def test_permission_matrix(mondo, client, ruolo, modello, operazione, ambito):
    utente = getattr(mondo, ruolo)
    client.force_login(utente)
    obj = oggetto(mondo, modello, ambito)
    assert _esegui(client, utente, obj, operazione) is atteso(ruolo, modello, operazione, ambito)
