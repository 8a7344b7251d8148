"""A small world for the process tests (individuale.processo) and the person's own pages: one
cycle (2021) with an SMVP, one area, two role groups (dipendente; dirigente, proposed by the
Nucleo), people with and without a login and their schede, built with the ORM.

``queries_finte`` stands in for calcolo's reads (``individuale.queries``) with fixed figures, so
the process is tested on its own rules; ``tests/individuale/test_processo_calcolo.py`` runs it
with the real ones."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model

from individuale import processo
from individuale.models import (
    Comportamento, GruppoRuolo, LivelloComportamento, ObiettivoIndividuale, Persona,
    PunteggioComportamento, SchedaValutazione,
)
from obiettivi import permessi
from obiettivi.models import Ciclo, Ente
from obiettivi.services import area_upsert
from valutazione.services import smvp_create_default
from tests.ruoli.incarichi import dai_ruolo

D = Decimal
S = SchedaValutazione.Stato
ANNO = 2021
# A day inside every bound of the 2021 cycle: the «oggi» of most tests.
OGGI = datetime.date(2022, 3, 1)
PUNTEGGIO = D("77.50")


def _utente(username, ruolo=None, *, staff=True, nome="", cognome=""):
    user = get_user_model().objects.create_user(
        username, password="demo", is_staff=staff, first_name=nome, last_name=cognome)
    if ruolo:
        dai_ruolo(user, ruolo)
    return user


def _gruppo(smvp, codice, **campi):
    return GruppoRuolo.objects.create(smvp=smvp, codice=codice, nome=codice.capitalize(), **campi)


def _scheda(ciclo, persona, gruppo, area, valutatore, *, obiettivi=((D("60"), "Ridurre i tempi"),
                                                                    (D("40"), "Formazione"))):
    scheda = SchedaValutazione.objects.create(
        ciclo=ciclo, persona=persona, gruppo=gruppo, area=area, valutatore=valutatore,
        **{c: getattr(gruppo, c) for c in ("peso_ente", "peso_area", "peso_obiettivi",
                                           "peso_comportamenti", "peso_differenziazione")})
    for ordine, (peso, testo) in enumerate(obiettivi):
        ObiettivoIndividuale.objects.create(scheda=scheda, descrizione=testo, peso=peso,
                                            indicatore="100 % entro dicembre", ordine=ordine)
    for c in gruppo.comportamenti.all():
        PunteggioComportamento.objects.create(scheda=scheda, comportamento=c)
    return scheda


def costruisci_mondo():
    ente = Ente.objects.create(slug="prova", nome="Comune di Prova")
    smvp = smvp_create_default(ente=ente)
    ciclo = Ciclo.objects.create(ente=ente, anno=ANNO, stato=Ciclo.Stato.RENDICONTAZIONE, smvp=smvp)
    area = area_upsert(ciclo=ciclo, codice="A", nome="Area Lavori pubblici", slug="lavori-pubblici")
    dipendenti = _gruppo(smvp, "dipendente", peso_ente=D("10"), peso_area=D("20"),
                         peso_obiettivi=D("40"), peso_comportamenti=D("30"), giorni_conciliazione=15)
    dirigenti = _gruppo(smvp, "dirigente", peso_ente=D("20"), peso_area=D("20"),
                        peso_obiettivi=D("30"), peso_comportamenti=D("20"),
                        peso_differenziazione=D("10"), nucleo_vede=True,
                        valutatore=GruppoRuolo.Valutatore.SINDACO)
    comportamento = Comportamento.objects.create(smvp=smvp, codice="C1", nome="Collaborazione",
                                                 descrizione="Lavora con i colleghi.")
    comportamento.gruppi.add(dipendenti, dirigenti)
    for valore, etichetta in enumerate(("inadeguato", "migliorabile", "adeguato", "buono",
                                        "eccellente"), start=1):
        LivelloComportamento.objects.get_or_create(smvp=smvp, valore=valore,
                                                   defaults={"etichetta": etichetta})

    m = SimpleNamespace(ente=ente, smvp=smvp, ciclo=ciclo, area=area, dipendenti=dipendenti,
                        dirigenti=dirigenti, comportamento=comportamento)
    m.valutato = _utente("mario.rossi", staff=False, nome="Mario", cognome="Rossi")
    m.altro = _utente("anna.bianchi", staff=False, nome="Anna", cognome="Bianchi")
    m.valutatore = _utente("dirigente.lavori-pubblici", permessi.DIRIGENTE, nome="Luca",
                           cognome="Verdi")
    m.altro_dirigente = _utente("dirigente.persona", permessi.DIRIGENTE)
    m.amministratore = _utente("programmazione", permessi.AMMINISTRATORE)
    m.nucleo = _utente("nucleo", permessi.NUCLEO)
    m.sindaco = _utente("sindaco", nome="Sara", cognome="Neri")
    m.dirigente_valutato = m.valutatore
    area.dirigenti.add(m.valutatore)

    m.persona = Persona.objects.create(ente=ente, cognome="Rossi", nome="Mario", matricola="M001",
                                       utente=m.valutato)
    m.persona_altra = Persona.objects.create(ente=ente, cognome="Bianchi", nome="Anna",
                                             matricola="M002", utente=m.altro)
    m.persona_carta = Persona.objects.create(ente=ente, cognome="Gialli", nome="Pia",
                                             matricola="M003")
    m.persona_dirigente = Persona.objects.create(ente=ente, cognome="Verdi", nome="Luca",
                                                 matricola="D001", utente=m.valutatore)
    m.scheda = _scheda(ciclo, m.persona, dipendenti, area, m.valutatore)
    m.scheda_altra = _scheda(ciclo, m.persona_altra, dipendenti, area, m.valutatore)
    m.scheda_carta = _scheda(ciclo, m.persona_carta, dipendenti, area, m.valutatore)
    m.scheda_dirigente = _scheda(ciclo, m.persona_dirigente, dirigenti, area, m.sindaco)
    return m


@pytest.fixture
def mondo(db):
    return costruisci_mondo()


def risultato_finto(punteggio=PUNTEGGIO, mancanti=()):
    return SimpleNamespace(punteggio=None if mancanti else punteggio, completa=not mancanti,
                           mancanti=list(mancanti), componenti=[], spiegazione=None)


class QueriesFinte:
    """calcolo's reads with fixed figures: ente 80, each area 70, every scheda 77,50."""

    def __init__(self):
        self.mancanti = []
        self.ente = D("80")

    def punteggi_organizzativi(self, ciclo):
        from obiettivi.models import Area

        return {"ente": self.ente, **{pk: D("70") for pk in
                                      Area.objects.filter(ciclo=ciclo).values_list("pk", flat=True)}}

    def risultato_scheda(self, scheda):
        return risultato_finto(mancanti=self.mancanti)


@pytest.fixture
def queries_finte(monkeypatch):
    finte = QueriesFinte()
    monkeypatch.setattr(processo, "_queries", lambda: finte)
    return finte


def porta_a(scheda, stato, m, *, oggi=OGGI):
    """Move ``scheda`` through the process up to ``stato`` with the right people (the dates of a
    2021 cycle: interviews on 15/01 and 15/07/2021, delivery on 20/02/2022)."""
    valutatore = scheda.valutatore
    firmatario = scheda.persona.utente or valutatore
    passi = [
        (S.COLLOQUIO_INIZIALE, "assegna_obiettivi", valutatore, {"data": datetime.date(ANNO, 1, 15)}),
        (None, "firma_assegnazione", firmatario, {}),
        (S.COLLOQUIO_INTERMEDIO, "colloquio_intermedio", valutatore,
         {"data": datetime.date(ANNO, 7, 15), "note": "A metà strada."}),
        (S.VALUTAZIONE, "avvia_valutazione", valutatore, {}),
        (None, "proposta_nucleo", m.nucleo, {}),
        (S.PRESA_VISIONE, "consegna_valutazione", valutatore, {"data": datetime.date(ANNO + 1, 2, 20)}),
    ]
    for arrivo, azione, utente, dati in passi:
        if scheda.stato == stato:
            return scheda
        if azione == "proposta_nucleo" and not scheda.gruppo.nucleo_vede:
            continue
        scheda = processo.esegui(scheda, azione, utente, oggi=oggi, **dati)
        if arrivo is not None and arrivo == stato:
            return scheda
    if stato == S.CONCILIAZIONE:
        return processo.esegui(scheda, "chiedi_conciliazione", firmatario, oggi=oggi,
                               motivi="Il punteggio non considera il trasferimento.")
    if stato == S.DEFINITIVA:
        return processo.esegui(scheda, "rendi_definitiva", valutatore,
                               oggi=datetime.date(ANNO + 1, 6, 1))
    assert scheda.stato == stato, (scheda.stato, stato)
    return scheda
