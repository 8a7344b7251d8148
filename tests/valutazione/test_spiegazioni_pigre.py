"""The explanations are written when first read, not when a cycle is scored (no database)."""

import datetime
import gc

import pytest

from valutazione import scoring as s

from .factories import D, finanziari, obiettivo, regole, standard

NODI = (
    s.DatiNodo(1, "1", livello_nome="Linea"),
    s.DatiNodo(2, "1.1", parent_id=1, livello_nome="Azione"),
    s.DatiNodo(3, "1.2", parent_id=1, livello_nome="Azione"),
    s.DatiNodo(4, "2", livello_nome="Linea"),
    s.DatiNodo(5, "2.1", parent_id=4, livello_nome="Azione", nota="nessun obiettivo"),
)


def _indicatori(i):
    return (
        s.DatiIndicatore("I1", "Pratiche", s.TIPO_ALTO, D(2), D(200), D(100 + i)),
        s.DatiIndicatore("I2", "Attesa", s.TIPO_BASSO, D(1), D(10), D(8 + i % 5)),
        s.DatiIndicatore("I3", "Atto", s.TIPO_SI_NO, D(1), D(1), D(i % 2)),
        s.DatiIndicatore("I4", "Consegna", s.TIPO_SCADENZA, D(1),
                         data_target=datetime.date(2021, 6, 30),
                         data_consuntivo=datetime.date(2021, 6, 1 + i % 28)),
        s.DatiIndicatore("I5", "Non rilevato", s.TIPO_ALTO, D(1), D(5)),
    )


def ciclo(n_obiettivi, aggregazione_nodi=s.AGGREGAZIONE_SEMPLICE):
    """Every kind of result: tree, areas, tipologie, indicators of each type, phases,
    excluded, not graded and proposed objectives."""
    obiettivi = tuple(
        obiettivo(
            i, (1, 2, 3)[i % 3], None if i % 7 == 0 else 1 + i % 5, peso=1 + i % 3,
            validato=1 + i % 5 if i % 2 else None, area=1 + i % 4,
            tipologia=("sviluppo", "ptpct")[i % 2],
            stato="stralciato" if i % 11 == 0 else s.STATO_ATTIVO, stato_etichetta="",
            indicatori=_indicatori(i),
            fasi=(s.DatiFase("F1", D(70), D(100)), s.DatiFase("F2", D(30), D(i % 100))),
        )
        for i in range(1, n_obiettivi + 1)
    )
    return s.DatiCiclo(
        regole=regole(aggregazione_nodi=aggregazione_nodi), nodi=NODI, obiettivi=obiettivi,
        standard=standard([3, 2, None]), finanziari=finanziari(2, 3),
    )


def _con_testi_pigri(r: s.RisultatiCiclo):
    """(result, name of its text written on first read) for every such text of ``r``."""
    for o in r.obiettivi:
        yield o, "spiegazione"
        yield o.raggiungimento, "spiegazione"
        for i in o.raggiungimento.indicatori:
            yield i, "calcolo"
    for n in r.nodi:
        yield n, "spiegazione"
    for linea in r.linee:
        for c in linea.contributi_aree:
            yield c, "spiegazione"
    for t in r.tipologie:
        yield t, "spiegazione"
    for a in r.aree:
        yield a, "spiegazione"


def test_calcolare_un_ciclo_non_scrive_le_spiegazioni():
    r = s.calcola_ciclo(ciclo(30))
    pigri = list(_con_testi_pigri(r))
    assert len(pigri) > 30 * 7
    assert not [(type(x).__name__, nome) for x, nome in pigri if nome in vars(x)]
    r.as_dict()  # reads them all
    assert all(nome in vars(x) for x, nome in pigri)


def test_una_spiegazione_e_scritta_una_volta_sola():
    r = s.calcola_ciclo(ciclo(3))
    o = r.obiettivi[0]
    assert o.spiegazione is o.spiegazione
    assert o.raggiungimento.indicatori[0].calcolo is o.raggiungimento.indicatori[0].calcolo


@pytest.mark.parametrize("aggregazione_nodi", [s.AGGREGAZIONE_SEMPLICE, s.AGGREGAZIONE_PONDERATA])
def test_il_costo_dei_testi_non_cresce_con_gli_obiettivi(monkeypatch, aggregazione_nodi):
    """Scoring formats the same numbers for 20 and for 400 objectives: only the few eager
    explanations (barometro, financial indicators, linee, components, ente) format anything."""
    chiamate = []
    originale = s.formatta

    def conta(*args, **kwargs):
        chiamate.append(args)
        return originale(*args, **kwargs)

    monkeypatch.setattr(s, "formatta", conta)
    per_n = {}
    for n in (20, 400):
        chiamate.clear()
        s.calcola_ciclo(ciclo(n, aggregazione_nodi))
        per_n[n] = len(chiamate)
    assert per_n[20] == per_n[400]


def test_i_testi_seguono_i_risultati_a_ogni_lettura():
    """The texts written on demand are those of the eager engine (docs/scoring.md examples
    are checked in test_esempi_doc; here a few shapes)."""
    r = s.calcola_ciclo(ciclo(12))
    o = r.obiettivo(1)  # validated 2, proposed 2
    indicatori = {i.codice: i.calcolo for i in o.raggiungimento.indicatori}
    assert indicatori["I1"] == "consuntivo 101 / target 200 × 100 = 50,50%"
    assert indicatori["I2"] == "target 10 / consuntivo 9 × 100 = 111,11%"
    assert indicatori["I3"] == "atteso «sì», ottenuto «sì» → 100%"
    assert indicatori["I4"] == (
        "realizzato il 02/06/2021, scadenza 30/06/2021: scadenza rispettata → 100%"
    )
    assert indicatori["I5"] == "non rilevato: consuntivo non inserito"
    assert o.spiegazione.calcolo == "grado validato dal Nucleo: 2"
    assert [e.codice for e in o.raggiungimento.spiegazione.esclusioni] == ["I5"]
    assert r.obiettivo(11).spiegazione.calcolo.startswith("Stralciato")
    assert r.nodo(5).spiegazione.calcolo == (
        "nessun obiettivo previsto: nodo escluso dall'aggregazione (nessun obiettivo)"
    )
    assert "una parte in più" in r.nodo(1).spiegazione.note[0]  # linea 1 has objectives too
    dati = r.as_dict()
    assert list(dati["obiettivi"][0])[-1] == "spiegazione"  # where the field used to be
    assert list(dati["obiettivi"][0]["raggiungimento"]["indicatori"][0])[-1] == "calcolo"
    assert dati["nodi"][0]["spiegazione"]["calcolo"] == r.nodo(1).spiegazione.calcolo


def test_senza_gc_ripristina_lo_stato_del_collector():
    assert gc.isenabled()
    with s.senza_gc():
        assert not gc.isenabled()
        with s.senza_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with s.senza_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
