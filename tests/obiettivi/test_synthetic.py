"""The synthetic-cycle generator: reproducible, realistic, and consistent with the model's rules."""

from collections import Counter, defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import Count, Sum

from obiettivi.models import Area, Ciclo, Ente, Fase, Indicatore, NodoStrategico, Obiettivo
from obiettivi.synthetic import MARCATORE_SINTETICO, genera_ciclo
from valutazione.models import IndicatoreFinanziario, StandardBarometro

pytestmark = pytest.mark.django_db


def istantanea(ciclo):
    """Everything the seed decides, without database keys."""
    return {
        "nodi": sorted(
            NodoStrategico.objects.filter(ciclo=ciclo).values_list(
                "codice", "parent__codice", "titolo", "livello_nome", "level", "nota"
            )
        ),
        "aree": sorted(
            Area.objects.filter(ciclo=ciclo).values_list("codice", "parent__codice", "nome")
        ),
        "obiettivi": sorted(
            Obiettivo.objects.filter(ciclo=ciclo).values_list(
                "codice", "titolo", "area__codice", "nodo__codice", "tipologia", "peso", "stato",
                "motivazione_stato", "anno_rinvio", "grado_proposto", "grado_validato",
                "motivazione_grado", "ordine",
            )
        ),
        "indicatori": sorted(
            Indicatore.objects.filter(obiettivo__ciclo=ciclo).values_list(
                "obiettivo__codice", "codice", "nome", "unita", "tipo", "peso", "target",
                "consuntivo", "data_target", "data_consuntivo",
            )
        ),
        "fasi": sorted(
            Fase.objects.filter(obiettivo__ciclo=ciclo).values_list(
                "obiettivo__codice", "codice", "descrizione", "peso", "percentuale", "inizio",
                "fine",
            )
        ),
        "barometro": sorted(
            StandardBarometro.objects.filter(ciclo=ciclo).values_list(
                "codice", "area__codice", "grado", "programmato", "rilevato"
            )
        ),
        "finanziari": sorted(
            IndicatoreFinanziario.objects.filter(ciclo=ciclo).values_list(
                "codice", "target", "valore", "direzione"
            )
        ),
    }


def campi_mptt(model):
    return {
        pk: (lft, rght, level, tree_id)
        for pk, lft, rght, level, tree_id in model.objects.values_list(
            "pk", "lft", "rght", "level", "tree_id"
        )
    }


def test_same_seed_gives_the_same_cycle_and_another_seed_a_different_one():
    ciclo = genera_ciclo(ente_slug="sintetico", anno=2030, n_obiettivi=300, seme=7)
    prima = istantanea(ciclo)
    assert len(prima["obiettivi"]) == 300

    rigenerato = genera_ciclo(ente_slug="sintetico", anno=2030, n_obiettivi=300, seme=7)
    assert rigenerato.pk != ciclo.pk  # replaced, not appended to
    assert Ciclo.objects.filter(ente__slug="sintetico", anno=2030).count() == 1
    assert istantanea(rigenerato) == prima

    altro = istantanea(genera_ciclo(ente_slug="sintetico", anno=2030, n_obiettivi=300, seme=8))
    for chiave in ("obiettivi", "indicatori", "fasi"):
        assert altro[chiave] != prima[chiave], chiave


def test_replacing_leaves_no_rows_of_the_old_cycle_behind():
    vecchio = genera_ciclo(ente_slug="sintetico", anno=2030, n_obiettivi=120, seme=1)
    vecchi_obiettivi = list(Obiettivo.objects.filter(ciclo=vecchio).values_list("pk", flat=True))
    genera_ciclo(ente_slug="sintetico", anno=2030, n_obiettivi=40, seme=2)
    assert not Ciclo.objects.filter(pk=vecchio.pk).exists()
    assert not Indicatore.objects.filter(obiettivo_id__in=vecchi_obiettivi).exists()
    assert not Fase.objects.filter(obiettivo_id__in=vecchi_obiettivi).exists()
    assert not NodoStrategico.objects.filter(ciclo_id=vecchio.pk).exists()
    assert not Area.objects.filter(ciclo_id=vecchio.pk).exists()
    assert Obiettivo.objects.count() == 40
    # Synthetic rows have no history, and deleting them writes none either.
    assert Obiettivo.history.count() == 0
    assert Fase.history.count() == 0


def test_cycle_respects_the_rules_of_the_plan():
    ciclo = genera_ciclo(ente_slug="sintetico", anno=2030, n_obiettivi=1000, seme=3)
    obiettivi = Obiettivo.objects.filter(ciclo=ciclo)
    assert ciclo.smvp is not None and ciclo.dati_dimostrativi
    assert ciclo.nota_dati_dimostrativi.startswith(MARCATORE_SINTETICO)

    # Phases: 0–4 per objective, weights summing to exactly 100 where there are any.
    somme = Fase.objects.filter(obiettivo__ciclo=ciclo).values("obiettivo").annotate(
        totale=Sum("peso"), n=Count("id")
    )
    assert somme and all(r["totale"] == Decimal("100") for r in somme)
    assert {r["n"] for r in somme} <= {1, 2, 3, 4}
    assert obiettivi.filter(fasi__isnull=True).exists()

    # Indicators: 1–3 per objective, every tipo, with the tipo's constraints.
    per_obiettivo = Counter(
        Indicatore.objects.filter(obiettivo__ciclo=ciclo).values_list("obiettivo_id", flat=True)
    )
    assert len(per_obiettivo) == 1000 and set(per_obiettivo.values()) <= {1, 2, 3}
    indicatori = Indicatore.objects.filter(obiettivo__ciclo=ciclo)
    assert set(indicatori.values_list("tipo", flat=True)) == set(Indicatore.Tipo.values)
    assert not indicatori.filter(tipo="scadenza", data_target__isnull=True).exists()
    assert set(indicatori.filter(tipo="si_no").values_list("consuntivo", flat=True)) <= {0, 1}

    # Statuses: a few non-active ones, each with what its status requires.
    non_attivi = obiettivi.exclude(stato=Obiettivo.Stato.ATTIVO)
    assert 10 <= non_attivi.count() <= 60
    assert not obiettivi.filter(stato="rinviato", anno_rinvio__isnull=True).exists()
    assert not obiettivi.filter(stato="rinviato", anno_rinvio__lte=ciclo.anno).exists()
    assert not obiettivi.filter(stato__in=["sospeso", "non_applicabile"], motivazione_stato="").exists()
    assert not non_attivi.filter(grado_proposto__isnull=False).exists()
    assert set(obiettivi.values_list("peso", flat=True)) == {Decimal(1), Decimal(2), Decimal(3)}
    assert len(set(obiettivi.values_list("tipologia", flat=True))) == 4

    # Grades: ~90 % proposed, ~70 % validated (of the active ones), 1–5, validated ⊂ proposed.
    attivi = obiettivi.filter(stato=Obiettivo.Stato.ATTIVO)
    quota_proposti = attivi.filter(grado_proposto__isnull=False).count() / attivi.count()
    quota_validati = attivi.filter(grado_validato__isnull=False).count() / attivi.count()
    assert 0.85 <= quota_proposti <= 0.95
    assert 0.65 <= quota_validati <= 0.75
    assert not attivi.filter(grado_validato__isnull=False, grado_proposto__isnull=True).exists()
    gradi = set(attivi.exclude(grado_proposto=None).values_list("grado_proposto", flat=True))
    assert gradi <= {1, 2, 3, 4, 5} and len(gradi) >= 4
    cambiati = [o for o in attivi.exclude(grado_validato=None) if o.grado_validato != o.grado_proposto]
    assert all(o.motivazione_grado for o in cambiati)

    # Barometro and financial indicators.
    standard = StandardBarometro.objects.filter(ciclo=ciclo)
    assert standard.count() == 20
    assert set(standard.values_list("grado", flat=True)) <= {0, 1, 2, 3}
    assert IndicatoreFinanziario.objects.filter(ciclo=ciclo).count() == 10


def test_strategy_tree_has_depth_two_to_four_and_some_empty_leaves():
    for n, seme in ((50, 0), (2000, 5)):
        ciclo = genera_ciclo(ente_slug=f"albero-{n}", anno=2030, n_obiettivi=n, seme=seme)
        nodi = list(NodoStrategico.objects.filter(ciclo=ciclo).order_by("tree_id", "lft"))
        assert 24 <= len(nodi) <= 450
        radici = [nodo for nodo in nodi if nodo.parent_id is None]
        assert radici and all(not r.is_leaf_node() for r in radici)
        assert 1 <= max(nodo.level for nodo in nodi) <= 3
        foglie = [nodo for nodo in nodi if nodo.is_leaf_node()]
        con_obiettivi = set(Obiettivo.objects.filter(ciclo=ciclo).values_list("nodo_id", flat=True))
        assert con_obiettivi <= {f.pk for f in foglie}  # objectives hang from leaves only
        vuote = [f for f in foglie if f.pk not in con_obiettivi]
        assert vuote and all(f.nota for f in vuote)
        # Areas with their services: a tree of depth 2.
        aree = Area.objects.filter(ciclo=ciclo)
        assert set(aree.values_list("level", flat=True)) == {0, 1}
    bigger = NodoStrategico.objects.filter(ciclo__ente__slug="albero-2000").count()
    smaller = NodoStrategico.objects.filter(ciclo__ente__slug="albero-50").count()
    assert bigger > 2 * smaller


def test_tree_fields_are_what_rebuild_produces():
    # Alone in the table: identical to a full rebuild, tree ids included.
    genera_ciclo(ente_slug="uno", anno=2030, n_obiettivi=200, seme=11)
    for model in (NodoStrategico, Area):
        prima = campi_mptt(model)
        model.objects.rebuild()
        assert campi_mptt(model) == prima, model.__name__

    # With other cycles' trees around (and one replaced), every tree is still exact; tree ids
    # may be renumbered by rebuild() but must group the same nodes.
    genera_ciclo(ente_slug="due", anno=2030, n_obiettivi=200, seme=12)
    genera_ciclo(ente_slug="uno", anno=2030, n_obiettivi=100, seme=13)
    for model in (NodoStrategico, Area):
        prima = campi_mptt(model)
        model.objects.rebuild()
        dopo = campi_mptt(model)
        assert {pk: v[:3] for pk, v in dopo.items()} == {pk: v[:3] for pk, v in prima.items()}

        def gruppi(campi):
            alberi = defaultdict(set)
            for pk, (*_, tree_id) in campi.items():
                alberi[tree_id].add(pk)
            return sorted(sorted(g) for g in alberi.values())

        assert gruppi(dopo) == gruppi(prima), model.__name__


def test_a_cycle_that_is_not_synthetic_is_not_replaced_unless_forced():
    ente = Ente.objects.create(slug="vero", nome="Comune vero")
    vero = Ciclo.objects.create(ente=ente, anno=2021)
    with pytest.raises(ValidationError, match="esiste e non è sintetico"):
        genera_ciclo(ente_slug="vero", anno=2021, n_obiettivi=10)
    assert Ciclo.objects.filter(pk=vero.pk).exists()
    nuovo = genera_ciclo(ente_slug="vero", anno=2021, n_obiettivi=10, forza=True)
    assert not Ciclo.objects.filter(pk=vero.pk).exists()
    assert nuovo.obiettivi.count() == 10


def test_command_prints_a_summary_and_reports_errors_in_italian():
    out = StringIO()
    call_command("genera_dati", "comando", "2029", "--obiettivi", "60", "--seme", "4", stdout=out)
    testo = out.getvalue()
    assert "60 obiettivi" in testo and "Tempo:" in testo and "seme 4" in testo
    assert Obiettivo.objects.filter(ciclo__ente__slug="comando", ciclo__anno=2029).count() == 60

    Ciclo.objects.create(ente=Ente.objects.create(slug="reale", nome="Reale"), anno=2029)
    with pytest.raises(CommandError, match="non è sintetico"):
        call_command("genera_dati", "reale", "2029", "--obiettivi", "5", stdout=StringIO())
    with pytest.raises(CommandError, match="non plausibile"):
        call_command("genera_dati", "comando", "1999", "--obiettivi", "5", stdout=StringIO())


def test_the_generated_tables_are_analysed_once_committed(django_capture_on_commit_callbacks):
    """After ``genera_dati`` (plan and schede) PostgreSQL's statistics are brought up to date at
    once (``ANALYZE`` of the tables written, after the commit); elsewhere nothing runs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as catturate:
        with django_capture_on_commit_callbacks(execute=False) as dopo:
            call_command("genera_dati", "analisi", "2029", "--obiettivi", "20", "--persone", "3",
                         stdout=StringIO())
        assert not any(q["sql"].startswith("ANALYZE") for q in catturate.captured_queries)  # not before
        for richiamo in dopo:
            richiamo()
    analisi = [q["sql"] for q in catturate.captured_queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor != "postgresql":
        assert analisi == []
        return
    tabelle = {t.strip().strip('"') for sql in analisi for t in sql.removeprefix("ANALYZE").split(",")}
    assert {"obiettivi_obiettivo", "obiettivi_indicatore", "obiettivi_fase", "obiettivi_area",
            "obiettivi_nodostrategico", "individuale_schedavalutazione",
            "individuale_obiettivoindividuale", "individuale_punteggiocomportamento"} <= tabelle
    assert len(analisi) == 2  # one statement per generator
