"""Property tests of the scoring engine (hypothesis). Pure: no database."""

import dataclasses
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from valutazione import scoring as s

from .factories import D, finanziari, regole, standard

STATI = ["attivo"] * 6 + ["stralciato", "rinviato", "sospeso", "non_applicabile"]
pesi = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50"), places=2)
gradi = st.one_of(st.none(), st.integers(1, 5))


@st.composite
def indicatori(draw):
    tipo = draw(st.sampled_from([s.TIPO_ALTO, s.TIPO_BASSO, s.TIPO_SI_NO]))
    if tipo == s.TIPO_SI_NO:
        target, consuntivo = D(1), draw(st.sampled_from([None, D(0), D(1)]))
    else:
        target = draw(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1000"), places=2))
        consuntivo = draw(st.one_of(st.none(), st.decimals(min_value=0, max_value=Decimal("2000"), places=2)))
    return s.DatiIndicatore(codice="I", tipo=tipo, peso=draw(pesi), target=target, consuntivo=consuntivo)


@st.composite
def cicli(draw, aggregazioni=True):
    nodi, obiettivi = [], []
    n_linee = draw(st.integers(1, 4))
    nid = oid = 0
    for _ in range(n_linee):
        nid += 1
        linea = nid
        nodi.append(s.DatiNodo(linea, f"L{linea}"))
        for _ in range(draw(st.integers(1, 3))):
            nid += 1
            azione = nid
            nodi.append(s.DatiNodo(azione, f"A{azione}", parent_id=linea))
            for _ in range(draw(st.integers(0, 4))):
                oid += 1
                stato = draw(st.sampled_from(STATI))
                fasi = ()
                if draw(st.booleans()):
                    fasi = tuple(
                        s.DatiFase(f"F{i}", p, draw(st.decimals(min_value=0, max_value=100, places=2)))
                        for i, p in enumerate(draw(st.lists(pesi, min_size=1, max_size=3)))
                    )
                obiettivi.append(s.DatiObiettivo(
                    id=oid, codice=f"O{oid}", nodo_id=azione, area_id=draw(st.integers(1, 3)),
                    area_nome="Area", tipologia=draw(st.sampled_from(["sviluppo", "ptpct"])),
                    peso=draw(pesi), stato=stato,
                    anno_rinvio=2023 if stato == "rinviato" else None,
                    grado_proposto=draw(gradi), grado_validato=draw(gradi),
                    indicatori=tuple(draw(st.lists(indicatori(), max_size=3))), fasi=fasi,
                ))
    r = regole()
    if aggregazioni:
        r = dataclasses.replace(
            r,
            aggregazione_obiettivi=draw(st.sampled_from([s.AGGREGAZIONE_PONDERATA, s.AGGREGAZIONE_SEMPLICE])),
            aggregazione_nodi=draw(st.sampled_from([s.AGGREGAZIONE_PONDERATA, s.AGGREGAZIONE_SEMPLICE])),
        )
    gradi_barometro = draw(st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=1, max_size=12))
    n_fin = draw(st.integers(1, 10))
    return s.DatiCiclo(
        regole=r, nodi=tuple(nodi), obiettivi=tuple(obiettivi),
        standard=standard(gradi_barometro), finanziari=finanziari(draw(st.integers(0, n_fin)), n_fin),
    )


def _sulla_scala(valore, minimo=1, massimo=5):
    return valore is None or (Decimal(minimo) <= valore <= Decimal(massimo))


@settings(max_examples=100, deadline=None)
@given(cicli())
def test_ogni_aggregato_resta_sulla_sua_scala(dati):
    r = s.calcola_ciclo(dati)
    assert all(_sulla_scala(n.grado) for n in r.nodi)
    assert all(_sulla_scala(t.media) for t in r.tipologie)
    assert all(_sulla_scala(c.media) for linea in r.linee for c in linea.contributi_aree)
    for c in (r.pfin, r.pobj, r.pqua):
        assert _sulla_scala(c.valore)
    assert _sulla_scala(r.ente.valore)
    assert _sulla_scala(r.barometro.media, 0, 3)
    for o in r.obiettivi:
        assert _sulla_scala(o.raggiungimento.percentuale, 0, dati.regole.tetto_raggiungimento)
        assert o.grado is None or o.conteggiato
    for linea in r.linee:
        assert _sulla_scala(linea.copertura, 0, 100)
    # nothing counted as 0, nothing excluded is counted
    assert all(not o.conteggiato for o in r.non_valutati + r.esclusi)


@settings(max_examples=100, deadline=None)
@given(cicli(), st.data())
def test_escludere_un_obiettivo_non_cambia_le_altre_linee(dati, data):
    attivi = [o for o in dati.obiettivi if o.stato == "attivo"]
    if not attivi:
        return
    scelto = data.draw(st.sampled_from(attivi))
    modificato = dataclasses.replace(
        dati,
        obiettivi=tuple(
            dataclasses.replace(o, stato="stralciato") if o.id == scelto.id else o
            for o in dati.obiettivi
        ),
    )
    prima, dopo = s.calcola_ciclo(dati), s.calcola_ciclo(modificato)
    linea_scelta = prima.nodo(prima.nodo(scelto.nodo_id).parent_id).id
    for lp, ld in zip(prima.linee, dopo.linee):
        if lp.nodo.id != linea_scelta:
            assert lp == ld
    assert dopo.obiettivo(scelto.id).motivo_esclusione
    assert (prima.barometro, prima.pfin, prima.pqua) == (dopo.barometro, dopo.pfin, dopo.pqua)
    for o in prima.obiettivi:
        if o.id != scelto.id:
            assert o == dopo.obiettivo(o.id)


def _cifre(r):
    return (
        [(o.raggiungimento.percentuale, o.grado_calcolato, o.grado) for o in r.obiettivi],
        [n.grado for n in r.nodi],
        [(linea.copertura, linea.densita, [(c.area_id, c.media, c.quota) for c in linea.contributi_aree])
         for linea in r.linee],
        [t.media for t in r.tipologie],
        r.pobj.valore, r.ente.valore,
    )


@settings(max_examples=100, deadline=None)
@given(cicli(), st.sampled_from([D("0.5"), D(2), D(3), D(10)]))
def test_scalare_tutti_i_pesi_non_cambia_nulla(dati, k):
    scalato = dataclasses.replace(
        dati,
        obiettivi=tuple(
            dataclasses.replace(
                o, peso=o.peso * k,
                indicatori=tuple(dataclasses.replace(i, peso=i.peso * k) for i in o.indicatori),
                fasi=tuple(dataclasses.replace(f, peso=f.peso * k) for f in o.fasi),
            )
            for o in dati.obiettivi
        ),
    )
    assert _cifre(s.calcola_ciclo(dati)) == _cifre(s.calcola_ciclo(scalato))


@settings(max_examples=100, deadline=None)
@given(cicli(), st.data())
def test_alzare_un_grado_non_abbassa_mai_il_livello_di_ente(dati, data):
    prima = s.calcola_ciclo(dati)
    alzabili = [o for o in prima.obiettivi if o.conteggiato and o.grado < 5]
    if not alzabili:
        return
    scelto = data.draw(st.sampled_from(alzabili))
    nuovo = data.draw(st.integers(scelto.grado + 1, 5))
    campo = "grado_validato" if scelto.fonte_grado == s.FONTE_VALIDATO else "grado_proposto"
    modificato = dataclasses.replace(
        dati,
        obiettivi=tuple(
            dataclasses.replace(o, **{campo: nuovo}) if o.id == scelto.id else o for o in dati.obiettivi
        ),
    )
    dopo = s.calcola_ciclo(modificato)
    assert dopo.obiettivo(scelto.id).grado == nuovo
    for np, nd in zip(prima.nodi, dopo.nodi):
        assert (np.grado is None) == (nd.grado is None)
        assert np.grado is None or nd.grado >= np.grado
    assert prima.pobj.valore is None or dopo.pobj.valore >= prima.pobj.valore
    if prima.ente.valore is not None:
        assert dopo.ente.valore >= prima.ente.valore
