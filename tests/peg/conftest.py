"""Small PEG workbooks for the import tests (a few rows per sheet: fast)."""

import pytest

from obiettivi.peg import importa, scrittura
from obiettivi.peg.risorse import FOGLI

AREE = [["A1", "Area uno", ""], ["A2", "Area due", ""], ["A1.1", "Servizio uno", "A1"]]
ALBERO = [["1", "Linea uno", "", "linea"], ["1.1", "Azione uno", "1", "azione"]]
OBIETTIVI = [
    ["O1", "Obiettivo uno", "Descrizione", "A1", "1.1", "sviluppo", "1", "attivo", "", ""],
    ["O2", "Obiettivo due", "", "A2", "1.1", "", "2,5", "sospeso", "causa COVID-19", ""],
    ["O3", "Obiettivo tre", "", "A1.1", "1.1", "ptpct", "", "rinviato", "", "2023"],
]
INDICATORI = [
    ["O1", "I1", "Pratiche evase", "n.", "alto", "10", "8,5"],
    ["O1", "I2", "Delibera", "", "scadenza", "30/06/2021", "2021-06-15"],
    ["O2", "I1", "Regolamento", "", "si_no", "sì", "no"],
]
FASI = [
    ["O1", "F1", "Analisi", "40", "100", "01/02/2021", "30/06/2021"],
    ["O1", "F2", "Attuazione", "60", "87,5", "", ""],
]
BAROMETRO = [["B1", "Anagrafe", "A1", "Appuntamento entro 15 giorni", "15 giorni", "8 giorni", "3"]]
FINANZIARI = [["F01", "Tempestività dei pagamenti", "0", "-6,4", "basso"]]

COMPLETO = {
    "aree": AREE, "albero": ALBERO, "obiettivi": OBIETTIVI, "indicatori": INDICATORI,
    "fasi": FASI, "barometro": BAROMETRO, "finanziari": FINANZIARI,
}


def scrivi(percorso, fogli, intestazioni=None):
    """Write ``fogli`` ({sheet: rows}) to ``percorso`` (.xlsx/.ods) with the template's
    headers (or ``intestazioni[sheet]``)."""
    intestazioni = intestazioni or {}
    dati = {n: [list(intestazioni.get(n, FOGLI[n]))] + [list(r) for r in righe]
            for n, righe in fogli.items()}
    scrittore = scrittura.scrivi_ods if str(percorso).endswith(".ods") else scrittura.scrivi_xlsx
    percorso.write_bytes(scrittore(dati))
    return percorso


@pytest.fixture
def ciclo(db):
    ciclo, _ = importa.ciclo_per_importazione(ente="prova", anno=2021, crea=True)
    return ciclo


@pytest.fixture
def workbook(tmp_path):
    def fai(fogli=None, nome="peg.xlsx", intestazioni=None):
        return scrivi(tmp_path / nome, COMPLETO if fogli is None else fogli, intestazioni)
    return fai
