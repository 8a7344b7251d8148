"""The art. 20 aggregates (individuale.art20): pure, no database."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from individuale import art20
from individuale.art20 import Fascia, Riga

FASCE = [
    Fascia(D("0"), D("60"), D("0")),
    Fascia(D("60"), D("70"), D("50")),
    Fascia(D("70"), D("80"), D("70")),
    Fascia(D("80"), D("90"), D("85")),
    Fascia(D("90"), None, D("100")),
]


def _righe(gruppo, punteggi, importo=D("1000"), ordine=0):
    return [Riga(gruppo=gruppo, punteggio=D(p), importo=D(importo), ordine=ordine) for p in punteggi]


def _celle_mostrate(a):
    """Every count of people a reader sees."""
    conti = [] if a.persone is None else [a.persone]
    for t in [*a.gruppi, *([a.complessivo] if a.complessivo else [])]:
        conti.append(t.persone)
        conti.extend(c.persone for c in t.celle)
    return conti


def test_totals_groups_and_bands():
    righe = (_righe("Dirigenti", ["95", "92", "91", "97", "99", "93"], "8000", ordine=1)
             + _righe("Dipendenti", ["95"] * 10 + ["85"] * 6 + ["75"] * 5, "2000", ordine=3))
    a = art20.aggrega(righe, FASCE, stanziato=D("100000"))
    assert a.stanziato == D("100000")
    assert a.distribuito == D("6") * 8000 + 21 * 2000
    assert a.persone == 27
    assert [t.nome for t in a.gruppi] == ["Dirigenti", "Dipendenti"]
    # [0,60) and [60,70) hold nobody: kept as they are (0 is shown); [70,80) has 5.
    assert [f.etichetta for f in a.fasce] == [
        "da 0 a meno di 60 punti", "da 60 a meno di 70 punti", "da 70 a meno di 80 punti",
        "da 80 a meno di 90 punti", "da 90 a 100 punti"]
    dip = a.gruppi[1]
    assert [c.persone for c in dip.celle] == [0, 0, 5, 6, 10]
    assert dip.celle[4].percentuale == D("47.62")
    assert dip.celle[4].importo == D("20000")
    assert a.complessivo.celle[4].persone == 16
    assert dip.gini == D("0.00")  # equal amounts
    assert dip.rapporto == D("1.00")


def test_a_small_group_goes_into_altro_personale_and_a_sparse_band_merges_upwards():
    righe = (_righe("Dipendenti", ["95"] * 10 + ["85"] * 5 + ["65"] * 2, ordine=3)
             + _righe("EQ", ["95", "95", "88"], ordine=2)
             + _righe("Segretario", ["99", "91", "92"], ordine=1))
    a = art20.aggrega(righe, FASCE, stanziato=D("0"))
    assert [(t.nome, t.comprende, t.persone) for t in a.gruppi] == [
        ("Dipendenti", ("Dipendenti",), 17), ("Altro personale", ("Segretario", "EQ"), 6)]
    # [60,70) holds 2 Dipendenti: it joins [70,80) (empty), then [80,90) (7 Dipendenti but 1 of
    # «Altro personale»), then [90,100]: 17 and 6.
    assert [f.etichetta for f in a.fasce] == ["da 0 a meno di 60 punti", "da 60 a 100 punti"]
    assert a.fasce[1].etichetta_quota == "da 50 % a 100 %"
    assert [c.persone for c in a.gruppi[0].celle] == [0, 17]
    assert all(c == 0 or c >= 5 for c in _celle_mostrate(a))
    assert any(f.unite > 1 for f in a.fasce)
    assert "In «Altro personale» sono riuniti i gruppi con meno di 5 persone." in a.note


def test_altro_personale_too_small_takes_the_smallest_group_and_one_group_shows_only_the_whole():
    righe = _righe("Dipendenti", ["95"] * 30) + _righe("Dirigenti", ["95"] * 3)
    a = art20.aggrega(righe, FASCE, stanziato=D("1"))
    assert a.gruppi == ()  # Dipendenti joined «Altro»: one group left, the whole only
    assert a.complessivo.persone == 33
    assert any(n.startswith("Si mostra solo il totale") for n in a.note)


def test_fewer_than_five_people_only_the_amounts():
    a = art20.aggrega(_righe("Dirigenti", ["90", "80"], "5000"), FASCE, stanziato=D("12000"))
    assert (a.stanziato, a.distribuito, a.persone, a.gruppi, a.complessivo) == (
        D("12000"), D("10000"), None, (), None)
    dati = art20.dati(a)
    assert dati["persone"] is None and dati["fasce"] == [] and dati["complessivo"] is None


def test_gini_and_ratio():
    assert art20.gini([D("0"), D("0"), D("0"), D("100")]) == D("0.75")
    assert art20.gini([D("5")] * 7) == D("0.00")
    assert art20.gini([]) is None and art20.gini([D("0")]) is None
    righe = _righe("Dip", ["95"] * 5, "3000") + _righe("Dip", ["85"] * 5, "1000") + _righe("Dip", ["50"] * 5, "0")
    a = art20.aggrega(righe, FASCE, stanziato=D("20000"))
    assert a.complessivo.rapporto == D("3.00")  # top band 3.000 € / lowest positive band 1.000 €


def test_unisci_fasce_merges_the_top_downwards_when_it_is_short():
    assert art20.unisci_fasce([[5, 0, 2]]) == [[0, 1, 2]]
    assert art20.unisci_fasce([[6, 5, 2]]) == [[0], [1, 2]]
    assert art20.unisci_fasce([[2, 3, 5]]) == [[0, 1], [2]]
    assert art20.unisci_fasce([[0, 0, 7]]) == [[0], [1], [2]]


def test_the_published_data_have_no_individual_field():
    righe = _righe("Dipendenti", ["95"] * 6, "1234.56")
    dati = art20.dati(art20.aggrega(righe, FASCE, stanziato=D("9000")))
    testo = repr(dati)
    for vietato in ("nome_persona", "matricola", "punteggio", "cognome", "importo_individuale"):
        assert vietato not in testo
    assert dati["complessivo"]["fasce"][-1] == {"fascia": "da 90 a 100 punti", "quota": "100 %",
        "persone": 6, "percentuale": 100.0, "importo": 7407.36, "media": 1234.56}
    vuoto = art20.dati(None, nota="Saranno pubblicati.")
    assert vuoto["disponibili"] is False and vuoto["stanziato"] is None and vuoto["gruppi"] == []


punteggi = st.decimals(min_value=0, max_value=100, places=2)
righe_st = st.lists(
    st.builds(Riga, gruppo=st.sampled_from(["A", "B", "C", "D"]), punteggio=punteggi,
              importo=st.decimals(min_value=0, max_value=5000, places=2),
              ordine=st.integers(0, 3)),
    max_size=60,
)
fasce_st = st.lists(st.decimals(min_value=1, max_value=99, places=0), max_size=6, unique=True).map(
    lambda inizi: [Fascia(da, a, D(i * 10)) for i, (da, a) in enumerate(zip(
        [D(0), *sorted(inizi)], [*sorted(inizi), None]))])


@settings(max_examples=300, deadline=None)
@given(righe_st, fasce_st)
def test_no_shown_cell_counts_one_to_four_people(righe, fasce):
    a = art20.aggrega(righe, fasce, stanziato=D("100"))
    assert all(c == 0 or c >= art20.SOGLIA for c in _celle_mostrate(a)), a
    # Everyone is counted once, in every table; the amounts add up.
    if a.complessivo:
        assert sum(c.persone for c in a.complessivo.celle) == len(righe)
        if a.gruppi:
            assert sum(t.persone for t in a.gruppi) == len(righe)
            for i in range(len(a.fasce)):
                assert sum(t.celle[i].persone for t in a.gruppi) == a.complessivo.celle[i].persone
        assert sum(c.importo for c in a.complessivo.celle) == a.distribuito
    assert a.distribuito == sum((r.importo for r in righe), D(0))
