"""The desk on the admin's home page (obiettivi/scrivania.py): what each role sees, with links,
and what it must not see (a dirigente never sees another area's objectives)."""

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from obiettivi import permessi, scrivania
from obiettivi.models import Ciclo, Obiettivo
from seregno_perf.formati import giorni_alla_scadenza, quanti
from valutazione.queries import risultati_ciclo
from valutazione.services import smvp_create_default

from .conftest import admin_url

R = Obiettivo.StatoRendicontazione
OGGI = date(2022, 3, 19)


def _scrivania(client, utente):
    client.force_login(utente)
    risposta = client.get("/admin/")
    assert risposta.status_code == 200
    html = risposta.content.decode()
    inizio = html.index('<div id="content-main" class="scrivania">')
    fine = html.index('class="scrivania-tutto"')
    return html[inizio:fine]


def _testo(html):
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _link(html, testo):
    """The href of the link whose text is ``testo``."""
    trovati = re.findall(r'<a[^>]*href="([^"]+)"[^>]*>\s*' + re.escape(testo) + r"\s*</a>", html)
    assert trovati, f"nessun collegamento «{testo}»"
    return unescape(trovati[0])


# --- pure wording -----------------------------------------------------------------------------


@pytest.mark.parametrize(("giorni", "atteso"), [
    (12, "mancano 12 giorni"), (1, "manca 1 giorno"), (0, "scade oggi"),
    (-1, "scaduto da 1 giorno"), (-3, "scaduto da 3 giorni"),
])
def test_days_left_in_italian(giorni, atteso):
    assert giorni_alla_scadenza(OGGI + timedelta(days=giorni), OGGI) == atteso
    assert giorni_alla_scadenza(None, OGGI) == ""


def test_singular_and_plural():
    assert quanti(1, "obiettivo", "obiettivi") == "1 obiettivo"
    assert quanti(3, "obiettivo", "obiettivi") == "3 obiettivi"
    assert quanti(0, "obiettivo", "obiettivi") == "0 obiettivi"


# --- dirigente --------------------------------------------------------------------------------


def test_dirigente_sees_own_objectives_with_links_and_deadline(client, mondo):
    scadenza = timezone.localdate() + timedelta(days=12)
    Ciclo.objects.filter(pk=mondo.aperto.pk).update(scadenza_rendicontazione=scadenza)
    html = _scrivania(client, mondo.dirigente)
    testo = _testo(html)
    assert "Comune di Prova — ciclo 2021" in testo
    assert f"Termine per l'invio al Nucleo: {scadenza:%d/%m/%Y} — mancano 12 giorni" in testo
    # one objective to report: the count leads straight to its page
    assert _link(html, "1 obiettivo da rendicontare") == admin_url(
        Obiettivo, "change", mondo.proprio.pk)
    assert _link(html, "LP.01") == admin_url(Obiettivo, "change", mondo.proprio.pk)
    assert _link(html, "1 obiettivo inviato al Nucleo") == admin_url(
        Obiettivo, "change", mondo.inviato.pk)
    # the locked cycle (approvata) has nothing to do
    assert "ciclo 2020" not in testo


def test_dirigente_counts_lead_to_the_filtered_list_when_more_than_one(client, mondo):
    Obiettivo.objects.filter(pk=mondo.inviato.pk).update(stato_rendicontazione=R.BOZZA)
    html = _scrivania(client, mondo.dirigente)
    url = _link(html, "2 obiettivi da rendicontare")
    assert url.startswith(admin_url(Obiettivo, "changelist") + "?")
    elenco = client.get(url)
    assert elenco.status_code == 200
    codici = sorted(o.codice for o in elenco.context["cl"].result_list)
    assert codici == ["LP.01", "LP.02"]


def test_dirigente_sees_sent_back_objective_with_the_nucleo_comment(client, mondo):
    Obiettivo.objects.filter(pk=mondo.inviato.pk).update(
        stato_rendicontazione=R.RINVIATO, commento_nucleo="Manca il valore dell'indicatore.")
    html = _scrivania(client, mondo.dirigente)
    testo = _testo(html)
    assert "1 obiettivo rinviato dal Nucleo" in testo
    assert "Manca il valore dell'indicatore." in testo
    assert _link(html, "LP.02") == admin_url(Obiettivo, "change", mondo.inviato.pk)


def test_dirigente_never_sees_other_areas(client, mondo):
    Obiettivo.objects.filter(pk=mondo.altrui.pk).update(
        stato_rendicontazione=R.RINVIATO, commento_nucleo="Commento riservato all'altra area.")
    mio = _testo(_scrivania(client, mondo.dirigente))
    assert "SP.01" not in mio and "riservato" not in mio and "Servizi alla persona" not in mio
    altrui = _testo(_scrivania(client, mondo.altro_dirigente))
    assert "SP.01" in altrui and "riservato" in altrui
    assert "LP.01" not in altrui and "LP.02" not in altrui
    assert "inviato al Nucleo" not in altrui  # LP.02 is the only one sent


def test_dirigente_without_open_cycle(client, mondo):
    Ciclo.objects.filter(pk=mondo.aperto.pk).update(stato=Ciclo.Stato.APPROVATA)
    assert "Nessun ciclo aperto per le tue aree." in _testo(_scrivania(client, mondo.dirigente))


# --- Nucleo -----------------------------------------------------------------------------------


def test_nucleo_queue_by_area_and_grades_that_disagree(client, mondo):
    Ciclo.objects.filter(pk=mondo.aperto.pk).update(smvp=smvp_create_default())
    mondo.aperto.refresh_from_db()
    calcolato = {r.codice: r.grado_calcolato for r in risultati_ciclo(mondo.aperto).obiettivi}
    assert calcolato["LP.02"] is not None
    diverso = 1 if calcolato["LP.02"] != 1 else 5
    Obiettivo.objects.filter(pk=mondo.inviato.pk).update(grado_proposto=diverso)
    html = _scrivania(client, mondo.nucleo)
    testo = _testo(html)
    assert _link(html, "Esamina il primo: LP.02") == admin_url(Obiettivo, "change", mondo.inviato.pk)
    assert "Area Lavori pubblici 1 obiettivo inviato al Nucleo" in testo
    assert "Area Servizi alla persona" not in testo  # nothing sent from there
    riga = re.search(r"Grado proposto diverso.*?</table>", html, re.S).group(0)
    assert "LP.02" in riga and f"<td>{diverso}</td><td>{calcolato['LP.02']}</td>" in riga
    assert _link(html, "Risultati calcolati del ciclo 2021") == f"/admin/valutazione/smvp/risultati/{mondo.aperto.pk}/"
    assert _link(html, "Verifiche prima della validazione: i controlli della Relazione del 2021") \
        == f"/admin/verifiche/{mondo.aperto.pk}/"

    # the same grade as computed: not listed
    Obiettivo.objects.filter(pk=mondo.inviato.pk).update(grado_proposto=calcolato["LP.02"])
    testo = _testo(_scrivania(client, mondo.nucleo))
    assert "Grado proposto diverso" not in testo
    assert "il grado proposto coincide con quello calcolato" in testo


def test_nucleo_desk_uses_the_scoring_of_valutazione(mondo, monkeypatch):
    """The Nucleo's list reads grado_calcolato from risultati_ciclo, never its own arithmetic."""
    Ciclo.objects.filter(pk=mondo.aperto.pk).update(smvp=smvp_create_default())
    chiamate = []
    import valutazione.queries as q

    originale = q.risultati_ciclo
    monkeypatch.setattr(q, "risultati_ciclo", lambda c: chiamate.append(c.pk) or originale(c))
    scrivania.scrivania_nucleo()
    assert chiamate == [mondo.aperto.pk]


# --- Amministratore ---------------------------------------------------------------------------


def test_amministratore_sees_states_blockers_publication_and_actions(client, mondo):
    html = _scrivania(client, mondo.amministratore)
    testo = _testo(html)
    # 2021 in rendicontazione: LP.01 and SP.01 not sent (LP.02 is)
    url = _link(html, "2 obiettivi non ancora inviati al Nucleo")
    elenco = client.get(url)
    assert sorted(o.codice for o in elenco.context["cl"].result_list) == ["LP.01", "SP.01"]
    assert _link(html, "Passa a «Validazione»") == admin_url(Ciclo, "avanza", mondo.aperto.pk)
    assert _link(html, "Importa il PEG") == "/admin/obiettivi/ciclo/peg/"
    # 2020 approvata: the next step publishes; never published
    assert _link(html, "Pubblica la Relazione") == admin_url(Ciclo, "pubblica", mondo.chiuso.pk)  # the preview
    assert "mai pubblicata" in testo
    # 2022 does not exist: it can be started from 2021 (2021 exists: no copy of 2020)
    assert "Avvia il 2022 copiando il piano" in testo and "Avvia il 2021" not in testo


def test_amministratore_blocker_of_approval_counts_what_workflow_refuses(client, mondo):
    from obiettivi import workflow

    Ciclo.objects.filter(pk=mondo.aperto.pk).update(stato=Ciclo.Stato.VALIDAZIONE)
    mondo.aperto.refresh_from_db()
    testo = _testo(_scrivania(client, mondo.amministratore))
    assert "3 obiettivi non ancora validati dal Nucleo" in testo
    assert "serve l'atto della Giunta che approva la Relazione" in testo
    errori = workflow.errori_avanzamento(mondo.aperto, atto=mondo.giunta)
    assert errori and errori[0].startswith("3 obiettivi attivi non sono ancora stati validati")


def test_user_with_several_roles_sees_each_section(client, mondo):
    permessi.assegna(mondo.dirigente, mondo.ente, permessi.NUCLEO)  # the group and the ente
    testo = _testo(_scrivania(client, mondo.dirigente))
    assert "I tuoi obiettivi da rendicontare" in testo
    assert "Nucleo di valutazione: obiettivi e Relazioni da esaminare" in testo
    assert "Cicli della performance" not in testo


def test_app_list_stays_below_the_desk(client, mondo):
    client.force_login(mondo.dirigente)
    html = client.get("/admin/").content.decode()
    assert html.index("I tuoi obiettivi da rendicontare") < html.index("Tutte le sezioni")
    assert 'href="/admin/obiettivi/obiettivo/"' in html


def test_anonymous_user_goes_to_login(client):
    risposta = client.get("/admin/")
    assert risposta.status_code == 302 and "/admin/login/" in risposta["Location"]


# --- the deadline: set on the cycle's page, moved by the copy, given to the demo --------------


def test_deadline_is_on_the_cycle_page_and_moves_with_the_copy(client, mondo):
    from obiettivi.services import ciclo_copia

    client.force_login(mondo.amministratore)
    pagina = client.get(admin_url(Ciclo, "change", mondo.aperto.pk)).content.decode()
    assert 'name="scadenza_rendicontazione"' in pagina
    Ciclo.objects.filter(pk=mondo.aperto.pk).update(scadenza_rendicontazione=date(2022, 3, 31))
    mondo.aperto.refresh_from_db()
    copia = ciclo_copia(da=mondo.aperto, anno=2022, utente=mondo.amministratore).ciclo
    assert copia.scadenza_rendicontazione == date(2023, 3, 31)


@pytest.mark.django_db
def test_demo_cycle_has_its_reporting_deadline():
    from obiettivi.demo import carica_demo

    ciclo = carica_demo().ciclo
    assert ciclo.scadenza_rendicontazione == date(2022, 3, 31)


def test_sent_emails_register_is_for_amministratori_only(client, mondo):
    url = "/admin/avvisi/avvisoinviato/"
    client.force_login(mondo.amministratore)
    assert client.get(url).status_code == 200
    for utente in (mondo.dirigente, mondo.nucleo):
        client.force_login(utente)
        assert client.get(url).status_code == 403
        assert "Avvisi inviati" not in client.get("/admin/").content.decode()


def test_amministratore_published_cycle_waits_for_the_nucleo_signature(client, mondo):
    Ciclo.objects.filter(pk=mondo.chiuso.pk).update(stato=Ciclo.Stato.PUBBLICATA)
    html = _scrivania(client, mondo.amministratore)
    testo = _testo(html)
    assert "in attesa del documento di validazione del Nucleo" in testo
    assert "Passa a «Validata" not in testo  # only the Nucleo's signature gets there
    assert _link(html, "Pubblica la Relazione") == admin_url(Ciclo, "pubblica", mondo.chiuso.pk)

    Ciclo.objects.filter(pk=mondo.chiuso.pk).update(stato=Ciclo.Stato.VALIDATA)
    html = _scrivania(client, mondo.amministratore)
    assert "in attesa del documento di validazione" not in _testo(html)
    assert _link(html, "Pubblica la Relazione") == admin_url(Ciclo, "pubblica", mondo.chiuso.pk)


def test_nucleo_is_asked_for_the_documento_di_validazione_of_a_published_relazione(client, mondo):
    from validazione.models import DocumentoValidazione

    Ciclo.objects.filter(pk=mondo.chiuso.pk).update(stato=Ciclo.Stato.PUBBLICATA)
    html = _scrivania(client, mondo.nucleo)
    assert "La Relazione è pubblicata e attende il documento di validazione del Nucleo." in _testo(html)
    url = _link(html, "Scrivi il documento di validazione")
    assert url == admin_url(DocumentoValidazione, "add") + f"?ciclo={mondo.chiuso.pk}"
    assert client.get(url).status_code == 200  # the Nucleo may write it

    # a draft already started: the desk opens it rather than starting another
    from trasparenza.models import Pubblicazione

    versione = Pubblicazione.objects.create(ciclo=mondo.chiuso, versione=1, impronta="0" * 64,
                                            dati={}, html="")
    bozza = DocumentoValidazione.objects.create(ciclo=mondo.chiuso, pubblicazione=versione)
    html = _scrivania(client, mondo.nucleo)
    assert _link(html, "Scrivi il documento di validazione") == admin_url(
        DocumentoValidazione, "change", bozza.pk)

    # validated: nothing left to write
    Ciclo.objects.filter(pk=mondo.chiuso.pk).update(stato=Ciclo.Stato.VALIDATA)
    assert "Scrivi il documento di validazione" not in _testo(_scrivania(client, mondo.nucleo))
