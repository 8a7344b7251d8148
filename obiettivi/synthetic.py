"""Synthetic performance cycles for query-count tests and benchmarks.

``genera_ciclo`` builds a realistic cycle — strategy tree, areas with their services, N operational
objectives with indicators, phases and grades, a barometro and financial indicators — reproducible
from its seed: the same ``seme`` gives the same codes, titles, values and grades.

How it writes:

* tree models (``NodoStrategico``, ``Area``) only through ``obiettivi.services.nodo_upsert`` /
  ``area_upsert``, inside ``delay_mptt_updates()`` (one partial rebuild per tree at the end of the
  block instead of shifting ``lft/rght`` at every insert);
* objectives, indicators, phases, barometro standards and financial indicators (plain models) with
  ``bulk_create`` in batches. ``bulk_create`` sends no ``post_save`` signal, so **no history rows
  are written**: the history is for changes made by people, and synthetic data has none;
* on PostgreSQL the tables written are analysed once the transaction commits
  (``seregno_perf.basedati.aggiorna_statistiche``), so the planner's estimates are right at once.

The cycle is marked ``dati_dimostrativi`` with a note beginning with ``MARCATORE_SINTETICO``; an
existing cycle of the same ente and year is replaced only if it carries that mark (or ``forza``).
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction

from valutazione.models import IndicatoreFinanziario, StandardBarometro
from valutazione.services import smvp_create_default

from seregno_perf.basedati import aggiorna_statistiche

from .models import Area, Ciclo, Ente, Fase, Indicatore, NodoStrategico, Obiettivo
from .services import area_upsert, nodo_upsert

MARCATORE_SINTETICO = "Ciclo sintetico generato da genera_dati"
# The tables a generation fills, analysed after it (``seregno_perf.basedati``).
TABELLE_GENERATE = (Ciclo, NodoStrategico, Area, Obiettivo, Indicatore, Fase, StandardBarometro,
                    IndicatoreFinanziario)
BATCH_SIZE = 1000

# Share of non-active objectives and of graded ones (of the active ones).
QUOTA_NON_ATTIVI = 0.03
QUOTA_PROPOSTI = 0.90
QUOTA_VALIDATI = 0.70  # of all active objectives; validated ⊂ proposed
QUOTA_FOGLIE_VUOTE = 0.08

AREE = [
    ("SG", "segreteria-generale", "Segreteria Generale",
     ["Segreteria e affari generali", "Polizia locale", "Avvocatura"]),
    ("PO", "programmazione", "Area Programmazione e organizzazione",
     ["Programmazione e controlli", "Personale", "Sistemi informativi"]),
    ("EF", "economico-finanziaria", "Area servizi economico-finanziari",
     ["Ragioneria", "Tributi", "Economato e provveditorato"]),
    ("LP", "lavori-pubblici", "Area Lavori Pubblici e patrimonio",
     ["Opere pubbliche", "Manutenzioni", "Patrimonio"]),
    ("SC", "servizi-citta", "Area servizi alla città e sviluppo economico",
     ["Cultura", "Sport", "Attività produttive", "Eventi"]),
    ("ST", "territorio", "Area servizi per il territorio",
     ["Urbanistica", "Edilizia privata", "Ambiente", "Mobilità"]),
    ("SP", "persona", "Area Servizi alla persona",
     ["Servizi sociali", "Istruzione", "Servizi demografici"]),
    ("SF", "staff", "Area Staff",
     ["Comunicazione", "Gabinetto del Sindaco"]),
]

VALORI = [
    "Per un ente più partecipato",
    "Per un ente più solidale",
    "Per un ente più equo",
    "Per un ente più trasparente",
]
TEMI = [
    "dalla parte delle persone", "dalla parte del territorio", "dalla parte dei servizi",
    "oltre il territorio", "dalla parte delle imprese", "dalla parte dei giovani",
    "dalla parte dell'ambiente", "dalla parte della cultura", "dalla parte della sicurezza",
    "dalla parte della scuola",
]
AZIONI_VERBI = [
    "Rafforzare", "Semplificare", "Innovare", "Valorizzare", "Sostenere", "Riqualificare",
    "Promuovere", "Tutelare", "Digitalizzare", "Includere",
]
AZIONI_OGGETTI = [
    "la partecipazione dei cittadini", "i servizi al cittadino", "il patrimonio pubblico",
    "la rete sociale", "la mobilità sostenibile", "il tessuto commerciale", "la scuola",
    "l'offerta culturale", "la sicurezza urbana", "la macchina comunale", "il verde pubblico",
    "lo sport di base",
]
OBIETTIVI_AZIONI = [
    "Potenziamento", "Riorganizzazione", "Digitalizzazione", "Revisione", "Attuazione",
    "Monitoraggio", "Completamento", "Avvio", "Miglioramento", "Razionalizzazione",
]
OBIETTIVI_OGGETTI = [
    "dello sportello unico", "del piano delle manutenzioni", "dei procedimenti di competenza",
    "del regolamento comunale", "dell'archivio documentale", "della rete dei servizi sociali",
    "del piano triennale di prevenzione della corruzione", "dei controlli interni",
    "del servizio di refezione scolastica", "della riscossione delle entrate",
    "dei servizi demografici online", "del piano del verde", "del calendario degli eventi",
    "della sede del Corpo di Polizia locale", "delle procedure di gara",
]
OBIETTIVI_QUALIFICHE = [
    "", "", " secondo il PNRR", " in collaborazione con le associazioni",
    " con riduzione dei tempi", " attraverso strumenti digitali", " nel rispetto del PTPCT",
]
MOTIVAZIONI_SOSPESO = ["causa COVID-19", "in attesa di finanziamento regionale",
                       "per ricorso pendente"]
MOTIVAZIONE_NON_APPLICABILE = "non si sono generalmente verificate le fattispecie"
INDICATORI = {
    Indicatore.Tipo.ALTO: [("Pratiche evase", "n."), ("Utenti serviti", "n."),
                           ("Grado di soddisfazione", "%"), ("Entrate riscosse", "€")],
    Indicatore.Tipo.BASSO: [("Tempo medio di risposta", "giorni"), ("Reclami ricevuti", "n."),
                            ("Costo unitario del servizio", "€")],
    Indicatore.Tipo.SI_NO: [("Approvazione dell'atto", ""), ("Pubblicazione del bando", "")],
    Indicatore.Tipo.SCADENZA: [("Consegna del progetto", ""), ("Avvio del servizio", "")],
}
FASI = ["Analisi e progettazione", "Predisposizione degli atti", "Realizzazione",
        "Verifica e rendicontazione"]
SERVIZI_BAROMETRO = [
    "Anagrafe", "Biblioteca", "Asili nido", "Polizia locale", "Tributi", "SUAP", "Protocollo",
    "Servizi sociali", "Manutenzioni", "Edilizia privata",
]
INDICATORI_FINANZIARI = [
    ("Rigidità strutturale della spesa corrente", "%", "basso"),
    ("Incidenza delle spese di personale", "%", "basso"),
    ("Capacità di riscossione delle entrate proprie", "%", "alto"),
    ("Tempestività dei pagamenti", "giorni", "basso"),
    ("Autonomia finanziaria", "%", "alto"),
    ("Indebitamento pro capite", "€", "basso"),
    ("Velocità di riscossione", "%", "alto"),
    ("Equilibrio di parte corrente", "€", "alto"),
    ("Incidenza dei residui attivi", "%", "basso"),
    ("Copertura dei servizi a domanda individuale", "%", "alto"),
]


@dataclass(frozen=True)
class Riepilogo:
    """What ``genera_ciclo`` wrote (for the command's summary)."""

    nodi: int
    profondita: int
    aree: int
    obiettivi: int
    indicatori: int
    fasi: int
    standard: int
    indicatori_finanziari: int


def genera_ciclo(*, ente_slug: str, anno: int, n_obiettivi: int, seme: int = 0,
                 forza: bool = False) -> Ciclo:
    """Build (or replace) the synthetic cycle ``ente_slug``/``anno`` with ``n_obiettivi`` objectives.

    Raises ``ValidationError`` (Italian message) for bad arguments or when an existing cycle that
    is not synthetic would be replaced without ``forza``. Everything happens in one transaction.
    """
    if n_obiettivi < 0:
        raise ValidationError("Il numero di obiettivi non può essere negativo.")
    if not 2000 <= anno <= 2100:
        raise ValidationError(f"Anno {anno} non plausibile: indicare un anno tra 2000 e 2100.")
    rng = random.Random(seme)
    with transaction.atomic():
        ente, _ = Ente.objects.get_or_create(
            slug=ente_slug, defaults={"nome": f"Ente sintetico {ente_slug}"}
        )
        esistente = Ciclo.objects.filter(ente=ente, anno=anno).first()
        if esistente is not None:
            if not forza and not esistente.nota_dati_dimostrativi.startswith(MARCATORE_SINTETICO):
                raise ValidationError(
                    f"Il ciclo {anno} di «{ente}» esiste e non è sintetico: non viene sostituito "
                    "(usare l'opzione «forza» per sostituirlo comunque)."
                )
            _ciclo_elimina(esistente)
        ciclo = Ciclo.objects.create(
            ente=ente,
            anno=anno,
            stato=Ciclo.Stato.VALIDAZIONE,
            smvp=smvp_create_default(),
            dati_dimostrativi=True,
            nota_dati_dimostrativi=(
                f"{MARCATORE_SINTETICO} (seme {seme}, {n_obiettivi} obiettivi): "
                "dati inventati per prove e misure di prestazione."
            ),
        )
        foglie = _genera_albero(rng, ciclo, n_obiettivi)
        aree = _genera_aree(rng, ciclo)
        _genera_obiettivi(rng, ciclo, n_obiettivi, foglie, aree)
        _genera_barometro(rng, ciclo, aree)
        _genera_indicatori_finanziari(rng, ciclo)
        aggiorna_statistiche(*TABELLE_GENERATE)  # after the commit (PostgreSQL only)
    return ciclo


def riepilogo(ciclo: Ciclo) -> Riepilogo:
    """Count what a (synthetic) cycle holds."""
    nodi = NodoStrategico.objects.filter(ciclo=ciclo)
    livelli = list(nodi.values_list("level", flat=True).distinct())
    return Riepilogo(
        nodi=nodi.count(),
        profondita=(max(livelli) + 1) if livelli else 0,
        aree=Area.objects.filter(ciclo=ciclo).count(),
        obiettivi=Obiettivo.objects.filter(ciclo=ciclo).count(),
        indicatori=Indicatore.objects.filter(obiettivo__ciclo=ciclo).count(),
        fasi=Fase.objects.filter(obiettivo__ciclo=ciclo).count(),
        standard=StandardBarometro.objects.filter(ciclo=ciclo).count(),
        indicatori_finanziari=IndicatoreFinanziario.objects.filter(ciclo=ciclo).count(),
    )


def _ciclo_elimina(ciclo: Ciclo) -> None:
    """Delete a cycle and everything in it.

    The schede di valutazione individuale and the funds first (they PROTECT the cycle and its
    areas), then the objectives (they PROTECT their area and node), then the barometro (PROTECTs
    areas), then the trees leaf level first (``parent`` is PROTECT; whole trees go, so no gap is
    left inside a surviving tree), then the cycle (cascading to texts, tables, financial
    indicators…). The synthetic persons stay: they belong to the ente, and ``genera_dati
    --persone`` finds them again by their matricola.
    """
    from individuale.models import FondoPremi, SchedaValutazione

    _cancella_senza_storico(SchedaValutazione.objects.filter(ciclo=ciclo))
    FondoPremi.objects.filter(ciclo=ciclo).delete()
    _cancella_senza_storico(Obiettivo.objects.filter(ciclo=ciclo))
    StandardBarometro.objects.filter(ciclo=ciclo).delete()
    for model in (NodoStrategico, Area):
        righe = model.objects.filter(ciclo=ciclo)
        livelli = sorted(set(righe.values_list("level", flat=True)), reverse=True)
        for livello in livelli:
            model.objects.filter(ciclo=ciclo, level=livello).delete()
    ciclo.delete()


def _cancella_senza_storico(queryset) -> None:
    """Delete ``queryset`` and its CASCADE children with one DELETE per table.

    The ORM's ``delete()`` sends ``post_delete`` for every row, and django-simple-history answers
    each with a "deleted" history row: for 10,000 synthetic objectives that is 50,000 inserts
    (≈ 40 s on SQLite) of history nobody needs, since synthetic rows never had any. Rows of other
    models that point here with SET_NULL are set to NULL with one UPDATE; anything else but CASCADE
    (PROTECT…) makes us fall back to the ORM's ``delete()``, which applies those rules.
    """
    figli = []
    for rel in queryset.model._meta.related_objects:
        if rel.many_to_many:
            continue  # the through model's own foreign key is visited instead
        if rel.on_delete is models.SET_NULL:  # e.g. an individual objective's plan objective
            rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": queryset}).update(
                **{rel.field.name: None})
            continue
        if rel.on_delete is not models.CASCADE:
            queryset.delete()
            return
        figli.append(rel.related_model._base_manager.filter(**{f"{rel.field.name}__in": queryset}))
    for figlio in figli:
        _cancella_senza_storico(figlio)
    queryset._raw_delete(queryset.db)  # noqa: SLF001 — Django's own fast-delete path


def _numero_nodi(n_obiettivi: int) -> int:
    """Target size of the strategy tree: a few dozen nodes up to a few hundred."""
    return max(24, min(400, n_obiettivi // 25))


def _genera_albero(rng: random.Random, ciclo: Ciclo, n_obiettivi: int) -> list[NodoStrategico]:
    """Lines → actions → sometimes programmes → sometimes sub-programmes. Returns the leaves."""
    obiettivo_nodi = _numero_nodi(n_obiettivi)
    n_linee = max(3, min(10, obiettivo_nodi // 25 + 3))
    budget_linea = obiettivo_nodi // n_linee
    foglie = []
    with NodoStrategico.objects.delay_mptt_updates():
        for i in range(1, n_linee + 1):
            linea = nodo_upsert(
                ciclo=ciclo, codice=str(i), livello_nome="linea strategica", ordine=i,
                titolo=f"SCELGO L'ENTE: {TEMI[(i - 1) % len(TEMI)].upper()}",
                valore=VALORI[(i - 1) % len(VALORI)],
            )
            usati, j = 1, 0
            while j < 2 or usati < budget_linea:
                j += 1
                codice_azione = f"{i}.{j}"
                azione = nodo_upsert(
                    ciclo=ciclo, codice=codice_azione, parent=linea, ordine=j,
                    livello_nome="azione strategica",
                    titolo=f"{rng.choice(AZIONI_VERBI)} {rng.choice(AZIONI_OGGETTI)}",
                )
                usati += 1
                if rng.random() >= 0.35:
                    foglie.append(azione)
                    continue
                for k in range(1, rng.randint(2, 4) + 1):
                    programma = nodo_upsert(
                        ciclo=ciclo, codice=f"{codice_azione}.{k}", parent=azione, ordine=k,
                        livello_nome="programma",
                        titolo=f"Programma {codice_azione}.{k}: {rng.choice(AZIONI_OGGETTI)}",
                    )
                    usati += 1
                    if rng.random() >= 0.3:
                        foglie.append(programma)
                        continue
                    for m in range(1, rng.randint(2, 3) + 1):
                        foglie.append(nodo_upsert(
                            ciclo=ciclo, codice=f"{codice_azione}.{k}.{m}", parent=programma,
                            ordine=m, livello_nome="sotto-programma",
                            titolo=f"Sotto-programma {codice_azione}.{k}.{m}",
                        ))
                        usati += 1
    vuote = set()
    if len(foglie) > 2:
        n_vuote = max(1, round(len(foglie) * QUOTA_FOGLIE_VUOTE))
        vuote = {f.codice for f in rng.sample(foglie, n_vuote)}
    for foglia in foglie:
        if foglia.codice in vuote:
            # Like the seed's azione 2.2: a leaf with no objective planned, and a note saying so.
            nodo_upsert(
                ciclo=ciclo, codice=foglia.codice, titolo=foglia.titolo,
                livello_nome=foglia.livello_nome, parent=foglia.parent,
                nota="NON SONO STATI PREVISTI SPECIFICI OBIETTIVI",
            )
    return [f for f in foglie if f.codice not in vuote]


def _genera_aree(rng: random.Random, ciclo: Ciclo) -> list[Area]:
    """The eight areas of an organigramma, each with its services (children). Returns the areas."""
    aree = []
    with Area.objects.delay_mptt_updates():
        for ordine, (codice, slug, nome, servizi) in enumerate(AREE, start=1):
            area = area_upsert(ciclo=ciclo, codice=codice, slug=slug, nome=nome, ordine=ordine)
            aree.append(area)
            for k, servizio in enumerate(servizi, start=1):
                area_upsert(
                    ciclo=ciclo, codice=f"{codice}.{k}", slug=f"{slug}-{k}", parent=area,
                    nome=f"Servizio {servizio}", ordine=k,
                )
    return aree


def _titolo_obiettivo(rng: random.Random) -> str:
    return (f"{rng.choice(OBIETTIVI_AZIONI)} {rng.choice(OBIETTIVI_OGGETTI)}"
            f"{rng.choice(OBIETTIVI_QUALIFICHE)}")


def _pesi_fasi(rng: random.Random, n: int) -> list[Decimal]:
    """``n`` positive weights, multiples of 5, summing exactly to 100."""
    if n == 0:
        return []
    tagli = sorted(rng.sample(range(5, 100, 5), n - 1))
    confini = [0, *tagli, 100]
    return [Decimal(confini[i + 1] - confini[i]) for i in range(n)]


def _genera_obiettivi(rng, ciclo, n_obiettivi, foglie, aree) -> None:
    tipologie = [
        (Obiettivo.Tipologia.SVILUPPO, 50), (Obiettivo.Tipologia.MANTENIMENTO, 30),
        (Obiettivo.Tipologia.PTPCT, 12), (Obiettivo.Tipologia.TRASVERSALE, 8),
    ]
    nomi_tip, pesi_tip = zip(*tipologie)
    contatori = dict.fromkeys((a.codice for a in aree), 0)
    inizio_anno = date(ciclo.anno, 1, 1)
    pending_obiettivi, figli = [], []  # figli: (obiettivo, [indicatori], [fasi])
    # Every non-empty leaf gets an objective first (when there are enough), then at random.
    prime_foglie = rng.sample(foglie, len(foglie))

    for i in range(1, n_obiettivi + 1):
        area = rng.choice(aree)
        contatori[area.codice] += 1
        obiettivo = Obiettivo(
            ciclo=ciclo, area=area, ordine=i,
            nodo=prime_foglie[i - 1] if i <= len(prime_foglie) else rng.choice(foglie),
            codice=f"{area.codice}-{contatori[area.codice]:05d}",
            titolo=_titolo_obiettivo(rng),
            tipologia=rng.choices(nomi_tip, weights=pesi_tip)[0],
            peso=Decimal(rng.randint(1, 3)),
        )
        if rng.random() < QUOTA_NON_ATTIVI:
            obiettivo.stato = rng.choice([
                Obiettivo.Stato.STRALCIATO, Obiettivo.Stato.RINVIATO,
                Obiettivo.Stato.SOSPESO, Obiettivo.Stato.NON_APPLICABILE,
            ])
            if obiettivo.stato == Obiettivo.Stato.RINVIATO:
                obiettivo.anno_rinvio = ciclo.anno + rng.randint(1, 2)
            elif obiettivo.stato == Obiettivo.Stato.SOSPESO:
                obiettivo.motivazione_stato = rng.choice(MOTIVAZIONI_SOSPESO)
            elif obiettivo.stato == Obiettivo.Stato.NON_APPLICABILE:
                obiettivo.motivazione_stato = MOTIVAZIONE_NON_APPLICABILE
        else:
            caso = rng.random()
            if caso < QUOTA_PROPOSTI:
                obiettivo.grado_proposto = rng.choices([1, 2, 3, 4, 5], weights=[3, 7, 20, 45, 25])[0]
                obiettivo.relazione = "Attività svolte come da cronoprogramma."
            if caso < QUOTA_VALIDATI:
                grado = obiettivo.grado_proposto
                if rng.random() < 0.1:
                    grado = max(1, min(5, grado + rng.choice([-1, 1])))
                    obiettivo.motivazione_grado = "Grado rivisto dal Nucleo sulla base delle evidenze."
                obiettivo.grado_validato = grado

        indicatori = []
        for k in range(1, rng.randint(1, 3) + 1):
            tipo = rng.choice(list(INDICATORI))
            nome, unita = rng.choice(INDICATORI[tipo])
            ind = Indicatore(codice=f"I{k}", nome=nome, unita=unita, tipo=tipo,
                             peso=Decimal(rng.randint(1, 3)))
            if tipo in (Indicatore.Tipo.ALTO, Indicatore.Tipo.BASSO):
                target = rng.randint(10, 500)
                ind.target = Decimal(target)
                ind.consuntivo = (Decimal(target) * Decimal(rng.randint(60, 130)) / 100).quantize(
                    Decimal("0.01"))
            elif tipo == Indicatore.Tipo.SI_NO:
                ind.target = Decimal(1)
                ind.consuntivo = Decimal(1 if rng.random() < 0.85 else 0)
            else:
                ind.data_target = inizio_anno + timedelta(days=rng.randint(60, 360))
                ind.data_consuntivo = ind.data_target + timedelta(days=rng.randint(-30, 45))
            indicatori.append(ind)

        fasi = []
        n_fasi = rng.randint(0, 4)
        for k, peso in enumerate(_pesi_fasi(rng, n_fasi), start=1):
            inizio = inizio_anno + timedelta(days=rng.randint(0, 300))
            fasi.append(Fase(
                codice=f"F{k}", descrizione=FASI[k - 1], peso=peso,
                percentuale=Decimal(rng.choice([100, 100, 100, 80, 50, 0])),
                inizio=inizio, fine=inizio + timedelta(days=rng.randint(0, 60)),
            ))

        pending_obiettivi.append(obiettivo)
        figli.append((obiettivo, indicatori, fasi))
        if len(pending_obiettivi) >= BATCH_SIZE:
            _scrivi(pending_obiettivi, figli)
            pending_obiettivi, figli = [], []
    _scrivi(pending_obiettivi, figli)


def _scrivi(obiettivi, figli) -> None:
    """Insert one batch: objectives first (to get their keys), then their children."""
    if not obiettivi:
        return
    Obiettivo.objects.bulk_create(obiettivi, batch_size=BATCH_SIZE)
    indicatori, fasi = [], []
    for obiettivo, inds, fs in figli:
        for figlio in inds:
            figlio.obiettivo = obiettivo
        for figlio in fs:
            figlio.obiettivo = obiettivo
        indicatori.extend(inds)
        fasi.extend(fs)
    Indicatore.objects.bulk_create(indicatori, batch_size=BATCH_SIZE)
    Fase.objects.bulk_create(fasi, batch_size=BATCH_SIZE)


def _genera_barometro(rng: random.Random, ciclo: Ciclo, aree: list[Area]) -> None:
    StandardBarometro.objects.bulk_create([
        StandardBarometro(
            ciclo=ciclo, codice=f"B{k:02d}", area=rng.choice(aree),
            servizio=SERVIZI_BAROMETRO[(k - 1) % len(SERVIZI_BAROMETRO)],
            standard=f"Tempo massimo di erogazione del servizio n. {k}",
            programmato=f"{rng.randint(5, 30)} giorni",
            rilevato=f"{rng.randint(3, 35)} giorni",
            grado=rng.choices([0, 1, 2, 3], weights=[5, 15, 45, 35])[0],
        )
        for k in range(1, 21)
    ])


def _genera_indicatori_finanziari(rng: random.Random, ciclo: Ciclo) -> None:
    righe = []
    for k, (nome, unita, direzione) in enumerate(INDICATORI_FINANZIARI, start=1):
        target = Decimal(rng.randint(20, 80))
        valore = (target * Decimal(rng.randint(80, 120)) / 100).quantize(Decimal("0.01"))
        righe.append(IndicatoreFinanziario(
            ciclo=ciclo, codice=f"IF{k:02d}", nome=nome, unita=unita,
            target=target, valore=valore, direzione=direzione,
        ))
    IndicatoreFinanziario.objects.bulk_create(righe)
