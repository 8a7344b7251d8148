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
  90.000 €), the objectives and behaviour scores of every scheda, every scheda definitive with its
  steps dated and recorded in the history, and one conciliazione (request, reasons, outcome).

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

from . import predefiniti, servizi
from .models import FondoPremi, ObiettivoIndividuale, Persona, PunteggioComportamento, SchedaValutazione

PASSWORD_DEMO = "demo"  # as obiettivi.demo.PASSWORD_DEMO (imported there; not here, to avoid a cycle)
DOMINIO_EMAIL_DEMO = "demo.invalid"
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

# The steps of every scheda, with their dates (the 2021 evaluation is made in spring 2022).
DATA_COLLOQUIO_INIZIALE = datetime.date(2021, 3, 15)
DATA_COLLOQUIO_INTERMEDIO = datetime.date(2021, 9, 20)
DATA_VALUTAZIONE = datetime.date(2022, 4, 20)


def _momento(giorno: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(giorno, datetime.time(10, 0)))


@dataclass
class RiepilogoSchede:
    creato: bool = False
    schede: int = 0
    utenti: list = field(default_factory=list)  # (username, ruolo)


def _utente(username, *, nome, staff, gruppo=None):
    user, _ = get_user_model().objects.get_or_create(username=username)
    cambiati = []
    for campo, valore in (("is_staff", staff), ("is_active", True), ("first_name", nome),
                          ("email", f"{username}@{DOMINIO_EMAIL_DEMO}")):
        if getattr(user, campo) != valore:
            setattr(user, campo, valore)
            cambiati.append(campo)
    if not user.check_password(PASSWORD_DEMO):
        user.set_password(PASSWORD_DEMO)
        cambiati.append("password")
    if cambiati:
        user.save(update_fields=cambiati)
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
    _obiettivi_e_comportamenti(ciclo, schede)
    _processo(ciclo, schede)
    riepilogo.creato, riepilogo.schede = True, len(schede)
    return riepilogo


def _obiettivi_e_comportamenti(ciclo, schede):
    """Individual objectives (cascading from the area's plan objectives) up to 100 % with the
    mandatory ones, their results and the behaviour levels: fixed patterns by position."""
    piano = {}
    for ob in Obiettivo.objects.filter(ciclo=ciclo, stato=Obiettivo.Stato.ATTIVO).order_by("ordine", "codice"):
        piano.setdefault(ob.area_id, []).append(ob)
    nuovi = []
    for n, s in enumerate(schede):
        obbligatori = list(s.obiettivi.all())
        resto = Decimal("100") - sum((o.peso for o in obbligatori), Decimal("0"))
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
    bulk_create_with_history(nuovi, ObiettivoIndividuale)
    obiettivi = list(ObiettivoIndividuale.objects.filter(scheda__ciclo=ciclo).order_by("scheda_id", "ordine", "id"))
    posizione = {s.pk: n for n, s in enumerate(schede)}
    for k, o in enumerate(obiettivi):
        n = posizione[o.scheda_id]
        o.risultato = Decimal(100 - (n * 7 + k * 3) % 35)  # 66–100 %
        if n == 3:  # one person far behind: the lowest band of the SMVP
            o.risultato = Decimal("30")
    bulk_update_with_history(obiettivi, ObiettivoIndividuale, ["risultato"], default_change_reason=MOTIVO)
    punteggi = list(PunteggioComportamento.objects.filter(scheda__ciclo=ciclo).order_by("scheda_id", "id"))
    for k, p in enumerate(punteggi):
        n = posizione[p.scheda_id]
        p.livello = 2 if n == 3 else 3 + (n + k) % 3  # 3, 4 or 5
    bulk_update_with_history(punteggi, PunteggioComportamento, ["livello"], default_change_reason=MOTIVO)


def _processo(ciclo, schede):
    """Every scheda through its steps (colloquio iniziale, intermedio, valutazione, presa
    visione, definitiva), each a history row; the seventh staff scheda through a conciliazione."""
    from . import queries

    organizzativi = queries.punteggi_organizzativi(ciclo)
    staff = [s for s in schede if s.gruppo.codice != predefiniti.DIRIGENTE]
    conciliata = staff[6]

    def passo(stato, **campi):
        for s in schede:
            s.stato = stato
            for nome, valore in campi.items():
                setattr(s, nome, valore(s) if callable(valore) else valore)
        bulk_update_with_history(schede, SchedaValutazione, ["stato", *campi],
                                 default_change_reason=MOTIVO)

    passo(SchedaValutazione.Stato.COLLOQUIO_INIZIALE, data_colloquio_iniziale=DATA_COLLOQUIO_INIZIALE,
          firma_assegnazione=_momento(DATA_COLLOQUIO_INIZIALE + datetime.timedelta(days=2)))
    passo(SchedaValutazione.Stato.COLLOQUIO_INTERMEDIO, data_colloquio_intermedio=DATA_COLLOQUIO_INTERMEDIO,
          note_colloquio_intermedio="Obiettivi confermati; nessuna variazione.")
    passo(
        SchedaValutazione.Stato.VALUTAZIONE, data_valutazione=DATA_VALUTAZIONE,
        punteggio_ente=lambda s: organizzativi.get("ente"),
        punteggio_area=lambda s: _area(organizzativi, s),
        punteggio_differenziazione=lambda s: (
            Decimal(80 + 5 * (s.pk % 4)) if s.gruppo.codice == predefiniti.DIRIGENTE else None),
        commento_valutatore="Valutazione dimostrativa.",
    )
    passo(SchedaValutazione.Stato.PRESA_VISIONE,
          firma_presa_visione=_momento(DATA_VALUTAZIONE + datetime.timedelta(days=5)))
    conciliata.stato = SchedaValutazione.Stato.CONCILIAZIONE
    conciliata.conciliazione_richiesta = _momento(DATA_VALUTAZIONE + datetime.timedelta(days=12))
    conciliata.osservazioni_valutato = "Chiedo che si tenga conto del periodo di maggior carico di lavoro."
    conciliata.conciliazione_motivi = ("Il risultato del secondo obiettivo non considera le pratiche "
                                       "arretrate ricevute da un altro ufficio a settembre.")
    conciliata._change_reason = MOTIVO
    conciliata.save()
    for s in schede:
        s.punteggio_finale = queries.risultato_scheda(s).punteggio
    conciliata.conciliazione_esito = ("Accolta in parte: il risultato del secondo obiettivo è "
                                      "rivisto tenendo conto delle pratiche ricevute; il punteggio "
                                      "finale sale di 3 punti.")
    conciliata.conciliazione_punteggio = min(Decimal("100"), conciliata.punteggio_finale + 3)
    conciliata.punteggio_finale = conciliata.conciliazione_punteggio
    passo(SchedaValutazione.Stato.DEFINITIVA,
          data_definitiva=lambda s: _momento(DATA_VALUTAZIONE + datetime.timedelta(
              days=40 if s is conciliata else 25)),
          punteggio_finale=lambda s: s.punteggio_finale,
          conciliazione_esito=lambda s: s.conciliazione_esito,
          conciliazione_punteggio=lambda s: s.conciliazione_punteggio)


def _area(organizzativi, scheda):
    return organizzativi.get(scheda.area_id)
