"""Open data as Italians open them (issue 13, point 6): dati.csv for Italian spreadsheets
(``;``, decimal comma, UTF-8 with BOM, Italian headers, statuses in words), its RFC 4180 twin
for programs, dati.ods; the fingerprint once, in dati.json and in the ODS's «Informazioni»."""

import csv
import io
import json
import shutil
import subprocess

import openpyxl
import pytest
from django.db import transaction
from django.test import Client

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo
from obiettivi.peg.lettura import leggi_ods
from obiettivi.workflow import ciclo_pubblica
from seregno_perf import formati
from trasparenza import opendata

URL = "/seregno/2021/"
INTESTAZIONI = [
    "Ente", "Anno", "Versione", "Codice", "Titolo", "Area", "Codice area", "Linea strategica",
    "Azione strategica", "Titolo dell'azione", "Tipologia", "Peso", "Stato",
    "Motivazione dello stato", "Rinviato all'anno", "Raggiungimento (%)", "Grado (1-5)",
    "Fonte del grado", "Esito",
]


# Marked, so that pytest-django creates the test database the module fixture uses (without
# any marked test in the session, django_db_blocker.unblock() would reach the real database).
pytestmark = pytest.mark.django_db

@pytest.fixture(scope="module")
def pubblicati(django_db_setup, django_db_blocker):
    """The demo published once (a small PDF: layout is not what is tested here), its open-data
    responses kept for the module, everything rolled back at the end."""
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as mp:
        mp.setattr("trasparenza.services.render_pdf", lambda dati, archivio=True: b"%PDF-1.7\n%%EOF\n")
        with transaction.atomic():
            carica_demo()
            ciclo_pubblica(ciclo=Ciclo.objects.get(ente__slug="seregno", anno=2021), utente=None)
            client = Client()
            risposte = {n: client.get(URL + n) for n in opendata.FILE_APERTI}
            yield {n: r for n, r in risposte.items()} | {"json": json.loads(risposte["dati.json"].content)}
            transaction.set_rollback(True)


def _numero_it(testo):
    """A cell of dati.csv as a number, read the Italian way (decimal comma)."""
    return None if testo == "" else float(formati.leggi_numero(testo))


def test_dati_csv_read_with_semicolon_and_decimal_comma_gives_the_values_of_dati_json(pubblicati):
    corpo = pubblicati["dati.csv"].content
    assert corpo.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    assert pubblicati["dati.csv"]["Content-Type"] == "text/csv; charset=utf-8"
    lettore = csv.reader(io.StringIO(corpo.decode("utf-8-sig"), newline=""), delimiter=";")
    intestazione, *righe = list(lettore)
    assert intestazione == INTESTAZIONI
    dati = pubblicati["json"]
    assert len(righe) == len(dati["obiettivi"]) == 102
    per_codice = {r[3]: dict(zip(intestazione, r)) for r in righe}
    stati = set()
    for ob in dati["obiettivi"]:
        riga = per_codice[ob["codice"]]
        assert riga["Ente"] == dati["ente"]["nome"] and riga["Anno"] == str(dati["anno"])
        assert riga["Titolo"] == ob["titolo"] and riga["Area"] == ob["area"]
        assert ob["stato_etichetta"].startswith(riga["Stato"])  # the word; the reason has its column
        assert riga["Tipologia"] == ob["tipologia_etichetta"]
        assert riga["Esito"] == ob["esito"]
        assert riga["Motivazione dello stato"] == (ob["motivazione_stato"] or "")
        assert _numero_it(riga["Peso"]) == ob["peso"]
        assert _numero_it(riga["Raggiungimento (%)"]) == ob["percentuale_raggiungimento"]
        assert _numero_it(riga["Grado (1-5)"]) == ob["grado"]
        assert riga["Rinviato all'anno"] == ("" if ob["anno_rinvio"] is None else str(ob["anno_rinvio"]))
        stati.add(riga["Stato"])
    # the demo has every status; none is written as its internal code
    assert "non_applicabile" not in corpo.decode("utf-8-sig")
    assert {"Attivo", "Non applicabile", "Rinviato", "Sospeso", "Stralciato"} <= stati
    assert any("," in r[15] for r in righe)  # decimal comma, not point


def test_the_fingerprint_is_written_once_not_on_every_row(pubblicati):
    impronta = pubblicati["json"]["impronta"]
    assert impronta not in pubblicati["dati.csv"].content.decode("utf-8-sig")
    assert impronta not in pubblicati["dati-rfc4180.csv"].content.decode()
    informazioni = {r[0]: r[1] for r in leggi_ods(pubblicati["dati.ods"].content)[1]}
    assert informazioni["Impronta SHA-256 dei dati (dati.json)"] == impronta


def test_rfc4180_twin_is_for_programs(pubblicati):
    corpo = pubblicati["dati-rfc4180.csv"].content
    assert not corpo.startswith(b"\xef\xbb\xbf")
    righe = list(csv.DictReader(io.StringIO(corpo.decode(), newline="")))
    dati = pubblicati["json"]
    assert list(righe[0])[:5] == ["ente", "anno", "versione", "codice", "titolo"]
    per_codice = {r["codice"]: r for r in righe}
    for ob in dati["obiettivi"]:
        riga = per_codice[ob["codice"]]
        assert riga["stato"] == ob["stato"]  # the code, as in dati.json
        if ob["percentuale_raggiungimento"] is not None:
            assert float(riga["percentuale_raggiungimento"]) == ob["percentuale_raggiungimento"]
    assert "non_applicabile" in {r["stato"] for r in righe}


def _libreoffice(tmp_path, nome, contenuto, *filtro):
    """``contenuto`` opened by LibreOffice (headless) and saved as XLSX, read back by openpyxl."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (libreoffice-calc-nogui) manca: scripts/system-deps.sh lo installa"
    (tmp_path / nome).write_bytes(contenuto)
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profilo", *filtro,
         "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"), str(tmp_path / nome)],
        check=True, capture_output=True, timeout=120,
    )
    return openpyxl.load_workbook(tmp_path / "out" / (nome.rsplit(".", 1)[0] + ".xlsx"))


def test_dati_ods_reads_back_with_numbers_as_numbers(pubblicati, tmp_path):
    assert pubblicati["dati.ods"]["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    libro = _libreoffice(tmp_path, "dati.ods", pubblicati["dati.ods"].content)
    assert libro.sheetnames == ["Obiettivi", "Informazioni"]
    intestazione, *righe = list(libro["Obiettivi"].iter_rows(values_only=True))
    assert list(intestazione) == INTESTAZIONI
    per_codice = {r[3]: dict(zip(INTESTAZIONI, r)) for r in righe}
    assert len(per_codice) == 102
    for ob in pubblicati["json"]["obiettivi"]:
        riga = per_codice[ob["codice"]]
        assert riga["Titolo"] == ob["titolo"]
        assert riga["Grado (1-5)"] == ob["grado"]
        assert riga["Peso"] == ob["peso"]
        if ob["percentuale_raggiungimento"] is not None:  # a number cell, not text
            assert riga["Raggiungimento (%)"] == pytest.approx(ob["percentuale_raggiungimento"])


def test_libreoffice_opens_dati_csv_into_the_right_columns(pubblicati, tmp_path):
    """What a double-click does in an Italian LibreOffice: the text import with «;» as separator,
    UTF-8 and the Italian locale (decimal comma). Every row has its 19 columns, the numbers are
    numbers, a title with commas stays one cell, accents survive."""
    foglio = _libreoffice(tmp_path, "dati.csv", pubblicati["dati.csv"].content,
                          "--infilter=CSV:59,34,76,1,,1040").active
    intestazione, *righe = list(foglio.iter_rows(values_only=True))
    assert list(intestazione) == INTESTAZIONI
    assert foglio.max_column == len(INTESTAZIONI)
    per_codice = {r[3]: dict(zip(INTESTAZIONI, r)) for r in righe}
    for ob in pubblicati["json"]["obiettivi"]:
        riga = per_codice[ob["codice"]]
        assert riga["Titolo dell'azione"] == ob["azione_titolo"]
        assert riga["Area"] == ob["area"]
        if ob["percentuale_raggiungimento"] is not None:
            assert isinstance(riga["Raggiungimento (%)"], (int, float))
            assert riga["Raggiungimento (%)"] == pytest.approx(ob["percentuale_raggiungimento"])
