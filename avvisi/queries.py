"""What is due: the reminders ``invia_promemoria`` sends today, and those already sent.

``promemoria_dovuti(oggi)`` reads everything in a fixed number of queries (the cycles, their
areas and dirigenti, the active objectives, the relevant history rows, the users of each role)
and returns one ``Promemoria`` per message due — already sent or not: the service skips those in
the register (``AvvisoInviato``), which is what makes the command idempotent.

* Dirigenti (of an area or of an area above it), for each cycle in «Rendicontazione» where they
  have active objectives: when reporting opens; 7 days before the deadline (from 7 to 2 days
  left) and 1 day before it (1 day left or the day itself), if some objective is not yet sent;
  each time the Nucleo sends one of their objectives back.
* Nucleo: one digest a day with the objectives sent to it since its previous digest.
* Amministratori: once all active objectives of a cycle in «Rendicontazione» or «Validazione»
  are validated.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Max, Q

from obiettivi import permessi, workflow
from obiettivi.models import Area, Ciclo, Obiettivo
from obiettivi.scrivania import conteggi_bloccanti

from . import testi
from .models import AvvisoInviato

Tipo = AvvisoInviato.Tipo
R = Obiettivo.StatoRendicontazione


@dataclass(frozen=True)
class Promemoria:
    tipo: str
    destinatario: object  # a User
    chiave: str
    ciclo: Ciclo | None
    oggetto: str
    testo: str


def ultimi_avvisi(utente, quanti: int = 5) -> list[AvvisoInviato]:
    """The last messages sent to ``utente`` (for the desk), newest first (1 query)."""
    return list(
        AvvisoInviato.objects.filter(destinatario=utente).defer("testo")[:quanti]
    )


def _utenti(filtro):
    return list(
        get_user_model().objects.filter(filtro, is_active=True).distinct().order_by("username")
    )


def promemoria_dovuti(oggi: date) -> list[Promemoria]:
    """Every message due on ``oggi`` (the service leaves out those already sent)."""
    return [*_per_dirigenti(oggi), *_per_nucleo(oggi), *_per_amministratori()]


# --- dirigenti --------------------------------------------------------------------------------


def _dirigenti_per_area(aree, legami) -> dict[int, set[int]]:
    """area id → ids of the users who direct it (its own dirigenti and those of the areas
    above it, as ``permessi.aree_dirette`` reads it)."""
    propri = defaultdict(set)
    for area_id, user_id in legami:
        propri[area_id].add(user_id)
    genitore = {a.pk: a.parent_id for a in aree}
    risultato = {}
    for area in aree:
        chi, corrente = set(), area.pk
        while corrente is not None:
            chi |= propri.get(corrente, set())
            corrente = genitore.get(corrente)
        risultato[area.pk] = chi
    return risultato


def _per_dirigenti(oggi: date) -> list[Promemoria]:
    cicli = {c.pk: c for c in Ciclo.objects.filter(stato=Ciclo.Stato.RENDICONTAZIONE)
             .select_related("ente")}
    if not cicli:
        return []
    aree = list(Area.objects.filter(ciclo_id__in=cicli).only("pk", "parent_id", "ciclo_id"))
    legami = Area.dirigenti.through.objects.filter(area__ciclo_id__in=cicli).values_list(
        "area_id", "user_id")
    chi_dirige = _dirigenti_per_area(aree, legami)
    dirigenti = {u.pk: u for u in _utenti(Q(groups__name=permessi.DIRIGENTE))}
    obiettivi = list(
        Obiettivo.objects.filter(ciclo_id__in=cicli, stato=Obiettivo.Stato.ATTIVO)
        .order_by("ciclo_id", "ordine", "codice")
        .values_list("pk", "ciclo_id", "area_id", "codice", "titolo", "stato_rendicontazione")
    )
    per_dirigente = defaultdict(list)  # (user id, ciclo id) → objectives
    rinviati_ora = {}
    for riga in obiettivi:
        pk, ciclo_id, area_id, *_ = riga
        if riga[5] == R.RINVIATO:
            rinviati_ora[pk] = riga
        for user_id in chi_dirige.get(area_id, ()):
            if user_id in dirigenti:
                per_dirigente[(user_id, ciclo_id)].append(riga)

    dovuti = []
    for (user_id, ciclo_id), righe in per_dirigente.items():
        utente, ciclo = dirigenti[user_id], cicli[ciclo_id]
        da_inviare = [r for r in righe if r[5] in workflow.DA_INVIARE]
        oggetto, testo = testi.apertura(ciclo, da_inviare, oggi=oggi)
        dovuti.append(Promemoria(Tipo.APERTURA, utente, f"ciclo:{ciclo_id}", ciclo, oggetto, testo))
        scadenza = ciclo.scadenza_rendicontazione
        if scadenza is None or not da_inviare:
            continue
        giorni = (scadenza - oggi).days
        tipo = Tipo.SCADENZA_7 if 1 < giorni <= 7 else Tipo.SCADENZA_1 if 0 <= giorni <= 1 else None
        if tipo is not None:
            oggetto, testo = testi.scadenza(ciclo, da_inviare, oggi=oggi)
            dovuti.append(Promemoria(tipo, utente, f"ciclo:{ciclo_id}:{scadenza.isoformat()}",
                                     ciclo, oggetto, testo))

    # each sending back, from the history the workflow writes (objectives still sent back)
    if rinviati_ora:
        storico = Obiettivo.history.filter(
            id__in=list(rinviati_ora), history_change_reason=workflow.MOTIVO_RINVIO,
            stato_rendicontazione=R.RINVIATO,
        ).values_list("history_id", "id", "commento_nucleo")
        for history_id, obiettivo_id, commento in storico:
            pk, ciclo_id, area_id, codice, titolo, _ = rinviati_ora[obiettivo_id]
            ciclo = cicli[ciclo_id]
            for user_id in sorted(chi_dirige.get(area_id, ())):
                if user_id in dirigenti:
                    oggetto, testo = testi.rinvio(ciclo, pk, codice, titolo, commento)
                    dovuti.append(Promemoria(Tipo.RINVIO, dirigenti[user_id],
                                             f"storico:{history_id}", ciclo, oggetto, testo))
    return dovuti


# --- Nucleo -----------------------------------------------------------------------------------


def _per_nucleo(oggi: date) -> list[Promemoria]:
    membri = _utenti(Q(groups__name=permessi.NUCLEO))
    if not membri:
        return []
    ultimi = dict(
        AvvisoInviato.objects.filter(tipo=Tipo.INVII_NUCLEO, destinatario__in=membri)
        .values("destinatario_id").annotate(ultimo=Max("inviato_il"))
        .values_list("destinatario_id", "ultimo").order_by()
    )
    dal = [ultimi.get(u.pk) for u in membri]
    storico = Obiettivo.history.filter(
        history_change_reason=workflow.MOTIVO_INVIO, stato_rendicontazione=R.INVIATO,
        ciclo__stato__in=workflow.STATI_REVISIONE,
    )
    if all(dal):  # everyone had a digest: only what came after the oldest of them
        storico = storico.filter(history_date__gt=min(dal))
    invii = list(
        storico.order_by("history_date")
        .values_list("history_date", "id", "codice", "titolo", "ciclo_id", "area__nome")
    )
    if not invii:
        return []
    cicli = {c.pk: c for c in Ciclo.objects.filter(pk__in={r[4] for r in invii})
             .select_related("ente")}
    dovuti = []
    for utente in membri:
        ultimo = ultimi.get(utente.pk)
        enti = permessi.enti_del_ruolo(utente, permessi.NUCLEO)  # only the enti it serves
        # each objective once, at its latest sending (sent, sent back and sent again)
        nuovi = sorted({r[1]: r for r in invii if (ultimo is None or r[0] > ultimo)
                        and cicli[r[4]].ente_id in enti}.values(), key=lambda r: r[0])
        if nuovi:
            oggetto, testo = testi.invii_nucleo(nuovi, cicli, oggi=oggi)
            dovuti.append(Promemoria(Tipo.INVII_NUCLEO, utente, f"giorno:{oggi.isoformat()}",
                                     None, oggetto, testo))
    return dovuti


# --- Amministratori ---------------------------------------------------------------------------


def _per_amministratori() -> list[Promemoria]:
    cicli = list(Ciclo.objects.filter(stato__in=workflow.STATI_REVISIONE).select_related("ente"))
    if not cicli:
        return []
    mancanti = conteggi_bloccanti(cicli)  # only cycles with active objectives are there
    completi = [c for c in cicli if c.pk in mancanti and mancanti[c.pk][Ciclo.Stato.APPROVATA] == 0]
    if not completi:
        return []
    # the Amministratori of each cycle's ente (the host, who holds no incarico, gets none)
    amministratori = _utenti(Q(groups__name=permessi.AMMINISTRATORE))
    dovuti = []
    for ciclo in completi:
        oggetto, testo = testi.tutti_validati(ciclo)
        dovuti += [Promemoria(Tipo.TUTTI_VALIDATI, u, f"ciclo:{ciclo.pk}", ciclo, oggetto, testo)
                   for u in amministratori if permessi.is_amministratore(u, ciclo.ente_id)]
    return dovuti
