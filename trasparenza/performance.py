"""The "Livelli di performance conseguiti" part of the Relazione, as JSON-ready data.

Turns the engine's results (``valutazione.scoring.RisultatiCiclo``) into plain dicts: numbers
as JSON numbers, every computed figure with its ``spiegazione`` (formula, calcolo, input,
esclusioni). Nothing is computed here except through ``valutazione.scoring``; results per area
are the engine's (grouped by the area's id) and carry the area's code.

The outcome of an objective, an azione, a linea or an area is written here once, as its
``esito`` (the grade with its SMVP label, or the status with its reason): every template, page
and PDF prints that text and never composes its own.
"""

from decimal import Decimal

from obiettivi.models import Indicatore
from seregno_perf import formati
from valutazione import scoring
from valutazione.models import StandardBarometro

NON_VALUTATO = "non valutato"
NON_VALUTABILE = "non valutabile"
PROPOSTO = "proposto, in attesa di validazione"


def esito_obiettivo(ob) -> str:
    """The one label of an objective's outcome, from its report data (also that of an earlier
    publication): «4 — Obiettivo/i pienamente conseguito/i», «… (proposto, in attesa di
    validazione)», the status with its reason («Rinviato al 2023»), or «non valutato»."""
    if ob.get("stato") != scoring.STATO_ATTIVO:
        return ob.get("stato_etichetta") or ob.get("stato") or ""
    if ob.get("grado") is None:
        return NON_VALUTATO
    testo = f"{ob['grado']} — {ob['grado_etichetta']}" if ob.get("grado_etichetta") else str(ob["grado"])
    if ob.get("fonte_grado") == scoring.FONTE_PROPOSTO:
        testo += f" ({PROPOSTO})"
    return testo


def esito_grado(grado) -> str:
    """The one label of the grade of a linea, an azione or an area: «3,50» or «non valutabile»."""
    return NON_VALUTABILE if grado is None else formati.numero(grado)


def _num(value):
    if isinstance(value, Decimal):
        return float(value)
    return value


def spiegazione(sp: scoring.Spiegazione):
    return {
        "formula": sp.formula,
        "calcolo": sp.calcolo,
        "input": [
            {"etichetta": v.etichetta, "valore": _num(v.valore), "peso": _num(v.peso), "nota": v.nota}
            for v in sp.input
        ],
        "esclusioni": [
            {"codice": e.codice, "descrizione": e.descrizione, "motivo": e.motivo}
            for e in sp.esclusioni
        ],
        "note": list(sp.note),
    }


def _smvp(regole: scoring.Regole, smvp, atto):
    fasce = lambda lista: [  # noqa: E731
        {"da": _num(f.da), "a": _num(f.a), "grado": f.valore, "descrizione": f.descrizione()}
        for f in lista
    ]
    return {
        "nome": regole.nome,
        "atto": atto,
        "descrizione": smvp.descrizione if smvp else "",
        "formula": "PFin × {f}% + PObj_Gen × {o}% + PQua_Gen × {q}%".format(
            f=formati.numero(regole.peso_finanziaria, None),
            o=formati.numero(regole.peso_obiettivi, None),
            q=formati.numero(regole.peso_qualita, None),
        ),
        "pesi": {
            "finanziaria": _num(regole.peso_finanziaria),
            "obiettivi": _num(regole.peso_obiettivi),
            "qualita": _num(regole.peso_qualita),
        },
        "scala_gradi": [{"valore": v.valore, "etichetta": v.etichetta} for v in regole.scala_gradi],
        "scala_barometro": [
            {"valore": v.valore, "etichetta": v.etichetta} for v in regole.scala_barometro
        ],
        "fasce_raggiungimento": fasce(regole.fasce_raggiungimento),
        "fasce_qualita": fasce(regole.fasce_qualita),
        "fasce_finanziaria": fasce(regole.fasce_finanziaria),
        "aggregazione_obiettivi": regole.aggregazione_obiettivi,
        "aggregazione_nodi": regole.aggregazione_nodi,
        "tetto_raggiungimento": _num(regole.tetto_raggiungimento),
        "quota_fasi": _num(regole.quota_fasi),
        "arrotondamento": "2 decimali, per eccesso da 5 (ROUND_HALF_UP), a ogni livello",
    }


def _componente(c: scoring.Componente):
    return {
        "codice": c.codice,
        "nome": c.nome,
        "peso": _num(c.peso),
        "valore": _num(c.valore),
        "contributo": _num(c.contributo),
        "spiegazione": spiegazione(c.spiegazione),
    }


def _nodo(r: scoring.RisultatoNodo, risultati, nodi_modello, codici_obiettivi):
    nodo = nodi_modello.get(r.id)
    return {
        "codice": r.codice,
        "titolo": r.titolo,
        "livello": r.livello_nome,
        "nota": nodo.nota if nodo else "",
        "grado": _num(r.grado),
        "esito": esito_grado(r.grado),
        "escluso": r.escluso,
        "motivo_esclusione": r.motivo_esclusione,
        "provvisorio": r.provvisorio,
        "n_obiettivi": r.n_obiettivi,
        "n_valutati": r.n_conteggiati,
        "obiettivi": [codici_obiettivi[i] for i in r.obiettivi_id],
        "spiegazione": spiegazione(r.spiegazione),
        "figli": [
            _nodo(f, risultati, nodi_modello, codici_obiettivi) for f in risultati.figli(r.id)
        ],
    }


def _linea(linea: scoring.RisultatoLinea, risultati, nodi_modello, codici_obiettivi):
    dati = _nodo(linea.nodo, risultati, nodi_modello, codici_obiettivi)
    dati["azioni"] = dati.pop("figli")
    dati.update(
        {
            "valore": nodi_modello[linea.nodo.id].valore if linea.nodo.id in nodi_modello else "",
            "n_azioni": linea.n_azioni,
            "n_azioni_coperte": linea.n_azioni_coperte,
            "copertura": _num(linea.copertura),
            "n_obiettivi_attivi": linea.n_obiettivi_attivi,
            "densita": _num(linea.densita),
            "obiettivi_per_azione": [
                {"codice": o.codice, "n_obiettivi": o.n_obiettivi}
                for o in linea.obiettivi_per_azione
            ],
            "contributi_aree": [
                {
                    "area_codice": c.area_codice,
                    "area": c.area_nome,
                    "n_valutati": c.n_valutati,
                    "media": _num(c.media),
                    "quota": _num(c.quota),
                    "spiegazione": spiegazione(c.spiegazione),
                }
                for c in linea.contributi_aree
            ],
            "spiegazione_copertura": spiegazione(linea.spiegazione_copertura),
            "spiegazione_densita": spiegazione(linea.spiegazione_densita),
        }
    )
    return dati


def _radici(risultati):
    """node id → (azione codice/titolo, linea codice) for every node."""
    radice = {}
    for n in risultati.nodi:  # parents come first
        radice[n.id] = n.id if n.parent_id is None else radice[n.parent_id]
    return radice


def _obiettivo(r: scoring.RisultatoObiettivo, ob, risultati, radice, regole, tipi):
    """``ob``: the objective's plain row from ``trasparenza.report._obiettivi``."""
    nodo = risultati.nodo(r.nodo_id)
    linea = risultati.nodo(radice[r.nodo_id])
    ragg = r.raggiungimento
    per_codice = {ri.codice: ri for ri in ragg.indicatori + ragg.non_rilevati}
    voce = {
        "codice": r.codice,
        "titolo": r.titolo,
        "descrizione": ob["descrizione"],
        "area": r.area_nome,
        "area_codice": ob["area__codice"],
        "area_slug": ob["area__slug"],
        "azione": nodo.codice,
        "azione_titolo": nodo.titolo,
        "linea": linea.codice,
        "tipologia": r.tipologia,
        "tipologia_etichetta": r.tipologia_etichetta,
        "peso": _num(r.peso),
        "stato": r.stato,
        "stato_etichetta": ob["stato_esteso"],
        "motivazione_stato": ob["motivazione_stato"],
        "anno_rinvio": ob["anno_rinvio"],
        "percentuale_raggiungimento": _num(ragg.percentuale),
        "grado": r.grado,
        "grado_etichetta": regole.etichetta_grado(r.grado) if r.grado else "",
        "fonte_grado": r.fonte_grado,
        "conteggiato": r.conteggiato,
        "non_valutato": r.non_valutato,
        "motivo_esclusione": r.motivo_esclusione,
        "relazione": ob["relazione"] if r.fonte_grado == scoring.FONTE_VALIDATO else "",
        "indicatori": [
            {
                "codice": i["codice"],
                "nome": i["nome"],
                "unita": i["unita"],
                "tipo": i["tipo"],
                "tipo_etichetta": tipi.get(i["tipo"], i["tipo"]),
                "peso": _num(i["peso"]),
                "target": _num(i["target"]),
                "consuntivo": _num(i["consuntivo"]),
                "data_target": i["data_target"].isoformat() if i["data_target"] else None,
                "data_consuntivo": (
                    i["data_consuntivo"].isoformat() if i["data_consuntivo"] else None
                ),
                "percentuale": _num(per_codice[i["codice"]].percentuale),
                "calcolo": per_codice[i["codice"]].calcolo,
            }
            for i in ob["indicatori"]
        ],
        "fasi": [
            {
                "codice": f["codice"],
                "descrizione": f["descrizione"],
                "peso": _num(f["peso"]),
                "percentuale": _num(f["percentuale"]),
                "inizio": f["inizio"].isoformat() if f["inizio"] else None,
                "fine": f["fine"].isoformat() if f["fine"] else None,
            }
            for f in ob["fasi"]
        ],
        "spiegazione": spiegazione(r.spiegazione),
        "spiegazione_raggiungimento": spiegazione(ragg.spiegazione),
    }
    voce["esito"] = esito_obiettivo(voce)  # from the fields above, as for old publications
    return voce


def _risultato_area(a: scoring.RisultatoArea):
    return {
        "area_codice": a.codice,
        "area": a.nome,
        "n_obiettivi": a.n_obiettivi,
        "n_attivi": a.n_attivi,
        "n_valutati": a.n_conteggiati,
        "media": _num(a.media),
        "esito": esito_grado(a.media),
        "distribuzione": [
            {"grado": d.grado, "etichetta": d.etichetta, "n": d.n} for d in a.distribuzione
        ],
        "spiegazione": spiegazione(a.spiegazione),
    }


def sezione_performance(*, ciclo, risultati: scoring.RisultatiCiclo, obiettivi, nodi, atto_smvp):
    regole = risultati.regole
    righe = {o["id"]: o for o in obiettivi}
    nodi_modello = {n.pk: n for n in nodi}
    codici_obiettivi = {o["id"]: o["codice"] for o in obiettivi}
    tipi = dict(Indicatore.Tipo.choices)
    radice = _radici(risultati)
    standard = list(
        StandardBarometro.objects.filter(ciclo=ciclo).select_related("area").order_by("codice")
    )
    ente = risultati.ente
    componenti = {c.codice: c for c in ente.componenti}
    bar = risultati.barometro
    fin = risultati.finanziario
    return {
        "smvp": _smvp(regole, ciclo.smvp, atto_smvp),
        "livello_performance_ente": _num(ente.valore),
        "provvisorio": risultati.provvisorio,
        "spiegazione_livello": spiegazione(ente.spiegazione),
        "componenti": {
            "finanziaria": _componente(componenti.get("PFin", risultati.pfin)),
            "obiettivi": _componente(componenti.get("PObj_Gen", risultati.pobj)),
            "qualita": _componente(componenti.get("PQua_Gen", risultati.pqua)),
        },
        "barometro_qualita": {
            "media": _num(bar.media),
            "n_standard": bar.n_standard,
            "n_valutati": bar.n_valutati,
            "distribuzione": [
                {"grado": d.grado, "etichetta": d.etichetta, "n": d.n} for d in bar.distribuzione
            ],
            "standard": [
                {
                    "codice": s.codice,
                    "servizio": s.servizio,
                    "area": s.area.nome if s.area else "",
                    "standard": s.standard,
                    "programmato": s.programmato,
                    "rilevato": s.rilevato,
                    "grado": s.grado,
                    "grado_etichetta": regole.etichetta_barometro(s.grado) if s.grado is not None else "",
                }
                for s in standard
            ],
            "spiegazione": spiegazione(bar.spiegazione),
        },
        "indicatori_finanziari": {
            "percentuale_rispettati": _num(fin.percentuale),
            "n_indicatori": fin.n_indicatori,
            "n_rilevati": fin.n_rilevati,
            "n_rispettati": fin.n_rispettati,
            "indicatori": [
                {
                    "codice": e.codice,
                    "nome": e.nome,
                    "target": _num(e.target),
                    "valore": _num(e.valore),
                    "direzione": e.direzione,
                    "unita": e.unita,
                    "rispettato": e.rispettato,
                }
                for e in fin.esiti
            ],
            "spiegazione": spiegazione(fin.spiegazione),
        },
        "linee": [_linea(l, risultati, nodi_modello, codici_obiettivi) for l in risultati.linee],
        "tipologie": [
            {
                "tipologia": t.tipologia,
                "etichetta": t.etichetta,
                "n_obiettivi": t.n_obiettivi,
                "n_attivi": t.n_attivi,
                "n_valutati": t.n_conteggiati,
                "n_non_valutati": t.n_non_valutati,
                "n_esclusi": t.n_esclusi,
                "media": _num(t.media),
                "distribuzione": [
                    {"grado": d.grado, "etichetta": d.etichetta, "n": d.n} for d in t.distribuzione
                ],
                "spiegazione": spiegazione(t.spiegazione),
            }
            for t in risultati.tipologie
        ],
        "risultati_aree": [_risultato_area(a) for a in risultati.aree],
        "obiettivi": [
            _obiettivo(r, righe[r.id], risultati, radice, regole, tipi)
            for r in risultati.obiettivi
        ],
        "non_valutati": [r.codice for r in risultati.non_valutati],
        "esclusi": [
            {"codice": r.codice, "titolo": r.titolo, "motivo": r.motivo_esclusione}
            for r in risultati.esclusi
        ],
    }
