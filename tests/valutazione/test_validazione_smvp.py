"""The SMVP validator on plain data (no database)."""

import dataclasses

from valutazione import scoring as s

from .factories import D, regole


def F(da, a, valore):
    return s.DatiFascia(D(da), None if a is None else D(a), valore)


def test_smvp_predefinito_valido():
    assert s.valida_regole(regole()) == []


def test_pesi_che_non_sommano_a_100():
    messaggi = s.valida_regole(regole(peso_qualita=D(20)))
    assert messaggi == [
        "Pesi: la somma dei pesi delle componenti è 90 invece di 100 "
        "(PFin 40, PObj_Gen 30, PQua_Gen 20)."
    ]


def test_peso_negativo():
    assert "non può essere negativo" in s.valida_pesi(D(-10), D(80), D(30))[0]


def test_fasce_sovrapposte():
    fasce = (F(0, 60, 1), F(50, 80, 2), F(80, None, 3))
    assert s.valida_fasce("raggiungimento", fasce) == [
        "Fasce «raggiungimento»: la fascia che inizia a 50 si sovrappone alla precedente (fino a 60)."
    ]


def test_fasce_con_vuoto():
    fasce = (F(0, 1, 1), F("1.5", None, 3))
    assert s.valida_fasce("qualita", fasce) == [
        "Fasce «qualita»: tra 1 e 1,5 manca una fascia (la precedente finisce a 1, "
        "la successiva inizia a 1,5)."
    ]


def test_fasce_che_non_partono_da_zero_e_ultima_chiusa():
    messaggi = s.valida_fasce("finanziaria", (F(10, 50, 1), F(50, 100, 2)))
    assert "la prima fascia inizia a 10; deve iniziare a 0" in messaggi[0]
    assert "l'ultima fascia (da 50 a 100) deve restare aperta" in messaggi[1]


def test_fascia_aperta_non_ultima():
    messaggi = s.valida_fasce("raggiungimento", (F(0, None, 1), F(50, None, 2)))
    assert any("non ha fine ma non è l'ultima" in m for m in messaggi)


def test_grado_fuori_scala_e_decrescente():
    messaggi = s.valida_fasce("raggiungimento", (F(0, 50, 2), F(50, None, 7)))
    assert messaggi == [
        "Fasce «raggiungimento»: la fascia che inizia a 50 assegna il grado 7, fuori dalla scala 1–5."
    ]
    messaggi = s.valida_fasce("raggiungimento", (F(0, 50, 3), F(50, None, 2)))
    assert "inferiore a quello della precedente (3)" in messaggi[0]


def test_fine_non_maggiore_dell_inizio():
    messaggi = s.valida_fasce("raggiungimento", (F(0, 0, 1), F(0, None, 2)))
    assert any("la fine deve essere maggiore dell'inizio" in m for m in messaggi)


def test_nessuna_fascia():
    messaggi = s.valida_regole(regole(fasce_qualita=()))
    assert messaggi == ["Fasce «qualita»: non è stata definita alcuna fascia."]


def test_scale_incomplete_fuori_scala_e_senza_etichetta():
    gradi = tuple(l for l in regole().scala_gradi if l.valore != 3)
    assert s.valida_scala("grado", gradi) == ["Scala «grado» (1–5): manca il livello 3."]
    barometro = regole().scala_barometro + (s.DatiLivello(4, "Oltre"),)
    assert s.valida_scala("barometro", barometro) == [
        "Scala «barometro»: il livello 4 è fuori scala (0–3)."
    ]
    senza = (s.DatiLivello(0, " "),) + regole().scala_barometro[1:]
    assert s.valida_scala("barometro", senza) == ["Scala «barometro»: il livello 0 non ha un'etichetta."]
    assert s.valida_scala("grado", ()) == ["Scala «grado» (1–5): mancano i livelli 1, 2, 3, 4, 5."]


def test_parametri():
    messaggi = s.valida_regole(regole(tetto_raggiungimento=D(90), quota_fasi=D(150)))
    assert messaggi[0].startswith("Tetto del raggiungimento: 90 è inferiore a 100")
    assert messaggi[1] == "Quota delle fasi: 150 deve essere tra 0 e 100."


def test_aggregazione_sconosciuta():
    r = dataclasses.replace(regole(), aggregazione_nodi="mediana")
    assert s.valida_regole(r) == ["Regola di aggregazione dei nodi sconosciuta: «mediana»."]
