"""importa_peg / esporta_peg: report, exit status, --crea, --dry-run."""

import io

import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError

from obiettivi.peg.importa import leggi_file
from obiettivi.peg.risorse import FOGLI
from obiettivi.models import Ciclo, Ente, Obiettivo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _connessione_aperta(monkeypatch):
    """``run_from_argv`` closes the database connections when it ends, as a process would;
    the test's transaction must survive it (PostgreSQL)."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def esegui(*argomenti):
    """Run the command as ``manage.py`` does; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    comando = load_command_class(get_commands()[argomenti[0]], argomenti[0])
    comando.stdout._out, comando.stderr._out = out, err
    try:
        comando.run_from_argv(["manage.py", *argomenti])
        codice = 0
    except SystemExit as uscita:
        codice = uscita.code
    return codice, out.getvalue(), err.getvalue()


def test_manca_ente_o_ciclo(workbook):
    codice, _, err = esegui("importa_peg", str(workbook()), "--ente", "prova", "--anno", "2021")
    assert codice == 1
    assert "L'ente 'prova' non esiste: crearlo con --crea" in err
    Ente.objects.create(slug="prova", nome="Comune di Prova")
    codice, _, err = esegui("importa_peg", str(workbook()), "--ente", "prova", "--anno", "2021")
    assert codice == 1
    assert "Il ciclo 2021 dell'ente 'prova' non esiste: crearlo con --crea" in err


def test_crea_con_prova_non_lascia_nulla(workbook):
    codice, out, _ = esegui("importa_peg", str(workbook()), "--ente", "prova", "--anno", "2021",
                            "--crea", "--dry-run")
    assert codice == 0
    assert "obiettivi: 3 righe — 3 da creare, 0 da aggiornare, 0 invariate" in out
    assert "Prova (--dry-run): nessun dato è stato scritto." in out
    assert not Ente.objects.exists() and not Ciclo.objects.exists()


def test_crea_e_importa_poi_niente_da_fare(workbook):
    file = str(workbook())
    codice, out, _ = esegui("importa_peg", file, "--ente", "prova", "--anno", "2021", "--crea",
                            "--nome-ente", "Comune di Prova")
    assert codice == 0, out
    ciclo = Ciclo.objects.select_related("ente", "smvp").get()
    assert (ciclo.ente.slug, ciclo.ente.nome, ciclo.smvp.peso_finanziaria) == ("prova", "Comune di Prova", 40)
    assert "Importazione completata: 15 righe scritte." in out
    assert Obiettivo.objects.filter(ciclo=ciclo).count() == 3
    codice, out, _ = esegui("importa_peg", file, "--ente", "prova", "--anno", "2021")
    assert codice == 0
    assert "Nessuna modifica: i dati erano già allineati al file." in out


def test_errore_uscita_1_e_nulla_scritto(workbook):
    from .conftest import COMPLETO

    fogli = dict(COMPLETO, fasi=[["O1", "F1", "Analisi", "X", "100", "", ""]])
    codice, _, err = esegui("importa_peg", str(workbook(fogli)), "--ente", "prova", "--anno",
                            "2021", "--crea")
    assert codice == 1
    assert "1 errore: nessun dato è stato scritto." in err
    assert "Foglio fasi, riga 2, colonna peso: «X» non è un numero; scrivi 1.250,5" in err
    assert not Ente.objects.exists()


def test_file_mancante():
    Ciclo.objects.create(ente=Ente.objects.create(slug="prova", nome="Prova"), anno=2021)
    with pytest.raises(CommandError, match="Il file '/nessuno.xlsx' non esiste."):
        call_command("importa_peg", "/nessuno.xlsx", "--ente", "prova", "--anno", "2021")


def test_esporta_vuoto_e_csv(tmp_path, workbook):
    vuoto = tmp_path / "vuoto.ods"
    call_command("esporta_peg", str(vuoto), "--vuoto", stdout=io.StringIO())
    fogli = leggi_file(vuoto)
    assert {n: tuple(f.headers) for n, f in fogli.items()} == FOGLI
    assert all(not f.height for f in fogli.values())

    call_command("importa_peg", str(workbook()), "--ente", "prova", "--anno", "2021", "--crea",
                 stdout=io.StringIO())
    fasi = tmp_path / "fasi.csv"
    call_command("esporta_peg", str(fasi), "--ente", "prova", "--anno", "2021", "--foglio", "fasi",
                 stdout=io.StringIO())
    assert fasi.read_bytes().decode("utf-8") == (
        "\ufeffobiettivo;codice;descrizione;peso;percentuale;inizio;fine\r\n"
        "O1;F1;Analisi;40;100;01/02/2021;30/06/2021\r\n"
        "O1;F2;Attuazione;60;87,5;;\r\n"
    )
    with pytest.raises(CommandError, match="Un CSV contiene un solo foglio"):
        call_command("esporta_peg", str(fasi), "--ente", "prova", "--anno", "2021")
