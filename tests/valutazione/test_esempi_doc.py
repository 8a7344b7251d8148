"""Every worked example of docs/scoring.md, in order. Pure arithmetic: no database."""

import datetime
from decimal import Decimal

from valutazione import scoring as s

from .factories import D, finanziari, obiettivo, regole, standard


def ind(codice, tipo=s.TIPO_ALTO, peso=1, **kw):
    return s.DatiIndicatore(codice=codice, tipo=tipo, peso=D(peso), **kw)


def test_esempio_1_indicatore_alto_e_tetto():
    r = s.raggiungimento_indicatore(ind("I", target=D(200), consuntivo=D(150)), D(120))
    assert r.percentuale == Decimal("75.00")
    r = s.raggiungimento_indicatore(ind("I", target=D(200), consuntivo=D(300)), D(120))
    assert r.percentuale == Decimal("120.00")
    assert "limitato a 120%" in r.calcolo


def test_esempio_2_indicatore_basso():
    r = s.raggiungimento_indicatore(ind("I", s.TIPO_BASSO, target=D(10), consuntivo=D(8)), D(120))
    assert r.percentuale == Decimal("120.00")
    r = s.raggiungimento_indicatore(ind("I", s.TIPO_BASSO, target=D(10), consuntivo=D("12.5")), D(120))
    assert r.percentuale == Decimal("80.00")


INDICATORI_ES3 = (
    ind("I1", peso=2, target=D(200), consuntivo=D(150)),
    ind("I2", s.TIPO_SI_NO, target=D(1), consuntivo=D(1)),
    ind("I3", target=D(10)),
)
FASI_ES4 = (
    s.DatiFase("F1", D(70), D(100)), s.DatiFase("F2", D(20), D(100)), s.DatiFase("F3", D(10), D(0)),
)


def test_esempio_3_indicatori_pesati_e_non_rilevato():
    ob = obiettivo(1, 1, indicatori=INDICATORI_ES3)
    r = s.valuta_obiettivo(ob, regole())
    assert r.raggiungimento.percentuale == Decimal("83.33")
    assert [i.codice for i in r.raggiungimento.non_rilevati] == ["I3"]
    assert r.raggiungimento.spiegazione.esclusioni[0].codice == "I3"
    assert r.grado_calcolato == 3


def test_esempio_4_fasi():
    r = s.raggiungimento_obiettivo(obiettivo(1, 1, fasi=FASI_ES4), regole())
    assert r.percentuale == Decimal("90.00")


def test_esempio_5_fasi_e_indicatori_arrotondamento_per_eccesso():
    r = s.valuta_obiettivo(obiettivo(1, 1, fasi=FASI_ES4, indicatori=INDICATORI_ES3), regole())
    assert r.raggiungimento.percentuale_fasi == Decimal("90.00")
    assert r.raggiungimento.percentuale_indicatori == Decimal("83.33")
    assert r.raggiungimento.percentuale == Decimal("86.67")
    assert r.grado_calcolato == 3


def _azione_es6():
    return (
        obiettivo(1, 11, 4, peso=2),
        obiettivo(2, 11, 5, peso=1),
        obiettivo(3, 11, 3, stato="stralciato", stato_etichetta="Stralciato"),
        obiettivo(4, 11, None),
    )


def test_esempio_6_azione_ponderata_e_semplice():
    nodi = (s.DatiNodo(11, "1.1"),)
    for aggregazione, atteso in ((s.AGGREGAZIONE_PONDERATA, "4.33"), (s.AGGREGAZIONE_SEMPLICE, "4.50")):
        r = s.calcola_ciclo(s.DatiCiclo(
            regole=regole(aggregazione_obiettivi=aggregazione), nodi=nodi, obiettivi=_azione_es6()
        ))
        assert r.nodo(11).grado == Decimal(atteso)
        assert {e.codice for e in r.nodo(11).spiegazione.esclusioni} == {"OB3", "OB4"}


def _linea_es7():
    nodi = (
        s.DatiNodo(1, "1", livello_nome="Linea"),
        s.DatiNodo(11, "1.1", parent_id=1), s.DatiNodo(12, "1.2", parent_id=1),
        s.DatiNodo(13, "1.3", parent_id=1, nota="NON SONO STATI PREVISTI SPECIFICI OBIETTIVI"),
    )
    obiettivi = _azione_es6() + (obiettivo(5, 12, 3, peso=1), obiettivo(6, 12, 3, peso=1))
    return nodi, obiettivi


def test_esempio_7_linea_semplice_e_ponderata():
    nodi, obiettivi = _linea_es7()
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), nodi=nodi, obiettivi=obiettivi))
    assert r.nodo(11).grado == Decimal("4.33") and r.nodo(12).grado == Decimal("3.00")
    assert r.nodo(13).escluso and "NON SONO STATI PREVISTI" in r.nodo(13).motivo_esclusione
    assert r.nodo(1).grado == Decimal("3.67")
    assert r.nodo(11).peso == D(3) and r.nodo(12).peso == D(2)
    r = s.calcola_ciclo(s.DatiCiclo(
        regole=regole(aggregazione_nodi=s.AGGREGAZIONE_PONDERATA), nodi=nodi, obiettivi=obiettivi
    ))
    assert r.nodo(1).grado == Decimal("3.80")


def _quattro_linee(gradi):
    """One linea per grade, each with one azione holding objectives whose mean is that grade."""
    nodi, obiettivi, oid = [], [], 0
    for i, (a, b) in enumerate(gradi, start=1):
        nodi += [s.DatiNodo(i, str(i)), s.DatiNodo(100 + i, f"{i}.1", parent_id=i)]
        for g in (a, b):
            oid += 1
            obiettivi.append(obiettivo(oid, 100 + i, g))
    return tuple(nodi), tuple(obiettivi)


def test_esempio_8_pobj_gen():
    nodi = []
    obiettivi = []
    linee = {1: ((4, 2), (3, 1)), 2: ((4, 1),), 3: ((5, 1), (4, 1)), 4: ((3, 1), (4, 1))}
    oid = 0
    for n, obs in linee.items():
        nodi += [s.DatiNodo(n, str(n)), s.DatiNodo(10 * n, f"{n}.1", parent_id=n)]
        for g, p in obs:
            oid += 1
            obiettivi.append(obiettivo(oid, 10 * n, g, peso=p))
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), nodi=tuple(nodi), obiettivi=tuple(obiettivi)))
    assert [r.nodo(n).grado for n in linee] == [D("3.67"), D("4.00"), D("4.50"), D("3.50")]
    assert r.pobj.valore == Decimal("3.92")


def test_esempio_9_barometro_e_pqua():
    gradi = [3, 3, 3, 2, 2, 2, 2, 2, 2, 2, None]
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), standard=standard(gradi)))
    assert r.barometro.somma == 23 and r.barometro.n_valutati == 10
    assert r.barometro.media == Decimal("2.30")
    assert [e.codice for e in r.barometro.non_valutati] == ["S11"]
    assert r.pqua.valore == Decimal("4.00")


def test_esempio_10_pfin():
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), finanziari=finanziari(9, 10)))
    assert r.finanziario.percentuale == Decimal("90.00")
    assert r.pfin.valore == Decimal("4.00")


def _componente(codice, valore, peso):
    return s.Componente(codice, codice, D(peso), D(valore), None, s.Spiegazione(formula=""))


def test_esempio_11_livello_di_ente():
    ente = s.livello_ente(
        _componente("PFin", "4", 40), _componente("PObj_Gen", "3.92", 30),
        _componente("PQua_Gen", "4", 30), provvisorio=False,
    )
    assert ente.valore == Decimal("3.98")
    assert ente.spiegazione.calcolo == "(4,00 × 40%) + (3,92 × 30%) + (4,00 × 30%) = 3,98"


def test_esempio_12_seregno_dimostrativo():
    nodi, obiettivi = _quattro_linee([(4, 4), (5, 3), (4, 4), (3, 5)])
    r = s.calcola_ciclo(s.DatiCiclo(
        regole=regole(), nodi=nodi, obiettivi=obiettivi,
        standard=standard([3, 3, 3, 2, 2, 2, 2, 2, 2, 2]), finanziari=finanziari(9, 10),
    ))
    assert (r.pfin.valore, r.pobj.valore, r.pqua.valore) == (D("4.00"), D("4.00"), D("4.00"))
    assert r.ente.valore == Decimal("4.00")
    assert r.provvisorio and r.ente.provvisorio  # only proposed grades


def test_esempio_13_copertura_e_densita():
    nodi = [s.DatiNodo(1, "1")] + [s.DatiNodo(10 + i, f"1.{i}", parent_id=1) for i in range(1, 6)]
    per_azione = {11: 16, 12: 7, 13: 2, 14: 12, 15: 0}
    obiettivi, oid = [], 0
    for nodo_id, n in per_azione.items():
        for _ in range(n):
            oid += 1
            obiettivi.append(obiettivo(oid, nodo_id, 4))
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), nodi=tuple(nodi), obiettivi=tuple(obiettivi)))
    linea = r.linee[0]
    assert (linea.n_azioni, linea.n_azioni_coperte, linea.n_obiettivi) == (5, 4, 37)
    assert linea.copertura == Decimal("80.00")
    assert linea.densita == Decimal("7.40")
    assert [e.codice for e in linea.spiegazione_copertura.esclusioni] == ["1.5"]


def test_esempio_14_contributo_delle_aree():
    nodi = (s.DatiNodo(1, "1"), s.DatiNodo(11, "1.1", parent_id=1), s.DatiNodo(12, "1.2", parent_id=1))
    obiettivi = (
        obiettivo(1, 11, 4, area=1), obiettivo(2, 11, 4, area=1), obiettivo(3, 12, 5, area=1),
        obiettivo(4, 12, 3, area=2),
    )
    r = s.calcola_ciclo(s.DatiCiclo(regole=regole(), nodi=nodi, obiettivi=obiettivi))
    contributi = {c.area_nome: c for c in r.linee[0].contributi_aree}
    assert contributi["Area 1"].n_valutati == 3
    assert contributi["Area 1"].media == Decimal("4.33")
    assert contributi["Area 1"].quota == Decimal("75.00")
    assert (contributi["Area 2"].media, contributi["Area 2"].quota) == (D("3.00"), D("25.00"))
