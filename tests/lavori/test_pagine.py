"""The page of a job of any kind but the publication (lavori.pagine): who follows it, what the
file download allows, the state in JSON, «Riprova». The kinds' bodies are tested with their
apps (PEG import, schede PDF, reminders); here a job is a row in a given state."""

import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from lavori import servizi
from lavori.models import Lavoro
from tests.ruoli.conftest import (_due_enti_del_modulo, _mondo_del_modulo, due_enti,  # noqa: F401
                                  mondo)

S, T = Lavoro.Stato, Lavoro.Tipo


def _url(lavoro, coda=""):
    return f"/admin/lavori/lavoro/{lavoro.pk}/{coda}"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _completato(tipo, utente, ciclo, contenuto=b"%PDF-1.7 prova"):
    lavoro = Lavoro.objects.create(tipo=tipo, ciclo=ciclo, utente=utente, stato=S.COMPLETATO,
                                   esito="Fatto.", finito_il=timezone.now())
    lavoro.file = servizi.salva_file(lavoro, "schede 2021.pdf", contenuto)
    lavoro.save(update_fields=["file"])
    return lavoro


def test_a_personal_job_and_its_file_are_the_requesters_only(client, due_enti, media):
    u = due_enti.utenti
    lavoro = _completato(T.STAMPA_SCHEDE, u.amministratore_a, due_enti.a.ciclo)
    assert lavoro.ente_id == due_enti.a.ente.pk  # the cycle's, filled on save
    assert lavoro.file == f"lavori/{lavoro.pk}/schede_2021.pdf"
    client.force_login(u.amministratore_a)
    pagina = client.get(_url(lavoro, "segui/"))
    assert pagina.status_code == 200 and "Scarica il file" in pagina.content.decode()
    scaricato = client.get(_url(lavoro, "file/"))
    assert scaricato.status_code == 200 and b"".join(scaricato.streaming_content) == b"%PDF-1.7 prova"
    assert "no-store" in scaricato["Cache-Control"]
    for altro in (u.host, u.nucleo_ab, u.dirigente_a):  # even the host: personal data
        client.force_login(altro)
        for coda in ("segui/", "segui/stato/", "file/"):
            assert client.get(_url(lavoro, coda)).status_code == 404, (altro, coda)


def test_other_jobs_are_followed_by_the_entes_amministratori_file_still_the_requesters(
        client, due_enti, media):
    u = due_enti.utenti
    lavoro = _completato(T.IMPORTAZIONE_PEG, u.dirigente_a, due_enti.a.ciclo, b"x")
    client.force_login(u.amministratore_a)
    assert client.get(_url(lavoro, "segui/")).status_code == 200
    assert json.loads(client.get(_url(lavoro, "segui/stato/")).content)["stato"] == "completato"
    assert client.get(_url(lavoro, "file/")).status_code == 403
    client.force_login(u.nucleo_ab)
    assert client.get(_url(lavoro, "segui/")).status_code == 404
    altrove = Lavoro.objects.create(tipo=T.IMPORTAZIONE_PEG, ciclo=due_enti.b.ciclo, stato=S.FALLITO,
                                    errore="Riga 3: manca il codice.")
    client.force_login(u.amministratore_a)
    assert client.get(_url(altrove, "segui/")).status_code == 404  # another ente's


def test_an_installation_job_is_the_hosts(client, due_enti):
    lavoro = Lavoro.objects.create(tipo=T.PROMEMORIA, stato=S.IN_CODA)
    client.force_login(due_enti.utenti.amministratore_a)
    assert client.get(_url(lavoro, "segui/")).status_code == 404
    client.force_login(due_enti.utenti.host)
    pagina = client.get(_url(lavoro, "segui/"))
    assert pagina.status_code == 200 and pagina["Refresh"] == "5"
    assert "In coda: in attesa che un worker lo prenda." in pagina.content.decode()


def test_a_failed_job_is_retried_with_the_same_parameters(
        client, due_enti, django_capture_on_commit_callbacks):
    u = due_enti.utenti
    lavoro = Lavoro.objects.create(tipo=T.IMPORTAZIONE_PEG, ciclo=due_enti.a.ciclo, utente=u.dirigente_a,
                                   stato=S.FALLITO, errore="Il file non si legge.",
                                   parametri={"percorso": "importazioni_peg/x/peg.xlsx"})
    client.force_login(u.dirigente_a)
    testo = client.get(_url(lavoro, "segui/")).content.decode()
    assert "Il file non si legge." in testo and 'value="Riprova"' in testo
    assert client.get(_url(lavoro, "segui/riprova/")).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        risposta = client.post(_url(lavoro, "segui/riprova/"))
    nuovo = Lavoro.objects.get(riprova_di=lavoro)
    assert risposta["Location"] == _url(nuovo, "segui/")
    assert (nuovo.tipo, nuovo.stato, nuovo.parametri, nuovo.utente) == (
        T.IMPORTAZIONE_PEG, S.IN_CODA, lavoro.parametri, u.dirigente_a)


def test_files_of_jobs_older_than_a_week_are_removed(due_enti, media):
    vecchio = _completato(T.STAMPA_SCHEDE, due_enti.utenti.amministratore_a, due_enti.a.ciclo)
    Lavoro.objects.filter(pk=vecchio.pk).update(finito_il=timezone.now() - timedelta(days=8))
    assert servizi.file_scaduti_elimina() == 1
    recente = _completato(T.STAMPA_SCHEDE, due_enti.utenti.amministratore_a, due_enti.a.ciclo)
    assert servizi.file_scaduti_elimina() == 0
    vecchio.refresh_from_db()
    assert vecchio.file == "" and not (media / "lavori" / str(vecchio.pk)).exists()
    assert default_storage.exists(recente.file)
