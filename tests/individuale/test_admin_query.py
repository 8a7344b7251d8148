"""The schede's changelist reads a fixed number of queries, whatever the number of schede (issue
16: «query counts of the schede list are the same at 50 and 1.000 people»)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from individuale import servizi
from individuale.models import Persona

from . import mondo_admin

pytestmark = pytest.mark.django_db

# Measured: 12 for the Amministratore and the Nucleo, 14 for a dirigente (their areas) — session,
# user, groups, counts, the page with its related rows, the filters' choices, the actions.
MASSIMO = 12


def _persone(mondo, n, inizio):
    Persona.objects.bulk_create([
        Persona(ente=mondo.ente, cognome=f"Cognome{i:05d}", nome="Prova", matricola=f"X{i:05d}")
        for i in range(inizio, inizio + n)])
    return list(Persona.objects.filter(matricola__startswith="X").exclude(schede__isnull=False))


def _conta(client, utente):
    client.force_login(utente)
    with CaptureQueriesContext(connection) as query:
        risposta = client.get(reverse("admin:individuale_schedavalutazione_changelist"),
                              {"all": ""}, HTTP_HOST="127.0.0.1")
    assert risposta.status_code == 200
    return len(query), risposta.context["cl"].result_count


def test_la_lista_delle_schede_ha_le_stesse_query_a_50_e_a_1000(client, django_assert_max_num_queries):
    mondo = mondo_admin.costruisci_mondo_individuale()
    dipendenti = mondo.gruppi["dipendente"]
    servizi.crea_schede(mondo.aperto, dipendenti, mondo.area_a, _persone(mondo, 45, 0))
    pochi = {ruolo: _conta(client, getattr(mondo, ruolo)) for ruolo in ("amministratore", "dirigente", "nucleo")}
    assert pochi["amministratore"][1] == 50
    servizi.crea_schede(mondo.aperto, dipendenti, mondo.area_a, _persone(mondo, 950, 45))
    molti = {ruolo: _conta(client, getattr(mondo, ruolo)) for ruolo in ("amministratore", "dirigente", "nucleo")}
    assert molti["amministratore"][1] == 1000 and molti["dirigente"][1] == 998
    for ruolo in pochi:
        assert pochi[ruolo][0] == molti[ruolo][0], ruolo
    assert molti["dirigente"][0] <= MASSIMO + 2
    client.force_login(mondo.amministratore)
    with django_assert_max_num_queries(MASSIMO):
        client.get(reverse("admin:individuale_schedavalutazione_changelist"), HTTP_HOST="127.0.0.1")
