"""Property tests of the sharing of a fund (hypothesis, issue 16): the amounts add up to the
fund to the cent; a higher score never gets less in the same group (same part-time and months);
changing one person's part-time changes only their share and the redistribution; the
maggiorazione never goes to more people than the cap. Pure: no database."""

import dataclasses
from decimal import ROUND_FLOOR, Decimal

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from individuale import calcolo as c

D = Decimal
CENT = D("0.01")

punteggi = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2),
                   st.sampled_from([D(70), D(85), D(90), D(95)]))  # ties and same bands, often
part_time = st.sampled_from([D(100), D(100), D(50), D(75), D("83.33"), D("66.67"), D(1), D("33.5")])
mesi = st.decimals(min_value=0, max_value=12, places=0)
importi = st.decimals(min_value=0, max_value=D("2000000"), places=2)


@st.composite
def fasce(draw):
    """Monotone bands: higher scores never a lower quota (an SMVP would not do otherwise)."""
    soglie = sorted(set(draw(st.lists(st.integers(1, 99), max_size=4))))
    quote = sorted(draw(st.lists(st.integers(0, 100), min_size=len(soglie) + 1, max_size=len(soglie) + 1)))
    inizi = [0, *soglie]
    return tuple(
        c.DatiFasciaPremio(D(da), D(inizi[i + 1]) if i + 1 < len(inizi) else None, D(quote[i]))
        for i, da in enumerate(inizi)
    )


@st.composite
def gruppi(draw):
    return {
        codice: c.DatiGruppoPremio(
            codice, codice.upper(),
            parametro=draw(st.sampled_from([D(1), D("1.5"), D(2), D("0.8")])),
            quota_maggiorazione=draw(st.sampled_from([D(0), D(10), D(25), D(50), D(100)])),
            maggiorazione=draw(st.sampled_from([D(30), D(50), D(100), D("37.5")])),
        )
        for codice in ("a", "b")
    }


@st.composite
def persone(draw, min_size=1):
    n = draw(st.integers(min_size, 25))
    return [
        c.DatiPersonaPremio(
            scheda_id=i + 1, matricola=f"M{draw(st.integers(0, 999)):03d}-{i}",
            gruppo_codice=draw(st.sampled_from(["a", "b"])), punteggio=draw(punteggi),
            part_time=draw(part_time), mesi_servizio=draw(mesi), mesi_esclusi=draw(mesi),
        )
        for i in range(n)
    ]


def _casi():
    return st.tuples(importi, persone(), fasce(), gruppi())


@settings(max_examples=300, deadline=None)
@given(_casi())
def test_la_somma_degli_importi_e_il_fondo_al_centesimo(caso):
    importo, lista, bande, gr = caso
    r = c.ripartisci(c.DatiFondo(1, "F", importo), lista, bande, gr)
    totale = sum((q.importo for q in r.quote), D(0))
    assert totale == r.distribuito
    assert all(q.importo >= 0 and q.importo == q.importo.quantize(CENT) for q in r.quote)
    if r.n_positivi and importo > 0:
        assert totale == importo
    else:
        assert totale == 0
    # Nobody without points gets a cent.
    assert all(q.importo == 0 for q in r.quote if q.punti == 0)


@settings(max_examples=300, deadline=None)
@given(_casi())
def test_punteggio_piu_alto_mai_premio_piu_basso_nello_stesso_gruppo(caso):
    importo, lista, bande, gr = caso
    r = c.ripartisci(c.DatiFondo(1, "F", importo), lista, bande, gr)
    dati = {p.scheda_id: p for p in lista}
    for x in r.quote:
        for y in r.quote:
            px, py = dati[x.scheda_id], dati[y.scheda_id]
            stessi = (px.gruppo_codice == py.gruppo_codice and px.part_time == py.part_time
                      and x.mesi == y.mesi)
            if stessi and px.punteggio is not None and (py.punteggio is None or px.punteggio > py.punteggio):
                assert x.importo >= y.importo, (x, y)


@settings(max_examples=300, deadline=None)
@given(_casi(), st.data())
def test_cambiare_il_part_time_di_una_persona_cambia_solo_la_sua_quota_e_la_ridistribuzione(caso, data):
    importo, lista, bande, gr = caso
    j = data.draw(st.integers(0, len(lista) - 1))
    nuovo = data.draw(part_time)
    assume(nuovo != lista[j].part_time)
    prima = c.ripartisci(c.DatiFondo(1, "F", importo), lista, bande, gr)
    altra = list(lista)
    altra[j] = dataclasses.replace(lista[j], part_time=nuovo)
    dopo = c.ripartisci(c.DatiFondo(1, "F", importo), altra, bande, gr)
    cambiata = lista[j].scheda_id

    altri = [(a, b) for a, b in zip(prima.quote, dopo.quote) if a.scheda_id != cambiata]
    # The others keep their points and their place among the recipients of the maggiorazione.
    assert all(a.punti == b.punti and a.con_maggiorazione == b.con_maggiorazione for a, b in altri)
    if prima.valore_punto is None:
        assert dopo.valore_punto is None and all(b.importo == 0 for _, b in altri)
        return
    # The others' exact amounts all move the same way (or none moves)...
    direzioni = {(b.importo_esatto > a.importo_esatto) - (b.importo_esatto < a.importo_esatto)
                 for a, b in altri if a.importo_esatto > 0}
    assert len(direzioni - {0}) <= 1, direzioni
    # ...those without maggiorazione exactly in proportion to the value of a point...
    fattore = dopo.valore_punto / prima.valore_punto
    for a, b in altri:
        if not a.con_maggiorazione:
            assert abs(b.importo_esatto - a.importo_esatto * fattore) <= a.importo_esatto * D("1e-20")
    # ...and, rounded to the cent, at most one cent the other way.
    (verso,) = direzioni - {0} or {0}
    for a, b in altri:
        if verso < 0:
            assert b.importo <= a.importo + CENT
        elif verso > 0:
            assert b.importo >= a.importo - CENT
        else:
            assert abs(b.importo - a.importo) <= CENT


@settings(max_examples=300, deadline=None)
@given(_casi())
def test_maggiorazione_al_piu_alla_quota_del_gruppo(caso):
    importo, lista, bande, gr = caso
    r = c.ripartisci(c.DatiFondo(1, "F", importo), lista, bande, gr)
    for codice, g in gr.items():
        positivi = [q for q in r.quote if q.gruppo_codice == codice and q.punti > 0]
        tetto = (len(positivi) * g.quota_maggiorazione / 100).to_integral_value(rounding=ROUND_FLOOR)
        scelti = [q for q in positivi if q.con_maggiorazione]
        assert len(scelti) <= tetto
        # They are the highest scores of the group, with no tie left half in.
        if scelti:
            soglia = min(q.punteggio for q in scelti)
            assert all(q.con_maggiorazione for q in positivi if q.punteggio >= soglia)
    assert not any(q.con_maggiorazione for q in r.quote if q.punti == 0)
