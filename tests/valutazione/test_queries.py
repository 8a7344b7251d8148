"""risultati_ciclo: loads a whole cycle in a bounded number of queries."""

import datetime
import gc
from decimal import Decimal

import pytest

from obiettivi.models import Ciclo, Ente, Fase, Indicatore, Obiettivo
from obiettivi.services import area_upsert, nodo_upsert
from valutazione import scoring
from valutazione.models import IndicatoreFinanziario, StandardBarometro
from valutazione.queries import CicloSenzaSmvp, dati_ciclo, regole_smvp, risultati_ciclo
from valutazione.services import smvp_create_default

from .factories import regole

pytestmark = pytest.mark.django_db

N_LINEE, N_AZIONI, N_OBIETTIVI = 4, 9, 2000


def _grado_azione(indice):
    return indice % 5 + 1


@pytest.fixture
def ciclo_grande():
    ente = Ente.objects.create(slug="prova", nome="Comune di Prova")
    ciclo = Ciclo.objects.create(ente=ente, anno=2021, smvp=smvp_create_default())
    aree = [area_upsert(ciclo=ciclo, codice=f"A{i}", nome=f"Area {i}", slug=f"area-{i}") for i in range(8)]
    azioni = []
    for l in range(1, N_LINEE + 1):
        linea = nodo_upsert(ciclo=ciclo, codice=str(l), titolo=f"Linea {l}", livello_nome="linea strategica")
        for a in range(1, N_AZIONI + 1):
            azioni.append(nodo_upsert(ciclo=ciclo, codice=f"{l}.{a}", titolo=f"Azione {l}.{a}",
                                      livello_nome="azione strategica", parent=linea))
    vuota = azioni.pop()  # the last azione has no objective (like Seregno's 2.2)
    obiettivi = [
        Obiettivo(
            ciclo=ciclo, codice=f"OB{i:04d}", titolo=f"Obiettivo {i}", area=aree[i % 8],
            nodo=azioni[i % len(azioni)], peso=Decimal(1 + i % 3), ordine=i,
            stato=Obiettivo.Stato.ATTIVO if i % 50 else Obiettivo.Stato.STRALCIATO,
            grado_proposto=_grado_azione(i % len(azioni)),
            grado_validato=_grado_azione(i % len(azioni)) if i % 2 else None,
        )
        for i in range(N_OBIETTIVI)
    ]
    Obiettivo.objects.bulk_create(obiettivi)
    obiettivi = list(Obiettivo.objects.filter(ciclo=ciclo).order_by("ordine"))
    Indicatore.objects.bulk_create(
        [Indicatore(obiettivo=o, codice="I1", nome="Pratiche", tipo="alto", target=Decimal(100),
                    consuntivo=Decimal(90), peso=Decimal(2)) for o in obiettivi]
        + [Indicatore(obiettivo=o, codice="I2", nome="Consegna", tipo="scadenza",
                      data_target=datetime.date(2021, 6, 30), data_consuntivo=datetime.date(2021, 6, 1))
           for o in obiettivi]
    )
    Fase.objects.bulk_create(
        [Fase(obiettivo=o, codice=f"F{k}", descrizione="Fase", peso=peso, percentuale=perc)
         for o in obiettivi
         for k, (peso, perc) in enumerate([(Decimal(70), Decimal(100)), (Decimal(20), Decimal(100)),
                                           (Decimal(10), Decimal(0))])]
    )
    StandardBarometro.objects.bulk_create(
        [StandardBarometro(ciclo=ciclo, codice=f"S{i}", servizio="Servizio", standard="Std", grado=g)
         for i, g in enumerate([3, 3, 3, 2, 2, 2, 2, 2, 2, 2, None])]
    )
    IndicatoreFinanziario.objects.bulk_create(
        [IndicatoreFinanziario(ciclo=ciclo, codice=f"F{i}", nome="Ind", target=Decimal(10),
                               valore=Decimal(12) if i < 9 else Decimal(8)) for i in range(10)]
    )
    return ciclo, azioni, vuota


def test_risultati_di_un_ciclo_di_2000_obiettivi_in_al_massimo_10_query(
    ciclo_grande, django_assert_max_num_queries
):
    ciclo, azioni, vuota = ciclo_grande
    ciclo = Ciclo.objects.get(pk=ciclo.pk)
    with django_assert_max_num_queries(10):
        r = risultati_ciclo(ciclo)

    assert len(r.obiettivi) == N_OBIETTIVI and len(r.nodi) == N_LINEE * (N_AZIONI + 1)
    ob = r.obiettivi[1]
    assert len(ob.raggiungimento.indicatori) == 2 and len(ob.raggiungimento.fasi) == 3
    # indicators (90 × 2 + 100 × 1) / 3 = 93,33; phases 90; 50/50 → 91,665 → 91,67
    assert ob.raggiungimento.percentuale == Decimal("91.67")
    assert ob.fonte_grado == scoring.FONTE_VALIDATO and r.obiettivi[2].fonte_grado == "proposto"
    assert len(r.esclusi) == N_OBIETTIVI // 50 and r.provvisorio

    # Every azione holds one grade only: azione grade = that grade; linea = simple mean.
    for indice, azione in enumerate(azioni):
        assert r.nodo(azione.pk).grado == Decimal(_grado_azione(indice))
    assert r.nodo(vuota.pk).escluso
    gradi_linee = []
    for linea in r.linee:
        attese = [Decimal(_grado_azione(i)) for i, a in enumerate(azioni) if a.parent_id == linea.nodo.id]
        gradi_linee.append(scoring.arrotonda(sum(attese) / len(attese)))
        assert linea.nodo.grado == gradi_linee[-1]
    assert r.pobj.valore == scoring.arrotonda(sum(gradi_linee) / len(gradi_linee))
    assert r.linee[-1].copertura == scoring.arrotonda(Decimal(N_AZIONI - 1) * 100 / N_AZIONI)
    assert r.barometro.media == Decimal("2.30") and r.pqua.valore == Decimal("4.00")
    assert r.finanziario.percentuale == Decimal("90.00") and r.pfin.valore == Decimal("4.00")
    assert r.ente.valore == scoring.arrotonda(
        (Decimal(4) * 40 + r.pobj.valore * 30 + Decimal(4) * 30) / 100
    )


def test_ogni_colonna_nel_suo_campo(ciclo_grande):
    """Rows are read as tuples and passed by position: each value lands in its Dati* field."""
    ciclo, azioni, _ = ciclo_grande
    dati = dati_ciclo(ciclo)
    azione = azioni[1]
    assert dati.nodi[2] == scoring.DatiNodo(
        id=azione.pk, codice="1.2", titolo="Azione 1.2", parent_id=azione.parent_id,
        livello_nome="azione strategica", nota="",
    )
    modello = Obiettivo.objects.select_related("area").get(ciclo=ciclo, codice="OB0001")
    ob = dati.obiettivi[1]
    assert (ob.id, ob.codice, ob.titolo, ob.nodo_id, ob.area_id, ob.area_nome, ob.tipologia,
            ob.tipologia_etichetta, ob.peso, ob.stato, ob.stato_etichetta, ob.grado_proposto,
            ob.grado_validato) == (
        modello.pk, "OB0001", "Obiettivo 1", modello.nodo_id, modello.area_id, "Area 1",
        "sviluppo", "Sviluppo", Decimal(2), "attivo", "Attivo", 2, 2,
    )
    assert ob.indicatori == (
        scoring.DatiIndicatore(codice="I1", nome="Pratiche", tipo="alto", peso=Decimal(2),
                               target=Decimal(100), consuntivo=Decimal(90)),
        scoring.DatiIndicatore(codice="I2", nome="Consegna", tipo="scadenza", peso=Decimal(1),
                               data_target=datetime.date(2021, 6, 30),
                               data_consuntivo=datetime.date(2021, 6, 1)),
    )
    assert ob.fasi == (
        scoring.DatiFase(codice="F0", peso=Decimal(70), percentuale=Decimal(100), descrizione="Fase"),
        scoring.DatiFase(codice="F1", peso=Decimal(20), percentuale=Decimal(100), descrizione="Fase"),
        scoring.DatiFase(codice="F2", peso=Decimal(10), percentuale=Decimal(0), descrizione="Fase"),
    )
    assert dati.finanziari[9] == scoring.DatiIndicatoreFinanziario(
        codice="F9", nome="Ind", target=Decimal(10), valore=Decimal(8)
    )
    risultati_ciclo(ciclo)
    assert gc.isenabled()  # paused while loading and scoring, then back


def test_smvp_predefinito_caricato_come_regole_valide():
    smvp = smvp_create_default()
    caricate = regole_smvp(smvp.pk)
    assert scoring.valida_regole(caricate) == []
    attese = regole()
    for campo in ("peso_finanziaria", "peso_obiettivi", "peso_qualita", "scala_gradi",
                  "scala_barometro", "fasce_raggiungimento", "fasce_qualita", "fasce_finanziaria",
                  "aggregazione_obiettivi", "aggregazione_nodi", "tetto_raggiungimento", "quota_fasi"):
        assert getattr(caricate, campo) == getattr(attese, campo), campo


def test_ciclo_senza_smvp():
    ente = Ente.objects.create(slug="x", nome="X")
    ciclo = Ciclo.objects.create(ente=ente, anno=2022)
    with pytest.raises(CicloSenzaSmvp, match="non ha un sistema di valutazione"):
        risultati_ciclo(ciclo)
