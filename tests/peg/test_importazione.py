"""importa_workbook: what is written, idempotence, dry run, formats, history."""

import datetime
from decimal import Decimal

import pytest

from obiettivi.peg.importa import importa_workbook
from obiettivi.models import Area, Fase, Indicatore, NodoStrategico, Obiettivo
from valutazione.models import IndicatoreFinanziario, StandardBarometro

from .conftest import COMPLETO, FASI

pytestmark = pytest.mark.django_db


def _totali(ciclo):
    return {
        "aree": Area.objects.filter(ciclo=ciclo).count(),
        "albero": NodoStrategico.objects.filter(ciclo=ciclo).count(),
        "obiettivi": Obiettivo.objects.filter(ciclo=ciclo).count(),
        "indicatori": Indicatore.objects.filter(obiettivo__ciclo=ciclo).count(),
        "fasi": Fase.objects.filter(obiettivo__ciclo=ciclo).count(),
        "barometro": StandardBarometro.objects.filter(ciclo=ciclo).count(),
        "finanziari": IndicatoreFinanziario.objects.filter(ciclo=ciclo).count(),
    }


def _storico():
    return (Obiettivo.history.count(), Indicatore.history.count(), Fase.history.count(),
            StandardBarometro.history.count(), IndicatoreFinanziario.history.count())


def test_importa_tutto_il_modello(ciclo, workbook):
    esito = importa_workbook(file=workbook(), ciclo=ciclo)
    assert esito.ok, esito.errori
    assert esito.scritto
    attesi = {nome: len(righe) for nome, righe in COMPLETO.items()}
    assert _totali(ciclo) == attesi
    assert {n: c.creati for n, c in esito.conteggi.items()} == attesi

    o1, o2, o3 = (Obiettivo.objects.select_related("area", "nodo").get(ciclo=ciclo, codice=c)
                  for c in ("O1", "O2", "O3"))
    assert (o1.area.codice, o1.nodo.codice, o1.tipologia, o1.peso) == ("A1", "1.1", "sviluppo", 1)
    assert (o2.peso, o2.stato, o2.motivazione_stato, o2.tipologia) == (
        Decimal("2.5"), "sospeso", "causa COVID-19", "sviluppo")
    assert (o3.stato, o3.anno_rinvio, o3.tipologia, o3.peso) == ("rinviato", 2023, "ptpct", 1)
    # Ordered as in the file; the tree through the services (mptt fields consistent).
    assert list(Obiettivo.objects.filter(ciclo=ciclo).values_list("codice", flat=True)) == ["O1", "O2", "O3"]
    servizio = Area.objects.get(ciclo=ciclo, codice="A1.1")
    assert servizio.parent.codice == "A1" and servizio.level == 1
    assert servizio.slug == "servizio-uno"
    assert NodoStrategico.objects.get(ciclo=ciclo, codice="1.1").is_child_node()

    i1, i2 = Indicatore.objects.filter(obiettivo=o1).order_by("codice")
    assert (i1.tipo, i1.target, i1.consuntivo, i1.unita) == ("alto", 10, Decimal("8.5"), "n.")
    assert (i2.tipo, i2.target, i2.data_target, i2.data_consuntivo) == (
        "scadenza", None, datetime.date(2021, 6, 30), datetime.date(2021, 6, 15))
    si_no = Indicatore.objects.get(obiettivo=o2)
    assert (si_no.target, si_no.consuntivo) == (1, 0)
    f1, f2 = Fase.objects.filter(obiettivo=o1).order_by("codice")
    assert (f1.peso, f1.inizio, f1.fine) == (40, datetime.date(2021, 2, 1), datetime.date(2021, 6, 30))
    assert (f2.percentuale, f2.inizio) == (Decimal("87.5"), None)
    standard = StandardBarometro.objects.get(ciclo=ciclo)
    assert (standard.area.codice, standard.grado, standard.rilevato) == ("A1", 3, "8 giorni")
    finanziario = IndicatoreFinanziario.objects.get(ciclo=ciclo)
    assert (finanziario.valore, finanziario.direzione) == (Decimal("-6.4"), "basso")


def test_reimportare_lo_stesso_file_non_cambia_nulla(ciclo, workbook):
    file = workbook()
    assert importa_workbook(file=file, ciclo=ciclo).ok
    storico, totali = _storico(), _totali(ciclo)
    esito = importa_workbook(file=file, ciclo=ciclo)
    assert esito.ok and esito.n_modifiche == 0
    assert all(c.invariati == c.totale for c in esito.conteggi.values())
    assert _storico() == storico
    assert _totali(ciclo) == totali


def test_storico_con_utente_e_motivo(ciclo, workbook, django_user_model):
    admin = django_user_model.objects.create_superuser("capo", password="x")
    importa_workbook(file=workbook(), ciclo=ciclo, utente=admin)
    assert _storico() == (3, 3, 2, 1, 1)
    creato = Obiettivo.history.get(codice="O1")
    assert (creato.history_type, creato.history_user, creato.history_change_reason) == (
        "+", admin, "Importazione PEG (peg.xlsx)")

    fasi = [list(FASI[0]), list(FASI[1])]
    fasi[1][4] = "90"
    esito = importa_workbook(file=workbook({"fasi": fasi}, nome="fasi.xlsx"), ciclo=ciclo, utente=admin)
    assert esito.ok
    assert [(m.chiave, m.azione, m.colonne) for m in esito.modifiche] == [
        ("O1 / F1", "invariato", ()), ("O1 / F2", "aggiornato", ("percentuale",))]
    cambio = Fase.history.filter(codice="F2").latest("history_date")
    assert (cambio.history_type, cambio.percentuale, cambio.history_user) == ("~", 90, admin)
    assert Fase.history.count() == 3


def test_aggiornare_un_obiettivo_alza_la_versione(ciclo, workbook):
    importa_workbook(file=workbook(), ciclo=ciclo)
    versione = Obiettivo.objects.get(ciclo=ciclo, codice="O1").versione
    righe = [list(r) for r in COMPLETO["obiettivi"]]
    righe[0][1] = "Obiettivo uno, rinominato"
    esito = importa_workbook(file=workbook({"obiettivi": righe}, nome="o.xlsx"), ciclo=ciclo)
    assert esito.ok and esito.conteggi["obiettivi"].aggiornati == 1
    o1 = Obiettivo.objects.get(ciclo=ciclo, codice="O1")
    assert (o1.titolo, o1.versione) == ("Obiettivo uno, rinominato", versione + 1)


def test_prova_non_scrive_nulla(ciclo, workbook):
    esito = importa_workbook(file=workbook(), ciclo=ciclo, dry_run=True)
    assert esito.ok and not esito.scritto
    assert esito.conteggi["obiettivi"].creati == 3
    assert esito.conteggi["fasi"].creati == 2
    assert set(_totali(ciclo).values()) == {0}
    assert _storico() == (0, 0, 0, 0, 0)
    assert "Prova (--dry-run): nessun dato è stato scritto." in esito.righe_report()


def test_colonne_assenti_restano_come_sono(ciclo, workbook):
    importa_workbook(file=workbook(), ciclo=ciclo)
    # Only key + consuntivo: the other fields are left alone.
    file = workbook({"indicatori": [["O1", "I1", "9"]]}, nome="consuntivi.xlsx",
                    intestazioni={"indicatori": ("obiettivo", "codice", "consuntivo")})
    esito = importa_workbook(file=file, ciclo=ciclo)
    assert esito.ok, esito.errori
    i1 = Indicatore.objects.get(obiettivo__ciclo=ciclo, obiettivo__codice="O1", codice="I1")
    assert (i1.nome, i1.target, i1.consuntivo) == ("Pratiche evase", 10, 9)


def test_solo_un_foglio_con_foglio(ciclo, workbook):
    esito = importa_workbook(file=workbook(), ciclo=ciclo, foglio="aree")
    assert esito.ok and list(esito.conteggi) == ["aree"]
    assert _totali(ciclo)["aree"] == 3 and _totali(ciclo)["obiettivi"] == 0


def test_ods(ciclo, workbook):
    esito = importa_workbook(file=workbook(nome="peg.ods"), ciclo=ciclo)
    assert esito.ok, esito.errori
    assert _totali(ciclo) == {nome: len(righe) for nome, righe in COMPLETO.items()}
    assert Fase.objects.get(obiettivo__ciclo=ciclo, codice="F2").percentuale == Decimal("87.5")
    assert importa_workbook(file=workbook(nome="peg.ods"), ciclo=ciclo).n_modifiche == 0


def test_ods_di_libreoffice_celle_ripetute(ciclo, tmp_path):
    """LibreOffice writes runs of equal cells as one cell with number-columns-repeated and
    shows numbers in the user's locale ("87,5"): the value attribute counts, columns keep place."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    tabella = Table(name="aree")

    def riga(*celle):
        tr = TableRow()
        for cella in celle:
            tr.addElement(cella)
        tabella.addElement(tr)

    def testo(t, **attr):
        c = TableCell(valuetype="string", **attr)
        c.addElement(P(text=t))
        return c

    riga(testo("codice"), testo("nome"), testo("padre"))
    riga(testo("X"), testo("Area X"), TableCell(numbercolumnsrepeated=1020))
    tabella.addElement(TableRow(numberrowsrepeated=5))  # empty rows: counted, skipped
    riga(testo("Y"), testo("Area Y"), testo("X"))
    doc.spreadsheet.addElement(tabella)
    tabella = Table(name="finanziari")
    doc.spreadsheet.addElement(tabella)
    riga(testo("codice"), testo("nome"), testo("target"), testo("valore"), testo("direzione"))
    numero = TableCell(valuetype="float", value="87.5")
    numero.addElement(P(text="87,5"))
    riga(testo("F1", numbercolumnsrepeated=1), testo("Riscossione"), numero, TableCell(), testo("alto"))
    file = tmp_path / "libreoffice.ods"
    doc.save(str(file))

    esito = importa_workbook(file=file, ciclo=ciclo)
    assert esito.ok, esito.errori
    assert Area.objects.get(ciclo=ciclo, codice="Y").parent.codice == "X"
    f = IndicatoreFinanziario.objects.get(ciclo=ciclo)
    assert (f.target, f.valore) == (Decimal("87.5"), None)
    assert [(m.foglio, m.riga) for m in esito.modifiche if m.foglio == "aree"] == [("aree", 2), ("aree", 8)]


CSV_FASI = (
    "obiettivo{s}codice{s}descrizione{s}peso{s}percentuale{s}inizio{s}fine\r\n"
    "O1{s}F1{s}Analisi{s}40{s}{p1}{s}{d1}{s}{d2}\r\n"
    "O1{s}F2{s}\"Attuazione{s} verifica\"{s}60{s}{p2}{s}{s}\r\n"
)


@pytest.mark.parametrize("bom,sep,p1,p2,d1,d2", [
    (True, ";", "100", "\"87,5\"", "01/02/2021", "30/06/2021"),
    (False, ";", "100", "87,5", "01/02/2021", "30/06/2021"),
    (True, ",", "100", "87.5", "2021-02-01", "2021-06-30"),
    (False, ",", "\"100,0\"", "\"87,5\"", "2021-02-01", "30/06/2021"),
])
def test_csv_varianti(ciclo, workbook, tmp_path, bom, sep, p1, p2, d1, d2):
    importa_workbook(file=workbook({k: COMPLETO[k] for k in ("aree", "albero", "obiettivi")}), ciclo=ciclo)
    testo = CSV_FASI.format(s=sep, p1=p1, p2=p2, d1=d1, d2=d2)
    file = tmp_path / "fasi.csv"
    file.write_bytes(("\ufeff" if bom else "").encode() + testo.encode("utf-8"))
    esito = importa_workbook(file=file, ciclo=ciclo)
    assert esito.ok, esito.errori
    f1, f2 = Fase.objects.filter(obiettivo__ciclo=ciclo).order_by("codice")
    assert (f1.percentuale, f1.inizio, f1.fine) == (100, datetime.date(2021, 2, 1), datetime.date(2021, 6, 30))
    assert (f2.percentuale, f2.descrizione) == (Decimal("87.5"), f"Attuazione{sep} verifica")


def test_csv_con_foglio_indicato(ciclo, tmp_path):
    file = tmp_path / "esportazione qualsiasi.csv"
    file.write_text("codice;nome;padre\nA9;Area nove;\n", encoding="utf-8")
    esito = importa_workbook(file=file, ciclo=ciclo)
    assert [str(e) for e in esito.errori] == [
        "il foglio 'esportazione qualsiasi' non è tra quelli del modello (aree, albero, obiettivi, "
        "indicatori, fasi, barometro, finanziari): chiamare il file come il foglio (es. fasi.csv) "
        "o indicarlo con --foglio"]
    assert importa_workbook(file=file, ciclo=ciclo, foglio="aree").ok
    assert Area.objects.get(ciclo=ciclo, codice="A9").nome == "Area nove"


def test_csv_non_utf8(ciclo, tmp_path):
    file = tmp_path / "aree.csv"
    file.write_bytes("codice;nome;padre\nA9;Società;\n".encode("cp1252"))
    esito = importa_workbook(file=file, ciclo=ciclo)
    assert [str(e) for e in esito.errori] == [
        "il file CSV non è in UTF-8 (byte non valido alla posizione 28): salvarlo come «CSV UTF-8»"]


def test_ciclo_bloccato(ciclo, workbook):
    ciclo.stato = "approvata"
    ciclo.save()
    esito = importa_workbook(file=workbook(), ciclo=ciclo)
    assert [str(e) for e in esito.errori] == [
        "il ciclo 2021 è nello stato «Approvata»: i suoi dati non si possono più modificare "
        "(un amministratore può riaprirlo)"]
    assert set(_totali(ciclo).values()) == {0}


def test_query_della_prova_non_crescono_con_le_righe(ciclo, workbook, django_assert_max_num_queries):
    importa_workbook(file=workbook(), ciclo=ciclo)
    molti = {"obiettivi": [[f"N{i}", f"Nuovo {i}", "", "A1", "1.1", "", "1", "attivo", "", ""]
                           for i in range(200)],
             "fasi": [[f"N{i}", "F1", "Unica", "100", "50", "", ""] for i in range(200)]}
    with django_assert_max_num_queries(20):
        esito = importa_workbook(file=workbook(molti, nome="molti.xlsx"), ciclo=ciclo, dry_run=True)
    assert esito.ok and esito.conteggi["obiettivi"].creati == 200


def test_a_control_character_already_in_the_database_does_not_break_the_xlsx_export(ciclo, workbook, tmp_path):
    """Saved before the rule set refused them: the export shows «\ufffd», not a 500."""
    from openpyxl import load_workbook

    from obiettivi.peg.esporta import esporta_workbook

    assert importa_workbook(file=workbook(), ciclo=ciclo).ok
    Obiettivo.objects.filter(ciclo=ciclo, codice="O1").update(titolo="Titolo\x01rotto")
    file = tmp_path / "e.xlsx"
    file.write_bytes(esporta_workbook(ciclo=ciclo, formato="xlsx"))
    assert load_workbook(file)["obiettivi"]["B2"].value == "Titolo\ufffdrotto"


def test_new_rows_of_sheets_without_their_optional_reference_columns(ciclo, tmp_path):
    """No «padre» column: new areas are roots; no «area» column: a new standard has none."""
    aree = tmp_path / "aree.csv"
    aree.write_text("codice;nome\nA7;Area sette\n", encoding="utf-8")
    assert importa_workbook(file=aree, ciclo=ciclo).ok
    assert Area.objects.get(ciclo=ciclo, codice="A7").parent is None
    barometro = tmp_path / "barometro.csv"
    barometro.write_text("codice;servizio;standard\nB7;Anagrafe;Entro 15 giorni\n", encoding="utf-8")
    esito = importa_workbook(file=barometro, ciclo=ciclo)
    assert esito.ok, esito.righe_report()
    assert StandardBarometro.objects.get(ciclo=ciclo, codice="B7").area is None


def test_dopo_una_scrittura_le_statistiche_del_pianificatore(ciclo, workbook, monkeypatch):
    """A written import refreshes PostgreSQL's statistics of the plan's tables (after the commit:
    ``seregno_perf.basedati.aggiorna_statistiche``); a dry run does not."""
    chiamate = []
    monkeypatch.setattr("obiettivi.peg.importa.aggiorna_statistiche",
                        lambda *modelli: chiamate.append({m._meta.db_table for m in modelli}))
    importa_workbook(file=workbook(), ciclo=ciclo, dry_run=True)
    assert chiamate == []
    assert importa_workbook(file=workbook(), ciclo=ciclo).scritto
    assert len(chiamate) == 1 and {"obiettivi_obiettivo", "obiettivi_indicatore"} <= chiamate[0]
