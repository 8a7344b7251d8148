"""The PDF of the schede di valutazione as a background job (issue 17 point 2): the action
«Stampa le schede in PDF» only queues a job of kind «stampa_schede»; the worker
(``individuale.stampa.corpo_stampa``) prints, with the requester's visibility read again at run
time, one page per scheda and the scores only where ``vede_punteggi``; the file is private
(``MEDIA_ROOT/lavori/``) and downloaded by the requester only."""

import html
import io
import re
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from individuale.models import SchedaValutazione
from lavori.models import Lavoro
from obiettivi import permessi
from tests.lavori.coda import esegui_coda
from tests.ruoli.passeggiata import leggi_pagina, problemi
from tests.ruoli.conftest import _utente

from . import mondo_admin

_mondo = pytest.fixture(scope="module")(mondo_admin.mondo_del_modulo)

S = Lavoro.Stato
LISTA = "admin:individuale_schedavalutazione_changelist"


@pytest.fixture
def mondo(_mondo, db):
    return mondo_admin.rinfresca(_mondo)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _punteggio_finale(scheda, valore="87.5"):
    SchedaValutazione.objects.filter(pk=scheda.pk).update(punteggio_finale=Decimal(valore),
                                                          punteggio_ente=Decimal("80"))


def _pagina(lavoro, coda=""):
    return f"/admin/lavori/lavoro/{lavoro.pk}/{coda}"


def _testo(risposta):
    return html.unescape(risposta.content.decode())


def _accoda(client, utente, schede, capture):
    """The action, as the list's form posts it; returns the response and the job queued."""
    client.force_login(utente)
    with capture(execute=True):
        risposta = client.post(reverse(LISTA), {"action": "stampa_pdf",
                                                "_selected_action": [str(s.pk) for s in schede]},
                               HTTP_HOST="127.0.0.1")
    return risposta, Lavoro.objects.filter(utente=utente).order_by("-pk").first()


def _pdf(client, lavoro):
    scaricato = client.get(_pagina(lavoro, "file/"))
    assert scaricato.status_code == 200
    assert "no-store" in scaricato["Cache-Control"]
    return pypdf.PdfReader(io.BytesIO(b"".join(scaricato.streaming_content)))


@pytest.fixture
def senza_pdf_nella_richiesta(monkeypatch):
    """WeasyPrint may not run while the test's request is served."""
    import weasyprint

    def vietato(*args, **kwargs):
        raise AssertionError("PDF reso dentro la richiesta")

    monkeypatch.setattr(weasyprint.HTML, "render", vietato)
    monkeypatch.setattr(weasyprint.HTML, "write_pdf", vietato)
    return monkeypatch


def test_l_azione_mette_in_coda_e_non_rende_il_pdf(
        client, mondo, media, senza_pdf_nella_richiesta, django_capture_on_commit_callbacks):
    # the dirigente selects a scheda they do not see (Verdi, area B): it is not in the job
    risposta, lavoro = _accoda(client, mondo.dirigente, [mondo.rossi, mondo.bianchi, mondo.verdi],
                               django_capture_on_commit_callbacks)
    assert risposta.status_code == 302 and risposta["Location"] == _pagina(lavoro, "segui/")
    assert (lavoro.tipo, lavoro.stato, lavoro.utente) == (Lavoro.Tipo.STAMPA_SCHEDE, S.IN_CODA,
                                                          mondo.dirigente)
    assert (lavoro.ciclo, lavoro.ente) == (mondo.aperto, mondo.ente)  # one cycle selected
    assert lavoro.parametri == {"schede": sorted([mondo.rossi.pk, mondo.bianchi.pk])}
    tarea = DBTaskResult.objects.get()
    assert (tarea.task_path, tarea.args_kwargs["args"], tarea.status) == (
        "lavori.tasks.esegui_lavoro", [lavoro.pk], "READY")
    pagina = client.get(risposta["Location"])
    assert pagina.status_code == 200 and pagina["Refresh"] == "5"
    assert "In coda: in attesa che un worker lo prenda." in _testo(pagina)
    assert not list(media.rglob("*.pdf"))


def test_una_selezione_senza_schede_visibili_non_accoda_nulla(
        client, mondo, django_capture_on_commit_callbacks):
    risposta, lavoro = _accoda(client, mondo.dirigente, [mondo.verdi], django_capture_on_commit_callbacks)
    assert lavoro is None and not DBTaskResult.objects.exists()
    assert risposta.status_code == 302  # back to the list, with the message
    testo = _testo(client.get(risposta["Location"], HTTP_HOST="127.0.0.1"))
    assert "Nessuna delle schede selezionate è visibile con il tuo ruolo." in testo


def test_il_worker_stampa_una_pagina_per_scheda_e_i_punteggi_solo_a_chi_li_vede(
        client, mondo, media, monkeypatch, django_capture_on_commit_callbacks):
    _punteggio_finale(mondo.rossi)
    # the Amministratore (HR): three schede, no score before «definitiva»
    _, lavoro = _accoda(client, mondo.amministratore, [mondo.rossi, mondo.bianchi, mondo.verdi],
                        django_capture_on_commit_callbacks)
    esegui_coda(monkeypatch)
    lavoro.refresh_from_db()
    assert (lavoro.stato, lavoro.errore) == (S.COMPLETATO, "")
    assert lavoro.esito == "Stampate 3 schede in 3 pagine."
    assert lavoro.risultato["senza_punteggi"] == 3
    assert lavoro.file == f"lavori/{lavoro.pk}/schede_comune_di_prova_2021.pdf"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    risposta = client.get(_pagina(lavoro, "segui/"))
    pagina = _testo(risposta)
    assert "Scarica il file" in pagina and "Stampate 3 schede in 3 pagine." in pagina
    assert problemi(leggi_pagina(risposta.content.decode())) == []  # the admin walk's checks
    assert "In 3 schede i punteggi non sono stampati" in pagina
    pdf = _pdf(client, lavoro)
    pagine = [p.extract_text() for p in pdf.pages]
    assert len(pagine) == 3
    assert "Bianchi" in pagine[0] and "Rossi" in pagine[1] and "Verdi" in pagine[2]
    assert not any("87,5" in p for p in pagine)
    # the evaluator (dirigente) sees the scores; Verdi is not theirs
    _, lavoro = _accoda(client, mondo.dirigente, [mondo.rossi, mondo.verdi],
                        django_capture_on_commit_callbacks)
    esegui_coda(monkeypatch)
    lavoro.refresh_from_db()
    assert lavoro.esito == "Stampata 1 scheda in 1 pagina."
    testo = "\n".join(p.extract_text() for p in _pdf(client, lavoro).pages)
    assert "Verdi" not in testo and re.search(r"Punteggio finale\s*87,50", testo)
    # once definitive, the Amministratore prints the scores too
    SchedaValutazione.objects.filter(pk=mondo.rossi.pk).update(stato="definitiva")
    _, lavoro = _accoda(client, mondo.amministratore, [mondo.rossi], django_capture_on_commit_callbacks)
    esegui_coda(monkeypatch)
    lavoro.refresh_from_db()
    assert "87,50" in "\n".join(p.extract_text() for p in _pdf(client, lavoro).pages)


def test_il_file_lo_scarica_solo_chi_lo_ha_chiesto_e_non_ha_un_indirizzo_pubblico(
        client, mondo, media, monkeypatch, django_capture_on_commit_callbacks):
    _, lavoro = _accoda(client, mondo.amministratore, [mondo.rossi, mondo.lavori],
                        django_capture_on_commit_callbacks)
    esegui_coda(monkeypatch)
    lavoro.refresh_from_db()
    percorso = Path(media / lavoro.file).resolve()
    assert percorso.is_file() and percorso.is_relative_to((media / "lavori").resolve())
    assert not percorso.is_relative_to(Path(django_settings.PUBBLICAZIONI_ROOT).resolve())
    collega = _utente("hr.seconda", permessi.AMMINISTRATORE, mondo.ente)
    host = type(collega).objects.create_superuser("gestore.stampa", email="")
    for altro in (collega, host, mondo.nucleo, mondo.dirigente):
        client.force_login(altro)
        for coda in ("segui/", "segui/stato/", "file/"):
            assert client.get(_pagina(lavoro, coda)).status_code in (403, 404), (altro, coda)
    client.logout()
    for url in (f"/media/{lavoro.file}", f"/{lavoro.file}"):
        assert client.get(url).status_code == 404, url
    assert client.get(_pagina(lavoro, "file/")).status_code == 302  # to the login


def test_il_registro_dei_lavori_non_mostra_a_un_altro_amministratore_che_cosa_stampa(
        client, mondo, media, django_capture_on_commit_callbacks):
    _, lavoro = _accoda(client, mondo.amministratore, [mondo.rossi],
                        django_capture_on_commit_callbacks)
    Lavoro.objects.filter(pk=lavoro.pk).update(stato=S.IN_CORSO, passo="Preparazione di 1 scheda",
                                                esecutore="altrove:1", esito="Quasi fatto.")
    registro = reverse("admin:lavori_lavoro_changelist")
    elenco = _testo(client.get(registro))  # the requester
    assert "Preparazione di 1 scheda" in elenco and _pagina(lavoro, "segui/") in elenco
    client.force_login(_utente("hr.terza", permessi.AMMINISTRATORE, mondo.ente))
    elenco = _testo(client.get(registro))
    assert "Stampa delle schede di valutazione" in elenco and "programmazione" in elenco
    assert "In corso" in elenco
    assert "Preparazione di 1 scheda" not in elenco and _pagina(lavoro, "segui/") not in elenco
    dettaglio = _testo(client.get(reverse("admin:lavori_lavoro_change", args=[lavoro.pk])))
    assert "Stampa delle schede di valutazione" in dettaglio
    assert "Preparazione di 1 scheda" not in dettaglio and "Quasi fatto." not in dettaglio


def test_la_visibilita_si_rilegge_quando_il_lavoro_parte(
        client, mondo, media, monkeypatch, django_capture_on_commit_callbacks):
    _punteggio_finale(mondo.rossi)
    _, lavoro = _accoda(client, mondo.dirigente, [mondo.rossi, mondo.bianchi],
                        django_capture_on_commit_callbacks)
    primo = lavoro
    # between the request and the run the dirigente stops evaluating Bianchi
    SchedaValutazione.objects.filter(pk=mondo.bianchi.pk).update(valutatore=mondo.altro_dirigente)
    esegui_coda(monkeypatch)
    lavoro.refresh_from_db()
    assert lavoro.stato == S.COMPLETATO and lavoro.risultato["escluse"] == 1
    assert lavoro.esito.endswith("1 scheda selezionata non è stata stampata: non è più visibile con "
                                 "il tuo ruolo o è stata eliminata.")
    testo = "\n".join(p.extract_text() for p in _pdf(client, lavoro).pages)
    assert "Rossi" in testo and "Bianchi" not in testo and "87,50" in testo
    # the Amministratore loses the role before the run: nothing printed, the reason said
    _, lavoro = _accoda(client, mondo.amministratore, [mondo.rossi, mondo.verdi],
                        django_capture_on_commit_callbacks)
    permessi.revoca(mondo.amministratore, mondo.ente, permessi.AMMINISTRATORE)
    esegui_coda(monkeypatch)
    lavoro.refresh_from_db()
    assert (lavoro.stato, lavoro.file) == (S.FALLITO, "")
    assert lavoro.errore == ("Nessuna delle schede selezionate è ancora visibile con il tuo ruolo "
                             "(o sono state eliminate): il PDF non è stato prodotto.")
    assert [p.parent.name for p in media.rglob("*.pdf")] == [str(primo.pk)]  # the dirigente's


def test_molte_schede_si_rendono_a_blocchi_e_si_uniscono_nell_ordine(
        client, mondo, media, monkeypatch, django_capture_on_commit_callbacks):
    from individuale import stampa
    from lavori import servizi

    passi = []
    originale = servizi.Battito.passo

    def registra(self, testo):
        passi.append(testo)
        originale(self, testo)

    monkeypatch.setattr(servizi.Battito, "passo", registra)
    monkeypatch.setattr(stampa, "SCHEDE_PER_BLOCCO", 2)
    schede = [mondo.rossi, mondo.bianchi, mondo.verdi, mondo.lavori, mondo.persona_dir]
    _, lavoro = _accoda(client, mondo.amministratore, schede, django_capture_on_commit_callbacks)
    esegui_coda(monkeypatch)
    lavoro.refresh_from_db()
    assert lavoro.esito == "Stampate 5 schede in 5 pagine."
    assert passi == ["Preparazione di 5 schede", "PDF: schede da 1 a 2 di 5", "PDF: schede da 3 a 4 di 5",
                     "PDF: schede da 5 a 5 di 5", "Salvataggio del file"]
    pdf = _pdf(client, lavoro)
    assert pdf.metadata.title == "Schede di valutazione"
    nomi = [re.search(r"Bianchi|Lavori|Persone|Rossi|Verdi", p.extract_text()).group() for p in pdf.pages]
    assert nomi == ["Bianchi", "Lavori", "Persone", "Rossi", "Verdi"]  # by surname, across the blocks


@pytest.mark.parametrize("parametri", [{}, {"schede": []}, {"schede": ["1"]}, {"schede": 3}])
def test_un_lavoro_senza_schede_da_stampare_non_riesce_e_dice_che_cosa_fare(mondo, parametri):
    from django.core.exceptions import ValidationError

    from individuale.stampa import corpo_stampa

    lavoro = Lavoro.objects.create(tipo=Lavoro.Tipo.STAMPA_SCHEDE, utente=mondo.amministratore,
                                   ciclo=mondo.aperto, parametri=parametri)
    with pytest.raises(ValidationError, match="Il lavoro non indica quali schede stampare"):
        corpo_stampa(lavoro)
    lavoro.parametri, lavoro.utente = {"schede": [mondo.rossi.pk]}, None
    with pytest.raises(ValidationError, match="L'utente che ha chiesto la stampa non esiste più"):
        corpo_stampa(lavoro)
