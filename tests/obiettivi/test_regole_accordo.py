"""The admin and the PEG import accept and refuse the same rows, with the same messages.

Each case is one row of a PEG sheet (obiettivi, indicatori or fasi). It is fed to the PEG import
as a CSV (a CSV carries any character, control characters included) and to the real admin, as an
Amministratore would type it: a new objective on the objective's add page, indicators and phases
as rows of the objective's inlines. Both must accept it, or both refuse it with the same messages
on the same columns (``obiettivi.regole`` is the one home of every rule).

``importa`` below is the one place that knows how the import is called: after the PEG import
became a package, repoint it and nothing else.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from obiettivi.peg.importa import ciclo_per_importazione, importa_workbook
from obiettivi.peg.risorse import FOGLI
from obiettivi.models import Indicatore, Obiettivo
from obiettivi.services import area_upsert, nodo_upsert
from tests.ruoli.conftest import dati_della_pagina

pytestmark = pytest.mark.django_db


# --- the two roads in -----------------------------------------------------------------------

def importa(ciclo, foglio: str, righe: list[dict]) -> set[tuple[str, str]]:
    """The PEG import's answer for ``righe`` of ``foglio``: {(column, message)} (empty: accepted).
    A dry run: nothing is written either way."""
    testo = io.StringIO()
    scrittore = csv.writer(testo, delimiter=";")
    scrittore.writerow(FOGLI[foglio])
    for riga in righe:
        scrittore.writerow([riga.get(colonna, "") for colonna in FOGLI[foglio]])
    file = SimpleUploadedFile(f"{foglio}.csv", testo.getvalue().encode("utf-8"))
    esito = importa_workbook(file=file, ciclo=ciclo, dry_run=True)
    return {(e.colonna, e.problema) for e in esito.errori}


# The admin's field for each column of the sheets (the others have the column's name).
CAMPI = {
    "obiettivi": {"motivazione": "motivazione_stato"},
    "indicatori": {"direzione": "tipo"},
    "fasi": {},
}
COLONNE = {foglio: {campo: colonna for colonna, campo in campi.items()}
           for foglio, campi in CAMPI.items()}
COLONNE["indicatori"].update(data_target="target", data_consuntivo="consuntivo")
INLINE = {"indicatori": "indicatori", "fasi": "fasi"}


def _riga_del_form(foglio, riga, mondo):
    """The admin's fields for a row of the sheet (references become primary keys; a
    «scadenza» indicator's target and actual are its dates)."""
    campi = {}
    for colonna, valore in riga.items():
        if colonna == "obiettivo":
            continue
        campo = CAMPI[foglio].get(colonna, colonna)
        if colonna in ("area", "nodo"):
            valore = str(mondo[colonna][valore].pk)
        if foglio == "indicatori" and colonna in ("target", "consuntivo") \
                and riga.get("direzione") == "scadenza":
            campo = f"data_{colonna}"
        campi[campo] = valore
    if foglio == "indicatori":
        campi.setdefault("peso", "1")  # the admin's default, as the import's
    return campi


def _errori_admin(risposta, foglio) -> set[tuple[str, str]]:
    if risposta.status_code == 302:
        return set()
    assert risposta.status_code == 200
    errori = set()
    form = risposta.context["adminform"].form
    for campo, messaggi in form.errors.items():
        colonna = "" if campo == "__all__" else COLONNE["obiettivi"].get(campo, campo)
        errori.update((colonna, m) for m in messaggi)
    for inline in risposta.context["inline_admin_formsets"]:
        formset = inline.formset
        for errori_riga in formset.errors:
            for campo, messaggi in errori_riga.items():
                colonna = "" if campo == "__all__" else COLONNE[foglio].get(campo, campo)
                errori.update((colonna, m) for m in messaggi)
        # A rule of the whole inline (the phases' sum): the import puts it on the weights.
        errori.update(("peso", m) for m in formset.non_form_errors())
    return errori


def admin(client, mondo, foglio: str, righe: list[dict]) -> set[tuple[str, str]]:
    """The admin's answer for the same rows: {(column, message)} (empty: saved)."""
    if foglio == "obiettivi":
        (riga,) = righe
        dati = {"ciclo": str(mondo["ciclo"].pk), "ordine": "0",
                **_riga_del_form(foglio, riga, mondo)}
        for prefisso in INLINE.values():
            dati.update({f"{prefisso}-TOTAL_FORMS": "0", f"{prefisso}-INITIAL_FORMS": "0"})
        indirizzo = reverse("admin:obiettivi_obiettivo_add")
    else:
        indirizzo = reverse("admin:obiettivi_obiettivo_change", args=[mondo["obiettivo"].pk])
        dati = dati_della_pagina(client.get(indirizzo))
        prefisso = INLINE[foglio]
        dati[f"{prefisso}-TOTAL_FORMS"] = str(len(righe))
        for i, riga in enumerate(righe):
            for campo, valore in _riga_del_form(foglio, riga, mondo).items():
                dati[f"{prefisso}-{i}-{campo}"] = valore
    return _errori_admin(client.post(indirizzo, dati), foglio)


# --- the cases --------------------------------------------------------------------------------

OBIETTIVO = {"codice": "OB2", "titolo": "Nuovo obiettivo", "descrizione": "", "area": "A1",
             "nodo": "1.1", "tipologia": "sviluppo", "peso": "1", "stato": "attivo",
             "motivazione": "", "anno_rinvio": ""}
INDICATORE = {"obiettivo": "OB1", "codice": "I1", "nome": "Pratiche evase", "unita": "n.",
              "direzione": "alto", "target": "10", "consuntivo": "8"}
FASE_1 = {"obiettivo": "OB1", "codice": "F1", "descrizione": "Analisi", "peso": "40",
          "percentuale": "100", "inizio": "", "fine": ""}
FASE_2 = {**FASE_1, "codice": "F2", "descrizione": "Attuazione", "peso": "60",
          "percentuale": "50"}


def obiettivo(**valori):
    return ("obiettivi", [{**OBIETTIVO, **valori}])


def indicatore(**valori):
    return ("indicatori", [{**INDICATORE, **valori}])


def fasi(prima=None, seconda=None):
    righe = [{**FASE_1, **(prima or {})}]
    if seconda is not False:
        righe.append({**FASE_2, **(seconda or {})})
    return ("fasi", righe)


# (id, sheet and rows, accepted?)
CASI = [
    # codes: they end up in public URLs
    ("codice valido", obiettivo(codice="OB-2.a_1"), True),
    ("codice con spazio, barra, ? e #", obiettivo(codice="OB 1/2?#"), False),
    ("codice con barra", obiettivo(codice="L1/x"), False),
    ("codice che inizia con un punto", obiettivo(codice=".OB2"), False),
    ("codice troppo lungo", obiettivo(codice="O" * 31), False),
    # statuses, reasons, postponement years
    ("stato sospeso con motivazione", obiettivo(stato="sospeso", motivazione="causa COVID-19"), True),
    ("stato sospeso senza motivazione", obiettivo(stato="sospeso"), False),
    ("non applicabile senza motivazione", obiettivo(stato="non_applicabile"), False),
    ("stralciato senza motivazione", obiettivo(stato="stralciato"), True),
    ("stato sconosciuto", obiettivo(stato="chiuso"), False),
    ("rinviato con anno", obiettivo(stato="rinviato", anno_rinvio="2023"), True),
    ("rinviato senza anno", obiettivo(stato="rinviato"), False),
    ("anno di rinvio per un attivo", obiettivo(anno_rinvio="2023"), False),
    ("anno di rinvio prima del 2000", obiettivo(stato="rinviato", anno_rinvio="1999"), False),
    ("anno di rinvio dopo il 2100", obiettivo(stato="rinviato", anno_rinvio="2101"), False),
    ("anno di rinvio non intero", obiettivo(stato="rinviato", anno_rinvio="2023,5"), False),
    # weights, Italian numbers
    ("peso con la virgola", obiettivo(peso="2,5"), True),
    ("peso con migliaia e decimali", obiettivo(peso="1.250,5"), True),
    ("peso 40.000 (quarantamila)", obiettivo(peso="40.000"), True),
    ("peso scritto da un foglio di calcolo", obiettivo(peso="12.5"), True),
    ("peso ambiguo 1,2,3", obiettivo(peso="1,2,3"), False),
    ("peso ambiguo 1.25.0", obiettivo(peso="1.25.0"), False),
    ("peso ambiguo 4,5.3", obiettivo(peso="4,5.3"), False),
    ("peso zero", obiettivo(peso="0"), False),
    ("peso negativo", obiettivo(peso="-6,4"), False),
    ("peso con tre decimali", obiettivo(peso="1,255"), False),
    ("peso oltre le cifre ammesse", obiettivo(peso="1.000.000"), False),
    ("peso non numerico", obiettivo(peso="molto"), False),
    # lengths and required texts
    ("titolo di 500 caratteri", obiettivo(titolo="T" * 500), True),
    ("titolo di 501 caratteri", obiettivo(titolo="T" * 501), False),
    ("titolo vuoto", obiettivo(titolo=""), False),
    # control characters: refused everywhere; tab and new line only in multi-line texts
    ("titolo con \\x01", obiettivo(titolo="Nuovo\x01obiettivo"), False),
    ("titolo con NUL", obiettivo(titolo="Nuovo\x00obiettivo"), False),
    ("titolo con DEL", obiettivo(titolo="Nuovo\x7fobiettivo"), False),
    ("titolo su due righe", obiettivo(titolo="Nuovo\nobiettivo"), False),
    ("titolo con tabulazione", obiettivo(titolo="Nuovo\tobiettivo"), False),
    ("descrizione su più righe con tabulazione", obiettivo(descrizione="Riga uno\nRiga\tdue"), True),
    ("descrizione con \\x1b", obiettivo(descrizione="Testo \x1b[31m rosso"), False),
    ("motivazione con \\x0c", obiettivo(stato="sospeso", motivazione="causa\x0cCOVID"), False),
    # indicators: yes/no values, expected dates, numbers
    ("indicatore con consuntivo 40.000", indicatore(consuntivo="40.000"), True),
    ("indicatore con consuntivo 1.250,5", indicatore(consuntivo="1.250,5"), True),
    ("indicatore con consuntivo 1,2,3", indicatore(consuntivo="1,2,3"), False),
    ("indicatore con target negativo -6,4", indicatore(direzione="basso", target="-6,4"), True),
    ("indicatore sì/no con 1 e 0", indicatore(direzione="si_no", target="1", consuntivo="0"), True),
    ("indicatore sì/no con 2", indicatore(direzione="si_no", target="1", consuntivo="2"), False),
    ("indicatore sì/no con 0,5", indicatore(direzione="si_no", target="0,5", consuntivo=""), False),
    ("indicatore sì/no con testo", indicatore(direzione="si_no", target="forse", consuntivo=""),
     False),
    ("scadenza con data", indicatore(direzione="scadenza", target="30/06/2021",
                                     consuntivo="15/06/2021"), True),
    ("scadenza senza data", indicatore(direzione="scadenza", target="", consuntivo=""), False),
    ("direzione sconosciuta", indicatore(direzione="medio"), False),
    ("nome dell'indicatore con \\x02", indicatore(nome="Pratiche\x02evase"), False),
    ("target oltre le cifre ammesse", indicatore(target="1" + "0" * 12), False),
    # phases: weights summing to 100, percentages, dates
    ("fasi che sommano a 100", fasi(), True),
    ("fasi che sommano a 90", fasi(seconda={"peso": "50"}), False),
    ("fasi che sommano a 110", fasi(seconda={"peso": "70"}), False),
    ("una sola fase a 100", fasi(prima={"peso": "100"}, seconda=False), True),
    ("fasi con pesi decimali 33,33 + 66,67", fasi(prima={"peso": "33,33"},
                                                  seconda={"peso": "66,67"}), True),
    ("peso di una fase oltre 100", fasi(prima={"peso": "160"}), False),
    ("percentuale oltre 100", fasi(prima={"percentuale": "100,5"}), False),
    ("percentuale negativa", fasi(prima={"percentuale": "-1"}), False),
    ("fine prima dell'inizio", fasi(prima={"inizio": "01/02/2021", "fine": "31/01/2021"}), False),
    ("fine uguale all'inizio", fasi(prima={"inizio": "01/02/2021", "fine": "01/02/2021"}), True),
    ("data che non esiste", fasi(prima={"inizio": "31/02/2021", "fine": ""}), False),
    ("data scritta all'inglese", fasi(prima={"inizio": "02/31/2021", "fine": ""}), False),
    ("data in formato ISO", fasi(prima={"inizio": "2021-02-01", "fine": "2021-03-01"}), True),
    ("scadenza con una data sbagliata", indicatore(direzione="scadenza", target="30/06/21x",
                                                   consuntivo=""), False),
    ("descrizione della fase su due righe", fasi(prima={"descrizione": "Analisi\ne studio"}),
     False),
]


@pytest.fixture
def mondo(db):
    ciclo, _ = ciclo_per_importazione(ente="prova", anno=2021, crea=True)
    a1 = area_upsert(ciclo=ciclo, codice="A1", nome="Area uno", slug="uno")
    linea = nodo_upsert(ciclo=ciclo, codice="1", titolo="Linea", livello_nome="linea")
    azione = nodo_upsert(ciclo=ciclo, codice="1.1", titolo="Azione", livello_nome="azione",
                         parent=linea)
    ob1 = Obiettivo.objects.create(ciclo=ciclo, codice="OB1", titolo="Obiettivo uno", area=a1,
                                   nodo=azione)
    return {"ciclo": ciclo, "area": {"A1": a1}, "nodo": {"1.1": azione}, "obiettivo": ob1}


def test_i_casi_sono_almeno_40_validi_e_non():
    assert len(CASI) >= 40
    assert {accettato for _, _, accettato in CASI} == {True, False}


@pytest.mark.parametrize(("foglio_righe", "accettato"), [c[1:] for c in CASI],
                         ids=[c[0] for c in CASI])
def test_admin_e_importazione_rispondono_allo_stesso_modo(admin_client, mondo, foglio_righe,
                                                         accettato):
    foglio, righe = foglio_righe
    dall_importazione = importa(mondo["ciclo"], foglio, righe)
    dall_admin = admin(admin_client, mondo, foglio, righe)
    assert dall_admin == dall_importazione
    assert (not dall_admin) is accettato, dall_admin


def test_un_numero_italiano_salvato_dall_admin_e_quello_letto_dall_importazione(admin_client,
                                                                                 mondo):
    """Accepted alike is not enough: the same text must become the same number."""
    foglio, righe = indicatore(consuntivo="40.000", target="1.250,5")
    assert admin(admin_client, mondo, foglio, righe) == set()
    salvato = Indicatore.objects.get(obiettivo=mondo["obiettivo"], codice="I1")
    assert (salvato.target, salvato.consuntivo) == (Decimal("1250.5"), Decimal("40000"))
    salvato.delete()
    file = io.BytesIO(("obiettivo;codice;nome;direzione;target;consuntivo\n"
                       "OB1;I1;Pratiche evase;alto;1.250,5;40.000\n").encode())
    file.name = "indicatori.csv"
    assert importa_workbook(file=file, ciclo=mondo["ciclo"]).ok
    importato = Indicatore.objects.get(obiettivo=mondo["obiettivo"], codice="I1")
    assert (importato.target, importato.consuntivo) == (Decimal("1250.5"), Decimal("40000"))
