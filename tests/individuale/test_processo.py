"""The process of a scheda (individuale.processo): every action allowed or refused per role and
state, the dates, the conciliazione's term with a fixed «oggi», the history, a double click."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from individuale import processo
from individuale.models import ObiettivoIndividuale, ObiettivoObbligatorio, SchedaValutazione

from .processo_mondo import ANNO, OGGI, PUNTEGGIO, S, mondo, porta_a, queries_finte  # noqa: F401

pytestmark = pytest.mark.django_db
D = Decimal

# Per action: the state it needs, the data it takes, and who (a key of ``_chi``) may do it.
CASI = {
    "assegna_obiettivi": (S.BOZZA, {"data": datetime.date(ANNO, 1, 15)}, {"valutatore"}),
    "firma_assegnazione": (S.COLLOQUIO_INIZIALE, {}, {"valutato"}),
    "colloquio_intermedio": (S.COLLOQUIO_INIZIALE, {"data": datetime.date(ANNO, 7, 1)}, {"valutatore"}),
    "avvia_valutazione": (S.COLLOQUIO_INTERMEDIO, {}, {"valutatore"}),
    "consegna_valutazione": (S.VALUTAZIONE, {"data": datetime.date(ANNO + 1, 2, 20)}, {"valutatore"}),
    "firma_presa_visione": (S.PRESA_VISIONE, {"osservazioni": "Nulla da aggiungere."}, {"valutato"}),
    "chiedi_conciliazione": (S.PRESA_VISIONE, {"motivi": "Il trasferimento non è considerato."},
                             {"valutato"}),
    "esito_conciliazione": (S.CONCILIAZIONE, {"esito": "Accolta in parte.", "punteggio": D("81")},
                            {"valutatore", "amministratore"}),
}
RUOLI = ("valutato", "valutatore", "amministratore", "nucleo", "altro", "altro_dirigente")


def _chi(m, ruolo):
    return getattr(m, ruolo)


def _prepara(m, azione):
    stato, _dati, _ = CASI[azione]
    scheda = porta_a(m.scheda, stato, m)
    if azione == "avvia_valutazione":
        assert scheda.firma_assegnazione is not None
    return scheda


@pytest.mark.parametrize("ruolo", RUOLI)
@pytest.mark.parametrize("azione", sorted(CASI))
def test_each_action_only_for_its_roles(mondo, queries_finte, azione, ruolo):
    scheda = _prepara(mondo, azione)
    _stato, dati, ammessi = CASI[azione]
    utente = _chi(mondo, ruolo)
    possibili = [a.nome for a in processo.azioni_possibili(scheda, utente, oggi=OGGI)]
    righe_prima = scheda.history.count()
    if ruolo in ammessi:
        assert azione in possibili
        dopo = processo.esegui(scheda, azione, utente, oggi=OGGI, **dati)
        assert dopo.history.count() == righe_prima + 1
        assert dopo.history.first().history_change_reason.startswith(processo.AZIONI[azione].motivo)
        assert dopo.history.first().history_user == utente
    else:
        assert azione not in possibili
        with pytest.raises(processo.ErroreProcesso, match="spetta solo a"):
            processo.esegui(scheda, azione, utente, oggi=OGGI, **dati)
        assert scheda.history.count() == righe_prima
        scheda.refresh_from_db()
        assert scheda.stato == CASI[azione][0]


def test_anonymous_has_no_action_and_is_refused(mondo, queries_finte):
    assert processo.azioni_possibili(mondo.scheda, AnonymousUser()) == []
    with pytest.raises(processo.ErroreProcesso):
        processo.esegui(mondo.scheda, "assegna_obiettivi", AnonymousUser(), oggi=OGGI,
                        data=datetime.date(ANNO, 1, 15))


@pytest.mark.parametrize("azione", sorted(processo.AZIONI))
def test_every_action_refused_in_the_wrong_states(mondo, queries_finte, azione):
    """Every action in a state it does not start from: refused, saying the state it needs."""
    da, _a = processo.DA_A[azione]
    sbagliato = next(s for s in (S.BOZZA, S.VALUTAZIONE, S.PRESA_VISIONE) if s not in da)
    scheda = porta_a(mondo.scheda, sbagliato, mondo)
    for utente in (mondo.valutato, mondo.valutatore, mondo.amministratore, mondo.nucleo):
        assert azione not in [a.nome for a in processo.azioni_possibili(scheda, utente, oggi=OGGI)]
    with pytest.raises(processo.ErroreProcesso, match="non è possibile: la scheda è in"):
        processo.esegui(scheda, azione, mondo.valutatore, oggi=OGGI)


def test_the_whole_road_with_its_history(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.PRESA_VISIONE, mondo)
    assert (scheda.punteggio_ente, scheda.punteggio_area) == (D("80"), D("70"))
    assert scheda.data_valutazione == datetime.date(ANNO + 1, 2, 20)
    scheda = processo.esegui(scheda, "firma_presa_visione", mondo.valutato, oggi=OGGI,
                             osservazioni="  Ringrazio.  ")
    assert scheda.osservazioni_valutato == "Ringrazio." and scheda.firma_presa_visione
    scheda = processo.esegui(scheda, "rinuncia_conciliazione", mondo.valutato, oggi=OGGI)
    assert scheda.stato == S.DEFINITIVA
    assert scheda.punteggio_finale == PUNTEGGIO and scheda.data_definitiva is not None
    passi = processo.cronologia(scheda)
    assert [p.cosa for p in passi] == [
        "Obiettivi assegnati nel colloquio iniziale il 15/01/2021",
        "Firma per presa visione degli obiettivi",
        "Colloquio intermedio il 15/07/2021",
        "Valutazione avviata",
        "Valutazione consegnata il 20/02/2022",
        "Firma per presa visione della valutazione",
        "Conciliazione non chiesta: valutazione definitiva",
    ]
    assert [p.stato for p in passi][-1] == "Definitiva"
    assert passi[0].chi == "Luca Verdi" and passi[1].chi == "Mario Rossi"


def test_no_action_after_definitiva(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.DEFINITIVA, mondo)
    for utente in (mondo.valutato, mondo.valutatore, mondo.amministratore, mondo.nucleo):
        assert processo.azioni_possibili(scheda, utente, oggi=OGGI) == []


def test_the_intermediate_interview_is_optional(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.COLLOQUIO_INIZIALE, mondo)
    scheda = processo.esegui(scheda, "firma_assegnazione", mondo.valutato, oggi=OGGI)
    scheda = processo.esegui(scheda, "avvia_valutazione", mondo.valutatore, oggi=OGGI)
    assert scheda.stato == S.VALUTAZIONE


def test_evaluation_waits_for_the_signature_of_the_objectives(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.COLLOQUIO_INIZIALE, mondo)
    with pytest.raises(processo.ErroreProcesso, match="non ha ancora firmato"):
        processo.esegui(scheda, "avvia_valutazione", mondo.valutatore, oggi=OGGI)


def test_signing_twice_is_refused(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.COLLOQUIO_INIZIALE, mondo)
    scheda = processo.esegui(scheda, "firma_assegnazione", mondo.valutato, oggi=OGGI)
    assert "firma_assegnazione" not in [
        a.nome for a in processo.azioni_possibili(scheda, mondo.valutato, oggi=OGGI)]
    with pytest.raises(processo.ErroreProcesso, match="già stati firmati"):
        processo.esegui(scheda, "firma_assegnazione", mondo.valutato, oggi=OGGI)


def test_a_double_click_applies_once(mondo, queries_finte):
    """Two posts of the same button with the same (stale) scheda: the row is re-read under its
    lock, the second finds the state moved and is refused; one history row."""
    scheda = mondo.scheda
    processo.esegui(scheda, "assegna_obiettivi", mondo.valutatore, oggi=OGGI,
                    data=datetime.date(ANNO, 1, 15))
    assert scheda.stato == S.BOZZA  # the caller's copy is stale
    with pytest.raises(processo.ErroreProcesso, match="la scheda è in «Colloquio iniziale"):
        processo.esegui(scheda, "assegna_obiettivi", mondo.valutatore, oggi=OGGI,
                        data=datetime.date(ANNO, 1, 15))
    assert scheda.history.count() == 2  # the creation and one action


# --- dates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, messaggio", [
    (datetime.date(2022, 3, 2), "è nel futuro"),
    (datetime.date(2020, 9, 30), "deve essere compresa tra il 01/10/2020 e il 31/12/2021"),
    (None, "Indicare la data del colloquio iniziale"),
    ("15/01/2021", "non è una data valida"),
])
def test_initial_interview_dates(mondo, queries_finte, data, messaggio):
    with pytest.raises(processo.ErroreProcesso, match=messaggio):
        processo.esegui(mondo.scheda, "assegna_obiettivi", mondo.valutatore, oggi=OGGI, data=data)
    mondo.scheda.refresh_from_db()
    assert mondo.scheda.stato == S.BOZZA and mondo.scheda.data_colloquio_iniziale is None


def test_initial_interview_bounds_included(mondo, queries_finte):
    scheda = processo.esegui(mondo.scheda, "assegna_obiettivi", mondo.valutatore, oggi=OGGI,
                             data=datetime.date(2020, 10, 1))
    assert scheda.data_colloquio_iniziale == datetime.date(2020, 10, 1)


def test_intermediate_interview_not_before_the_initial_one(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.COLLOQUIO_INIZIALE, mondo)
    with pytest.raises(processo.ErroreProcesso, match="non può precedere il colloquio iniziale"):
        processo.esegui(scheda, "colloquio_intermedio", mondo.valutatore, oggi=OGGI,
                        data=datetime.date(ANNO, 1, 14))
    with pytest.raises(processo.ErroreProcesso, match="tra il 01/01/2021 e il 31/12/2021"):
        processo.esegui(scheda, "colloquio_intermedio", mondo.valutatore, oggi=OGGI,
                        data=datetime.date(ANNO + 1, 1, 14))


def test_delivery_dates(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.VALUTAZIONE, mondo)
    for data, messaggio in ((datetime.date(ANNO, 7, 14), "non può precedere il colloquio intermedio"),
                            (OGGI + datetime.timedelta(days=1), "è nel futuro"),
                            (None, "Indicare la data della consegna")):
        with pytest.raises(processo.ErroreProcesso, match=messaggio):
            processo.esegui(scheda, "consegna_valutazione", mondo.valutatore, oggi=OGGI, data=data)


# --- the conciliazione's term (15 days from the delivery on 20/02/2022: until 07/03/2022) -------

def test_conciliazione_asked_on_the_last_day(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.PRESA_VISIONE, mondo)
    ultimo = datetime.date(2022, 3, 7)
    assert processo.scadenza_conciliazione(scheda.data_valutazione, 15) == ultimo
    assert "chiedi_conciliazione" in [
        a.nome for a in processo.azioni_possibili(scheda, mondo.valutato, oggi=ultimo)]
    scheda = processo.esegui(scheda, "chiedi_conciliazione", mondo.valutato, oggi=ultimo,
                             motivi="Il trasferimento non è considerato.")
    assert scheda.stato == S.CONCILIAZIONE and scheda.conciliazione_richiesta is not None


def test_conciliazione_refused_after_the_term(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.PRESA_VISIONE, mondo)
    tardi = datetime.date(2022, 3, 8)
    assert "chiedi_conciliazione" not in [
        a.nome for a in processo.azioni_possibili(scheda, mondo.valutato, oggi=tardi)]
    with pytest.raises(processo.ErroreProcesso, match="è scaduto il 07/03/2022"):
        processo.esegui(scheda, "chiedi_conciliazione", mondo.valutato, oggi=tardi,
                        motivi="Tardi.")


def test_conciliazione_needs_reasons(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.PRESA_VISIONE, mondo)
    with pytest.raises(processo.ErroreProcesso, match="Indicare i motivi"):
        processo.esegui(scheda, "chiedi_conciliazione", mondo.valutato, oggi=OGGI, motivi="   ")


def test_definitiva_by_the_evaluator_only_after_the_term(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.PRESA_VISIONE, mondo)
    entro, dopo = datetime.date(2022, 3, 7), datetime.date(2022, 3, 8)
    for utente in (mondo.valutatore, mondo.amministratore):
        assert "rendi_definitiva" not in [
            a.nome for a in processo.azioni_possibili(scheda, utente, oggi=entro)]
        assert "rendi_definitiva" in [
            a.nome for a in processo.azioni_possibili(scheda, utente, oggi=dopo)]
    with pytest.raises(processo.ErroreProcesso, match="fino al 07/03/2022 \\(scade oggi\\)"):
        processo.esegui(scheda, "rendi_definitiva", mondo.amministratore, oggi=entro)
    with pytest.raises(processo.ErroreProcesso, match="spetta solo a"):
        processo.esegui(scheda, "rendi_definitiva", mondo.valutato, oggi=dopo)
    scheda = processo.esegui(scheda, "rendi_definitiva", mondo.amministratore, oggi=dopo)
    assert scheda.stato == S.DEFINITIVA and scheda.punteggio_finale == PUNTEGGIO


def test_declining_needs_the_signature_first(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.PRESA_VISIONE, mondo)
    assert "rinuncia_conciliazione" not in [
        a.nome for a in processo.azioni_possibili(scheda, mondo.valutato, oggi=OGGI)]
    with pytest.raises(processo.ErroreProcesso, match="Prima firmare"):
        processo.esegui(scheda, "rinuncia_conciliazione", mondo.valutato, oggi=OGGI)


def test_outcome_already_written_in_the_scheda_stands(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.CONCILIAZIONE, mondo)
    SchedaValutazione.objects.filter(pk=scheda.pk).update(
        conciliazione_esito="Respinta: il trasferimento è già considerato.",
        conciliazione_punteggio=D("77.5"))
    scheda = processo.esegui(scheda, "esito_conciliazione", mondo.valutatore, oggi=OGGI,
                             esito="", punteggio=None)
    assert scheda.stato == S.DEFINITIVA and scheda.punteggio_finale == D("77.5")
    assert scheda.conciliazione_esito.startswith("Respinta")


def test_outcome_of_the_conciliazione_sets_the_final_score(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.CONCILIAZIONE, mondo)
    with pytest.raises(processo.ErroreProcesso, match="tra 0 e 100"):
        processo.esegui(scheda, "esito_conciliazione", mondo.amministratore, oggi=OGGI,
                        esito="Accolta.", punteggio=D("101"))
    with pytest.raises(processo.ErroreProcesso, match="Indicare il punteggio finale"):
        processo.esegui(scheda, "esito_conciliazione", mondo.amministratore, oggi=OGGI,
                        esito="Accolta.")
    scheda = processo.esegui(scheda, "esito_conciliazione", mondo.amministratore, oggi=OGGI,
                             esito="Accolta in parte: il trasferimento conta.", punteggio=D("81.25"))
    assert scheda.stato == S.DEFINITIVA
    assert scheda.punteggio_finale == scheda.conciliazione_punteggio == D("81.25")
    assert scheda.conciliazione_esito.startswith("Accolta in parte")


# --- what the objectives and the evaluation must be --------------------------------------------

def test_objectives_weights_must_sum_to_100(mondo, queries_finte):
    ObiettivoIndividuale.objects.filter(scheda=mondo.scheda, peso=D("40")).update(peso=D("30"))
    with pytest.raises(processo.ErroreProcesso,
                       match="La somma dei pesi degli obiettivi individuali è 90: deve essere 100"):
        processo.esegui(mondo.scheda, "assegna_obiettivi", mondo.valutatore, oggi=OGGI,
                        data=datetime.date(ANNO, 1, 15))


def test_a_scheda_without_objectives_cannot_be_assigned(mondo, queries_finte):
    mondo.scheda.obiettivi.all().delete()
    mondo.scheda.comportamenti.all().delete()
    with pytest.raises(processo.ErroreProcesso) as errore:
        processo.esegui(mondo.scheda, "assegna_obiettivi", mondo.valutatore, oggi=OGGI,
                        data=datetime.date(ANNO, 1, 15))
    assert errore.value.messages == [
        "La scheda non ha obiettivi individuali: assegnarne almeno uno.",
        "La scheda non ha comportamenti da valutare: aggiungerli dal gruppo di ruolo.",
    ]


def test_mandatory_objective_minimum_weight(mondo, queries_finte):
    """30 % of the total: 60 % of a 40 % objectives' component is 24 % of the total."""
    obbligatorio = ObiettivoObbligatorio.objects.create(
        smvp=mondo.smvp, codice="TP", descrizione="Tempestività dei pagamenti",
        peso_minimo=D("30"), base_peso="totale")
    ObiettivoIndividuale.objects.filter(scheda=mondo.scheda, peso=D("60")).update(
        obbligatorio=obbligatorio)
    with pytest.raises(processo.ErroreProcesso,
                       match="L'obiettivo obbligatorio «TP» pesa 24 % del punteggio totale: deve "
                             "pesare almeno 30 %"):
        processo.esegui(mondo.scheda, "assegna_obiettivi", mondo.valutatore, oggi=OGGI,
                        data=datetime.date(ANNO, 1, 15))


def test_errori_assegnazione_is_pure():
    assert processo.errori_assegnazione(peso_obiettivi=D("50"), peso_comportamenti=D("0"),
                                        descrizioni=["A"], n_comportamenti=0) == []
    assert processo.errori_assegnazione(peso_obiettivi=D("50"), peso_comportamenti=D("10"),
                                        descrizioni=["A", " "], n_comportamenti=0) == [
        "L'obiettivo n. 2 non ha una descrizione.",
        "La scheda non ha comportamenti da valutare: aggiungerli dal gruppo di ruolo.",
    ]


def test_component_weights_must_sum_to_100(mondo, queries_finte):
    SchedaValutazione.objects.filter(pk=mondo.scheda.pk).update(peso_ente=D("5"))
    with pytest.raises(processo.ErroreProcesso, match="La somma dei pesi delle componenti è 95"):
        processo.esegui(mondo.scheda, "assegna_obiettivi", mondo.valutatore, oggi=OGGI,
                        data=datetime.date(ANNO, 1, 15))


def test_an_incomplete_scheda_is_not_delivered(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.VALUTAZIONE, mondo)
    queries_finte.mancanti = ["manca il grado di raggiungimento dell'obiettivo «Formazione»"]
    with pytest.raises(processo.ErroreProcesso) as errore:
        processo.esegui(scheda, "consegna_valutazione", mondo.valutatore, oggi=OGGI,
                        data=datetime.date(ANNO + 1, 2, 20))
    assert errore.value.messages == [
        "La scheda è incompleta: manca il grado di raggiungimento dell'obiettivo «Formazione»"]
    scheda.refresh_from_db()
    assert scheda.stato == S.VALUTAZIONE and scheda.data_valutazione is None


def test_organisational_scores_filled_when_the_evaluation_starts(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.COLLOQUIO_INTERMEDIO, mondo)
    assert scheda.punteggio_ente is None
    queries_finte.ente = None  # the ente's result is not computable yet
    scheda = processo.esegui(scheda, "avvia_valutazione", mondo.valutatore, oggi=OGGI)
    assert (scheda.punteggio_ente, scheda.punteggio_area) == (None, D("70"))
    queries_finte.ente = D("80")  # ready at the delivery: read again
    scheda = processo.esegui(scheda, "consegna_valutazione", mondo.valutatore, oggi=OGGI,
                             data=datetime.date(ANNO + 1, 2, 20))
    assert scheda.punteggio_ente == D("80")


# --- dirigenti: the Nucleo proposes, the evaluator (Sindaco) delivers --------------------------

def test_dirigente_delivered_only_after_the_nucleo_proposal(mondo, queries_finte):
    scheda = porta_a(mondo.scheda_dirigente, S.VALUTAZIONE, mondo)
    assert [a.nome for a in processo.azioni_possibili(scheda, mondo.nucleo, oggi=OGGI)] == [
        "proposta_nucleo"]
    with pytest.raises(processo.ErroreProcesso, match="Nucleo di valutazione non ha ancora"):
        processo.esegui(scheda, "consegna_valutazione", mondo.sindaco, oggi=OGGI,
                        data=datetime.date(ANNO + 1, 2, 20))
    with pytest.raises(processo.ErroreProcesso, match="spetta solo al Nucleo di valutazione"):
        processo.esegui(scheda, "proposta_nucleo", mondo.sindaco, oggi=OGGI)
    processo.esegui(scheda, "proposta_nucleo", mondo.nucleo, oggi=OGGI)
    scheda = processo.esegui(scheda, "consegna_valutazione", mondo.sindaco, oggi=OGGI,
                             data=datetime.date(ANNO + 1, 2, 20))
    assert scheda.stato == S.PRESA_VISIONE
    # the dirigente evaluated signs their own scheda
    assert "firma_presa_visione" in [
        a.nome for a in processo.azioni_possibili(scheda, mondo.valutatore, oggi=OGGI)]


def test_no_nucleo_proposal_for_staff(mondo, queries_finte):
    scheda = porta_a(mondo.scheda, S.VALUTAZIONE, mondo)
    assert processo.azioni_possibili(scheda, mondo.nucleo, oggi=OGGI) == []
    with pytest.raises(processo.ErroreProcesso, match="spetta solo al Nucleo|solo le schede"):
        processo.esegui(scheda, "proposta_nucleo", mondo.nucleo, oggi=OGGI)


# --- a person without a login: signed on paper, recorded by the evaluator or HR -----------------

def test_paper_signature_recorded_for_the_person(mondo, queries_finte):
    scheda = porta_a(mondo.scheda_carta, S.COLLOQUIO_INIZIALE, mondo)
    assert "firma_assegnazione" in [
        a.nome for a in processo.azioni_possibili(scheda, mondo.amministratore, oggi=OGGI)]
    scheda = processo.esegui(scheda, "firma_assegnazione", mondo.valutatore, oggi=OGGI)
    assert scheda.history.first().history_change_reason == (
        "Firma per presa visione degli obiettivi (per conto della persona)")
    # with a login, nobody signs for the person
    altra = porta_a(mondo.scheda, S.COLLOQUIO_INIZIALE, mondo)
    with pytest.raises(processo.ErroreProcesso, match="spetta solo alla persona valutata"):
        processo.esegui(altra, "firma_assegnazione", mondo.valutatore, oggi=OGGI)


def test_nobody_evaluates_themselves(mondo, queries_finte):
    SchedaValutazione.objects.filter(pk=mondo.scheda_dirigente.pk).update(valutatore=mondo.valutatore)
    with pytest.raises(processo.ErroreProcesso, match="Il valutatore della scheda è la persona valutata"):
        processo.esegui(mondo.scheda_dirigente, "assegna_obiettivi", mondo.valutatore, oggi=OGGI,
                        data=datetime.date(ANNO, 1, 15))


def test_unknown_action(mondo):
    with pytest.raises(processo.ErroreProcesso, match="Azione sconosciuta"):
        processo.esegui(mondo.scheda, "cancella", mondo.amministratore)


def test_the_labels_are_italian_buttons():
    assert processo.AZIONI["chiedi_conciliazione"].etichetta == "Chiedi la conciliazione"
    assert str(processo.AZIONI["firma_assegnazione"]) == "Firma per presa visione degli obiettivi"
    assert all(len(a.motivo) <= 80 for a in processo.AZIONI.values())
    assert set(processo.AZIONI) == set(processo.DA_A) == set(processo.CHI)
    assert {s for da, _a in processo.DA_A.values() for s in da} | {
        a for _da, a in processo.DA_A.values() if a} == set(SchedaValutazione.Stato.values)
