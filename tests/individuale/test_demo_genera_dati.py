"""``genera_dati --persone N``: definitive schede at scale in a synthetic cycle, replaced with the
cycle, and their art. 20 aggregates in the Relazione's data."""

from io import StringIO

import jsonschema
import pytest
from django.core.management import CommandError, call_command

from individuale.models import FondoPremi, SchedaValutazione
from obiettivi.models import Ciclo
from trasparenza import opendata
from trasparenza.report import relazione_dati

pytestmark = pytest.mark.django_db


def test_genera_dati_with_persone_makes_definitive_schede_and_replaces_them():
    out = StringIO()
    call_command("genera_dati", "scala", "2029", "--obiettivi", "30", "--persone", "40",
                 "--seme", "3", stdout=out)
    assert "40 schede di valutazione individuale definitive" in out.getvalue()
    ciclo = Ciclo.objects.get(ente__slug="scala", anno=2029)
    schede = SchedaValutazione.objects.filter(ciclo=ciclo)
    assert schede.count() == 40
    assert set(schede.values_list("stato", flat=True)) == {"definitiva"}
    assert not schede.filter(punteggio_finale=None).exists()
    assert all(s.obiettivi.exists() and s.comportamenti.exists() for s in schede[:5])

    dati = relazione_dati(ciclo)
    jsonschema.Draft202012Validator(opendata.schema()).validate(dati)
    premi = dati["premi"]
    assert premi["disponibili"] and premi["persone"] == 40
    assert premi["stanziato"] == float(sum(f.importo for f in FondoPremi.objects.filter(ciclo=ciclo)))

    # a second run replaces the cycle with its schede (they PROTECT the cycle and its areas)
    call_command("genera_dati", "scala", "2029", "--obiettivi", "30", "--persone", "7",
                 "--seme", "3", stdout=StringIO())
    nuovo = Ciclo.objects.get(ente__slug="scala", anno=2029)
    assert nuovo.pk != ciclo.pk
    assert SchedaValutazione.objects.filter(ciclo=nuovo).count() == 7
    assert not SchedaValutazione.objects.filter(ciclo_id=ciclo.pk).exists()


def test_genera_dati_refuses_a_negative_number_of_persone():
    with pytest.raises(CommandError, match="non può essere negativo"):
        call_command("genera_dati", "scala", "2029", "--obiettivi", "5", "--persone", "-1",
                     stdout=StringIO())
    assert not Ciclo.objects.filter(ente__slug="scala").exists()
