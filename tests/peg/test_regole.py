"""Each rule checked on import, with its exact Italian message — the rule set's
(``obiettivi.regole``) and ``seregno_perf.formati``'s, the same the admin shows; nothing written
on error."""

from decimal import Decimal

import pytest

from obiettivi.models import Area, Fase, Indicatore, NodoStrategico, Obiettivo
from obiettivi.peg.importa import importa_workbook

from .conftest import COMPLETO

pytestmark = pytest.mark.django_db


def _con(foglio, riga, colonna, valore):
    fogli = {k: [list(r) for r in v] for k, v in COMPLETO.items()}
    fogli[foglio][riga][colonna] = valore
    return fogli


OBI = ("codice", "titolo", "descrizione", "area", "nodo", "tipologia", "peso", "stato",
       "motivazione", "anno_rinvio")


def o(colonna):
    return OBI.index(colonna)


CASI = [
    (_con("fasi", 1, 3, "X"), "Foglio fasi, riga 3, colonna peso: «X» non è un numero; scrivi 1.250,5: il punto separa le migliaia, la virgola i decimali."),
    (_con("obiettivi", 0, o("peso"), "1,2,3"), "Foglio obiettivi, riga 2, colonna peso: «1,2,3» non si legge in un solo modo; scrivi 1.250,5: il punto separa le migliaia, la virgola i decimali."),
    (_con("obiettivi", 0, o("peso"), "0"), "Foglio obiettivi, riga 2, colonna peso: Assicurati che questo valore sia maggiore o uguale a 0,01."),
    (_con("obiettivi", 0, o("area"), "ZZ"), "Foglio obiettivi, riga 2, colonna area: l'area 'ZZ' non esiste nel ciclo né nel foglio aree"),
    (_con("obiettivi", 0, o("nodo"), "9.9"), "Foglio obiettivi, riga 2, colonna nodo: il nodo '9.9' non esiste nel ciclo né nel foglio albero"),
    (_con("obiettivi", 2, o("codice"), "O1"), "Foglio obiettivi, riga 4, colonna codice: il codice 'O1' è ripetuto (già alla riga 2)"),
    (_con("obiettivi", 1, o("motivazione"), ""), "Foglio obiettivi, riga 3, colonna motivazione: Per un obiettivo «Sospeso» indicare la motivazione (es. «causa COVID-19»)."),
    (_con("obiettivi", 2, o("anno_rinvio"), ""), "Foglio obiettivi, riga 4, colonna anno_rinvio: Per un obiettivo «Rinviato» indicare l'anno del rinvio."),
    (_con("obiettivi", 0, o("anno_rinvio"), "2022"), "Foglio obiettivi, riga 2, colonna anno_rinvio: L'anno di rinvio si indica solo per gli obiettivi rinviati: svuotare il campo o impostare lo stato «Rinviato»."),
    (_con("obiettivi", 0, o("stato"), "chiuso"), "Foglio obiettivi, riga 2, colonna stato: «chiuso» non è tra i valori ammessi (attivo, stralciato, rinviato, sospeso, non_applicabile)."),
    (_con("obiettivi", 0, o("titolo"), ""), "Foglio obiettivi, riga 2, colonna titolo: Questo campo è obbligatorio."),
    (_con("obiettivi", 0, o("titolo"), "T" * 501), "Foglio obiettivi, riga 2, colonna titolo: Assicurati che questo valore non contenga più di 500 caratteri (ne ha 501)."),
    (_con("fasi", 1, 3, "50"), "Foglio fasi, riga 2, colonna peso: La somma dei pesi delle fasi dell'obiettivo O1 è 90: deve essere 100."),
    (_con("fasi", 1, 3, "160"), "Foglio fasi, riga 3, colonna peso: Assicurati che questo valore sia minore o uguale a 100."),
    (_con("fasi", 1, 4, "100,5"), "Foglio fasi, riga 3, colonna percentuale: Assicurati che questo valore sia minore o uguale a 100."),
    (_con("fasi", 0, 6, "31/01/2021"), "Foglio fasi, riga 2, colonna fine: La data di fine (31/01/2021) non può precedere la data di inizio (01/02/2021)."),
    (_con("fasi", 0, 5, "31/02/2021"), "Foglio fasi, riga 2, colonna inizio: «31/02/2021» non è una data: scrivi gg/mm/aaaa, per esempio 31/12/2021."),
    (_con("indicatori", 0, 0, "O9"), "Foglio indicatori, riga 2, colonna obiettivo: l'obiettivo 'O9' non esiste nel ciclo né nel foglio obiettivi"),
    (_con("indicatori", 2, 5, "forse"), "Foglio indicatori, riga 4, colonna target: «forse» non è un numero; scrivi 1.250,5: il punto separa le migliaia, la virgola i decimali."),
    (_con("indicatori", 2, 5, "2"), "Foglio indicatori, riga 4, colonna target: Per un indicatore «Sì / no» scrivere 1 (sì) oppure 0 (no)."),
    (_con("indicatori", 1, 5, ""), "Foglio indicatori, riga 3, colonna target: Per un indicatore «Scadenza (data)» indicare la scadenza prevista."),
    (_con("indicatori", 0, 4, "medio"), "Foglio indicatori, riga 2, colonna direzione: «medio» non è tra i valori ammessi (alto, basso, si_no, scadenza)."),
    (_con("barometro", 0, 6, "4"), "Foglio barometro, riga 2, colonna grado: Assicurati che questo valore sia minore o uguale a 3."),
    (_con("aree", 2, 2, "A9"), "Foglio aree, riga 4, colonna padre: l'area 'A9' non esiste nel ciclo né nel foglio aree"),
    (_con("aree", 0, 2, "A1.1"), "Foglio aree, riga 2, colonna padre: 'A1' non può stare sotto 'A1.1': si creerebbe un ciclo (A1 → A1.1 → A1)"),
    (_con("albero", 0, 2, "1"), "Foglio albero, riga 2, colonna padre: '1' non può stare sotto '1': si creerebbe un ciclo (1 → 1)"),
    (_con("finanziari", 0, 4, "su"), "Foglio finanziari, riga 2, colonna direzione: «su» non è tra i valori ammessi (alto, basso)."),
]


@pytest.mark.parametrize("fogli,messaggio", CASI, ids=[c[1][:60] for c in CASI])
def test_regola_con_messaggio_esatto_e_nulla_scritto(ciclo, workbook, fogli, messaggio):
    esito = importa_workbook(file=workbook(fogli), ciclo=ciclo)
    assert [str(e) for e in esito.errori] == [messaggio]
    assert not esito.scritto
    # All or nothing: the valid rows of the other sheets are not written either.
    assert not Area.objects.filter(ciclo=ciclo).exists()
    assert not NodoStrategico.objects.filter(ciclo=ciclo).exists()
    assert not Obiettivo.objects.filter(ciclo=ciclo).exists()
    assert Obiettivo.history.count() == 0


def test_ciclo_tra_righe_del_file_e_del_database(ciclo, workbook):
    assert importa_workbook(file=workbook({"albero": COMPLETO["albero"]}), ciclo=ciclo).ok
    file = workbook({"albero": [["1", "Linea uno", "1.1", "linea"]]}, nome="giro.xlsx")
    esito = importa_workbook(file=file, ciclo=ciclo)
    assert [str(e) for e in esito.errori] == [
        "Foglio albero, riga 2, colonna padre: '1' non può stare sotto '1.1': si creerebbe un "
        "ciclo (1 → 1.1 → 1)"]
    assert NodoStrategico.objects.get(ciclo=ciclo, codice="1").parent is None


def test_somma_dei_pesi_con_le_fasi_gia_nel_ciclo(ciclo, workbook):
    assert importa_workbook(file=workbook(), ciclo=ciclo).ok
    # F2 stays 60 in the database: F1 at 50 makes 110.
    esito = importa_workbook(file=workbook({"fasi": [["O1", "F1", "Analisi", "50", "100", "", ""]]},
                                           nome="f.xlsx"), ciclo=ciclo)
    assert [str(e) for e in esito.errori] == [
        "Foglio fasi, riga 2, colonna peso: La somma dei pesi delle fasi dell'obiettivo O1 è 110: "
        "deve essere 100."]
    assert Fase.objects.get(obiettivo__ciclo=ciclo, codice="F1").peso == 40


def test_intestazioni(ciclo, workbook):
    file = workbook({"fasi": [["O1", "F1", "x", "100"]]},
                    intestazioni={"fasi": ("obiettivo", "codice", "descrizione", "pesi")})
    assert [str(e) for e in importa_workbook(file=file, ciclo=ciclo).errori] == [
        "Foglio fasi, riga 1, colonna pesi: colonna sconosciuta (attese: obiettivo, codice, "
        "descrizione, peso, percentuale, inizio, fine)"]
    file = workbook({"fasi": [["F1", "x"]]}, nome="b.xlsx",
                    intestazioni={"fasi": ("codice", "descrizione")})
    assert [str(e) for e in importa_workbook(file=file, ciclo=ciclo).errori] == [
        "Foglio fasi, riga 1: manca la colonna 'obiettivo'"]


def test_tutti_gli_errori_insieme(ciclo, workbook):
    fogli = _con("fasi", 1, 3, "X")
    fogli["obiettivi"][0][o("area")] = "ZZ"
    esito = importa_workbook(file=workbook(fogli), ciclo=ciclo)
    assert [str(e) for e in esito.errori] == [
        "Foglio obiettivi, riga 2, colonna area: l'area 'ZZ' non esiste nel ciclo né nel foglio aree",
        "Foglio fasi, riga 3, colonna peso: «X» non è un numero; scrivi 1.250,5: il punto separa le migliaia, la virgola i decimali.",
    ]
    assert esito.righe_report()[0] == "2 errori: nessun dato è stato scritto."


def test_formato_sconosciuto(ciclo, tmp_path):
    file = tmp_path / "peg.xls"
    file.write_bytes(b"x")
    assert [str(e) for e in importa_workbook(file=file, ciclo=ciclo).errori] == [
        "formato del file 'peg.xls' non riconosciuto: usare .xlsx, .ods o .csv"]
    rotto = tmp_path / "rotto.xlsx"
    rotto.write_bytes(b"non un file zip")
    assert [str(e) for e in importa_workbook(file=rotto, ciclo=ciclo).errori] == [
        "il file 'rotto.xlsx' non è un XLSX leggibile (BadZipFile)"]


# --- The import says what the admin says: the rule set (obiettivi.regole) -----------------------

TESTA_OBIETTIVI = "codice;titolo;descrizione;area;nodo;tipologia;peso;stato;motivazione;anno_rinvio\n"


def _csv(tmp_path, nome, testo):
    file = tmp_path / nome
    file.write_text(testo, encoding="utf-8")
    return file


@pytest.mark.parametrize("codice", ["OB 1/2?#", "L 1/x", "-O1", "O#1"])
def test_a_code_the_admin_refuses_is_a_row_error_and_nothing_is_written(ciclo, workbook, tmp_path, codice):
    assert importa_workbook(file=workbook({k: COMPLETO[k] for k in ("aree", "albero")}), ciclo=ciclo).ok
    file = _csv(tmp_path, "obiettivi.csv", TESTA_OBIETTIVI + f'O1;Buono;;A1;1.1;;1;attivo;;\n"{codice}";Titolo;;A1;1.1;;1;attivo;;\n')
    esito = importa_workbook(file=file, ciclo=ciclo)
    from obiettivi.regole import MESSAGGIO_CODICE

    assert [str(e) for e in esito.errori] == [f"Foglio obiettivi, riga 3, colonna codice: {MESSAGGIO_CODICE}"]
    assert not Obiettivo.objects.filter(ciclo=ciclo).exists()
    albero = _csv(tmp_path, "albero.csv", f'codice;titolo;padre;livello\n"{codice}";Linea;;linea\n')
    esito = importa_workbook(file=albero, ciclo=ciclo)
    assert [(e.riga, e.colonna) for e in esito.errori] == [(2, "codice")]
    assert NodoStrategico.objects.filter(ciclo=ciclo).count() == 2


@pytest.mark.parametrize("scritto,letto", [
    ("40.000", Decimal("40000")), ("1.250,5", Decimal("1250.5")), ("12,5", Decimal("12.5")),
    ("40000", Decimal("40000")), ("12.5", Decimal("12.5")), ("40.5", Decimal("40.5")),
    ("-6,4", Decimal("-6.4")), ("87,5%", Decimal("87.5")),
])
def test_italian_numbers_in_a_csv_consuntivo(ciclo, workbook, tmp_path, scritto, letto):
    assert importa_workbook(file=workbook(), ciclo=ciclo).ok
    file = _csv(tmp_path, "indicatori.csv", f"obiettivo;codice;consuntivo\nO1;I1;{scritto}\n")
    esito = importa_workbook(file=file, ciclo=ciclo)
    assert esito.ok, esito.righe_report()
    assert Indicatore.objects.get(obiettivo__codice="O1", codice="I1").consuntivo == letto


@pytest.mark.parametrize("scritto", ["1,2,3", "1.25.0", "4,5.3"])
def test_an_ambiguous_number_is_refused_saying_how_to_write_it(ciclo, workbook, tmp_path, scritto):
    assert importa_workbook(file=workbook(), ciclo=ciclo).ok
    file = _csv(tmp_path, "indicatori.csv", f'obiettivo;codice;consuntivo\nO1;I1;"{scritto}"\n')
    esito = importa_workbook(file=file, ciclo=ciclo)
    assert [str(e) for e in esito.errori] == [
        f"Foglio indicatori, riga 2, colonna consuntivo: «{scritto}» non si legge in un solo modo; "
        "scrivi 1.250,5: il punto separa le migliaia, la virgola i decimali."]
    assert Indicatore.objects.get(obiettivo__codice="O1", codice="I1").consuntivo == Decimal("8.5")


def test_export_writes_numbers_as_numbers(ciclo, workbook, tmp_path):
    from openpyxl import load_workbook

    from obiettivi.peg.esporta import esporta_workbook

    righe = [list(r) for r in COMPLETO["indicatori"]]
    righe[0][6] = "40.000"
    assert importa_workbook(file=workbook(dict(COMPLETO, indicatori=righe)), ciclo=ciclo).ok
    file = tmp_path / "e.xlsx"
    file.write_bytes(esporta_workbook(ciclo=ciclo, formato="xlsx"))
    foglio = load_workbook(file)["indicatori"]
    assert foglio["G2"].value == 40000 and foglio["G2"].data_type == "n"
    assert foglio["F2"].value == 10 and foglio["F2"].data_type == "n"
