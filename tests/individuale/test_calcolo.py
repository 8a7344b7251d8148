"""individuale.calcolo: a scheda's score and the sharing of a fund, by hand (no database)."""

from decimal import Decimal

import pytest

from individuale import calcolo as c

D = Decimal


def test_punteggio_da_grado():
    assert c.punteggio_da_grado(4) == D("80.00")
    assert c.punteggio_da_grado(1) == D("20.00")
    assert c.punteggio_da_grado(D("4.75")) == D("95.00")
    assert c.punteggio_da_grado(2, massimo=3) == D("66.67")
    assert c.punteggio_da_grado(None) is None
    assert c.punteggio_da_grado(3, massimo=None) is None


def _scheda(**kw):
    base = dict(
        peso_ente=D(10), peso_area=D(20), peso_obiettivi=D(40), peso_comportamenti=D(30),
        punteggio_ente=D(80), punteggio_area=D(70),
        obiettivi=(c.DatiObiettivoIndividuale("Pratiche", D(60), D(90)),
                   c.DatiObiettivoIndividuale("Formazione", D(40), D(50))),
        comportamenti=(c.DatiComportamento("C1", "Lavoro di gruppo", D(1), 4),
                       c.DatiComportamento("C2", "Iniziativa", D(2), 3)),
        livello_massimo=5,
    )
    base.update(kw)
    return c.DatiScheda(**base)


def test_scheda_completa_componenti_e_totale():
    r = c.valuta_scheda(_scheda())
    per = {k.codice: k for k in r.componenti}
    # objectives (60 × 90 + 40 × 50) / 100 = 74; behaviours (1 × 80 + 2 × 60) / 3 = 66,67
    assert per["obiettivi"].punteggio == D("74.00")
    assert per["comportamenti"].punteggio == D("66.67")
    assert "differenziazione" not in per  # weight 0: left out
    # (10 × 80 + 20 × 70 + 40 × 74 + 30 × 66,67) / 100 = 71,601 → 71,60
    assert r.completa and r.punteggio == D("71.60") and r.mancanti == ()
    assert r.punteggio_organizzativo == D("22.00") and r.punteggio_individuale == D("49.60")
    assert per["comportamenti"].contributo == D("20.00")
    assert r.spiegazione.calcolo == "((10 × 80,00) + (20 × 70,00) + (40 × 74,00) + (30 × 66,67)) / 100 = 71,60"
    assert "Capacità di valutazione dei collaboratori" in r.spiegazione.note[0]
    assert per["comportamenti"].spiegazione.calcolo == "(1 × 80 + 2 × 60) / 3 = 66,67"


@pytest.mark.parametrize("modifica, frase", [
    ({"punteggio_ente": None}, "manca il punteggio dei risultati dell'ente"),
    ({"punteggio_area": None, "ha_area": False}, "la scheda non ha un'area"),
    ({"obiettivi": ()}, "nessun obiettivo individuale assegnato"),
    ({"obiettivi": (c.DatiObiettivoIndividuale("Pratiche", D(100), None),)},
     "grado di raggiungimento mancante per 1 obiettivo: «Pratiche»"),
    ({"comportamenti": (c.DatiComportamento("C1", "Iniziativa", D(1), None),)},
     "livello mancante per «Iniziativa»"),
    ({"comportamenti": (c.DatiComportamento("C1", "Iniziativa", D(1), 7),)},
     "livello fuori dalla scala 1–5 per «Iniziativa»"),
    ({"livello_massimo": None}, "la scala dei comportamenti dell'SMVP non ha livelli"),
    ({"peso_area": D(10)}, "i pesi delle componenti sommano a 90 invece che a 100"),
    ({"peso_differenziazione": D(10), "peso_area": D(10)},
     "manca il punteggio della capacità di valutazione dei collaboratori"),
])
def test_scheda_incompleta_dice_cosa_manca(modifica, frase):
    r = c.valuta_scheda(_scheda(**modifica))
    assert not r.completa and r.punteggio is None
    assert any(frase in m for m in r.mancanti), r.mancanti
    assert r.spiegazione.calcolo.startswith("non calcolabile: ")


def test_componente_con_peso_zero_non_serve():
    # No area weight: a scheda without area is complete.
    r = c.valuta_scheda(_scheda(peso_area=D(0), peso_obiettivi=D(60), punteggio_area=None, ha_area=False))
    assert r.completa and {k.codice for k in r.componenti} == {"ente", "obiettivi", "comportamenti"}


# --- bonuses ----------------------------------------------------------------------------------

UNA_FASCIA = (c.DatiFasciaPremio(D(0), None, D(100)),)
FASCE = (c.DatiFasciaPremio(D(0), D(60), D(0)), c.DatiFasciaPremio(D(60), D(80), D(70)),
         c.DatiFasciaPremio(D(80), None, D(100)))


def _gruppi(quota=D(20), maggiorazione=D(30), parametro=D(1)):
    return {"dip": c.DatiGruppoPremio("dip", "Dipendenti", parametro, quota, maggiorazione)}


def _persone(punteggi, **kw):
    return [c.DatiPersonaPremio(i + 1, f"M{i + 1:02d}", "dip", D(p), **kw) for i, p in enumerate(punteggi)]


def test_maggiorazione_in_forma_chiusa():
    # 5 × 100 points; 20 % of 5 = 1 recipient (the 90) with 30 % of the mean (100 points) = 30
    # points; value of a point = 5.300 / 530 = 10 €.
    r = c.ripartisci(c.DatiFondo(1, "Fondo", D("5300.00")), _persone([90, 80, 70, 60, 50]),
                     UNA_FASCIA, _gruppi())
    importi = [q.importo for q in r.quote]
    assert importi == [D("1300.00"), D("1000.00"), D("1000.00"), D("1000.00"), D("1000.00")]
    assert r.valore_punto == D(10) and r.premio_medio == D("1000.00")
    primo = r.quote[0]
    assert primo.con_maggiorazione and primo.maggiorazione == D("300.00")
    assert not any(q.con_maggiorazione for q in r.quote[1:])
    assert r.distribuito == r.stanziato == D("5300.00")
    assert "maggiorazione (art. 81 CCNL) = 30 % del premio medio 1.000,00 € = 300,00 €" in primo.spiegazione.calcolo
    assert "1.300,00 €" in primo.spiegazione.calcolo
    assert r.spiegazione.calcolo == "valore del punto = 5.300,00 € / (500,00 punti + 30,00 punti di maggiorazione) = 10,000000 €"


def test_parita_al_limite_esclude_tutti_i_pari_merito():
    r = c.ripartisci(c.DatiFondo(1, "Fondo", D(1000)), _persone([90, 90, 80, 70, 60]), UNA_FASCIA, _gruppi())
    assert not any(q.con_maggiorazione for q in r.quote)
    assert any("parità al limite" in n for n in r.spiegazione.note)
    r = c.ripartisci(c.DatiFondo(1, "Fondo", D(1000)), _persone([90, 90, 80, 70, 60]), UNA_FASCIA,
                     _gruppi(quota=D(40)))
    assert [q.con_maggiorazione for q in r.quote] == [True, True, False, False, False]


def test_fasce_part_time_e_mesi():
    persone = [
        c.DatiPersonaPremio(1, "M1", "dip", D(85)),  # 100 points
        c.DatiPersonaPremio(2, "M2", "dip", D(75), part_time=D(50)),  # 70 × 0,5 = 35
        c.DatiPersonaPremio(3, "M3", "dip", D(85), mesi_servizio=D(6), mesi_esclusi=D(3)),  # 100 × 9/12 = 75
        c.DatiPersonaPremio(4, "M4", "dip", D(85), mesi_servizio=D(10), mesi_esclusi=D(5)),  # capped 12: 100
        c.DatiPersonaPremio(5, "M5", "dip", D(59)),  # quota 0
        c.DatiPersonaPremio(6, "M6", "dip", None),  # no score
    ]
    r = c.ripartisci(c.DatiFondo(1, "Fondo", D("3100")), persone, FASCE, _gruppi(quota=D(0), parametro=D(2)))
    assert [q.punti for q in r.quote] == [D(200), D(70), D(150), D(200), D(0), D(0)]
    assert [q.importo for q in r.quote] == [D(1000), D(350), D(750), D(1000), D(0), D(0)]
    assert r.n_positivi == 4
    assert r.quote[3].mesi == D(12)
    assert "la fascia del punteggio ha quota 0 %" in r.quote[4].spiegazione.note[0]
    assert "non calcolabile" in r.quote[5].spiegazione.note[0]
    assert r.quote[1].spiegazione.calcolo.startswith("punti = 70 × 2 × 50/100 × 12/12 = 70,00")


def test_centesimi_ai_resti_piu_alti_a_parita_punteggio_poi_matricola():
    r = c.ripartisci(c.DatiFondo(1, "Fondo", D(100)), _persone([85, 85, 85]), FASCE, _gruppi(quota=D(0)))
    assert [q.importo for q in r.quote] == [D("33.34"), D("33.33"), D("33.33")]
    assert "1 centesimo" in r.quote[0].spiegazione.note[0]
    # Same band, same exact amount: the higher score gets the cent before a lower matricola.
    r = c.ripartisci(c.DatiFondo(1, "Fondo", D(100)), _persone([85, 85, 95]), FASCE, _gruppi(quota=D(0)))
    assert [q.importo for q in r.quote] == [D("33.33"), D("33.33"), D("33.34")]
    # Largest remainder first: 200/3 = 66,666… vs 100/3 = 33,333…
    persone = [c.DatiPersonaPremio(1, "M1", "dip", D(85), part_time=D(50)),
               c.DatiPersonaPremio(2, "M2", "dip", D(85)), c.DatiPersonaPremio(3, "M3", "dip", D(85), part_time=D(50))]
    r = c.ripartisci(c.DatiFondo(1, "Fondo", D(100)), persone, FASCE, _gruppi(quota=D(0)))
    assert [q.importo for q in r.quote] == [D("25.00"), D("50.00"), D("25.00")]
    r = c.ripartisci(c.DatiFondo(1, "Fondo", D("100.01")), persone, FASCE, _gruppi(quota=D(0)))
    assert sum(q.importo for q in r.quote) == D("100.01")


def test_nessuno_valutato_positivamente_distribuisce_zero():
    r = c.ripartisci(c.DatiFondo(1, "Fondo", D(5000)), _persone([40, 55]), FASCE, _gruppi())
    assert r.distribuito == 0 and r.stanziato == D(5000) and r.valore_punto is None
    assert all(q.importo == 0 for q in r.quote)
    assert r.spiegazione.note[0] == ("Nessuna persona è valutata positivamente: il fondo non è "
                                     "distribuito (0,00 €).")
    vuoto = c.ripartisci(c.DatiFondo(1, "Fondo", D(5000)), [], FASCE, _gruppi())
    assert vuoto.distribuito == 0 and vuoto.quote == ()


def test_fascia_premio():
    assert c.fascia_premio(D("79.99"), FASCE).quota == D(70)
    assert c.fascia_premio(D(100), FASCE).quota == D(100)
    assert c.fascia_premio(None, FASCE) is None
    assert c.fascia_premio(D(50), FASCE[1:]) is None
    assert FASCE[1].descrizione() == "da 60 a meno di 80 → 70 %"
