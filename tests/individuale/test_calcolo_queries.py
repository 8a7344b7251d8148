"""individuale.queries: organisational scores from valutazione's results, a scheda's score,
the bonuses of a cycle, in a fixed number of queries."""

from decimal import Decimal

import pytest

from individuale import calcolo, queries
from individuale.models import FondoPremi, SchedaValutazione
from individuale.synthetic import genera_schede
from valutazione.queries import risultati_ciclo

from .dati_calcolo import crea_ciclo

pytestmark = pytest.mark.django_db
D = Decimal


def test_punteggi_organizzativi_ente_e_aree_con_i_servizi():
    ciclo, aree = crea_ciclo()
    r = risultati_ciclo(ciclo)
    p = queries.punteggi_organizzativi(ciclo)
    assert p["ente"] == calcolo.punteggio_da_grado(r.ente.valore) and p["ente"] is not None
    # area uno pools its own objective and its service's: (4 × 1 + 5 × 3) / 4 = 4,75 → 95
    assert p[aree["a1"].pk] == D("95.00") and p[aree["s11"].pk] == D("95.00")
    assert p[aree["a2"].pk] == D("60.00")


def test_genera_schede_e_premi(django_assert_max_num_queries):
    ciclo, _ = crea_ciclo()
    genera_schede(ciclo, 40, seme=3)
    assert SchedaValutazione.objects.filter(ciclo=ciclo, stato="definitiva").count() == 40
    with django_assert_max_num_queries(9):
        premi = queries.premi_ciclo(ciclo)
    fondo = FondoPremi.objects.get(ciclo=ciclo)
    assert premi.stanziato == fondo.importo == premi.distribuito
    assert sum(q.importo for q in premi.quote) == fondo.importo
    scheda = SchedaValutazione.objects.filter(ciclo=ciclo).first()
    r = queries.risultato_scheda(scheda)
    assert r.completa and r.punteggio == scheda.punteggio_finale
