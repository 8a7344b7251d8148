"""scoring.py keeps the model choices as plain strings: they must match the models."""

from obiettivi.models import Indicatore, Obiettivo
from valutazione import scoring as s
from valutazione.models import Fascia, IndicatoreFinanziario, LivelloScala, Smvp


def test_costanti_uguali_alle_scelte_dei_modelli():
    assert {s.TIPO_ALTO, s.TIPO_BASSO, s.TIPO_SI_NO, s.TIPO_SCADENZA} == set(Indicatore.Tipo.values)
    assert s.STATO_ATTIVO == Obiettivo.Stato.ATTIVO
    assert {s.AGGREGAZIONE_PONDERATA, s.AGGREGAZIONE_SEMPLICE} == set(Smvp.Aggregazione.values)
    assert set(s.TIPI_FASCE) == set(Fascia.Tipo.values)
    assert set(s.VALORI_SCALA) == set(LivelloScala.Scala.values)
    assert {s.DIREZIONE_ALTO, s.DIREZIONE_BASSO} == set(IndicatoreFinanziario.Direzione.values)
