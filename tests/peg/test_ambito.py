"""Scoping: a dirigente imports and exports only their own areas' outcomes."""

import pytest

from obiettivi import permessi
from obiettivi.peg.esporta import dati_risultati, dati_workbook
from obiettivi.peg.importa import importa_workbook
from obiettivi.peg.risorse import FOGLI_DIRIGENTE
from obiettivi.models import Area, Indicatore

from .conftest import COMPLETO
from tests.ruoli.incarichi import dai_ruolo

pytestmark = pytest.mark.django_db


@pytest.fixture
def caricato(ciclo, workbook):
    assert importa_workbook(file=workbook(), ciclo=ciclo).ok
    ciclo.stato = "rendicontazione"
    ciclo.save()
    return ciclo


def _utente(django_user_model, nome, ruolo):
    user = django_user_model.objects.create_user(nome, password="x", is_staff=True)
    dai_ruolo(user, ruolo)
    return user


@pytest.fixture
def dirigente(caricato, django_user_model):
    user = _utente(django_user_model, "dir.a1", permessi.DIRIGENTE)
    Area.objects.get(ciclo=caricato, codice="A1").dirigenti.add(user)
    return user


def test_dirigente_aggiorna_i_consuntivi_delle_sue_aree(caricato, dirigente, workbook):
    file = workbook({"indicatori": [["O1", "I1", "Pratiche evase", "n.", "alto", "10", "9"]],
                     "fasi": [["O1", "F2", "Attuazione", "60", "95", "", ""]]}, nome="esiti.xlsx")
    esito = importa_workbook(file=file, ciclo=caricato, utente=dirigente)
    assert esito.ok, esito.errori
    i1 = Indicatore.objects.get(obiettivo__ciclo=caricato, obiettivo__codice="O1", codice="I1")
    assert i1.consuntivo == 9
    assert i1.history.latest("history_date").history_user == dirigente


def test_riga_di_un_altra_area_e_un_errore_che_la_nomina(caricato, dirigente, workbook):
    file = workbook({"indicatori": [["O1", "I1", "Pratiche evase", "n.", "alto", "10", "9"],
                                    ["O2", "I1", "Regolamento", "", "si_no", "sì", "sì"]]},
                    nome="altrui.xlsx")
    esito = importa_workbook(file=file, ciclo=caricato, utente=dirigente)
    assert [str(e) for e in esito.errori] == [
        "Foglio indicatori, riga 3, colonna obiettivo: l'obiettivo 'O2' non è tra gli obiettivi "
        "delle aree di cui 'dir.a1' è dirigente"]
    assert Indicatore.objects.get(obiettivo__codice="O1", codice="I1").consuntivo == 8.5


def test_dirigente_non_cambia_la_pianificazione(caricato, dirigente, workbook):
    righe = [list(r) for r in COMPLETO["obiettivi"] if r[3] in ("A1", "A1.1")]
    righe[0][1] = "Titolo cambiato"
    file = workbook({"obiettivi": righe,
                     "indicatori": [["O1", "I1", "Pratiche evase", "n.", "alto", "12", "8,5"],
                                    ["O1", "I9", "Nuovo", "", "alto", "1", ""]]}, nome="piano.xlsx")
    esito = importa_workbook(file=file, ciclo=caricato, utente=dirigente)
    regola = ("non può modificare questa colonna: un dirigente cambia solo gli esiti, durante la "
              "rendicontazione, degli obiettivi non ancora inviati al Nucleo")
    assert [str(e) for e in esito.errori] == [
        f"Foglio obiettivi, riga 2, colonna titolo: 'dir.a1' {regola}",
        f"Foglio indicatori, riga 2, colonna target: 'dir.a1' {regola}",
        "Foglio indicatori, riga 3, colonna codice: un dirigente non può creare indicatori: "
        "'O1 / I9' non esiste nel ciclo",
    ]


def test_dirigente_fuori_dalla_rendicontazione(caricato, dirigente, workbook):
    caricato.stato = "pianificazione"
    caricato.save()
    file = workbook({"fasi": [["O1", "F2", "Attuazione", "60", "95", "", ""]]}, nome="f.xlsx")
    esito = importa_workbook(file=file, ciclo=caricato, utente=dirigente)
    assert [e.colonna for e in esito.errori] == ["percentuale"]


def test_fogli_e_ruoli_non_ammessi(caricato, dirigente, workbook, django_user_model):
    esito = importa_workbook(file=workbook({"aree": COMPLETO["aree"]}), ciclo=caricato, utente=dirigente)
    assert [str(e) for e in esito.errori] == [
        "Foglio aree, riga 1: un dirigente non può importare questo foglio (solo obiettivi, "
        "indicatori, fasi, barometro)"]
    nucleo = _utente(django_user_model, "nucleo", permessi.NUCLEO)
    esito = importa_workbook(file=workbook(), ciclo=caricato, utente=nucleo)
    assert [str(e) for e in esito.errori] == [
        "l'utente 'nucleo' non può importare il PEG: servono i ruoli Amministratore o Dirigente"]


def test_esportazione_del_dirigente(caricato, dirigente, django_user_model):
    fogli = dati_workbook(ciclo=caricato, utente=dirigente)
    assert tuple(fogli) == FOGLI_DIRIGENTE
    assert [r[0] for r in fogli["obiettivi"][1:]] == ["O1", "O3"]  # A1 and its service A1.1
    assert {r[0] for r in fogli["indicatori"][1:]} == {"O1"}
    assert [r[0] for r in fogli["barometro"][1:]] == ["B1"]
    risultati = dati_risultati(ciclo=caricato, utente=dirigente)
    assert list(risultati) == ["obiettivi"]
    assert [r[0] for r in risultati["obiettivi"][1:]] == ["O1", "O3"]
    nucleo = _utente(django_user_model, "nucleo", permessi.NUCLEO)
    assert [r[0] for r in dati_workbook(ciclo=caricato, utente=nucleo)["obiettivi"][1:]] == ["O1", "O2", "O3"]
