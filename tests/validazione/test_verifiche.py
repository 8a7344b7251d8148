"""validazione.verifiche: each check on plain data, no database. For every check a case that
passes and one that fails or gets a rilievo (docs/verifiche.md)."""

import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from validazione import verifiche as v

GIUNTA = v.DatiAtto(1, "Giunta Comunale n. 50 del 20/06/2022", v.DELIBERA_GIUNTA,
                    date(2022, 6, 20), 2022, 1)
ATTO_SMVP = v.DatiAtto(2, "Giunta Comunale n. 175 del 25/09/2012", v.DELIBERA_GIUNTA,
                       date(2012, 9, 25), 2012, 1)
VARIAZIONE = v.DatiAtto(3, "Giunta Comunale n. 140 del 23/11/2021", v.DELIBERA_GIUNTA,
                        date(2021, 11, 23), 2021, 1)
SMVP = v.DatiSmvp(5, "SMVP (v1)", ente_id=1, atto=ATTO_SMVP)


def indicatore(**kw):
    return v.DatiIndicatore(**{"id": 100, "codice": "I1", "target": D("10"),
                               "consuntivo": D("10"), **kw})


def obiettivo(id_=10, codice="OB.01", **kw):
    valori = {
        "id": id_, "codice": codice, "titolo": "Obiettivo", "area_id": 1, "area_codice": "A",
        "area_nome": "Area A", "stato_rendicontazione": v.VALIDATO, "relazione": "Fatto.",
        "grado_proposto": 4, "grado_validato": 4, "percentuale": D("96"), "grado_calcolato": 4,
        "indicatori": (indicatore(),),
        "fasi": (v.DatiFase(200, "F1", D("60")), v.DatiFase(201, "F2", D("40"))),
    }
    valori.update(kw)
    return v.DatiObiettivo(**valori)


def ciclo(*obiettivi, **kw):
    valori = {
        "ciclo_id": 1, "ente_id": 1, "anno": 2021, "smvp": SMVP, "atto_approvazione": GIUNTA,
        "obiettivi": obiettivi or (
            obiettivo(),
            obiettivo(11, "OB.02", area_id=2, area_codice="B", grado_proposto=3,
                      grado_validato=3, grado_calcolato=3, percentuale=D("80")),
        ),
        "standard": (v.DatiStandard(1, "S1", "Anagrafe", 2),),
        "finanziari": (v.DatiFinanziario(1, "IF1", "Rigidità della spesa", D("30")),),
        "ciclo_precedente": True,
    }
    valori.update(kw)
    return v.DatiVerifiche(**valori)


def descrizioni(verifica):
    return [e.descrizione for e in verifica.evidenze]


def test_verifiche_does_not_import_django():
    righe = Path(v.__file__).read_text().splitlines()
    assert not [r for r in righe if r.startswith(("import ", "from ")) and "django" in r]
    codice = ("import sys; import validazione.verifiche; "
              "sys.exit(1 if any(m.startswith('django') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", codice],
                          cwd=Path(v.__file__).parents[1]).returncode == 0


def test_costanti_uguali_ai_modelli_e_alle_regole():
    from obiettivi import regole
    from obiettivi.models import Indicatore, Obiettivo, VariazioneObiettivo

    stati = {v.ATTIVO, v.STRALCIATO, v.RINVIATO, v.SOSPESO, v.NON_APPLICABILE}
    assert stati == set(Obiettivo.Stato.values)
    assert {v.INVIATO, v.VALIDATO} < set(Obiettivo.StatoRendicontazione.values)
    assert v.MODIFICATO == VariazioneObiettivo.Effetto.MODIFICATO
    assert {v.TIPO_ALTO, v.TIPO_BASSO, v.TIPO_SCADENZA} < set(Indicatore.Tipo.values)
    assert v.DELIBERA_GIUNTA == regole.DELIBERA_GIUNTA


def test_un_ciclo_in_ordine_supera_tutto_tranne_il_rilievo_sulla_partecipazione():
    esiti = {x.codice: x.esito for x in v.verifica_ciclo(ciclo())}
    assert len(esiti) == 15
    assert esiti.pop("partecipazione") == v.CON_RILIEVI
    assert set(esiti.values()) == {v.SUPERATA}


# --- 1. esiti degli obiettivi attivi ---------------------------------------------------------

def test_esiti_obiettivi():
    assert v.esiti_obiettivi(ciclo()).esito == v.SUPERATA
    mancante = obiettivo(12, "OB.03", stato_rendicontazione="bozza",
                         stato_rendicontazione_etichetta="Bozza del dirigente", relazione=" ",
                         grado_validato=None)
    # a non-active objective needs neither text nor grade
    sospeso = obiettivo(13, "OB.04", stato=v.SOSPESO, relazione="", grado_validato=None,
                        grado_proposto=None, stato_rendicontazione="bozza")
    verifica = v.esiti_obiettivi(ciclo(obiettivo(), mancante, sospeso))
    assert verifica.esito == v.NON_SUPERATA
    assert descrizioni(verifica) == [
        "OB.03 — esito non inviato al Nucleo («Bozza del dirigente»); manca la relazione del "
        "dirigente; manca il grado validato dal Nucleo"]
    assert (verifica.evidenze[0].tipo, verifica.evidenze[0].id) == (v.OBIETTIVO, 12)


# --- 2. indicatori misurati, 3. pesi delle fasi ----------------------------------------------

def test_indicatori_misurati():
    assert v.indicatori_misurati(ciclo()).esito == v.SUPERATA
    senza = obiettivo(indicatori=(indicatore(consuntivo=None),))
    assert v.indicatori_misurati(ciclo(senza)).esito == v.CON_RILIEVI  # the text may say why
    verifica = v.indicatori_misurati(ciclo(replace(senza, relazione="")))
    assert verifica.esito == v.NON_SUPERATA
    assert (verifica.evidenze[0].tipo, verifica.evidenze[0].id) == (v.INDICATORE, 100)
    assert verifica.evidenze[0].codice == "OB.01 / I1"
    scadenza = obiettivo(
        indicatori=(indicatore(tipo=v.TIPO_SCADENZA, data_target=date(2021, 6, 1)),))
    assert "data di realizzazione" in descrizioni(v.indicatori_misurati(ciclo(scadenza)))[0]


def test_pesi_fasi():
    assert v.pesi_fasi(ciclo(obiettivo(fasi=()))).esito == v.SUPERATA  # no phases: nothing to sum
    sbagliato = obiettivo(fasi=(v.DatiFase(1, "F1", D("60")), v.DatiFase(2, "F2", D("30.5"))))
    verifica = v.pesi_fasi(ciclo(sbagliato))
    assert verifica.esito == v.NON_SUPERATA
    assert descrizioni(verifica) == ["OB.01 — i pesi delle 2 fasi sommano a 90,5 anziché a 100"]


# --- 4. gradi nelle fasce --------------------------------------------------------------------

def test_gradi_nelle_fasce():
    assert v.gradi_nelle_fasce(ciclo()).esito == v.SUPERATA
    fuori = obiettivo(grado_validato=5)
    verifica = v.gradi_nelle_fasce(ciclo(fuori))
    assert verifica.esito == v.NON_SUPERATA
    assert descrizioni(verifica) == [
        "OB.01 — grado validato 5, ma il raggiungimento (96,00 %) cade nella fascia del grado 4, "
        "senza spiegazione"]
    spiegato_nucleo = v.gradi_nelle_fasce(ciclo(replace(fuori, motivazione_grado="Vedi atti.")))
    assert spiegato_nucleo.esito == v.SUPERATA
    assert descrizioni(spiegato_nucleo)[0].endswith("differenza spiegata dal Nucleo")
    proposto = obiettivo(grado_validato=None, grado_proposto=3, spiegazione_grado="Ritardi.")
    assert v.gradi_nelle_fasce(ciclo(proposto)).esito == v.SUPERATA
    non_spiegato = replace(proposto, spiegazione_grado="")
    assert v.gradi_nelle_fasce(ciclo(non_spiegato)).esito == v.NON_SUPERATA


# --- 5. variazioni coperte da atti, 6. motivazioni degli stati -------------------------------

def test_variazioni_coperte_da_atti():
    nell_anno = obiettivo(variazioni=(v.DatiVariazione(VARIAZIONE, v.MODIFICATO),))
    assert v.variazioni_coperte(ciclo(nell_anno)).esito == v.SUPERATA
    tardi = v.DatiAtto(4, "Giunta Comunale n. 3 del 15/01/2022", v.DELIBERA_GIUNTA,
                       date(2022, 1, 15), 2022, 1)
    verifica = v.variazioni_coperte(ciclo(obiettivo(variazioni=(v.DatiVariazione(tardi),))))
    assert verifica.esito == v.NON_SUPERATA
    assert "dopo la fine dell'anno (31/12/2021)" in descrizioni(verifica)[0]
    senza_data = replace(VARIAZIONE, data=None)
    assert v.variazioni_coperte(
        ciclo(obiettivo(variazioni=(v.DatiVariazione(senza_data),)))).esito == v.CON_RILIEVI
    stralciato = obiettivo(stato=v.STRALCIATO, stato_etichetta="Stralciato",
                           motivazione_stato="Superato dagli eventi.")
    verifica = v.variazioni_coperte(ciclo(stralciato))
    assert verifica.esito == v.CON_RILIEVI
    assert descrizioni(verifica) == [
        "OB.01 — «Stralciato» senza un atto di variazione del PEG che lo disponga"]
    coperto = replace(stralciato, variazioni=(v.DatiVariazione(VARIAZIONE, v.MODIFICATO),))
    assert v.variazioni_coperte(ciclo(coperto)).esito == v.SUPERATA


def test_motivazioni_stati():
    sospeso = obiettivo(stato=v.SOSPESO, stato_etichetta="Sospeso",
                        motivazione_stato="causa COVID-19")
    verifica = v.motivazioni_stati(ciclo(sospeso))
    assert verifica.esito == v.SUPERATA
    assert descrizioni(verifica) == ["OB.01 — «Sospeso»: causa COVID-19"]
    senza = replace(sospeso, motivazione_stato="")
    assert v.motivazioni_stati(ciclo(senza)).esito == v.NON_SUPERATA
    stralciato = obiettivo(stato=v.STRALCIATO, stato_etichetta="Stralciato")
    assert v.motivazioni_stati(ciclo(stralciato)).esito == v.CON_RILIEVI
    rinviato = obiettivo(stato=v.RINVIATO, stato_etichetta="Rinviato", motivazione_stato="Fondi.")
    assert v.motivazioni_stati(ciclo(rinviato)).esito == v.NON_SUPERATA  # no year
    assert v.motivazioni_stati(ciclo(replace(rinviato, anno_rinvio=2023))).esito == v.SUPERATA


# --- 7. SMVP ---------------------------------------------------------------------------------

def test_smvp():
    assert v.smvp_del_ciclo(ciclo()).esito == v.SUPERATA
    assert v.smvp_del_ciclo(ciclo(smvp=None)).esito == v.NON_SUPERATA
    pesi = v.smvp_del_ciclo(ciclo(smvp=replace(SMVP, peso_qualita=D("40"))))
    assert pesi.esito == v.NON_SUPERATA
    assert "40 + 30 + 40 = 110 anziché a 100" in descrizioni(pesi)[0]
    assert v.smvp_del_ciclo(ciclo(smvp=replace(SMVP, atto=None))).esito == v.NON_SUPERATA
    assert v.smvp_del_ciclo(ciclo(smvp=replace(SMVP, ente_id=2))).esito == v.NON_SUPERATA
    dopo = replace(ATTO_SMVP, data=date(2022, 2, 1), anno=2022)
    assert v.smvp_del_ciclo(ciclo(smvp=replace(SMVP, atto=dopo))).esito == v.NON_SUPERATA
    decreto = replace(ATTO_SMVP, tipo="decreto")
    assert v.smvp_del_ciclo(ciclo(smvp=replace(SMVP, atto=decreto))).esito == v.CON_RILIEVI
    nuovo = v.DatiSmvp(6, "SMVP (v2)", ente_id=1,
                       atto=replace(ATTO_SMVP, id=9, data=date(2020, 12, 1), anno=2020))
    verifica = v.smvp_del_ciclo(ciclo(altri_smvp=(SMVP, nuovo)))
    assert verifica.esito == v.CON_RILIEVI
    assert (verifica.evidenze[0].tipo, verifica.evidenze[0].id) == (v.SMVP, 6)


# --- 8–11. rilievi: indicatori, target, anno precedente, differenziazione ---------------------

def test_obiettivi_senza_indicatori():
    assert v.obiettivi_senza_indicatori(ciclo()).esito == v.SUPERATA
    verifica = v.obiettivi_senza_indicatori(ciclo(obiettivo(indicatori=())))
    assert verifica.esito == v.CON_RILIEVI
    assert descrizioni(verifica) == ["OB.01 — misurato solo dalle fasi"]


def test_indicatori_senza_target():
    assert v.indicatori_senza_target(ciclo()).esito == v.SUPERATA
    assert v.indicatori_senza_target(
        ciclo(obiettivo(indicatori=(indicatore(target=None),)))).esito == v.CON_RILIEVI
    scadenza = indicatore(tipo=v.TIPO_SCADENZA, target=None, data_consuntivo=date(2021, 5, 1))
    verifica = v.indicatori_senza_target(ciclo(obiettivo(indicatori=(scadenza,))))
    assert verifica.esito == v.CON_RILIEVI
    assert descrizioni(verifica) == ["OB.01 / I1 — scadenza prevista non indicata"]


def test_target_migliorativi():
    migliore = obiettivo(indicatori=(indicatore(target=D("12"), consuntivo_precedente=D("10")),))
    assert v.target_migliorativi(ciclo(migliore)).esito == v.SUPERATA
    uguale = obiettivo(indicatori=(indicatore(target=D("10"), unita="pratiche",
                                              consuntivo_precedente=D("10")),))
    verifica = v.target_migliorativi(ciclo(uguale))
    assert verifica.esito == v.CON_RILIEVI
    assert descrizioni(verifica) == [
        "OB.01 / I1 — target 10 pratiche uguale al consuntivo 2020 (10 pratiche)"]
    basso = obiettivo(indicatori=(indicatore(tipo=v.TIPO_BASSO, target=D("12"),
                                             consuntivo_precedente=D("10")),))
    assert "meno ambizioso" in descrizioni(v.target_migliorativi(ciclo(basso)))[0]
    senza_anno_prima = v.target_migliorativi(ciclo(ciclo_precedente=False))
    assert senza_anno_prima.esito == v.SUPERATA
    assert senza_anno_prima.nota == "L'ente non ha un ciclo 2020: il confronto non è possibile."


def test_differenziazione():
    assert v.differenziazione(ciclo()).esito == v.SUPERATA
    tutti_al_massimo = ciclo(obiettivo(grado_validato=5), obiettivo(11, "OB.02", grado_validato=5))
    verifica = v.differenziazione(tutti_al_massimo)
    assert verifica.esito == v.CON_RILIEVI
    assert descrizioni(verifica) == [
        "A Area A — tutti i 2 obiettivi valutati hanno il grado massimo (5)"]
    assert (verifica.evidenze[0].tipo, verifica.evidenze[0].id) == (v.AREA, 1)
    # one objective alone says nothing about differentiation; the scale's top is the SMVP's
    assert v.differenziazione(ciclo(obiettivo(grado_validato=5))).esito == v.SUPERATA
    assert v.differenziazione(replace(tutti_al_massimo, grado_massimo=6)).esito == v.SUPERATA


# --- 12–15. barometro, finanziari, partecipazione, approvazione ------------------------------

def test_barometro():
    assert v.barometro(ciclo()).esito == v.SUPERATA
    verifica = v.barometro(ciclo(standard=(v.DatiStandard(7, "S1", "Anagrafe", None),)))
    assert verifica.esito == v.NON_SUPERATA
    assert (verifica.evidenze[0].tipo, verifica.evidenze[0].id) == (v.STANDARD, 7)
    assert v.barometro(ciclo(standard=())).esito == v.NON_SUPERATA


def test_indicatori_finanziari():
    assert v.indicatori_finanziari(ciclo()).esito == v.SUPERATA
    verifica = v.indicatori_finanziari(ciclo(finanziari=(v.DatiFinanziario(8, "IF1", "Rigidità"),)))
    assert verifica.esito == v.NON_SUPERATA
    assert descrizioni(verifica) == ["IF1 Rigidità — valore non rilevato"]
    assert v.indicatori_finanziari(ciclo(finanziari=())).esito == v.NON_SUPERATA


def test_partecipazione():
    verifica = v.partecipazione(ciclo())
    assert verifica.esito == v.CON_RILIEVI  # until the participation module exists
    assert "rileva 1 standard di servizio su 1" in descrizioni(verifica)[0]
    non_rilevato = (v.DatiStandard(1, "S1", "Anagrafe", None),)
    assert v.partecipazione(ciclo(standard=non_rilevato)).esito == v.NON_SUPERATA


def test_approvazione():
    verifica = v.approvazione(ciclo())
    assert verifica.esito == v.SUPERATA
    assert descrizioni(verifica) == [
        "Giunta Comunale n. 50 del 20/06/2022 — approvata entro il termine del 30/06/2022"]
    assert v.approvazione(ciclo(atto_approvazione=None)).esito == v.NON_SUPERATA
    legge = replace(GIUNTA, tipo="legge")
    assert v.approvazione(ciclo(atto_approvazione=legge)).esito == v.NON_SUPERATA
    altro_ente = replace(GIUNTA, ente_id=2)
    assert v.approvazione(ciclo(atto_approvazione=altro_ente)).esito == v.NON_SUPERATA
    tardi = replace(GIUNTA, data=date(2022, 7, 1))
    assert v.approvazione(ciclo(atto_approvazione=tardi)).esito == v.CON_RILIEVI
    senza_data = replace(GIUNTA, data=None)
    assert v.approvazione(ciclo(atto_approvazione=senza_data)).esito == v.CON_RILIEVI


# --- the whole -------------------------------------------------------------------------------

def test_riepilogo_esito_e_dati():
    dati = ciclo(obiettivo(grado_validato=None), atto_approvazione=None)
    verifiche = v.verifica_ciclo(dati)
    assert v.esito_complessivo(verifiche) == v.NON_SUPERATA
    assert v.riepilogo(verifiche) == {v.SUPERATA: 12, v.CON_RILIEVI: 1, v.NON_SUPERATA: 2}
    assert v.frase_riepilogo(verifiche) == (
        "15 verifiche: 12 superate, 1 con rilievi, 2 non superate.")
    assert v.frase_riepilogo(v.verifica_ciclo(ciclo())).endswith("nessuna non superata.")
    dati_json = v.come_dati(verifiche)
    assert list(dati_json[0]) == ["codice", "titolo", "esito", "regola", "riferimento", "nota",
                                  "evidenze"]
    assert dati_json[0]["evidenze"][0] == {
        "descrizione": "OB.01 — manca il grado validato dal Nucleo", "esito": v.NON_SUPERATA,
        "tipo": v.OBIETTIVO, "id": 10, "codice": "OB.01"}


def test_le_mancanze_vengono_prima_dei_rilievi_e_delle_informazioni():
    stralciato = obiettivo(11, "OB.02", stato=v.STRALCIATO, stato_etichetta="Stralciato")
    sospeso = obiettivo(12, "OB.03", stato=v.SOSPESO, stato_etichetta="Sospeso",
                        motivazione_stato="causa COVID-19")
    vuoto = obiettivo(13, "OB.04", stato=v.NON_APPLICABILE, stato_etichetta="Non applicabile")
    verifica = v.motivazioni_stati(ciclo(stralciato, sospeso, vuoto))
    assert [e.esito for e in verifica.evidenze] == [v.NON_SUPERATA, v.CON_RILIEVI, v.INFORMA]
    assert (verifica.n_mancanze, verifica.n_rilievi) == (1, 1)


@pytest.mark.parametrize("anno, termine", [(2021, date(2022, 6, 30)), (2024, date(2025, 6, 30))])
def test_termine_approvazione(anno, termine):
    assert v.termine_approvazione(anno) == termine
