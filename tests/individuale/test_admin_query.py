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

# Measured: 13 for the Amministratore and the Nucleo, 14 for a dirigente (their areas) — session,
# user, groups, the enti of their incarichi (issue 17), counts, the page with its related rows,
# the filters' choices, the actions.
MASSIMO = 13


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


def test_elenco_delle_persone_e_dati_del_pdf_con_query_fisse(client, django_assert_max_num_queries):
    from individuale import stampa
    from individuale.models import SchedaValutazione

    mondo = mondo_admin.costruisci_mondo_individuale()
    url = reverse("admin:individuale_persona_changelist")
    client.force_login(mondo.amministratore)

    def conta():
        with CaptureQueriesContext(connection) as query:
            assert client.get(url, HTTP_HOST="127.0.0.1").status_code == 200
        for cache in ("_seregno_gruppi", "_seregno_incarichi", "_seregno_aree"):  # permessi's per-user caches
            vars(mondo.amministratore).pop(cache, None)
        with CaptureQueriesContext(connection) as query_pdf:
            dati = stampa.dati_schede(SchedaValutazione.objects.all(), mondo.amministratore)
        return len(query), len(query_pdf), len(dati)

    pochi = conta()
    servizi.crea_schede(mondo.aperto, mondo.gruppi["dipendente"], mondo.area_a, _persone(mondo, 300, 0))
    molti = conta()
    assert (pochi[2], molti[2]) == (5, 305)
    assert pochi[:2] == molti[:2]
    with django_assert_max_num_queries(pochi[0]):
        client.get(url, HTTP_HOST="127.0.0.1")
    # the user's groups, their incarichi (issue 17), then one query each for schede, objectives,
    # behaviours
    assert pochi[1] <= 5
