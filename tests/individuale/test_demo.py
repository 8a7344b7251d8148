"""The illustrative performance individuale of the Seregno 2021 demo (individuale.demo): the
figures, the process through individuale.processo, idempotence, and «premi» in the published
Relazione."""

from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from individuale import demo as demo_individuale
from individuale import processo
from individuale.models import FondoPremi, Persona, SchedaValutazione
from individuale.queries import premi_ciclo, risultato_scheda
from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo
from obiettivi.workflow import ciclo_pubblica


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            riepilogo = carica_demo()
            ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
            pub = ciclo_pubblica(ciclo=ciclo, utente=None).pubblicazione
            yield {"ciclo": ciclo, "pub": pub, "riepilogo": riepilogo}
            transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_the_schede_groups_funds_and_states(demo):
    ciclo = demo["ciclo"]
    schede = SchedaValutazione.objects.filter(ciclo=ciclo)
    assert schede.count() == 36
    assert Counter(schede.values_list("gruppo__codice", flat=True)) == {
        "dirigente": 6, "eq": 5, "dipendente": 25}
    assert set(schede.values_list("stato", flat=True)) == {"definitiva"}
    assert not schede.filter(punteggio_finale__isnull=True).exists()
    assert set(Persona.objects.filter(schede__ciclo=ciclo).values_list("fittizia", flat=True)) == {True}
    # the six dirigenti are the demo's dirigente users, evaluated by the Sindaco
    dirigenti = schede.filter(gruppo__codice="dirigente")
    assert sorted(dirigenti.values_list("persona__utente__username", flat=True)) == sorted(
        f"dirigente.{slug}" for slug in ("segreteria-programmazione", "economico-finanziaria",
                                         "lavori-pubblici", "servizi-citta", "territorio",
                                         "servizi-persona"))
    assert set(dirigenti.values_list("valutatore__username", flat=True)) == {"sindaco"}
    # staff are evaluated by their area's dirigente
    for s in schede.exclude(gruppo__codice="dirigente").select_related("area", "valutatore"):
        assert s.valutatore.username == f"dirigente.{s.area.slug}"
    assert list(FondoPremi.objects.filter(ciclo=ciclo).order_by("importo").values_list("importo", flat=True)) == [
        Decimal("15000"), Decimal("60000"), Decimal("90000")]


def test_every_step_went_through_the_process_and_one_conciliazione(demo):
    ciclo = demo["ciclo"]
    conciliate = SchedaValutazione.objects.filter(ciclo=ciclo).exclude(conciliazione_richiesta=None)
    assert conciliate.count() == 1
    s = conciliate.get()
    assert s.conciliazione_motivi and s.conciliazione_esito and s.osservazioni_valutato
    assert s.punteggio_finale == s.conciliazione_punteggio
    passi = processo.cronologia(s)
    assert [p.stato for p in passi] == [
        "Colloquio iniziale: obiettivi assegnati", "Colloquio iniziale: obiettivi assegnati",
        "Colloquio intermedio", "Valutazione", "Presa visione", "Presa visione", "Conciliazione",
        "Definitiva"]
    assert passi[0].cosa == "Obiettivi assegnati nel colloquio iniziale il 15/03/2021"
    assert passi[0].chi == s.valutatore.get_full_name()
    assert passi[-1].cosa == "Conciliazione conclusa: valutazione definitiva"
    assert passi[-1].chi == "Amministratore"
    assert [p.quando.date() for p in passi] == sorted(p.quando.date() for p in passi)
    # a dirigente's timeline has the Nucleo's proposal; a person without login signs on paper
    dirigente = SchedaValutazione.objects.filter(ciclo=ciclo, gruppo__codice="dirigente").first()
    assert any(p.cosa.startswith("Proposta del Nucleo") and p.chi == "Nucleo di valutazione"
               for p in processo.cronologia(dirigente))
    senza_accesso = SchedaValutazione.objects.filter(ciclo=ciclo, persona__utente=None).first()
    assert any(p.cosa.endswith("(per conto della persona)") for p in processo.cronologia(senza_accesso))
    # every scheda is complete by calcolo's rule and its final score is the computed one
    for scheda in SchedaValutazione.objects.filter(ciclo=ciclo, conciliazione_richiesta=None):
        risultato = risultato_scheda(scheda)
        assert risultato.completa and risultato.punteggio == scheda.punteggio_finale


def test_demo_users(demo):
    User = get_user_model()
    dipendente = User.objects.get(username="dipendente.demo")
    assert not dipendente.is_staff and dipendente.check_password("demo")
    assert SchedaValutazione.objects.filter(persona__utente=dipendente, ciclo=demo["ciclo"]).count() == 1
    sindaco = User.objects.get(username="sindaco")
    assert sindaco.groups.filter(name="Valutatore").exists()
    nomi = [u.username for u in demo["riepilogo"].utenti]
    assert "sindaco" in nomi and "dipendente.demo" in nomi


def test_the_funds_are_paid_to_the_cent_and_the_relazione_publishes_premi(demo):
    premi = premi_ciclo(demo["ciclo"])
    assert premi.stanziato == Decimal("165000")
    assert premi.distribuito == sum((q.importo for q in premi.quote), Decimal("0"))
    assert len(premi.quote) == 36 and not premi.scoperte
    pubblicati = demo["pub"].dati["premi"]
    assert pubblicati["disponibili"] is True
    assert pubblicati["stanziato"] == 165000.0
    assert pubblicati["distribuito"] == float(premi.distribuito)
    assert pubblicati["persone"] == 36
    assert [g["nome"] for g in pubblicati["gruppi"]] == ["Dirigenti", "Elevate qualificazioni", "Dipendenti"]
    assert "schede di valutazione individuale" in demo["pub"].dati["nota_dati_dimostrativi"]


def test_a_second_load_writes_nothing_and_changes_no_figure(demo):
    prima = SchedaValutazione.objects.filter(ciclo=demo["ciclo"]).count()
    storico = SchedaValutazione.history.count()
    riepilogo = demo_individuale.carica_schede_demo(demo["ciclo"], demo["ciclo"].aree.all())
    assert not riepilogo.creato
    assert SchedaValutazione.objects.filter(ciclo=demo["ciclo"]).count() == prima
    assert SchedaValutazione.history.count() == storico
