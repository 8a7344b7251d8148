"""The "Livelli di performance conseguiti" part of the Relazione, as JSON-ready data.

Turns the engine's results (``valutazione.scoring.RisultatiCiclo``) into plain dicts: numbers
as JSON numbers, every computed figure with its ``spiegazione`` (formula, calcolo, input,
esclusioni). Nothing is computed here except through ``valutazione.scoring``.
"""

from decimal import Decimal

from obiettivi.models import Indicatore
from valutazione import scoring
from valutazione.models import StandardBarometro


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


def _smvp(regole: scoring.Regole, smvp):
    fasce = lambda lista: [  # noqa: E731
        {"da": _num(f.da), "a": _num(f.a), "grado": f.valore, "descrizione": f.descrizione()}
        for f in lista
    ]
    return {
        "nome": regole.nome,
        "atto": str(smvp.atto) if smvp and smvp.atto_id else None,
        "descrizione": smvp.descrizione if smvp else "",
        "formula": "PFin × {f}% + PObj_Gen × {o}% + PQua_Gen × {q}%".format(
            f=scoring.formatta(regole.peso_finanziaria, None),
            o=scoring.formatta(regole.peso_obiettivi, None),
            q=scoring.formatta(regole.peso_qualita, None),
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
    return {
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


def _per_area(risultati, regole, aree_ordine):
    per_area = {}
    for r in risultati.obiettivi:
        per_area.setdefault(r.area_nome, []).append(r)
    righe = []
    for nome in aree_ordine:
        obiettivi = per_area.get(nome, [])
        if not obiettivi:
            continue
        contati = [r for r in obiettivi if r.conteggiato]
        media = formula = calcolo = None
        if contati:
            media, formula, calcolo = scoring.media_obiettivi(contati, regole)
        righe.append(
            {
                "area": nome,
                "n_obiettivi": len(obiettivi),
                "n_attivi": sum(1 for r in obiettivi if r.attivo),
                "n_valutati": len(contati),
                "media": _num(media),
                "distribuzione": [
                    {"grado": v.valore, "etichetta": v.etichetta,
                     "n": sum(1 for r in contati if r.grado == v.valore)}
                    for v in regole.scala_gradi
                ],
                "spiegazione": {
                    "formula": formula or "Nessun obiettivo valutato",
                    "calcolo": calcolo or "",
                    "input": [],
                    "esclusioni": [
                        {"codice": r.codice, "descrizione": r.titolo,
                         "motivo": r.motivo_esclusione or "non valutato"}
                        for r in obiettivi if not r.conteggiato
                    ],
                    "note": [],
                },
            }
        )
    return righe


def sezione_performance(*, ciclo, risultati: scoring.RisultatiCiclo, obiettivi, nodi):
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
    aree_ordine = [a.nome for a in ciclo.aree.all()]
    return {
        "smvp": _smvp(regole, ciclo.smvp),
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
        "risultati_aree": _per_area(risultati, regole, aree_ordine),
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
