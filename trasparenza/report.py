"""Assembly of the Relazione sulla Performance as plain data.

``relazione_dati(ciclo)`` returns one JSON-ready dict — the open data (``dati.json``) — and the
page, the PDF and the CSV are all rendered from that same dict. That is what makes them agree to
the cent: no template reaches back into the database or recomputes a figure.

Numbers are JSON numbers (floats of 2-decimal Decimals); templates format them in Italian.
Internal review fields (proposed grades, the Nucleo's comment when it sends an objective back,
history) are never put in this dict. The Nucleo's reason for a grade other than the proposed one
is public (Linee guida DFP n. 3/2018) and is published as ``motivazione_nucleo``.
"""

import hashlib
import json
from decimal import Decimal

from django.db.models import Prefetch

from obiettivi.models import (
    Area,
    Ciclo,
    Fase,
    Indicatore,
    NodoStrategico,
    Obiettivo,
    SezioneReport,
    VariazioneObiettivo,
)
from valutazione.scoring import arrotonda, stato_esteso

from .models import ContestoCongelato
from .queries import andamento_anni_precedenti

LICENZA = {
    "nome": "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)",
    "codice": "CC-BY-4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/deed.it",
}
SCHEMA_VERSIONE = "1.0"


def numero(value):
    """A Decimal (or None) as a JSON number rounded to 2 places."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(arrotonda(value))
    return value


def impronta(dati, *, escludi=()):
    """SHA-256 of the canonical JSON of ``dati`` without its own ``impronta``/``versione`` keys
    and what publishing adds (its time, the Nucleo's validation signed before it); ``escludi``
    leaves out more keys (``"premi"``: has anything but the bonuses changed?)."""
    fuori = {"impronta", "versione", "pubblicata_il", "validazione", *escludi}
    contenuto = {k: v for k, v in dati.items() if k not in fuori}
    canonico = json.dumps(
        contenuto, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonico.encode("utf-8")).hexdigest()


def _ente(ente):
    scheda = {
        "superficie_kmq": numero(ente.superficie_kmq),
        "altitudine_m": ente.altitudine_m,
        "abitanti": ente.abitanti,
        "abitanti_riferimento": ente.abitanti_riferimento,
        "densita_ab_kmq": numero(ente.densita),
        "latitudine": ente.latitudine,
        "longitudine": ente.longitudine,
        "cap": ente.cap,
        "prefisso_telefonico": ente.prefisso_telefonico,
        "codice_istat": ente.codice_istat,
        "codice_catastale": ente.codice_catastale,
        "gemellaggi": ente.gemellaggi,
        "altre_voci": [{"voce": v.voce, "valore": v.valore} for v in ente.voci_scheda.all()],
    }
    return {
        "slug": ente.slug,
        "nome": ente.nome,
        "codice_istat": ente.codice_istat,
        "scheda_servizi": scheda,
        "comuni_confinanti": ente.confinanti,
        "contatti": {
            "ufficio": ente.ufficio_referente,
            "indirizzo": ente.indirizzo,
            "telefono": ente.telefono,
            "email": ente.email,
            "sito_web": ente.sito_web,
        },
    }


def _atto(atto):
    return {
        "organo": atto.organo,
        "numero": atto.numero,
        "data": atto.data.isoformat() if atto.data else None,
        "anno": atto.anno,
        "oggetto": atto.oggetto,
        "note": atto.note,
        "descrizione": str(atto),
    }


def _sezioni(ciclo):
    testi = {}
    for testo in ciclo.testi.all():
        testi.setdefault(testo.sezione, []).append(
            {"titolo": testo.titolo, "paragrafi": testo.paragrafi}
        )
    tabelle = {}
    for tabella in ciclo.tabelle.all():
        tabelle.setdefault(tabella.sezione, []).append(
            {
                "codice": tabella.codice,
                "titolo": tabella.titolo,
                "colonne": tabella.colonne,
                "righe": tabella.righe,
                "fonte": tabella.fonte,
                "note": tabella.note,
            }
        )
    return {
        codice: {
            "titolo": etichetta,
            "testi": testi.get(codice, []),
            "tabelle": tabelle.get(codice, []),
        }
        for codice, etichetta in SezioneReport.choices
    }


def carica_ciclo(ciclo_id):
    """Load a cycle with everything the report prints, in a bounded number of queries."""
    return (
        Ciclo.objects.select_related("ente", "smvp__atto", "contesto_congelato")
        .prefetch_related(
            "ente__voci_scheda",
            "testi",
            "tabelle",
            "risposte_rpct",
            "atti",
            Prefetch(
                "aree",
                queryset=Area.objects.order_by("tree_id", "lft").prefetch_related("dirigenti"),
            ),
        )
        .get(pk=ciclo_id)
    )


def _variazioni(ciclo):
    righe = (
        VariazioneObiettivo.objects.filter(obiettivo__ciclo=ciclo)
        .select_related("atto", "obiettivo__area")
        .order_by("atto__anno", "atto__numero", "obiettivo__ordine", "obiettivo__codice")
    )
    per_atto = {}
    for var in righe:
        voce = per_atto.setdefault(
            var.atto_id, {"atto": _atto(var.atto), "obiettivi": []}
        )
        voce["obiettivi"].append(
            {
                "codice": var.obiettivo.codice,
                "titolo": var.obiettivo.titolo,
                "area": var.obiettivo.area.nome,
                "effetto": var.effetto,
                "titolo_nell_atto": var.titolo_nell_atto,
            }
        )
    return list(per_atto.values())


def _obiettivi(ciclo):
    """The objectives' own fields the report prints, as plain dicts with their indicators and
    phases (3 queries). Plain ``values()`` rows, not model instances: at 10,000 objectives
    building ~50,000 instances (and their prefetch caches) was most of the assembly time."""
    indicatori, fasi = {}, {}
    for riga in (
        Indicatore.objects.filter(obiettivo__ciclo=ciclo)
        .order_by("obiettivo_id", "codice")
        .values("obiettivo_id", "codice", "nome", "unita", "tipo", "peso", "target",
                "consuntivo", "data_target", "data_consuntivo")
    ):
        indicatori.setdefault(riga.pop("obiettivo_id"), []).append(riga)
    for riga in (
        Fase.objects.filter(obiettivo__ciclo=ciclo)
        .order_by("obiettivo_id", "codice")
        .values("obiettivo_id", "codice", "descrizione", "peso", "percentuale", "inizio", "fine")
    ):
        fasi.setdefault(riga.pop("obiettivo_id"), []).append(riga)
    obiettivi = list(
        Obiettivo.objects.filter(ciclo=ciclo)
        .order_by("ordine", "codice")
        .values("id", "codice", "descrizione", "area__codice", "area__slug", "stato",
                "motivazione_stato", "anno_rinvio", "relazione", "motivazione_grado")
    )
    etichette = dict(Obiettivo.Stato.choices)
    for ob in obiettivi:
        ob["indicatori"] = indicatori.get(ob["id"], [])
        ob["fasi"] = fasi.get(ob["id"], [])
        ob["stato_esteso"] = stato_esteso(  # «Rinviato al 2023», «Sospeso (causa COVID-19)»
            ob["stato"], anno_rinvio=ob["anno_rinvio"], motivazione=ob["motivazione_stato"],
            etichetta=str(etichette.get(ob["stato"], ob["stato"])),
        )
    return obiettivi


def contesto_esterno(ciclo):
    """What the report reads from outside the cycle's lock: the ente (name, Scheda servizi,
    contacts), the acts the cycle cites and the PEG variations, the SMVP's act, the names of the
    areas' dirigenti (by area code), the headline figures of the ente's earlier published years
    (``andamento``). ``ContestoCongelato`` keeps a copy of it per locked cycle.
    ``ciclo`` as loaded by ``carica_ciclo``."""
    return {
        "ente": _ente(ciclo.ente),
        "atti": [
            _atto(a) for a in sorted(ciclo.atti.all(), key=lambda a: (a.anno, a.organo, a.numero))
        ],
        "variazioni_peg": _variazioni(ciclo),
        "atto_smvp": str(ciclo.smvp.atto) if ciclo.smvp and ciclo.smvp.atto_id else None,
        "dirigenti": {
            area.codice: [u.get_full_name() for u in area.dirigenti.all() if u.get_full_name()]
            for area in ciclo.aree.all()
        },
        # the earlier published years' headline figures, as their publications print them
        "anni_precedenti": andamento_anni_precedenti(ciclo),
    }


def contesto_del_ciclo(ciclo):
    """The frozen copy of ``contesto_esterno`` while the cycle is locked and has one; otherwise
    read now (a cycle being planned or reviewed shows the ente as it is today)."""
    from obiettivi.workflow import ciclo_bloccato

    if ciclo_bloccato(ciclo):
        try:
            return ciclo.contesto_congelato.dati
        except ContestoCongelato.DoesNotExist:
            pass
    return contesto_esterno(ciclo)


def relazione_dati(ciclo, *, versione=None, pubblicata_il=None):
    """The whole Relazione of ``ciclo`` as one JSON-ready dict (see module docstring)."""
    from valutazione.queries import risultati_ciclo

    from .performance import sezione_performance

    ciclo = carica_ciclo(ciclo.pk)
    esterno = contesto_del_ciclo(ciclo)
    risultati = risultati_ciclo(ciclo)
    obiettivi = _obiettivi(ciclo)
    nodi = list(NodoStrategico.objects.filter(ciclo=ciclo).order_by("tree_id", "lft"))

    codici_aree = {area.pk: area.codice for area in ciclo.aree.all()}
    dati = {
        "schema": SCHEMA_VERSIONE,
        "ente": esterno["ente"],
        "anno": ciclo.anno,
        "versione": versione,
        "impronta": None,
        "pubblicata_il": pubblicata_il,
        "licenza": LICENZA,
        "dati_dimostrativi": ciclo.dati_dimostrativi,
        "nota_dati_dimostrativi": ciclo.nota_dati_dimostrativi,
        "atti": esterno["atti"],
        "variazioni_peg": esterno["variazioni_peg"],
        "sezioni": _sezioni(ciclo),
        "aree": [
            {
                "codice": area.codice,
                "slug": area.slug,
                "nome": area.nome,
                "livello": area.level,
                "superiore": codici_aree.get(area.parent_id),
                "dirigenti": esterno["dirigenti"].get(area.codice, []),
            }
            for area in ciclo.aree.all()
        ],
        "risposte_rpct": [
            {
                "codice": r.codice,
                "sezione": r.sezione,
                "domanda": r.domanda,
                "risposta": r.risposta,
            }
            for r in ciclo.risposte_rpct.all()
        ],
    }
    dati.update(sezione_performance(
        ciclo=ciclo, risultati=risultati, obiettivi=obiettivi, nodi=nodi,
        atto_smvp=esterno["atto_smvp"],
        aree_slug={area.codice: area.slug for area in ciclo.aree.all()},
    ))
    dati["premi"] = premi(ciclo)
    andamento = _andamento(esterno.get("anni_precedenti") or [], dati)
    if andamento:
        dati["andamento"] = andamento
    dati["impronta"] = impronta(dati)
    return dati


NOTA_PREMI_NON_DISPONIBILI = (
    "I dati sui premi collegati alla performance (art. 20 D.Lgs. 33/2013) saranno pubblicati "
    "quando le valutazioni individuali del {anno} saranno concluse."
)
NOTA_PREMI_PARZIALI = (
    "I dati comprendono solo le valutazioni individuali già definitive; saranno aggiornati "
    "quando tutte le valutazioni del {anno} saranno concluse."
)


def premi(ciclo):
    """The ``premi`` key: the art. 20 D.Lgs. 33/2013 aggregates of the bonuses
    (``individuale.art20``) from the definitive schede and the funds of ``ciclo``
    (``individuale.queries.premi_ciclo``); nulls and a statement while no scheda is definitive.
    Only aggregates leave this function: never a name, a matricola, a score or an amount of
    one person."""
    from individuale import art20
    from individuale.models import FasciaPremio, GruppoRuolo, SchedaValutazione

    stati = set(SchedaValutazione.objects.filter(ciclo=ciclo).values_list("stato", flat=True).distinct())
    if SchedaValutazione.Stato.DEFINITIVA not in stati:
        return art20.dati(None, nota=NOTA_PREMI_NON_DISPONIBILI.format(anno=ciclo.anno))
    from individuale.queries import premi_ciclo

    risultato = premi_ciclo(ciclo)
    ordine = dict(GruppoRuolo.objects.filter(smvp_id=ciclo.smvp_id).values_list("codice", "ordine"))
    fasce = [art20.Fascia(da=f.da, a=f.a, quota=f.quota)
             for f in FasciaPremio.objects.filter(smvp_id=ciclo.smvp_id)]
    righe = [
        art20.Riga(gruppo=q.gruppo_nome, punteggio=q.punteggio, importo=q.importo,
                   ordine=ordine.get(q.gruppo_codice, 0))
        for q in risultato.quote
    ]
    nota = NOTA_PREMI_PARZIALI.format(anno=ciclo.anno) if len(stati) > 1 else ""
    return art20.dati(art20.aggrega(righe, fasce, stanziato=risultato.stanziato), nota=nota)


def _andamento(precedenti, dati):
    """Years side by side: the earlier published years (frozen with the cycle, from their newest
    publication) and this one, oldest first; nothing when this is the ente's first published
    year. A report never shows later years: it says what was known when it was published."""
    if not precedenti:
        return []
    componenti = dati.get("componenti") or {}
    questo = {
        "anno": dati["anno"],
        "versione": None,
        "impronta": None,
        "livello_performance_ente": dati.get("livello_performance_ente"),
        "componenti": {
            chiave: (componenti.get(chiave) or {}).get("valore")
            for chiave in ("finanziaria", "obiettivi", "qualita")
        },
        "media_barometro": (dati.get("barometro_qualita") or {}).get("media"),
    }
    return [*precedenti, questo]
