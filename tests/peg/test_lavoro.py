"""The PEG import as a background job (obiettivi.peg.lavoro): a file of more than
PEG_IMPORT_RIGHE_SINCRONE rows is previewed and imported by jobs run here with ``esegui_coda``;
the request only stores the file and queues. The job's page shows the synchronous page's
fragment; only the user who uploaded the file confirms it; a failed confirmation writes nothing
and is retried."""

import html
import io
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from lavori.models import Lavoro
from obiettivi import permessi
from obiettivi.models import Area, Ente, Fase, Obiettivo
from obiettivi.peg import importa, lavoro as peg_lavoro
from obiettivi.peg.caricati import CARTELLA_CARICATI
from obiettivi.peg.lettura import conta_righe
from tests.lavori.coda import esegui_coda

from .conftest import COMPLETO, FASI

URL = "/admin/obiettivi/ciclo/peg/"
S = Lavoro.Stato


def _pagina(lavoro, coda=""):
    return f"/admin/lavori/lavoro/{lavoro.pk}/segui/{coda}"


def _conferma(lavoro):
    return f"/admin/obiettivi/ciclo/peg/lavoro/{lavoro.pk}/conferma/"


def _testo(risposta):
    return html.unescape(risposta.content.decode())


def _caricati():
    try:
        cartelle, _ = default_storage.listdir(CARTELLA_CARICATI)
    except FileNotFoundError:
        return []
    return cartelle


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the stored uploads of this test only


@pytest.fixture
def in_background(settings):
    settings.PEG_IMPORT_RIGHE_SINCRONE = 0  # every file is a job (the test workbooks are small)


@pytest.fixture
def capo(django_user_model):
    return django_user_model.objects.create_superuser("capo", password="x")


def _carica(client, ciclo, percorso, capture, foglio=""):
    file = SimpleUploadedFile(percorso.name, percorso.read_bytes())
    with capture(execute=True):
        return client.post(URL, {"ciclo": ciclo.pk, "file": file, "foglio": foglio})


def _dirigente(django_user_model, nome, ciclo, area):
    utente = django_user_model.objects.create_user(nome, password="x", is_staff=True)
    utente.groups.add(Group.objects.get_or_create(name=permessi.DIRIGENTE)[0])
    Area.objects.get(ciclo=ciclo, codice=area).dirigenti.add(utente)
    return utente


def test_a_large_file_is_previewed_then_imported_by_jobs(
        client, capo, ciclo, workbook, in_background, monkeypatch,
        django_capture_on_commit_callbacks):
    client.force_login(capo)
    risposta = _carica(client, ciclo, workbook(), django_capture_on_commit_callbacks)
    anteprima = Lavoro.objects.get()
    assert risposta.status_code == 302 and risposta["Location"] == _pagina(anteprima)
    # the request queued and returned: nothing read into the cycle, the file kept for the job
    assert (anteprima.tipo, anteprima.stato, anteprima.utente) == (
        Lavoro.Tipo.IMPORTAZIONE_PEG, S.IN_CODA, capo)
    assert anteprima.parametri["conferma"] is False and len(_caricati()) == 1
    assert "In coda" in _testo(client.get(_pagina(anteprima)))

    esegui_coda(monkeypatch)
    anteprima.refresh_from_db()
    assert anteprima.stato == S.COMPLETATO, anteprima.errore
    assert anteprima.esito == ("Anteprima di peg.xlsx pronta: 15 righe da scrivere. Niente è "
                               "stato ancora scritto: confermare per importare.")
    assert anteprima.risultato["conteggi"]["obiettivi"] == {"creati": 3, "aggiornati": 0, "invariati": 0}
    pagina = client.get(_pagina(anteprima)).content.decode()
    assert "Anteprima: peg.xlsx nel ciclo prova — 2021" in pagina
    assert '<tr><th scope="row">obiettivi</th><td>3</td><td>0</td><td>0</td></tr>' in pagina
    assert "<td>O1 / F2</td><td>da creare</td>" in pagina
    assert f'action="{_conferma(anteprima)}"' in pagina and "Conferma l'importazione" in pagina
    assert not Obiettivo.objects.exists() and len(_caricati()) == 1

    assert client.get(_conferma(anteprima)).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        risposta = client.post(_conferma(anteprima))
    conferma = Lavoro.objects.exclude(pk=anteprima.pk).get()
    assert risposta["Location"] == _pagina(conferma)
    assert conferma.parametri == {**anteprima.parametri, "conferma": True, "anteprima": anteprima.pk}
    assert conferma.stato == S.IN_CODA and not Obiettivo.objects.exists()  # not before the worker
    # a second click leads to the same confirmation
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(_conferma(anteprima))["Location"] == _pagina(conferma)
    assert Lavoro.objects.count() == 2

    esegui_coda(monkeypatch)
    conferma.refresh_from_db()
    assert conferma.stato == S.COMPLETATO, conferma.errore
    assert conferma.esito == "peg.xlsx importato nel ciclo prova — 2021: 15 righe scritte."
    assert Obiettivo.objects.filter(ciclo=ciclo).count() == 3
    assert Obiettivo.history.filter(codice="O1").get().history_user == capo
    assert _caricati() == []  # the stored upload went with the confirmation
    pagina = _testo(client.get(_pagina(conferma)))
    assert "peg.xlsx importato nel ciclo prova — 2021" in pagina and "15 righe scritte." in pagina
    assert "<td>O1</td><td>creata</td>" in pagina and "Conferma l'importazione" not in pagina
    pagina = _testo(client.get(_pagina(anteprima)))
    assert "Importazione confermata" in pagina and "Conferma l'importazione" not in pagina
    # the import page lists them, to find them again
    elenco = _testo(client.get(URL))
    assert f'<a href="{_pagina(conferma)}">Importazione di peg.xlsx nel ciclo prova — 2021, ' in elenco
    assert f'<a href="{_pagina(anteprima)}">Anteprima di peg.xlsx' in elenco


def test_the_jobs_page_lists_the_errors_by_sheet_row_and_column(
        client, capo, ciclo, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    """The default rule: 3,001 rows are more than PEG_IMPORT_RIGHE_SINCRONE."""
    righe = "".join(f"O{i};Obiettivo {i};;A1;1.1;;X;attivo;;\n" for i in range(3000))
    file = tmp_path / "obiettivi.csv"
    file.write_text("codice;titolo;descrizione;area;nodo;tipologia;peso;stato;motivazione;"
                    "anno_rinvio\n" + righe, encoding="utf-8")
    client.force_login(capo)
    assert _carica(client, ciclo, file, django_capture_on_commit_callbacks).status_code == 302
    esegui_coda(monkeypatch)
    lavoro = Lavoro.objects.get()
    assert lavoro.esito == "Anteprima di obiettivi.csv: 3.000 errori. Nessun dato è stato scritto."
    errore = lavoro.risultato["errori"][0]
    assert (errore["foglio"], errore["riga"], errore["colonna"]) == ("obiettivi", 2, "peso")
    risposta = client.get(_pagina(lavoro))
    testo = _testo(risposta)
    assert "obiettivi.csv: 3000 errori" in testo
    assert testo.count("<li>Foglio obiettivi, riga") == 100
    assert "<li>Foglio obiettivi, riga 2, colonna peso: «X» non è un numero; scrivi 1.250,5" in testo
    assert "… e altri 2900 errori: sono mostrati i primi 100." in testo
    assert "Conferma l'importazione" not in testo and len(risposta.content) < 150_000
    assert _caricati() == [] and not Obiettivo.objects.exists()


def test_a_small_file_keeps_the_instant_preview(client, capo, ciclo, workbook):
    client.force_login(capo)
    risposta = client.post(URL, {"ciclo": ciclo.pk, "foglio": "",
                                 "file": SimpleUploadedFile("peg.xlsx", workbook().read_bytes())})
    assert risposta.status_code == 200 and risposta.context["token"]
    assert "Anteprima: peg.xlsx nel ciclo prova — 2021" in risposta.content.decode()
    assert not Lavoro.objects.exists()


def test_a_failed_confirmation_writes_nothing_and_is_retried(
        client, capo, ciclo, workbook, in_background, monkeypatch,
        django_capture_on_commit_callbacks):
    client.force_login(capo)
    _carica(client, ciclo, workbook(), django_capture_on_commit_callbacks)
    esegui_coda(monkeypatch)
    anteprima = Lavoro.objects.get()
    applica = importa.applica

    def a_meta(piano, **kwargs):  # writes everything, then the worker's disk fails
        applica(piano, **kwargs)
        assert Obiettivo.objects.filter(ciclo=ciclo).count() == 3
        raise RuntimeError("disco pieno")

    monkeypatch.setattr(importa, "applica", a_meta)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_conferma(anteprima))
    esegui_coda(monkeypatch)
    conferma = Lavoro.objects.get(parametri__conferma=True)
    assert conferma.stato == S.FALLITO and "errore interno" in conferma.errore
    assert not Obiettivo.objects.exists() and not Obiettivo.history.exists()
    assert len(_caricati()) == 1  # kept for «Riprova»
    assert 'value="Riprova"' in _testo(client.get(_pagina(conferma)))

    monkeypatch.setattr(importa, "applica", applica)
    with django_capture_on_commit_callbacks(execute=True):
        risposta = client.post(_pagina(conferma, "riprova/"))
    di_nuovo = Lavoro.objects.get(riprova_di=conferma)
    assert risposta["Location"] == _pagina(di_nuovo)
    esegui_coda(monkeypatch)
    di_nuovo.refresh_from_db()
    assert di_nuovo.stato == S.COMPLETATO and Obiettivo.objects.filter(ciclo=ciclo).count() == 3
    assert _caricati() == []


def test_a_confirmation_refused_by_the_data_now_writes_nothing_and_says_where(
        client, capo, ciclo, workbook, in_background, monkeypatch,
        django_capture_on_commit_callbacks):
    importa.importa_workbook(file=workbook({k: COMPLETO[k] for k in ("aree", "albero", "obiettivi")}),
                             ciclo=ciclo)
    client.force_login(capo)
    _carica(client, ciclo, workbook({"fasi": FASI}, nome="fasi.xlsx"), django_capture_on_commit_callbacks)
    esegui_coda(monkeypatch)
    anteprima = Lavoro.objects.get()
    assert anteprima.risultato["ok"], anteprima.risultato
    # meanwhile someone gives O1 a phase the file does not list: the weights no longer sum to 100
    Fase.objects.create(obiettivo=Obiettivo.objects.get(codice="O1"), codice="F9",
                        descrizione="Altra", peso=10)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_conferma(anteprima))
    esegui_coda(monkeypatch)
    conferma = Lavoro.objects.get(parametri__conferma=True)
    assert conferma.stato == S.FALLITO
    assert conferma.errore.startswith("Importazione di fasi.xlsx non eseguita: 1 errore")
    assert Fase.objects.filter(obiettivo__codice="O1").count() == 1
    testo = _testo(client.get(_pagina(conferma)))
    assert "Nessun dato è stato scritto. I dati del ciclo sono cambiati dopo l'anteprima" in testo
    assert "<li>Foglio fasi, riga" in testo and _caricati() == []


def test_only_the_uploader_follows_and_confirms_two_dirigenti_do_not_meet(
        client, ciclo, workbook, in_background, monkeypatch, django_user_model,
        django_capture_on_commit_callbacks):
    importa.importa_workbook(file=workbook(), ciclo=ciclo)
    ciclo.stato = "rendicontazione"
    ciclo.save()
    uno = _dirigente(django_user_model, "dir.a1", ciclo, "A1")
    due = _dirigente(django_user_model, "dir.a2", ciclo, "A2")
    amministratore = django_user_model.objects.create_user("amm", password="x", is_staff=True)
    permessi.assegna(amministratore, ciclo.ente, permessi.AMMINISTRATORE)
    altro_ente = Ente.objects.create(slug="altro", nome="Altro ente")
    estraneo = django_user_model.objects.create_user("amm.altro", password="x", is_staff=True)
    permessi.assegna(estraneo, altro_ente, permessi.AMMINISTRATORE)

    # both preview the same cycle at once: each their own job, neither blocks the other
    client.force_login(uno)
    _carica(client, ciclo, workbook({"fasi": [["O1", "F1", "Analisi", "40", "50", "01/02/2021", "30/06/2021"]]},
                                    nome="fasi.xlsx"), django_capture_on_commit_callbacks)
    client.force_login(due)
    _carica(client, ciclo, workbook({"indicatori": [["O2", "I1", "Regolamento", "", "si_no", "sì", "sì"]]},
                                    nome="indicatori.xlsx"), django_capture_on_commit_callbacks)
    del_primo, del_secondo = (Lavoro.objects.get(utente=u) for u in (uno, due))
    esegui_coda(monkeypatch)
    del_primo.refresh_from_db()
    assert del_primo.risultato["conteggi"]["fasi"]["aggiornati"] == 1, del_primo.risultato

    for altro in (due, estraneo):  # another dirigente, another ente's Amministratore
        client.force_login(altro)
        for url in (_pagina(del_primo), _pagina(del_primo, "stato/")):
            assert client.get(url).status_code == 404, (altro, url)
        assert client.post(_conferma(del_primo)).status_code == 404
    client.force_login(amministratore)  # the ente's Amministratore follows it, does not confirm it
    testo = _testo(client.get(_pagina(del_primo)))
    assert "Anteprima: fasi.xlsx nel ciclo" in testo and "Conferma l'importazione" not in testo
    assert client.post(_conferma(del_primo)).status_code == 404

    client.force_login(uno)
    assert "Conferma l'importazione" in _testo(client.get(_pagina(del_primo)))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_conferma(del_primo))
    client.force_login(due)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_conferma(del_secondo))
    esegui_coda(monkeypatch)
    assert Fase.objects.get(obiettivo__codice="O1", codice="F1").percentuale == 50
    assert Obiettivo.objects.get(codice="O2").indicatori.get(codice="I1").consuntivo == 1
    assert {lavoro.stato for lavoro in Lavoro.objects.all()} == {S.COMPLETATO}


def test_the_job_refuses_a_file_it_may_not_import(
        client, capo, ciclo, workbook, in_background, monkeypatch, django_user_model,
        django_capture_on_commit_callbacks):
    """A «Riprova» by someone else would import another's file with other rights; a file gone
    (a day after the preview) is said in Italian."""
    client.force_login(capo)
    _carica(client, ciclo, workbook(), django_capture_on_commit_callbacks)
    anteprima = Lavoro.objects.get()
    amministratore = django_user_model.objects.create_user("amm", password="x", is_staff=True)
    permessi.assegna(amministratore, ciclo.ente, permessi.AMMINISTRATORE)
    Lavoro.objects.filter(pk=anteprima.pk).update(utente=amministratore)
    esegui_coda(monkeypatch)
    anteprima.refresh_from_db()
    assert (anteprima.stato, anteprima.errore) == (S.FALLITO, peg_lavoro.SOLO_CHI_HA_CARICATO)

    default_storage.delete(anteprima.parametri["percorso"])
    with django_capture_on_commit_callbacks(execute=True):
        nuovo = peg_lavoro.anteprima_accoda(ciclo=ciclo, utente=capo, foglio="",
                                            percorso=anteprima.parametri["percorso"]).lavoro
    esegui_coda(monkeypatch)
    nuovo.refresh_from_db()
    assert (nuovo.stato, nuovo.errore) == (S.FALLITO, peg_lavoro.FILE_SCADUTO)


def _zip(parti):
    dati = io.BytesIO()
    with zipfile.ZipFile(dati, "w", zipfile.ZIP_DEFLATED) as archivio:
        for nome, testo in parti.items():
            archivio.writestr(nome, testo)
    return dati.getvalue()


def test_rows_are_counted_without_reading_and_the_count_stops_past_the_threshold(workbook):
    assert conta_righe(b"codice;nome\nA1;Uno\nA2;Due", "aree.csv", oltre=10) == 3
    assert conta_righe(workbook().read_bytes(), "peg.xlsx", oltre=100) == 7 + 15  # headers and rows
    assert conta_righe(workbook(nome="peg.ods").read_bytes(), "peg.ods", oltre=100) >= 7 + 15
    righe = "".join(f'<row r="{i}"><c r="A{i}"/></row>' for i in range(1, 200_001))
    xlsx = _zip({"xl/worksheets/sheet1.xml": f"<worksheet><sheetData>{righe}</sheetData></worksheet>"})
    contate = conta_righe(xlsx, "grande.xlsx", oltre=300)
    assert 300 < contate < 10_000  # it stopped reading well before the end
    assert conta_righe(b"non un zip", "peg.xlsx", oltre=10) is None
    assert conta_righe(b"x", "peg.txt", oltre=10) is None


def test_confirmations_of_a_cycle_take_turns_on_its_row(ciclo, workbook):
    """Both confirmations, in the request and in a job, lock the cycle's row while they check
    and write (PostgreSQL; SQLite has one writer and no FOR UPDATE)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from obiettivi.peg.caricati import caricato_conferma, caricato_salva

    percorso = caricato_salva(SimpleUploadedFile("peg.xlsx", workbook().read_bytes()))
    with CaptureQueriesContext(connection) as query:
        esito = caricato_conferma(percorso, ciclo=ciclo, utente=None)
    assert esito.scritto and Obiettivo.objects.filter(ciclo=ciclo).count() == 3
    bloccate = [q["sql"] for q in query if "FOR UPDATE" in q["sql"]]
    if connection.features.has_select_for_update:
        assert bloccate and '"obiettivi_ciclo"' in bloccate[0]
    else:
        assert bloccate == []


def test_a_job_without_an_outcome_shows_no_empty_preview(client, capo, ciclo):
    lavoro = Lavoro.objects.create(tipo=Lavoro.Tipo.IMPORTAZIONE_PEG, ciclo=ciclo, utente=capo,
                                   stato=S.COMPLETATO, esito="Fatto.")
    client.force_login(capo)
    testo = _testo(client.get(_pagina(lavoro)))
    assert "Fatto." in testo and "esito-importazione" not in testo
