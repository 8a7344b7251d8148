"""Writes of performance individuale: the SMVP's default rules and the schede created in bulk.

Each function runs in one transaction: it writes everything or nothing. Inputs are checked by
the form that calls it (``individuale.forms``); what the service still refuses it refuses with
``ErroreSchede`` and an Italian message, before writing anything.
"""

import math
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from . import predefiniti
from .models import (
    Comportamento,
    FasciaPremio,
    GruppoRuolo,
    LivelloComportamento,
    ObiettivoIndividuale,
    ObiettivoObbligatorio,
    Persona,
    PunteggioComportamento,
    SchedaValutazione,
)

CAMPI_PESI = ("peso_ente", "peso_area", "peso_obiettivi", "peso_comportamenti", "peso_differenziazione")
CENTO = Decimal("100")


class ErroreSchede(Exception):
    """The schede cannot be created as asked (Italian message, nothing written)."""


def _decimale(valore):
    return None if valore is None else Decimal(valore)


@transaction.atomic
def regole_predefinite_crea(*, smvp, solo_legati_ai_gruppi=False):
    """Give ``smvp`` the default rules of ``individuale.predefiniti`` (role groups, behaviours and
    their scale, bonus bands, mandatory objectives). Idempotent: what the SMVP already has (same
    codice, valore, inizio of band) is left as it is.

    ``solo_legati_ai_gruppi``: only the behaviours and the mandatory objectives, linked to the
    groups the SMVP has (the SMVP's admin page, after a new SMVP was saved with its groups, scale
    and bands as the user left them); a default whose groups are all missing is not added."""
    gruppi = {g.codice: g for g in smvp.gruppi_ruolo.all()}
    if not solo_legati_ai_gruppi:
        _gruppi_scala_fasce(smvp, gruppi)
    esistenti = set(smvp.comportamenti.values_list("codice", flat=True))
    for ordine, dati in enumerate(predefiniti.COMPORTAMENTI, start=1):
        legati = [gruppi[c] for c in dati["gruppi"] if c in gruppi]
        if dati["codice"] in esistenti or not legati:
            continue
        comportamento = Comportamento.objects.create(
            smvp=smvp, codice=dati["codice"], nome=dati["nome"], descrizione=dati["descrizione"],
            ordine=ordine)
        comportamento.gruppi.set(legati)
    esistenti = set(smvp.obiettivi_obbligatori.values_list("codice", flat=True))
    for dati in predefiniti.OBIETTIVI_OBBLIGATORI:
        legati = [gruppi[c] for c in dati["gruppi"] if c in gruppi]
        if dati["codice"] in esistenti or not legati:
            continue
        obbligatorio = ObiettivoObbligatorio.objects.create(
            smvp=smvp, codice=dati["codice"], descrizione=dati["descrizione"],
            riferimento=dati["riferimento"], peso_minimo=Decimal(dati["peso_minimo"]),
            base_peso=dati["base_peso"])
        obbligatorio.gruppi.set(legati)
    return smvp


def _gruppi_scala_fasce(smvp, gruppi):
    for dati in predefiniti.GRUPPI:
        if dati["codice"] in gruppi:
            continue
        valori = {k: (_decimale(v) if k.startswith("peso_") or k == "parametro" else v)
                  for k, v in dati.items()}
        gruppi[dati["codice"]] = GruppoRuolo.objects.create(smvp=smvp, **valori)
    esistenti = set(smvp.livelli_comportamento.values_list("valore", flat=True))
    for valore, etichetta in predefiniti.SCALA_COMPORTAMENTI:
        if valore not in esistenti:
            LivelloComportamento.objects.create(smvp=smvp, valore=valore, etichetta=etichetta)
    esistenti = set(smvp.fasce_premio.values_list("da", flat=True))
    for da, a, quota in predefiniti.FASCE_PREMIO:
        if Decimal(da) not in esistenti:
            FasciaPremio.objects.create(smvp=smvp, da=Decimal(da), a=_decimale(a), quota=Decimal(quota))


@transaction.atomic
def regole_copia(*, da, a):
    """Copy the individual rules of SMVP ``da`` into ``a`` (a new version made by
    ``valutazione.services.smvp_duplica``): role groups, the behaviours' scale, behaviours and
    mandatory objectives with their groups, bonus bands. ``a`` is expected to have none."""
    gruppi = {}
    for g in da.gruppi_ruolo.all():
        vecchio = g.pk
        g.pk, g.smvp = None, a
        g.save()
        gruppi[vecchio] = g
    LivelloComportamento.objects.bulk_create([
        LivelloComportamento(smvp=a, valore=l.valore, etichetta=l.etichetta, descrizione=l.descrizione)
        for l in da.livelli_comportamento.all()])
    FasciaPremio.objects.bulk_create([
        FasciaPremio(smvp=a, da=f.da, a=f.a, quota=f.quota) for f in da.fasce_premio.all()])
    for modello, righe in ((Comportamento, da.comportamenti.prefetch_related("gruppi")),
                           (ObiettivoObbligatorio, da.obiettivi_obbligatori.prefetch_related("gruppi"))):
        for riga in righe:
            legati = [gruppi[g.pk] for g in riga.gruppi.all()]
            riga.pk, riga.smvp = None, a
            riga.save()
            riga.gruppi.set(legati)
    return a


def dirigente_dell_area(area):
    """The user who evaluates the staff of ``area``: its first dirigente (by username), or the
    first dirigente of the nearest area above it (a service takes its area's dirigente)."""
    if area is None:
        return None
    for nodo in reversed(list(area.get_ancestors(include_self=True))):
        dirigente = nodo.dirigenti.order_by("username").first()
        if dirigente is not None:
            return dirigente
    return None


def peso_iniziale(obbligatorio, gruppo):
    """The weight (in the individual-objectives component) a mandatory objective starts with in a
    new scheda: its minimum, brought to the component when the minimum is of the total."""
    minimo = obbligatorio.peso_minimo
    if obbligatorio.base_peso == "totale":
        if not gruppo.peso_obiettivi:
            return minimo
        minimo = Decimal(math.ceil(minimo * CENTO / gruppo.peso_obiettivi))
    return min(minimo, CENTO)


@transaction.atomic
def crea_schede(ciclo, gruppo, area, persone=None, valutatore=None):
    """Create the schede of ``persone`` (default: every person of the cycle's ente) for ``ciclo``
    in ``gruppo`` and ``area``: the group's weights copied, one behaviour score (empty) for each
    behaviour of the group, one individual objective for each of the group's mandatory
    objectives (with its minimum weight). Persons who already have a scheda for the cycle are
    skipped. The evaluator is ``valutatore`` or, for a group evaluated by the area's dirigente,
    that dirigente. Returns the schede created, ordered by person.

    Raises ``ErroreSchede`` (nothing written) when the group is of another SMVP than the
    cycle's, the area of another cycle, no evaluator can be found, or a person would evaluate
    themselves."""
    if gruppo.smvp_id != ciclo.smvp_id:
        raise ErroreSchede(f"Il gruppo di ruolo «{gruppo}» non appartiene al sistema di valutazione "
                           f"del ciclo {ciclo}.")
    if area is not None and area.ciclo_id != ciclo.pk:
        raise ErroreSchede(f"L'area «{area}» appartiene a un altro ciclo, non a {ciclo}.")
    if valutatore is None:
        if gruppo.valutatore != GruppoRuolo.Valutatore.DIRIGENTE_AREA:
            raise ErroreSchede(f"Per il gruppo «{gruppo}» indicare chi valuta "
                               f"({gruppo.get_valutatore_display()}).")
        valutatore = dirigente_dell_area(area)
        if valutatore is None:
            dove = f"l'area «{area}» non ha un dirigente" if area is not None else "manca l'area"
            raise ErroreSchede(f"Non si sa chi valuta: {dove}. Indicare il valutatore.")
    if persone is None:
        persone = Persona.objects.filter(ente_id=ciclo.ente_id)
    persone = list(persone)
    altre = [p for p in persone if p.ente_id != ciclo.ente_id]
    if altre:
        raise ErroreSchede(f"{altre[0]} non appartiene all'ente del ciclo {ciclo}.")
    se_stesso = [p for p in persone if p.utente_id is not None and p.utente_id == valutatore.pk]
    if se_stesso:
        raise ErroreSchede(f"{se_stesso[0]} non può valutare sé stesso: togliere la persona o "
                           "indicare un altro valutatore.")
    con_scheda = set(SchedaValutazione.objects.filter(ciclo=ciclo, persona__in=persone)
                     .values_list("persona_id", flat=True))
    nuove = [
        SchedaValutazione(
            ciclo=ciclo, persona=p, gruppo=gruppo, area=area, valutatore=valutatore,
            **{campo: getattr(gruppo, campo) for campo in CAMPI_PESI},
        )
        for p in sorted(persone, key=lambda p: (p.cognome, p.nome, p.matricola))
        if p.pk not in con_scheda
    ]
    if not nuove:
        return []
    bulk_create_with_history(nuove, SchedaValutazione)
    # PostgreSQL returns the ids from bulk_create; SQLite ≥ 3.35 does too, but read them back
    # to be sure on every backend.
    schede = list(SchedaValutazione.objects.filter(ciclo=ciclo, persona__in=[s.persona for s in nuove])
                  .select_related("persona").order_by("persona__cognome", "persona__nome",
                                                      "persona__matricola"))
    comportamenti = list(gruppo.comportamenti.order_by("ordine", "codice"))
    obbligatori = list(gruppo.obiettivi_obbligatori.order_by("codice"))
    bulk_create_with_history(
        [PunteggioComportamento(scheda=s, comportamento=c) for s in schede for c in comportamenti],
        PunteggioComportamento)
    bulk_create_with_history(
        [ObiettivoIndividuale(scheda=s, descrizione=o.descrizione, obbligatorio=o,
                              peso=peso_iniziale(o, gruppo), ordine=n)
         for s in schede for n, o in enumerate(obbligatori, start=1)],
        ObiettivoIndividuale)
    return schede
