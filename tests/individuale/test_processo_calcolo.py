"""The process with calcolo's real reads (individuale.queries): the organisational scores kept
when the evaluation starts, calcolo's «what is missing» refusing the delivery, the final score
computed when the scheda becomes definitive."""

import datetime
from decimal import Decimal

import pytest

from individuale import processo, queries
from individuale.models import ObiettivoIndividuale, PunteggioComportamento

from .dati_calcolo import crea_ciclo
from .processo_mondo import ANNO, OGGI, S, _gruppo, _scheda, _utente, porta_a

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def mondo():
    from types import SimpleNamespace

    from individuale.models import Comportamento, LivelloComportamento, Persona
    from obiettivi import permessi

    ciclo, aree = crea_ciclo()
    smvp = ciclo.smvp
    gruppo = _gruppo(smvp, "dipendente", peso_ente=D("10"), peso_area=D("20"),
                     peso_obiettivi=D("40"), peso_comportamenti=D("30"))
    comportamento = Comportamento.objects.create(smvp=smvp, codice="C1", nome="Collaborazione")
    comportamento.gruppi.add(gruppo)
    for valore in range(1, 6):
        LivelloComportamento.objects.get_or_create(smvp=smvp, valore=valore,
                                                   defaults={"etichetta": f"livello {valore}"})
    valutato = _utente("mario.rossi", staff=False)
    valutatore = _utente("dirigente.uno", permessi.DIRIGENTE)
    persona = Persona.objects.create(ente=ciclo.ente, cognome="Rossi", nome="Mario",
                                     matricola="M001", utente=valutato)
    # a service of Area uno: it takes its area's score
    scheda = _scheda(ciclo, persona, gruppo, aree["s11"], valutatore)
    return SimpleNamespace(ciclo=ciclo, scheda=scheda, valutato=valutato, valutatore=valutatore,
                           nucleo=None)


def test_organisational_scores_and_final_score(mondo):
    organizzativi = queries.punteggi_organizzativi(mondo.ciclo)
    scheda = porta_a(mondo.scheda, S.VALUTAZIONE, mondo)
    assert scheda.punteggio_ente == organizzativi["ente"] is not None
    assert scheda.punteggio_area == D("95.00")  # Area uno: (4 + 5 × 3) / 4 = 4,75 → 95
    with pytest.raises(processo.ErroreProcesso) as errore:
        processo.esegui(scheda, "consegna_valutazione", mondo.valutatore, oggi=OGGI,
                        data=datetime.date(ANNO + 1, 2, 20))
    assert any(m.startswith("La scheda è incompleta: grado di raggiungimento mancante per 2 obiettivi")
               for m in errore.value.messages), errore.value.messages
    ObiettivoIndividuale.objects.filter(scheda=scheda).update(risultato=D("90"))
    PunteggioComportamento.objects.filter(scheda=scheda).update(livello=4)
    scheda = processo.esegui(scheda, "consegna_valutazione", mondo.valutatore, oggi=OGGI,
                             data=datetime.date(ANNO + 1, 2, 20))
    atteso = queries.risultato_scheda(scheda).punteggio
    # 10 % × ente + 20 % × 95 + 40 % × 90 + 30 % × 80
    assert atteso == (D("0.1") * organizzativi["ente"] + D("19") + D("36") + D("24")).quantize(D("0.01"))
    scheda = processo.esegui(scheda, "firma_presa_visione", mondo.valutato, oggi=OGGI)
    scheda = processo.esegui(scheda, "rinuncia_conciliazione", mondo.valutato, oggi=OGGI)
    assert scheda.stato == S.DEFINITIVA and scheda.punteggio_finale == atteso


@pytest.mark.parametrize("obiettivi", [2, 20])
def test_the_persons_page_with_its_scores_in_fixed_queries(mondo, obiettivi,
                                                           django_assert_max_num_queries):
    """The person's page once the evaluation is delivered (scores, components, timeline): the
    same queries with 2 or 20 objectives."""
    from django.test import Client

    ObiettivoIndividuale.objects.filter(scheda=mondo.scheda).delete()
    for n in range(obiettivi):
        ObiettivoIndividuale.objects.create(scheda=mondo.scheda, descrizione=f"Obiettivo {n}",
                                            peso=D(100) / obiettivi, risultato=D("90"), ordine=n)
    if sum(o.peso for o in mondo.scheda.obiettivi.all()) != 100:  # 100 / 20 is exact; keep it so
        pytest.fail("pesi non esatti")
    PunteggioComportamento.objects.filter(scheda=mondo.scheda).update(livello=4)
    scheda = porta_a(mondo.scheda, S.PRESA_VISIONE, mondo)
    client = Client()
    client.force_login(mondo.valutato)
    with django_assert_max_num_queries(12):
        risposta = client.get(f"/valutazione-individuale/schede/{scheda.pk}/", HTTP_HOST="127.0.0.1")
    assert risposta.status_code == 200
    testo = risposta.content.decode()
    assert testo.count("Obiettivo ") >= obiettivi
    assert f"{queries.risultato_scheda(scheda).punteggio}".replace(".", ",") in testo
