"""The illustrative performance individuale of the Seregno 2021 demo (issue 16, point 7).

``carica_schede_demo(ciclo, aree)`` — called by ``obiettivi.demo.carica_demo`` before the 2021
Relazione is published, so that its ``premi`` (art. 20 D.Lgs. 33/2013) are in the publication —
gives the cycle's SMVP the default individual rules (``individuale.predefiniti``) and writes:

* the six dirigenti's schede (their users ``dirigente.<area>``), evaluated by the user
  ``sindaco`` (group «Valutatore») and seen by the Nucleo;
* 30 staff schede, five per area: one elevata qualificazione in each of the first five areas, the
  others dipendenti; among them ``dipendente.demo`` (a login without admin rights, area Lavori
  pubblici) with their own scheda;
* one fund per role group (Dirigenti 60.000 €, Elevate qualificazioni 15.000 €, Dipendenti
  90.000 €), the objectives and behaviour scores of every scheda, every scheda taken to
  «definitiva» through ``individuale.processo.esegui`` (each step on its day, in the history,
  by the user who takes it), and one conciliazione (request, reasons, outcome).

Every person is invented (``Persona.fittizia``: surnames of trees, matricole ``DEMO-…``) and every
figure illustrative; the cycle's ``nota_dati_dimostrativi`` (fixtures/seregno_2021/ciclo.json)
says so. Idempotent: once the cycle has schede nothing is written again, so a second
``carica_demo`` leaves the published Relazione unchanged.

The scores are fixed patterns, not random numbers: every run gives the same schede.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from obiettivi import permessi
from obiettivi.models import Obiettivo
from seregno_perf import formati

from . import predefiniti, servizi
from .models import FondoPremi, ObiettivoIndividuale, Persona, PunteggioComportamento, SchedaValutazione

MOTIVO = "Schede dimostrative della demo Seregno 2021"

# Invented people: surnames are trees, given names common ones.
COGNOMI = (
    "Acero", "Betulla", "Castagno", "Faggio", "Frassino", "Gelso", "Larice", "Noce", "Olmo",
    "Pino", "Quercia", "Salice", "Tiglio", "Ontano", "Carpino", "Cipresso", "Mirto", "Alloro",
    "Ginepro", "Sorbo", "Nocciolo", "Platano", "Pioppo", "Rovere", "Cedro", "Abete", "Ciliegio",
    "Melo", "Susino", "Corbezzolo", "Agrifoglio", "Biancospino", "Sambuco", "Tasso", "Ulivo",
    "Magnolia",
)
NOMI = (
    "Anna", "Bruno", "Carla", "Davide", "Elena", "Franco", "Giulia", "Luca", "Marta", "Nicola",
    "Paola", "Roberto",
)
STAFF_PER_AREA = 5
FONDI = (  # group codice, name, amount
    (predefiniti.DIRIGENTE, "Retribuzione di risultato dei dirigenti 2021", Decimal("60000")),
    (predefiniti.ELEVATA_QUALIFICAZIONE, "Retribuzione di risultato delle elevate qualificazioni 2021",
     Decimal("15000")),
    (predefiniti.DIPENDENTE, "Fondo risorse decentrate 2021: premi correlati alla performance",
     Decimal("90000")),
)
USERNAME_DIPENDENTE = "dipendente.demo"
USERNAME_SINDACO = "sindaco"

# The steps of every scheda, with their days (the 2021 evaluation is made in spring 2022).
DATA_COLLOQUIO_INIZIALE = datetime.date(2021, 3, 15)
DATA_COLLOQUIO_INTERMEDIO = datetime.date(2021, 9, 20)


@dataclass
class RiepilogoSchede:
    creato: bool = False
    schede: int = 0
    utenti: list = field(default_factory=list)  # (username, ruolo)


def _utente(username, *, nome, staff, gruppo=None):
    from obiettivi.demo import utente_demo  # here: obiettivi.demo imports this module

    user = utente_demo(username, nome=nome, staff=staff)
    if gruppo is not None and not user.groups.filter(name=gruppo).exists():
        user.groups.add(Group.objects.get(name=gruppo))
    return user


def utenti_demo():
    """The demo users of performance individuale (created by ``carica_schede_demo``)."""
    return [(USERNAME_SINDACO, "Sindaco: valuta i dirigenti"),
            (USERNAME_DIPENDENTE, "Dipendente: vede e firma la propria scheda")]


@transaction.atomic
def carica_schede_demo(ciclo, aree) -> RiepilogoSchede:
    """Write the illustrative schede of ``ciclo`` (see the module docstring); ``aree``: the
    cycle's top-level areas, whose ``dirigente.<slug>`` users exist (``crea_utenti_demo``)."""
    riepilogo = RiepilogoSchede(utenti=utenti_demo())
    sindaco = _utente(USERNAME_SINDACO, nome="Sindaco", staff=True, gruppo=permessi.VALUTATORE)
    dipendente = _utente(USERNAME_DIPENDENTE, nome="Dipendente dimostrativo", staff=False)
    if SchedaValutazione.objects.filter(ciclo=ciclo).exists():
        return riepilogo
    servizi.regole_predefinite_crea(smvp=ciclo.smvp)
    gruppi = {g.codice: g for g in ciclo.smvp.gruppi_ruolo.all()}
    gruppi_per_id = {g.pk: g for g in gruppi.values()}
    aree = sorted(aree, key=lambda a: (a.ordine, a.codice))
    utenti = get_user_model().objects.in_bulk([f"dirigente.{a.slug}" for a in aree], field_name="username")

    nomi = iter(zip(COGNOMI, NOMI * 3))
    numero = iter(range(1, 1000))

    def persona(utente=None):
        cognome, nome = next(nomi)
        return Persona(ente_id=ciclo.ente_id, cognome=cognome, nome=nome, utente=utente,
                       matricola=f"DEMO-{next(numero):04d}", fittizia=True)

    dirigenti = {a.slug: persona(utenti[f"dirigente.{a.slug}"]) for a in aree}
    staff = {a.slug: [persona() for _ in range(STAFF_PER_AREA)] for a in aree}
    staff["lavori-pubblici"][-1].utente = dipendente
    bulk_create_with_history([*dirigenti.values(), *(p for ps in staff.values() for p in ps)], Persona)
    persone = {p.matricola: p for p in Persona.objects.filter(ente_id=ciclo.ente_id, fittizia=True)}

    schede = []
    for i, area in enumerate(aree):
        schede += servizi.crea_schede(ciclo, gruppi[predefiniti.DIRIGENTE], area,
                                      [persone[dirigenti[area.slug].matricola]], valutatore=sindaco)
        suoi = [persone[p.matricola] for p in staff[area.slug]]
        eq = suoi[:1] if i < len(aree) - 1 else []
        if eq:
            schede += servizi.crea_schede(ciclo, gruppi[predefiniti.ELEVATA_QUALIFICAZIONE], area, eq)
        schede += servizi.crea_schede(ciclo, gruppi[predefiniti.DIPENDENTE], area, suoi[len(eq):])
    for codice, nome, importo in FONDI:
        FondoPremi.objects.create(ciclo=ciclo, nome=nome, gruppo=gruppi[codice], importo=importo)
    schede.sort(key=lambda s: s.persona.matricola)
    for s in schede:
        s.gruppo = gruppi_per_id[s.gruppo_id]
    _obiettivi(ciclo, schede)
    _processo(ciclo, schede)
    riepilogo.creato, riepilogo.schede = True, len(schede)
    return riepilogo


def _obiettivi(ciclo, schede):
    """Individual objectives cascading from the area's plan objectives, up to 100 % with the
    mandatory ones that ``crea_schede`` gave every scheda."""
    piano = {}
    for ob in Obiettivo.objects.filter(ciclo=ciclo, stato=Obiettivo.Stato.ATTIVO).order_by("ordine", "codice"):
        piano.setdefault(ob.area_id, []).append(ob)
    pesi_obbligatori = {}
    for scheda_id, peso in ObiettivoIndividuale.objects.filter(scheda__in=schede).values_list("scheda_id", "peso"):
        pesi_obbligatori[scheda_id] = pesi_obbligatori.get(scheda_id, Decimal("0")) + peso
    nuovi = []
    for n, s in enumerate(schede):
        resto = Decimal("100") - pesi_obbligatori.get(s.pk, Decimal("0"))
        del_piano = piano.get(s.area_id) or [None]
        pesi = [resto] if s.gruppo.codice == predefiniti.DIRIGENTE else [resto - 40, Decimal("40")]
        for k, peso in enumerate(pesi):
            ob = del_piano[(n + k) % len(del_piano)]
            nuovi.append(ObiettivoIndividuale(
                scheda=s, obiettivo=ob, peso=peso, ordine=10 + k,
                descrizione=(f"Contributo all'obiettivo {ob.codice}: {ob.titolo}" if ob
                             else "Cura delle pratiche dell'ufficio nei tempi previsti"),
                indicatore="Attività e scadenze dell'obiettivo del Piano rispettate",
            ))
    bulk_create_with_history(nuovi, ObiettivoIndividuale, default_change_reason=MOTIVO)


# Evaluation profiles: (objectives' result %, behaviour level, capacity to differentiate).
PROFILI = {
    "A": (Decimal("100"), 5, Decimal("100")),  # about 92 points: 90–100
    "B": (Decimal("90"), 4, Decimal("85")),  # about 82: 80–90
    "C": (Decimal("75"), 3, Decimal("70")),  # about 71: 70–80
    "D": (Decimal("70"), 2, Decimal("60")),  # about 61: 60–70
    "E": (Decimal("30"), 1, Decimal("50")),  # about 46: below 60, no bonus
}
# Dirigenti all «B», elevate qualificazioni all «A», the 25 dipendenti in this order.
PROFILI_DIPENDENTI = "ABACABBCABAEBCABDABCABACA"
# HR data that make some bonuses smaller (position among the dipendenti → field, value).
DATI_HR = {2: ("part_time", Decimal("50")), 9: ("part_time", Decimal("83.33")),
           15: ("mesi_servizio", Decimal("8"))}


def _profili(schede) -> dict:
    """scheda id → its profile letter."""
    profili, dipendenti = {}, 0
    for s in schede:
        if s.gruppo.codice == predefiniti.DIRIGENTE:
            profili[s.pk] = "B"
        elif s.gruppo.codice == predefiniti.ELEVATA_QUALIFICAZIONE:
            profili[s.pk] = "A"
        else:
            profili[s.pk] = PROFILI_DIPENDENTI[dipendenti % len(PROFILI_DIPENDENTI)]
            dipendenti += 1
    return profili


def _valuta(ciclo, schede, profili):
    """The evaluators' scores, as they enter them in the scheda: the objectives' results, the
    behaviour levels and, for the dirigenti, the capacity to differentiate (by ``PROFILI``,
    each result a point or two lower for the second and third objective, so that the totals
    differ)."""
    obiettivi = list(ObiettivoIndividuale.objects.filter(scheda__ciclo=ciclo).order_by("scheda_id", "ordine", "id"))
    for k, o in enumerate(obiettivi):
        o.risultato = PROFILI[profili[o.scheda_id]][0] - k % 3
        o.commento = "Risultato verificato nel colloquio di valutazione."
    bulk_update_with_history(obiettivi, ObiettivoIndividuale, ["risultato", "commento"],
                             default_change_reason=MOTIVO, default_date=_momento(DATA_CONSEGNA))
    punteggi = list(PunteggioComportamento.objects.filter(scheda__ciclo=ciclo))
    for p in punteggi:
        p.livello = PROFILI[profili[p.scheda_id]][1]
    bulk_update_with_history(punteggi, PunteggioComportamento, ["livello"],
                             default_change_reason=MOTIVO, default_date=_momento(DATA_CONSEGNA))
    for s in schede:
        if s.peso_differenziazione:
            s.punteggio_differenziazione = PROFILI[profili[s.pk]][2]
        s.commento_valutatore = "Valutazione dimostrativa: obiettivi e comportamenti come da scheda."


# The days of the steps (the 2021 evaluation is made in spring 2022).
DATA_FIRMA_ASSEGNAZIONE = datetime.date(2021, 3, 17)
DATA_CONSEGNA = datetime.date(2022, 4, 20)
DATA_FIRMA = datetime.date(2022, 4, 22)
DATA_RICHIESTA = datetime.date(2022, 4, 29)
DATA_ESITO = datetime.date(2022, 5, 27)


def _momento(giorno):
    return timezone.make_aware(datetime.datetime.combine(giorno, datetime.time(10, 0)))


def _processo(ciclo, schede):
    """Every scheda through the steps of ``individuale.processo`` — colloquio iniziale and the
    person's signature, colloquio intermedio, evaluation (with the Nucleo's proposal for the
    dirigenti), delivery, the person's signature, «definitiva» — each step one history row on
    its day, by the user who takes it, with the reason ``processo`` writes (so
    ``processo.cronologia`` reads the timeline back); the seventh staff scheda through a
    conciliazione recorded by the Amministratore.

    Written in bulk rather than through ``processo.esegui``, which takes 38 ms per action: 260
    actions would add 10 s to ``make demo``. The scores are ``queries``'s, as ``esegui`` records
    them."""
    from . import processo, queries

    utenti = get_user_model().objects.in_bulk(["admin", "nucleo"], field_name="username")
    schede = list(SchedaValutazione.objects.filter(pk__in=[s.pk for s in schede])
                  .select_related("persona__utente", "gruppo", "valutatore")
                  .order_by("persona__matricola"))
    profili = _profili(schede)
    dipendenti = [s for s in schede if s.gruppo.codice == predefiniti.DIPENDENTE]
    for posizione, (campo, valore) in DATI_HR.items():
        setattr(dipendenti[posizione], campo, valore)
    staff = [s for s in schede if s.gruppo.codice != predefiniti.DIRIGENTE]
    conciliata = staff[6]
    organizzativi = queries.punteggi_organizzativi(ciclo)

    def passo(azione, giorno, quali=None, *, ruolo=None, **campi):
        """Apply ``campi`` (values or functions of the scheda) and the action's state to
        ``quali`` (default every scheda), one history row each, grouped by who acts (``ruolo``,
        default the first of ``processo.CHI``)."""
        quali = schede if quali is None else quali
        _da, stato = processo.DA_A[azione]
        per_utente = {}
        for s in quali:
            for nome, valore in campi.items():
                setattr(s, nome, valore(s) if callable(valore) else valore)
            if stato is not None:
                s.stato = stato
            chi_agisce = ruolo or processo.CHI[azione][0]
            per_conto = chi_agisce == "valutato" and s.persona.utente is None
            chi = {"valutato": s.persona.utente or s.valutatore, "nucleo": utenti["nucleo"],
                   "amministratore": utenti["admin"]}.get(chi_agisce, s.valutatore)
            per_utente.setdefault((chi, per_conto), []).append(s)
        motivo = processo.AZIONI[azione].motivo
        if azione in ("assegna_obiettivi", "colloquio_intermedio", "consegna_valutazione"):
            motivo += f" il {formati.data(giorno)}"
        for (chi, per_conto), gruppo in per_utente.items():
            bulk_update_with_history(
                gruppo, SchedaValutazione, ["stato", *campi], default_user=chi,
                default_change_reason=(motivo + (" (per conto della persona)" if per_conto else ""))[:100],
                default_date=_momento(giorno))

    passo("assegna_obiettivi", DATA_COLLOQUIO_INIZIALE, data_colloquio_iniziale=DATA_COLLOQUIO_INIZIALE,
          part_time=lambda s: s.part_time, mesi_servizio=lambda s: s.mesi_servizio)
    passo("firma_assegnazione", DATA_FIRMA_ASSEGNAZIONE,
          firma_assegnazione=_momento(DATA_FIRMA_ASSEGNAZIONE))
    passo("colloquio_intermedio", DATA_COLLOQUIO_INTERMEDIO,
          data_colloquio_intermedio=DATA_COLLOQUIO_INTERMEDIO,
          note_colloquio_intermedio="Obiettivi confermati; nessuna variazione.")
    passo("avvia_valutazione", DATA_CONSEGNA - datetime.timedelta(days=30),
          punteggio_ente=organizzativi.get("ente"),
          punteggio_area=lambda s: organizzativi.get(s.area_id))
    _valuta(ciclo, schede, profili)
    passo("proposta_nucleo", DATA_CONSEGNA - datetime.timedelta(days=5),
          [s for s in schede if s.gruppo.nucleo_vede],
          punteggio_differenziazione=lambda s: s.punteggio_differenziazione,
          commento_valutatore=lambda s: s.commento_valutatore)
    passo("consegna_valutazione", DATA_CONSEGNA, data_valutazione=DATA_CONSEGNA,
          punteggio_differenziazione=lambda s: s.punteggio_differenziazione,
          commento_valutatore=lambda s: s.commento_valutatore)
    passo("firma_presa_visione", DATA_FIRMA, firma_presa_visione=_momento(DATA_FIRMA),
          osservazioni_valutato=lambda s: (
              "Chiedo che si tenga conto del periodo di maggior carico di lavoro."
              if s is conciliata else ""))
    altre = [s for s in schede if s is not conciliata]
    passo("rinuncia_conciliazione", DATA_FIRMA, altre, data_definitiva=_momento(DATA_FIRMA),
          punteggio_finale=lambda s: queries.risultato_scheda(s, organizzativi).punteggio)
    passo("chiedi_conciliazione", DATA_RICHIESTA, [conciliata],
          conciliazione_richiesta=_momento(DATA_RICHIESTA),
          conciliazione_motivi="Il risultato del secondo obiettivo non considera le pratiche "
                               "arretrate ricevute da un altro ufficio a settembre.")
    decisa = min(Decimal("100"), queries.risultato_scheda(conciliata, organizzativi).punteggio + 3)
    passo("esito_conciliazione", DATA_ESITO, [conciliata], ruolo="amministratore",
          data_definitiva=_momento(DATA_ESITO),
          conciliazione_esito="Accolta in parte: il risultato del secondo obiettivo è rivisto "
                              "tenendo conto delle pratiche ricevute; il punteggio finale sale "
                              "di 3 punti.",
          conciliazione_punteggio=decisa, punteggio_finale=decisa)
