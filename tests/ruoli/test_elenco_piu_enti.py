"""The objectives' list of whoever sees more than one ente (issue 17 point 4): unfiltered, it
would sort every row of every ente (a Nucleo in forma associata of 100 enti × 5 years × 1.000
objectives: 500.000 rows), so it opens on one cycle — the latest of their enti under review
(rendicontazione, validazione), else the latest — keeping the other filters asked for;
«Tutti i cicli» stays one click away. The Amministratore and the Nucleo of one ente keep the
unfiltered list (a few thousand rows). The redirect costs the same few queries whatever the
number of enti and cycles.

World: ``due_enti`` (A «Comune di Prova»: 2021 in rendicontazione, 2020 approvata; B «Comune di
Altrove»: 2021 in rendicontazione)."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from obiettivi import permessi
from obiettivi.models import Ciclo, Ente, Obiettivo

from .conftest import admin_url

ELENCO = admin_url(Obiettivo, "changelist")
S = Ciclo.Stato


def _query(risposta):
    assert risposta.status_code == 302, risposta.status_code
    return {k: v[0] for k, v in parse_qs(urlsplit(risposta["Location"]).query).items()}


def test_the_nucleo_of_two_enti_opens_on_the_latest_cycle_under_review(due_enti, client):
    client.force_login(due_enti.utenti.nucleo_ab)
    risposta = client.get(f"{ELENCO}?stato_rendicontazione=bozza")
    # 2021 of both enti is in rendicontazione: the first ente by name («Altrove» < «Prova»)
    assert _query(risposta) == {"ciclo": str(due_enti.b.ciclo.pk), "stato_rendicontazione": "bozza"}
    elenco = client.get(risposta["Location"])
    assert {o.ciclo_id for o in elenco.context["cl"].result_list} == {due_enti.b.ciclo.pk}
    html = elenco.content.decode()
    assert 'href="?ciclo=tutti&amp;stato_rendicontazione=bozza"' in html and "Tutti i cicli" in html


def test_every_cycle_is_still_one_click_away(due_enti, client):
    client.force_login(due_enti.utenti.nucleo_ab)
    risposta = client.get(f"{ELENCO}?ciclo=tutti")
    assert risposta.status_code == 200
    assert {due_enti.a.ciclo.pk, due_enti.b.ciclo.pk} <= {o.ciclo_id for o in risposta.context["cl"].result_list}


def test_a_cycle_under_review_comes_before_a_later_one_being_planned(due_enti, client):
    Ciclo.objects.create(ente=due_enti.a.ente, anno=2022, stato=S.PIANIFICAZIONE)
    Ciclo.objects.filter(pk=due_enti.b.ciclo.pk).update(stato=S.APPROVATA)
    client.force_login(due_enti.utenti.nucleo_ab)
    assert _query(client.get(ELENCO)) == {"ciclo": str(due_enti.a.ciclo.pk)}
    # none under review: the latest cycle, whatever its state
    Ciclo.objects.filter(pk=due_enti.a.ciclo.pk).update(stato=S.APPROVATA)
    ultimo = Ciclo.objects.get(ente=due_enti.a.ente, anno=2022)
    assert _query(client.get(ELENCO)) == {"ciclo": str(ultimo.pk)}


def test_the_host_of_several_enti_opens_on_one_cycle_too(due_enti, client):
    client.force_login(due_enti.utenti.host)
    assert _query(client.get(ELENCO)) == {"ciclo": str(due_enti.b.ciclo.pk)}


@pytest.mark.parametrize("ruolo", ["nucleo_a", "amministratore_a"])
def test_the_roles_of_one_ente_keep_the_unfiltered_list(due_enti, client, ruolo):
    client.force_login(getattr(due_enti.utenti, ruolo))
    risposta = client.get(ELENCO)
    assert risposta.status_code == 200
    assert {o.ciclo_id for o in risposta.context["cl"].result_list} == {due_enti.a.ciclo.pk,
                                                                        Ciclo.objects.get(ente=due_enti.a.ente, anno=2020).pk}


def test_vede_piu_enti(due_enti):
    utenti = due_enti.utenti
    assert permessi.vede_piu_enti(utenti.nucleo_ab) and permessi.vede_piu_enti(utenti.host)
    assert not any(permessi.vede_piu_enti(u) for u in (utenti.nucleo_a, utenti.amministratore_a, utenti.dirigente_a))


def _query_del_rinvio(client):
    with CaptureQueriesContext(connection) as catturate:
        assert client.get(ELENCO).status_code == 302
    return len(catturate.captured_queries)


def test_the_redirect_costs_the_same_queries_with_more_enti_and_cycles(due_enti, client):
    """Pinned: session, user, groups, incarichi, the cycle to open — 5 queries, with 2 enti
    as with 7 (each with 3 cycles)."""
    client.force_login(due_enti.utenti.nucleo_ab)
    prima = _query_del_rinvio(client)
    assert prima == 5
    for n in range(5):
        ente = Ente.objects.create(slug=f"altro-{n}", nome=f"Comune numero {n}")
        for anno, stato in ((2019, S.PUBBLICATA), (2020, S.APPROVATA), (2021, S.VALIDAZIONE)):
            Ciclo.objects.create(ente=ente, anno=anno, stato=stato)
        permessi.assegna(due_enti.utenti.nucleo_ab, ente, permessi.NUCLEO)
    assert _query_del_rinvio(client) == prima
