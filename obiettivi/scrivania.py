"""The desk: what each role must do today, read for the admin's home page.

``scrivania_di(utente, oggi=None)`` returns one section per role the user has (a user with
several roles gets several sections):

* **Dirigente** — for each cycle of their areas that is not locked: the active objectives to
  report (bozza), sent back (rinviato, with the Nucleo's comment), sent and validated, with
  links, and the reporting deadline with the days left.
* **Nucleo** — the queue of submitted objectives by area (the first one's page directly), the
  submitted ones whose proposed grade differs from the one the SMVP's bands compute
  (``valutazione.queries.risultati_ciclo``), and the link to «Risultati calcolati».
* **Amministratore** — every cycle with its state, what blocks the next state (the counts of
  ``obiettivi.workflow.BLOCCANTI``, the rule the workflow itself applies), the last publication
  and the actions.

Queries do not grow with the number of objectives (``tests/scala/test_scrivania_query.py``,
50 and 400 objectives): the user's roles 1, the dirigente's section 4 (their areas, then with
their services; counts; objectives to report), the Amministratore's 3, the Nucleo's 2 plus
``risultati_ciclo`` (9) for each cycle under review that has objectives waiting, and 1 for the
e-mails sent to the user. Rows are read as plain values; counts are aggregated in the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from seregno_perf.formati import data, giorni_alla_scadenza, quanti

from . import permessi, workflow
from .models import Ciclo, Obiettivo

Stato = Ciclo.Stato
R = Obiettivo.StatoRendicontazione
ATTIVO = Obiettivo.Stato.ATTIVO
# How many objectives a list on the desk shows before «vedi tutti».
MASSIMO_ELENCO = 10

# Singular and plural of each count on the desk.
DICITURE = {
    R.BOZZA: ("obiettivo da rendicontare", "obiettivi da rendicontare"),
    R.RINVIATO: ("obiettivo rinviato dal Nucleo", "obiettivi rinviati dal Nucleo"),
    R.INVIATO: ("obiettivo inviato al Nucleo", "obiettivi inviati al Nucleo"),
    R.VALIDATO: ("obiettivo validato", "obiettivi validati"),
}
NON_ANCORA = {
    "inviati al Nucleo": ("obiettivo non ancora inviato al Nucleo",
                          "obiettivi non ancora inviati al Nucleo"),
    "validati dal Nucleo": ("obiettivo non ancora validato dal Nucleo",
                            "obiettivi non ancora validati dal Nucleo"),
}


# --- links ------------------------------------------------------------------------------------


def url_obiettivo(pk) -> str:
    return reverse("admin:obiettivi_obiettivo_change", args=[pk])


def url_elenco_obiettivi(**filtri) -> str:
    """The objectives' admin list with ``filtri`` (``ciclo``, ``area``, ``stato``,
    ``stato_rendicontazione`` or ``stato_rendicontazione__in`` as a tuple)."""
    parametri = {k: ",".join(v) if isinstance(v, (tuple, list)) else v for k, v in filtri.items()}
    return f"{reverse('admin:obiettivi_obiettivo_changelist')}?{urlencode(parametri)}"


# --- what the template prints -----------------------------------------------------------------


@dataclass(frozen=True)
class Voce:
    """A count with its wording and where it leads (one objective: its page; more: the list)."""

    n: int
    testo: str
    url: str


@dataclass(frozen=True)
class RigaObiettivo:
    pk: int
    codice: str
    titolo: str
    url: str
    stato_rendicontazione: str = ""
    commento_nucleo: str = ""
    area: str = ""
    grado_proposto: int | None = None
    grado_calcolato: int | None = None


@dataclass
class CicloDirigente:
    ciclo: Ciclo
    aree: list[str]
    voci: list[Voce]
    da_fare: list[RigaObiettivo]  # drafts to report, in order (the first MASSIMO_ELENCO)
    rinviati: list[RigaObiettivo]  # sent back, each with the Nucleo's comment
    altri_da_fare: int
    scadenza: str  # "31/03/2022" or ""
    giorni: str  # «mancano 12 giorni» or ""
    scaduto: bool
    aperto: bool  # the cycle is in rendicontazione: the dirigente can report


@dataclass
class AreaInCoda:
    nome: str
    voce: Voce
    primo: RigaObiettivo


@dataclass
class CicloNucleo:
    ciclo: Ciclo
    in_coda: int
    primo: RigaObiettivo | None
    aree: list[AreaInCoda]
    disaccordi: list[RigaObiettivo]
    url_risultati: str
    senza_smvp: bool
    # a published Relazione waiting for the Nucleo's documento di validazione: where to write it
    # (the draft already started, or a new one drafted from the verifiche)
    url_documento: str = ""


@dataclass
class CicloAmministratore:
    ciclo: Ciclo
    successivo: str  # label of the next state, or ""
    bloccanti: list[Voce]
    senza_atto: bool  # the next state is «Approvata», which needs the Giunta's act
    versione: int | None
    pubblicata_il: str
    impronta: str
    azioni: list[Voce]


@dataclass
class Scrivania:
    oggi: date
    dirigente: list[CicloDirigente] | None = None
    nucleo: list[CicloNucleo] | None = None
    amministratore: list[CicloAmministratore] | None = None
    avvisi: list = field(default_factory=list)

    @property
    def vuota(self) -> bool:
        return self.dirigente is None and self.nucleo is None and self.amministratore is None


def scrivania_di(utente, *, oggi: date | None = None) -> Scrivania:
    """The desk of ``utente``: a section for each of their roles (None for a role they lack)."""
    oggi = oggi or timezone.localdate()
    scrivania = Scrivania(oggi=oggi)
    if permessi.is_dirigente(utente):
        scrivania.dirigente = scrivania_dirigente(utente, oggi=oggi)
    # per ente: the Nucleo's and the Amministratore's sections list only the cycles of the enti
    # of their incarichi (the host, who holds none, has no section: it manages the installation)
    if permessi.is_nucleo(utente):
        scrivania.nucleo = scrivania_nucleo(permessi.enti_del_ruolo(utente, permessi.NUCLEO))
    if permessi.enti_del_ruolo(utente, permessi.AMMINISTRATORE):
        scrivania.amministratore = scrivania_amministratore(
            permessi.enti_del_ruolo(utente, permessi.AMMINISTRATORE))
    if not scrivania.vuota:
        from avvisi.queries import ultimi_avvisi  # avvisi depends on obiettivi, not back

        scrivania.avvisi = ultimi_avvisi(utente)
    return scrivania


# --- dirigente --------------------------------------------------------------------------------


def _voce(n, rendicontazione, url_singolo, **filtri) -> Voce:
    singolare, plurale = DICITURE[rendicontazione]
    url = url_singolo if n == 1 else url_elenco_obiettivi(**filtri)
    return Voce(n=n, testo=quanti(n, singolare, plurale), url=url)


def scrivania_dirigente(utente, *, oggi: date) -> list[CicloDirigente]:
    """The dirigente's open cycles (not locked), with their objectives by reporting state."""
    aree = list(
        permessi.aree_dirette(utente)
        .exclude(ciclo__stato__in=workflow.STATI_BLOCCATI)
        .select_related("ciclo__ente")
        .order_by("ciclo__ente__nome", "-ciclo__anno", "tree_id", "lft")
    )
    if not aree:
        return []
    ids_aree = [a.pk for a in aree]
    attivi = Obiettivo.objects.filter(area_id__in=ids_aree, stato=ATTIVO)
    conteggi = defaultdict(dict)  # ciclo → stato_rendicontazione → (n, the first pk)
    for ciclo_id, stato, n, primo in (
        attivi.values("ciclo_id", "stato_rendicontazione")
        .annotate(n=Count("pk"), primo=Min("pk"))
        .values_list("ciclo_id", "stato_rendicontazione", "n", "primo")
        .order_by()
    ):
        conteggi[ciclo_id][stato] = (n, primo)
    da_fare = defaultdict(list)
    for pk, ciclo_id, codice, titolo, stato, commento in (
        attivi.filter(stato_rendicontazione__in=workflow.DA_INVIARE)
        .order_by("ciclo_id", "ordine", "codice")
        .values_list("pk", "ciclo_id", "codice", "titolo", "stato_rendicontazione",
                     "commento_nucleo")
    ):
        da_fare[ciclo_id].append(RigaObiettivo(
            pk=pk, codice=codice, titolo=titolo, url=url_obiettivo(pk),
            stato_rendicontazione=stato, commento_nucleo=commento,
        ))

    cicli, aree_per_ciclo = {}, defaultdict(list)
    for area in aree:
        cicli.setdefault(area.ciclo_id, area.ciclo)
        aree_per_ciclo[area.ciclo_id].append(area.nome)
    risultato = []
    for ciclo_id, ciclo in cicli.items():
        per_stato = conteggi.get(ciclo_id, {})
        voci = []
        for stato in (R.BOZZA, R.RINVIATO, R.INVIATO, R.VALIDATO):
            n, primo = per_stato.get(stato, (0, None))
            if n:
                voci.append(_voce(n, stato, url_obiettivo(primo), ciclo=ciclo_id,
                                  stato=ATTIVO, stato_rendicontazione=stato))
        righe = da_fare.get(ciclo_id, [])
        rinviati = [r for r in righe if r.stato_rendicontazione == R.RINVIATO]
        righe = [r for r in righe if r.stato_rendicontazione == R.BOZZA]
        scadenza = ciclo.scadenza_rendicontazione
        risultato.append(CicloDirigente(
            ciclo=ciclo, aree=aree_per_ciclo[ciclo_id], voci=voci,
            da_fare=righe[:MASSIMO_ELENCO], rinviati=rinviati,
            altri_da_fare=max(0, len(righe) - MASSIMO_ELENCO),
            scadenza=data(scadenza), giorni=giorni_alla_scadenza(scadenza, oggi),
            scaduto=scadenza is not None and scadenza < oggi,
            aperto=ciclo.stato == Stato.RENDICONTAZIONE,
        ))
    return risultato


# --- Nucleo -----------------------------------------------------------------------------------


def scrivania_nucleo(enti=None) -> list[CicloNucleo]:
    """The cycles the Nucleo works in (rendicontazione, validazione) of ``enti`` (ids; None:
    every ente) with the submitted objectives by area and those whose proposed grade is not
    the computed one."""
    from valutazione.admin import url_risultati
    from valutazione.queries import risultati_ciclo

    from validazione.models import DocumentoValidazione

    cicli = Ciclo.objects.filter(stato__in=(*workflow.STATI_REVISIONE, Stato.PUBBLICATA))
    if enti is not None:
        cicli = cicli.filter(ente__in=sorted(enti))
    cicli = list(cicli.select_related("ente").order_by("ente__nome", "-anno"))
    if not cicli:
        return []
    da_validare = [c.pk for c in cicli if c.stato == Stato.PUBBLICATA]
    bozze = dict(
        DocumentoValidazione.objects.filter(ciclo_id__in=da_validare, firmato_il__isnull=True)
        .order_by("ciclo_id", "pk").values_list("ciclo_id", "pk")
    ) if da_validare else {}
    per_ciclo = defaultdict(list)
    for pk, ciclo_id, codice, titolo, area_id, area_nome, grado_proposto in (
        Obiettivo.objects.filter(ciclo__in=cicli, stato_rendicontazione=R.INVIATO)
        .order_by("ciclo_id", "area__tree_id", "area__lft", "ordine", "codice")
        .values_list("pk", "ciclo_id", "codice", "titolo", "area_id", "area__nome",
                     "grado_proposto")
    ):
        per_ciclo[ciclo_id].append((area_id, RigaObiettivo(
            pk=pk, codice=codice, titolo=titolo, url=url_obiettivo(pk), area=area_nome,
            grado_proposto=grado_proposto,
        )))
    risultato = []
    for ciclo in cicli:
        righe = per_ciclo.get(ciclo.pk, [])
        aree = {}
        for area_id, riga in righe:
            aree.setdefault(area_id, []).append(riga)
        in_coda = [
            AreaInCoda(
                nome=lista[0].area, primo=lista[0],
                voce=_voce(len(lista), R.INVIATO, lista[0].url, ciclo=ciclo.pk, area=area_id,
                           stato_rendicontazione=R.INVIATO),
            )
            for area_id, lista in aree.items()
        ]
        disaccordi = []
        if righe and ciclo.smvp_id is not None:
            calcolati = {r.id: r for r in risultati_ciclo(ciclo).obiettivi}
            for _, riga in righe:
                r = calcolati.get(riga.pk)
                if (r is not None and r.attivo and r.grado_proposto is not None
                        and r.grado_calcolato is not None and r.grado_calcolato != r.grado_proposto):
                    disaccordi.append(RigaObiettivo(
                        pk=riga.pk, codice=riga.codice, titolo=riga.titolo, url=riga.url,
                        area=riga.area, grado_proposto=r.grado_proposto,
                        grado_calcolato=r.grado_calcolato,
                    ))
        risultato.append(CicloNucleo(
            ciclo=ciclo, in_coda=len(righe), primo=righe[0][1] if righe else None, aree=in_coda,
            disaccordi=disaccordi, url_risultati=url_risultati(ciclo.pk),
            senza_smvp=ciclo.smvp_id is None,
            url_documento=_url_documento(ciclo.pk, bozze.get(ciclo.pk))
            if ciclo.stato == Stato.PUBBLICATA else "",
        ))
    return risultato


def _url_documento(ciclo_id: int, bozza_id: int | None) -> str:
    if bozza_id is not None:
        return reverse("admin:validazione_documentovalidazione_change", args=[bozza_id])
    return f"{reverse('admin:validazione_documentovalidazione_add')}?{urlencode({'ciclo': ciclo_id})}"


# --- Amministratore ---------------------------------------------------------------------------


def conteggi_bloccanti(cicli) -> dict[int, dict[str, int]]:
    """cycle id → next state → active objectives that block it (``workflow.BLOCCANTI``), for
    every cycle in one query."""
    annotazioni = {
        f"n_{verso}": Count("pk", filter=b.filtro) for verso, b in workflow.BLOCCANTI.items()
    }
    righe = (
        Obiettivo.objects.filter(ciclo__in=cicli, stato=ATTIVO)
        .values("ciclo_id").annotate(**annotazioni).order_by()
    )
    return {
        r["ciclo_id"]: {verso: r[f"n_{verso}"] for verso in workflow.BLOCCANTI} for r in righe
    }


def scrivania_amministratore(enti=None) -> list[CicloAmministratore]:
    """Every cycle of ``enti`` (ids; None: every ente): its state, what blocks the next one,
    its last publication, the actions."""
    from trasparenza.models import Pubblicazione

    cicli = Ciclo.objects.all() if enti is None else Ciclo.objects.filter(ente__in=sorted(enti))
    cicli = list(cicli.select_related("ente").order_by("ente__nome", "-anno"))
    if not cicli:
        return []
    bloccanti = conteggi_bloccanti(cicli)
    ultime = {}
    # small fields only: a publication's data, page and PDF stay in the database
    for ciclo_id, versione, quando, impronta in (
        Pubblicazione.objects.filter(ciclo__in=cicli).order_by("ciclo_id", "versione")
        .values_list("ciclo_id", "versione", "pubblicata_il", "impronta")
    ):
        ultime[ciclo_id] = (versione, quando, impronta)
    anni = {(c.ente_id, c.anno) for c in cicli}
    url_cicli = reverse("admin:obiettivi_ciclo_changelist")
    url_peg = reverse("admin:obiettivi_peg_importa")
    risultato = []
    for ciclo in cicli:
        successivo = workflow.stato_successivo(ciclo)
        voci = []
        bloccante = workflow.BLOCCANTI.get(successivo)
        if bloccante is not None:
            n = bloccanti.get(ciclo.pk, {}).get(successivo, 0)
            if n:
                singolare, plurale = NON_ANCORA[bloccante.descrizione]
                voci.append(Voce(n=n, testo=quanti(n, singolare, plurale), url=url_elenco_obiettivi(
                    ciclo=ciclo.pk, stato=ATTIVO, stato_rendicontazione__in=bloccante.stati)))
        azioni = []
        if successivo == Stato.PUBBLICATA or (
                successivo is None or successivo == Stato.VALIDATA) and workflow.puo_pubblicare(ciclo):
            # the preview, then the confirmation (a published cycle may publish a new version)
            azioni.append(Voce(n=0, testo="Pubblica la Relazione",
                               url=reverse("admin:obiettivi_ciclo_pubblica", args=[ciclo.pk])))
        if successivo == Stato.VALIDATA:  # only the Nucleo's signature gets there
            voci.append(Voce(n=0, testo="in attesa del documento di validazione del Nucleo", url=""))
        elif successivo is not None and successivo != Stato.PUBBLICATA:
            azioni.append(Voce(n=0, testo=f"Passa a «{Stato(successivo).label}»",
                               url=reverse("admin:obiettivi_ciclo_avanza", args=[ciclo.pk])))
        if ciclo.stato in (Stato.PIANIFICAZIONE, Stato.MONITORAGGIO, Stato.RENDICONTAZIONE):
            azioni.append(Voce(n=0, testo="Importa il PEG", url=url_peg))
        if (ciclo.ente_id, ciclo.anno + 1) not in anni:
            azioni.append(Voce(
                n=0, testo=f"Avvia il {ciclo.anno + 1} copiando il piano (azione dell'elenco)",
                url=f"{url_cicli}?{urlencode({'ente__id__exact': ciclo.ente_id})}",
            ))
        versione, quando, impronta = ultime.get(ciclo.pk, (None, None, ""))
        risultato.append(CicloAmministratore(
            ciclo=ciclo, successivo=Stato(successivo).label if successivo else "",
            bloccanti=voci, senza_atto=successivo == Stato.APPROVATA,
            versione=versione, pubblicata_il=data(quando), impronta=impronta[:12],
            azioni=azioni,
        ))
    return risultato
