"""Unit tests of valutazione.scoring: pure arithmetic, no database."""

import datetime
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from valutazione import scoring as s

from .factories import D, finanziari, obiettivo, regole, standard


def ind(tipo=s.TIPO_ALTO, **kw):
    return s.DatiIndicatore(codice="I", tipo=tipo, **kw)


def test_scoring_does_not_import_django():
    righe = Path(s.__file__).read_text().splitlines()
    assert not [r for r in righe if r.startswith(("import ", "from ")) and "django" in r]
    codice = (
        "import sys; import valutazione.scoring; "
        "sys.exit(1 if any(m.startswith('django') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", codice], cwd=Path(s.__file__).parents[1]).returncode == 0


@pytest.mark.parametrize(
    "valore, atteso",
    [("0", "0.00"), ("1.005", "1.01"), ("2.345", "2.35"), ("3.9175", "3.92"), ("86.665", "86.67")],
)
def test_arrotonda_half_up(valore, atteso):
    assert s.arrotonda(Decimal(valore)) == Decimal(atteso)


def test_formatta_all_italiana():
    assert s.formatta(D("2.3")) == "2,30"
    assert s.formatta(D("1.50"), None) == "1,5"
    assert s.formatta(None) == "—"


@pytest.mark.parametrize("valore, grado", [("0", 1), ("49.99", 1), ("50", 2), ("94.99", 3), ("95", 4),
                                            ("104.99", 4), ("105", 5), ("120", 5)])
def test_fasce_raggiungimento_confini(valore, grado):
    assert s.grado_da_fasce(D(valore), regole().fasce_raggiungimento)[0] == grado


def test_indicatore_scadenza():
    scadenza = datetime.date(2021, 6, 30)
    in_tempo = ind(s.TIPO_SCADENZA, data_target=scadenza, data_consuntivo=datetime.date(2021, 6, 30))
    tardi = ind(s.TIPO_SCADENZA, data_target=scadenza, data_consuntivo=datetime.date(2021, 7, 1))
    assert s.raggiungimento_indicatore(in_tempo, D(120)).percentuale == D(100)
    assert s.raggiungimento_indicatore(tardi, D(120)).percentuale == D(0)
    r = s.raggiungimento_indicatore(ind(s.TIPO_SCADENZA, data_target=scadenza), D(120))
    assert not r.rilevato and "non rilevato" in r.calcolo


def test_indicatore_si_no():
    assert s.raggiungimento_indicatore(ind(s.TIPO_SI_NO, target=D(1), consuntivo=D(0)), D(120)).percentuale == 0
    r = s.raggiungimento_indicatore(ind(s.TIPO_SI_NO, consuntivo=D(1)), D(120))
    assert r.percentuale == D(100) and "si assume «sì»" in r.calcolo


def test_indicatore_basso_con_consuntivo_zero_vale_il_tetto():
    r = s.raggiungimento_indicatore(ind(s.TIPO_BASSO, target=D(5), consuntivo=D(0)), D(110))
    assert r.percentuale == D(110)


def test_indicatore_alto_con_target_zero_non_calcolabile():
    r = s.raggiungimento_indicatore(ind(target=D(0), consuntivo=D(3)), D(120))
    assert not r.rilevato and r.percentuale is None and "target 0" in r.calcolo


def test_indicatore_alto_mai_sotto_zero():
    assert s.raggiungimento_indicatore(ind(target=D(10), consuntivo=D(-5)), D(120)).percentuale == D(0)


def test_obiettivo_senza_misure_non_ha_raggiungimento():
    r = s.valuta_obiettivo(obiettivo(1, 1, 4, indicatori=(ind(target=D(1)),)), regole())
    assert r.raggiungimento.percentuale is None and r.grado_calcolato is None
    assert r.grado == 4  # the entered grade still counts
    assert "Nessun indicatore rilevato" in r.raggiungimento.spiegazione.note[0]


def test_fasi_con_pesi_che_non_sommano_a_100_segnalate():
    fasi = (s.DatiFase("1", D(30), D(100)), s.DatiFase("2", D(30), D(50)))
    r = s.raggiungimento_obiettivo(obiettivo(1, 1, fasi=fasi), regole())
    assert r.percentuale == D("75.00")
    assert "sommano a 60" in r.spiegazione.note[0]


def test_grado_validato_prevale_sul_proposto():
    r = s.valuta_obiettivo(obiettivo(1, 1, 3, validato=5), regole())
    assert (r.grado, r.fonte_grado) == (5, s.FONTE_VALIDATO)
    r = s.valuta_obiettivo(obiettivo(1, 1, 3), regole())
    assert (r.grado, r.fonte_grado) == (3, s.FONTE_PROPOSTO)
    assert "provvisorio" in r.spiegazione.calcolo


def test_grado_calcolato_non_conta_da_solo():
    fasi = (s.DatiFase("1", D(100), D(100)),)
    r = s.valuta_obiettivo(obiettivo(1, 1, None, fasi=fasi), regole())
    assert r.grado_calcolato == 4 and r.grado is None and r.non_valutato


def test_non_valutato_non_vale_zero_e_provvisorio():
    nodi = (s.DatiNodo(1, "1"),)
    obs = (obiettivo(1, 1, validato=4), obiettivo(2, 1, None))
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), nodi=nodi, obiettivi=obs))
    assert r.nodo(1).grado == D("4.00")
    assert [o.codice for o in r.non_valutati] == ["OB2"]
    assert not r.provvisorio  # the only counted grade is validated
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), nodi=nodi, obiettivi=(obiettivo(1, 1, 4),)))
    assert r.provvisorio and r.nodo(1).provvisorio


def test_obiettivi_non_attivi_esclusi_con_motivo():
    nodi = (s.DatiNodo(1, "1"),)
    obs = (
        obiettivo(1, 1, 5, stato="rinviato", stato_etichetta="Rinviato", anno_rinvio=2023),
        obiettivo(2, 1, 5, stato="sospeso", stato_etichetta="Sospeso", motivazione_stato="causa COVID-19"),
        obiettivo(3, 1, 5, stato="non_applicabile", stato_etichetta="Non applicabile"),
        obiettivo(4, 1, 5, stato="stralciato", stato_etichetta="Stralciato"),
    )
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), nodi=nodi, obiettivi=obs))
    motivi = [o.motivo_esclusione for o in r.esclusi]
    assert motivi[0].startswith("Rinviato al 2023")
    assert motivi[1].startswith("Sospeso (causa COVID-19)")
    assert all(not o.conteggiato and o.grado is None for o in r.esclusi)
    nodo = r.nodo(1)
    assert nodo.escluso and nodo.grado is None
    assert "nessun obiettivo attivo valutato tra i 4" in nodo.motivo_esclusione
    assert r.pobj.valore is None and r.ente.valore is None
    assert "PObj_Gen" in r.ente.spiegazione.calcolo


def test_obiettivo_con_nodo_sconosciuto_escluso():
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), nodi=(s.DatiNodo(1, "1"),),
                                    obiettivi=(obiettivo(1, 99, 4),)))
    assert not r.obiettivo(1).conteggiato
    assert "non trovato" in r.obiettivo(1).motivo_esclusione


def test_albero_profondo():
    # missione → programma → obiettivo strategico (foglia)
    nodi = (
        s.DatiNodo(1, "M1"), s.DatiNodo(2, "P1", parent_id=1), s.DatiNodo(3, "OS1", parent_id=2),
        s.DatiNodo(4, "OS2", parent_id=2), s.DatiNodo(5, "P2", parent_id=1), s.DatiNodo(6, "OS3", parent_id=5),
    )
    obs = (obiettivo(1, 3, 5), obiettivo(2, 4, 3), obiettivo(3, 6, 2))
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), nodi=nodi, obiettivi=obs))
    assert r.nodo(2).grado == D("4.00")
    assert r.nodo(1).grado == D("3.00")  # (4,00 + 2,00) / 2
    assert [n.profondita for n in r.nodi] == [0, 1, 2, 2, 1, 2]
    assert r.linee[0].n_azioni == 3 and r.pobj.valore == D("3.00")


def test_nodo_con_figli_e_obiettivi_diretti():
    nodi = (s.DatiNodo(1, "1"), s.DatiNodo(2, "1.1", parent_id=1))
    obs = (obiettivo(1, 1, 5), obiettivo(2, 2, 2))
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), nodi=nodi, obiettivi=obs))
    assert r.nodo(1).grado == D("3.50")
    assert "una parte in più" in r.nodo(1).spiegazione.note[0]


def test_ente_non_calcolabile_senza_indicatori_finanziari():
    nodi = (s.DatiNodo(1, "1"),)
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), nodi=nodi, obiettivi=(obiettivo(1, 1, 4),),
                                    standard=standard([2, 2])))
    assert r.pfin.valore is None and r.ente.valore is None
    assert r.ente.spiegazione.calcolo == "non calcolabile: manca PFin"


def test_indicatori_finanziari_non_rilevati_elencati():
    dati = finanziari(2, 3) + (s.DatiIndicatoreFinanziario("F9", "Senza valore", D(1)),)
    r = s.copertura_finanziaria(dati)
    assert (r.n_rilevati, r.n_rispettati, r.percentuale) == (3, 2, D("66.67"))
    assert [e.codice for e in r.non_rilevati] == ["F9"]
    basso = s.DatiIndicatoreFinanziario("B", target=D(10), valore=D(9), direzione=s.DIREZIONE_BASSO)
    assert s.copertura_finanziaria((basso,)).n_rispettati == 1


def test_per_tipologia():
    nodi = (s.DatiNodo(1, "1"),)
    obs = (
        obiettivo(1, 1, 4, tipologia="sviluppo"), obiettivo(2, 1, 2, tipologia="sviluppo"),
        obiettivo(3, 1, 5, tipologia="ptpct"), obiettivo(4, 1, None, tipologia="ptpct"),
        obiettivo(5, 1, 5, tipologia="ptpct", stato="stralciato"),
    )
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), nodi=nodi, obiettivi=obs))
    t = {x.tipologia: x for x in r.tipologie}
    assert t["sviluppo"].media == D("3.00") and t["sviluppo"].n_conteggiati == 2
    assert (t["ptpct"].n_obiettivi, t["ptpct"].n_conteggiati, t["ptpct"].n_non_valutati,
            t["ptpct"].n_esclusi) == (3, 1, 1, 1)
    assert {c.grado: c.n for c in t["sviluppo"].distribuzione} == {1: 0, 2: 1, 3: 0, 4: 1, 5: 0}


def test_spiegazioni_serializzabili_in_json():
    nodi = (s.DatiNodo(1, "1"), s.DatiNodo(2, "1.1", parent_id=1))
    ob = obiettivo(1, 2, 4, indicatori=(ind(s.TIPO_SCADENZA, data_target=datetime.date(2021, 1, 1),
                                             data_consuntivo=datetime.date(2021, 1, 1)),))
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), nodi=nodi, obiettivi=(ob,),
                                    standard=standard([2]), finanziari=finanziari(1, 1)))
    dati = json.loads(json.dumps(r.as_dict()))
    assert dati["ente"]["valore"] == str(r.ente.valore)
    assert dati["nodi"][1]["spiegazione"]["calcolo"] == r.nodo(2).spiegazione.calcolo
    assert dati["ente"]["spiegazione"]["formula"].startswith("Livello di performance di ente = (PFin × 40%)")
    assert "_indice_nodi" not in dati


def test_results_per_area_are_grouped_by_the_area_never_by_its_name():
    """Two areas called «Servizi» keep their own rows, in the organigramma's order (issue 12)."""
    def ob(id_, area_id, grado, peso=1):
        return s.DatiObiettivo(
            id=id_, codice=f"OB{id_}", nodo_id=1, area_id=area_id, area_nome="Servizi",
            area_codice=f"S{area_id}", peso=D(peso), grado_validato=grado,
        )

    dati = s.DatiCiclo(
        regole=regole(), nodi=(s.DatiNodo(1, "1", livello_nome="Linea"),),
        obiettivi=(ob(1, 2, 5), ob(2, 1, 2), ob(3, 2, 4, peso=3), ob(4, 1, 3)),
        aree=(s.DatiArea(1, "S1", "Servizi"), s.DatiArea(2, "S2", "Servizi"),
              s.DatiArea(3, "S3", "Senza obiettivi")),
    )
    r = s.calcola_ciclo(dati)
    assert [(a.codice, a.n_obiettivi, a.media) for a in r.aree] == [
        ("S1", 2, D("2.50")), ("S2", 2, D("4.25")),
    ]
    assert r.aree[1].spiegazione.calcolo == "(5 × 1 + 4 × 3) / (1 + 3) = 4,25"
    assert [(c.area_codice, c.media) for c in r.linee[0].contributi_aree] == [
        ("S2", D("4.25")), ("S1", D("2.50")),
    ]


def test_an_indicators_calculation_shows_thousands_and_its_unit():
    ind = s.DatiIndicatore("I1", "Dosi somministrate", s.TIPO_ALTO, D(1), D(40000), D(38500),
                           unita="dosi")
    assert s.raggiungimento_indicatore(ind, D(120)).calcolo == (
        "consuntivo 38.500 dosi / target 40.000 dosi × 100 = 96,25%"
    )
    spesa = s.DatiIndicatore("I2", "Spesa", s.TIPO_BASSO, D(1), D(1254300), D(1200000),
                             unita="€")
    assert s.raggiungimento_indicatore(spesa, D(120)).calcolo == (
        "target 1.254.300,00 € / consuntivo 1.200.000,00 € × 100 = 104,53%"
    )


@pytest.mark.parametrize("stato, anno, motivazione, etichetta, atteso", [
    ("attivo", None, "", "Attivo", "Attivo"),
    ("rinviato", 2023, "", "Rinviato", "Rinviato al 2023"),
    ("sospeso", None, "causa COVID-19", "Sospeso", "Sospeso (causa COVID-19)"),
    ("non_applicabile", None, "", "", "Non applicabile"),
    ("stralciato", None, "  ", "Stralciato", "Stralciato"),
])
def test_stato_esteso_una_sola_dicitura(stato, anno, motivazione, etichetta, atteso):
    """The one wording of a status with its reason, shared by the model, the report and the
    explanation of an excluded objective."""
    from valutazione.scoring import stato_esteso

    assert stato_esteso(stato, anno_rinvio=anno, motivazione=motivazione,
                        etichetta=etichetta) == atteso
