"""Synthetic schede at scale (``genera_dati --persone N``, the bench, the tests of the bonus).

``genera_schede(ciclo, n, seme=0)`` writes, with ``bulk_create`` (no history rows: the data are
fictitious), N fictitious people and their **definitive** schede for ``ciclo``: weights copied
from the role group, three individual objectives with their results, a level for each
behaviour of the group, the organisational figures and the final score computed by
``individuale.calcolo`` (so the stored score is the one the scheda's components give). The SMVP
rules of performance individuale are added to the cycle's SMVP when it has none
(``assicura_regole``), and an ente-wide fund when the cycle has none. Same seed → same data.
On PostgreSQL the tables written are analysed after the commit (``seregno_perf.basedati``).
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from obiettivi.models import Area
from seregno_perf.basedati import aggiorna_statistiche

from . import calcolo
from .models import (
    FondoPremi, GruppoRuolo, LivelloComportamento, ObiettivoIndividuale, Persona,
    PunteggioComportamento, SchedaValutazione,
)
from .servizi import regole_predefinite_crea

D = Decimal

LOTTO = 2000


def assicura_regole(smvp) -> dict[str, GruppoRuolo]:
    """The SMVP's role groups, behaviours, scale and bands of the bonus: the defaults of
    ``individuale.predefiniti`` (``servizi.regole_predefinite_crea``) when the SMVP has no role
    group; an SMVP already configured is left as it is. Returns codice → group."""
    if not smvp.gruppi_ruolo.exists():
        regole_predefinite_crea(smvp=smvp)
    return {g.codice: g for g in smvp.gruppi_ruolo.all()}


def _scelta_gruppo(rng, gruppi):
    """About 5 % dirigenti, 15 % EQ, the rest staff (by the default groups' codes when present)."""
    x = rng.random()
    for codice, soglia in (("dirigente", 0.05), ("eq", 0.20)):
        if codice in gruppi and x < soglia:
            return gruppi[codice]
    return gruppi.get("dipendente") or next(iter(gruppi.values()))


@transaction.atomic
def genera_schede(ciclo, n: int, seme: int = 0) -> list[SchedaValutazione]:
    """N fictitious people with a definitive scheda each in ``ciclo`` (see the module)."""
    from .queries import punteggi_organizzativi

    if ciclo.smvp_id is None:
        raise ValueError(f"Il ciclo {ciclo.anno} non ha un sistema di valutazione (SMVP): "
                         "sceglierlo nella scheda del ciclo prima di generare le schede.")
    if SchedaValutazione.objects.filter(ciclo=ciclo).exists():
        raise ValueError(f"Il ciclo {ciclo.anno} ha già delle schede di valutazione: le schede "
                         "sintetiche si generano solo in un ciclo che non ne ha.")
    rng = random.Random(seme)
    gruppi = assicura_regole(ciclo.smvp)
    comportamenti = {
        g.pk: list(g.comportamenti.order_by("ordine", "codice")) for g in gruppi.values()
    }
    massimo = max(LivelloComportamento.objects.filter(smvp=ciclo.smvp).values_list("valore", flat=True),
                  default=None)
    aree = list(Area.objects.filter(ciclo=ciclo).order_by("tree_id", "lft").values_list("id", flat=True))
    organizzativi = punteggi_organizzativi(ciclo)

    prefisso = f"S{ciclo.anno}-{seme}-"
    esistenti = dict(Persona.objects.filter(ente_id=ciclo.ente_id, matricola__startswith=prefisso)
                     .values_list("matricola", "id"))
    nuove = [
        Persona(ente_id=ciclo.ente_id, cognome=f"Fittizio {i + 1}", nome="Persona",
                matricola=f"{prefisso}{i + 1:06d}", fittizia=True)
        for i in range(n) if f"{prefisso}{i + 1:06d}" not in esistenti
    ]
    Persona.objects.bulk_create(nuove, batch_size=LOTTO)
    persone = dict(Persona.objects.filter(ente_id=ciclo.ente_id, matricola__startswith=prefisso)
                   .values_list("matricola", "id"))

    adesso = timezone.now()
    schede, dettagli = [], []
    for i in range(n):
        g = _scelta_gruppo(rng, gruppi)
        area_id = aree[i % len(aree)] if aree else None
        ente = organizzativi.get("ente")
        area = organizzativi.get(area_id) if area_id is not None else None
        ente = ente if ente is not None else D(rng.randint(60, 100))
        area = area if area is not None else D(rng.randint(55, 100))
        obiettivi = [
            calcolo.DatiObiettivoIndividuale(f"Obiettivo individuale {k + 1}", D(p), D(rng.randint(40, 100)))
            for k, p in enumerate((50, 30, 20))
        ]
        livelli = [(c, rng.choices((2, 3, 4, 5), weights=(1, 3, 4, 2))[0]) for c in comportamenti[g.pk]]
        differenziazione = D(rng.randint(50, 100)) if g.peso_differenziazione else None
        part_time = D(100) if rng.random() < 0.85 else D(rng.choice((50, 66.67, 75, 83.33))).quantize(D("0.01"))
        mesi = D(12) if rng.random() < 0.9 else D(rng.randint(3, 11))
        esclusi = D(rng.randint(1, 12 - int(mesi))) if mesi < 12 and rng.random() < 0.3 else D(0)
        risultato = calcolo.valuta_scheda(calcolo.DatiScheda(
            peso_ente=g.peso_ente, peso_area=g.peso_area, peso_obiettivi=g.peso_obiettivi,
            peso_comportamenti=g.peso_comportamenti, peso_differenziazione=g.peso_differenziazione,
            punteggio_ente=ente, punteggio_area=area, punteggio_differenziazione=differenziazione,
            obiettivi=tuple(obiettivi),
            comportamenti=tuple(calcolo.DatiComportamento(c.codice, c.nome, c.peso, v) for c, v in livelli),
            livello_massimo=massimo,
        ))
        schede.append(SchedaValutazione(
            ciclo=ciclo, persona_id=persone[f"{prefisso}{i + 1:06d}"], gruppo=g, area_id=area_id,
            stato=SchedaValutazione.Stato.DEFINITIVA, part_time=part_time, mesi_servizio=mesi,
            mesi_esclusi=esclusi, peso_ente=g.peso_ente, peso_area=g.peso_area,
            peso_obiettivi=g.peso_obiettivi, peso_comportamenti=g.peso_comportamenti,
            peso_differenziazione=g.peso_differenziazione, punteggio_ente=ente, punteggio_area=area,
            punteggio_differenziazione=differenziazione, punteggio_finale=risultato.punteggio,
            data_definitiva=adesso,
        ))
        dettagli.append((obiettivi, livelli))
    SchedaValutazione.objects.bulk_create(schede, batch_size=LOTTO)
    ObiettivoIndividuale.objects.bulk_create(
        (ObiettivoIndividuale(scheda_id=s.pk, descrizione=o.descrizione, peso=o.peso,
                              risultato=o.risultato, ordine=k)
         for s, (obiettivi, _) in zip(schede, dettagli) for k, o in enumerate(obiettivi)),
        batch_size=LOTTO,
    )
    PunteggioComportamento.objects.bulk_create(
        (PunteggioComportamento(scheda_id=s.pk, comportamento=c, livello=v)
         for s, (_, livelli) in zip(schede, dettagli) for c, v in livelli),
        batch_size=LOTTO,
    )
    if not FondoPremi.objects.filter(ciclo=ciclo).exists():
        FondoPremi.objects.create(ciclo=ciclo, nome="Fondo per la performance (dati sintetici)",
                                  importo=D(n) * D(1000))
    aggiorna_statistiche(Persona, SchedaValutazione, ObiettivoIndividuale, PunteggioComportamento)
    return schede
