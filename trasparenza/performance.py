"""The "Livelli di performance conseguiti" part of the Relazione, as JSON-ready data.

Turns the engine's results (``valutazione.scoring.RisultatiCiclo``) into plain dicts: numbers
as JSON numbers, every computed figure with its ``spiegazione`` (formula, calcolo, input,
esclusioni). Nothing is computed here except through ``valutazione.scoring``; results per area
are the engine's (grouped by the area's id) and carry the area's code.

The outcome of an objective, an azione, a linea or an area is written here once, as its
``esito`` (the grade with its SMVP label, or the status with its reason): every template, page
and PDF prints that text and never composes its own.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

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
        "classe_esito": scoring.classe_esito(r, regole),
        # public (LG DFP 3/2018): the Nucleo's reason when it validated another grade than the
        # proposed one; the proposed grade itself and the comment on sending back stay internal
        "grado_modificato_dal_nucleo": scoring.grado_nucleo_modificato(r),
        "motivazione_nucleo": (
            ob["motivazione_grado"] if scoring.grado_nucleo_modificato(r) else ""
        ),
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


# The three components in plain words (the codes PFin, PObj_Gen, PQua_Gen only in «Come è
# calcolato» and in the glossary).
NOMI_COMPONENTI = {
    "finanziaria": "salute finanziaria",
    "obiettivi": "obiettivi raggiunti",
    "qualita": "qualità dei servizi",
}


def parole_semplici(etichetta: str) -> str:
    """An SMVP label as plain words: «Obiettivo/i pienamente conseguito/i» → «obiettivi
    pienamente conseguiti» (the plural form, lower case)."""
    testo = re.sub(r"(\w)o/i\b", r"\1i", etichetta or "")
    testo = re.sub(r"(\w)a/e\b", r"\1e", testo)
    return testo[:1].lower() + testo[1:]


def _etichetta_livello(valore, regole) -> str:
    if valore is None:
        return ""
    return parole_semplici(regole.etichetta_grado(int(scoring.arrotonda(valore).to_integral_value(
        rounding=ROUND_HALF_UP))))


def _conteggi(conteggio: dict) -> dict:
    return {
        "raggiunti": conteggio[scoring.ESITO_RAGGIUNTO],
        "parziali": conteggio[scoring.ESITO_PARZIALE],
        "non_raggiunti": conteggio[scoring.ESITO_NON_RAGGIUNTO],
        "esclusi": conteggio[scoring.ESITO_ESCLUSO],
        "non_valutati": conteggio[scoring.ESITO_NON_VALUTATO],
        "totale": sum(conteggio.values()),
    }


def _linea_breve(linea):
    return None if linea is None else {
        "codice": linea.nodo.codice, "titolo": linea.nodo.titolo, "grado": _num(linea.nodo.grado),
        "esito": esito_grado(linea.nodo.grado),
    }


def sintesi(*, risultati: scoring.RisultatiCiclo, aree_slug: dict) -> dict:
    """«In sintesi»: the ente's level in words, the three components in plain words, the count of
    objectives per class of outcome (``scoring.classe_esito``), one card per area, the strongest
    and the weakest linea. Every figure from ``valutazione.scoring``; templates only print."""
    regole = risultati.regole
    valori = sorted(l.valore for l in regole.scala_gradi) or [1, 5]
    ente = risultati.ente
    etichetta = _etichetta_livello(ente.valore, regole)
    componenti = {c.codice: c for c in ente.componenti}
    fonti = {"finanziaria": componenti.get("PFin", risultati.pfin),
             "obiettivi": componenti.get("PObj_Gen", risultati.pobj),
             "qualita": componenti.get("PQua_Gen", risultati.pqua)}
    per_area = {}
    for r in risultati.obiettivi:
        per_area.setdefault(r.area_codice, []).append(r)
    estremi = scoring.estremi_linee(risultati.linee)
    graduate = [l for l in risultati.linee if l.nodo.grado is not None]  # noqa: E741
    return {
        "livello": _num(ente.valore),
        "scala_min": valori[0],
        "scala_max": valori[-1],
        "etichetta": etichetta,
        "significato": (
            f"La scala va da {valori[0]} ({parole_semplici(regole.etichetta_grado(valori[0]))}) "
            f"a {valori[-1]} ({parole_semplici(regole.etichetta_grado(valori[-1]))})."
        ),
        "provvisorio": risultati.provvisorio,
        "componenti": [
            {"chiave": chiave, "nome": NOMI_COMPONENTI[chiave], "valore": _num(c.valore),
             "peso": _num(c.peso)}
            for chiave, c in fonti.items()
        ],
        "conteggi": _conteggi(scoring.conteggio_esiti(risultati.obiettivi, regole)),
        "aree": [
            {
                "area_codice": a.codice,
                "area": a.nome,
                "slug": aree_slug.get(a.codice, ""),
                "media": _num(a.media),
                "esito": esito_grado(a.media),
                "etichetta": _etichetta_livello(a.media, regole),
                "conteggi": _conteggi(scoring.conteggio_esiti(per_area.get(a.codice, []), regole)),
            }
            for a in risultati.aree
        ],
        "linea_migliore": _linea_breve(estremi[0] if estremi else None),
        "linea_peggiore": _linea_breve(estremi[1] if estremi else None),
        "linee_pari": (
            {"n": len(graduate), "esito": esito_grado(graduate[0].nodo.grado)}
            if graduate and not estremi else None
        ),
    }


def non_raggiunti(obiettivi: list[dict]) -> dict:
    """«Cosa non è stato raggiunto e perché», from the objectives' report data: those whose grade
    is «non raggiunto» or «parziale», those excluded with their reason, those whose grade the
    Nucleo changed with its public reason."""
    def voce(o, motivo):
        return {"codice": o["codice"], "titolo": o["titolo"], "area": o["area"],
                "area_codice": o["area_codice"], "esito": o["esito"], "motivo": motivo}

    return {
        "non_raggiunti": [
            voce(o, o["motivazione_nucleo"] or o["relazione"]) for o in obiettivi
            if o["classe_esito"] in (scoring.ESITO_NON_RAGGIUNTO, scoring.ESITO_PARZIALE)
        ],
        "esclusi": [
            voce(o, "" if o["motivazione_stato"] in o["esito"] else o["motivazione_stato"])
            for o in obiettivi
            if o["classe_esito"] == scoring.ESITO_ESCLUSO
        ],
        "modificati_dal_nucleo": [
            voce(o, o["motivazione_nucleo"]) for o in obiettivi if o["grado_modificato_dal_nucleo"]
        ],
    }


def sezione_performance(*, ciclo, risultati: scoring.RisultatiCiclo, obiettivi, nodi, atto_smvp,
                        aree_slug=None):
    aree_slug = aree_slug or {}
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
    voci_obiettivi = [
        _obiettivo(r, righe[r.id], risultati, radice, regole, tipi) for r in risultati.obiettivi
    ]
    return {
        "sintesi": sintesi(risultati=risultati, aree_slug=aree_slug),
        "non_raggiunti": non_raggiunti(voci_obiettivi),
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
        "obiettivi": voci_obiettivi,
        "non_valutati": [r.codice for r in risultati.non_valutati],
        "esclusi": [
            {"codice": r.codice, "titolo": r.titolo, "motivo": r.motivo_esclusione}
            for r in risultati.esclusi
        ],
    }
