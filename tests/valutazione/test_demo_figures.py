"""The Seregno 2021 demo reproduces the published headline figures through the scoring engine."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from obiettivi.models import Ciclo
from valutazione.queries import risultati_ciclo

pytestmark = pytest.mark.django_db


def test_carica_demo_da_barometro_2_30_e_livello_di_ente_4_00():
    call_command("carica_demo", verbosity=0)
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
    r = risultati_ciclo(ciclo)

    assert r.barometro.media == Decimal("2.30")
    assert (r.barometro.n_valutati, r.barometro.somma) == (10, 23)
    assert r.finanziario.n_rispettati == 9 and r.finanziario.n_rilevati == 10
    assert r.pfin.valore == Decimal("4.00")
    assert r.pqua.valore == Decimal("4.00")
    assert r.pobj.valore == Decimal("4.00")
    assert r.ente.valore == Decimal("4.00")
    assert r.ente.spiegazione.calcolo == "(4,00 × 40%) + (4,00 × 30%) + (4,00 × 30%) = 4,00"
    # Seregno's azione 2.2 has no objective: excluded, and said so.
    assert any("nessun obiettivo previsto" in n.motivo_esclusione for n in r.nodi_esclusi)
    # Non-active objectives (stralciati, rinviati, sospesi, non applicabili) are listed, not graded.
    assert r.esclusi and all(not o.conteggiato for o in r.esclusi)
