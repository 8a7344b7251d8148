"""The Nucleo's working papers on the Relazione: every check the law expects, computed from data.

Pure, like ``valutazione.scoring``: nothing here imports Django or a model. Inputs are frozen
dataclasses (``DatiVerifiche`` and the ``Dati*`` classes below, built by
``validazione.queries.dati_verifiche`` from the database or by tests by hand); the output is a
tuple of ``Verifica``: a code, a title, the rule in one line of plain Italian, the legal
reference, the outcome (``superata`` / ``con_rilievi`` / ``non_superata``) and the evidence
(``Evidenza``: a line of text and the object it is about — kind, id, code — for links).

Each evidence line carries its own weight (``Evidenza.esito``: a failure, a *rilievo*, or ``""``
for a line that only informs); a check's outcome is the worst of its lines, in one place
(``_verifica``). The rules, their outcome levels and their legal references are explained in
docs/verifiche.md; the figures of achievement and the grades the bands give come from
``valutazione.scoring`` (through the loader), never recomputed here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from seregno_perf import formati

SUPERATA = "superata"
CON_RILIEVI = "con_rilievi"
NON_SUPERATA = "non_superata"
INFORMA = ""  # an evidence line that only informs
ESITI = {SUPERATA: "superata", CON_RILIEVI: "con rilievi", NON_SUPERATA: "non superata"}
_GRAVITA = {INFORMA: 0, SUPERATA: 0, CON_RILIEVI: 1, NON_SUPERATA: 2}

# Values of the model choices, as plain strings (this module never imports models;
# tests/validazione/test_verifiche.py checks they match the models and obiettivi.regole).
ATTIVO = "attivo"
STRALCIATO = "stralciato"
RINVIATO = "rinviato"
SOSPESO = "sospeso"
NON_APPLICABILE = "non_applicabile"
#: Statuses that say the plan was changed during the year (non applicabile does not: the
#: cases simply did not occur).
STATI_DI_VARIAZIONE = (STRALCIATO, RINVIATO, SOSPESO)
INVIATO = "inviato"
VALIDATO = "validato"
MODIFICATO = "modificato"
TIPO_ALTO = "alto"
TIPO_BASSO = "basso"
TIPO_SCADENZA = "scadenza"
DELIBERA_GIUNTA = "delibera_giunta"

# Kinds of object an evidence line is about (the admin links to their change pages).
OBIETTIVO = "obiettivo"
INDICATORE = "indicatore"
FASE = "fase"
ATTO = "atto"
SMVP = "smvp"
STANDARD = "standard"
FINANZIARIO = "indicatore_finanziario"
CICLO = "ciclo"
AREA = "area"

CENTO = Decimal("100")

# Legal references, at the level we are sure of (docs/verifiche.md).
_ART_10 = "D.Lgs. 150/2009, art. 10"
_VALIDAZIONE = "D.Lgs. 150/2009, art. 14 c. 4 lett. c"
_LINEE_GUIDA = "Linee guida DFP n. 3/2018 sulla Relazione; delibere CIVIT 5/2012 e 6/2012"


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DatiAtto:
    id: int
    descrizione: str  # as the admin writes it: «Giunta Comunale n. 140 del 23/11/2021»
    tipo: str = ""
    data: datetime.date | None = None
    anno: int | None = None
    ente_id: int | None = None


@dataclass(frozen=True)
class DatiVariazione:
    """An act that introduced or changed an objective (``VariazioneObiettivo``)."""

    atto: DatiAtto
    effetto: str = MODIFICATO


@dataclass(frozen=True)
class DatiIndicatore:
    id: int
    codice: str
    nome: str = ""
    tipo: str = TIPO_ALTO
    target: Decimal | None = None
    consuntivo: Decimal | None = None
    data_target: datetime.date | None = None
    data_consuntivo: datetime.date | None = None
    unita: str = ""
    #: the same indicator (objective code + indicator code) in the ente's cycle of the year
    #: before; None when it is not there or was not measured
    consuntivo_precedente: Decimal | None = None


@dataclass(frozen=True)
class DatiFase:
    id: int
    codice: str
    peso: Decimal


@dataclass(frozen=True)
class DatiObiettivo:
    id: int
    codice: str
    titolo: str = ""
    area_id: int | None = None
    area_codice: str = ""
    area_nome: str = ""
    stato: str = ATTIVO
    stato_etichetta: str = ""
    motivazione_stato: str = ""
    anno_rinvio: int | None = None
    stato_rendicontazione: str = "bozza"
    stato_rendicontazione_etichetta: str = ""
    relazione: str = ""
    grado_proposto: int | None = None
    grado_validato: int | None = None
    spiegazione_grado: str = ""  # the dirigente's, internal
    motivazione_grado: str = ""  # the Nucleo's, public
    # from valutazione.scoring
    percentuale: Decimal | None = None
    grado_calcolato: int | None = None
    indicatori: tuple[DatiIndicatore, ...] = ()
    fasi: tuple[DatiFase, ...] = ()
    variazioni: tuple[DatiVariazione, ...] = ()


@dataclass(frozen=True)
class DatiSmvp:
    id: int
    nome: str
    ente_id: int | None = None  # None: a model for every ente
    atto: DatiAtto | None = None
    peso_finanziaria: Decimal = Decimal("40")
    peso_obiettivi: Decimal = Decimal("30")
    peso_qualita: Decimal = Decimal("30")


@dataclass(frozen=True)
class DatiStandard:
    id: int
    codice: str
    servizio: str = ""
    grado: int | None = None


@dataclass(frozen=True)
class DatiFinanziario:
    id: int
    codice: str
    nome: str = ""
    valore: Decimal | None = None


@dataclass(frozen=True)
class DatiVerifiche:
    """One cycle as the checks read it."""

    ciclo_id: int
    ente_id: int
    anno: int
    smvp: DatiSmvp | None = None
    #: the ente's other SMVP versions (to say when a newer approved one was not used)
    altri_smvp: tuple[DatiSmvp, ...] = ()
    atto_approvazione: DatiAtto | None = None
    obiettivi: tuple[DatiObiettivo, ...] = ()
    standard: tuple[DatiStandard, ...] = ()
    finanziari: tuple[DatiFinanziario, ...] = ()
    #: whether the ente has a cycle for ``anno - 1`` (the targets are compared with it)
    ciclo_precedente: bool = False
    grado_massimo: int = 5  # the top of the SMVP's grade scale


# --------------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Evidenza:
    """One line of evidence, about one object (``tipo`` + ``id`` + ``codice``) when it has one."""

    descrizione: str
    esito: str = INFORMA  # what this line weighs: NON_SUPERATA, CON_RILIEVI or INFORMA
    tipo: str = ""
    id: int | None = None
    codice: str = ""


@dataclass(frozen=True)
class Verifica:
    codice: str
    titolo: str
    regola: str  # one line of plain Italian
    riferimento: str  # the legal reference
    esito: str  # SUPERATA | CON_RILIEVI | NON_SUPERATA
    evidenze: tuple[Evidenza, ...] = ()
    nota: str = ""

    @property
    def etichetta_esito(self) -> str:
        return ESITI[self.esito]

    @property
    def n_mancanze(self) -> int:
        return sum(1 for e in self.evidenze if e.esito == NON_SUPERATA)

    @property
    def n_rilievi(self) -> int:
        return sum(1 for e in self.evidenze if e.esito == CON_RILIEVI)


def _verifica(codice, titolo, regola, riferimento, evidenze, nota="") -> Verifica:
    """The outcome of a check is the worst of its evidence lines (none: superata)."""
    peggiore = max((_GRAVITA[e.esito] for e in evidenze), default=0)
    esito = {0: SUPERATA, 1: CON_RILIEVI, 2: NON_SUPERATA}[peggiore]
    # failures first, then rilievi, then what only informs; each group in the data's order
    ordinate = sorted(evidenze, key=lambda e: -_GRAVITA[e.esito])
    return Verifica(codice, titolo, regola, riferimento, esito, tuple(ordinate), nota)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def _vuoto(testo) -> bool:
    return not (testo or "").strip()


def _attivi(dati: DatiVerifiche):
    return [o for o in dati.obiettivi if o.stato == ATTIVO]


def _ob(o: DatiObiettivo, esito: str, testo: str) -> Evidenza:
    return Evidenza(f"{o.codice} — {testo}", esito, OBIETTIVO, o.id, o.codice)


def _etichetta_stato(o: DatiObiettivo) -> str:
    return o.stato_etichetta or o.stato.replace("_", " ").capitalize()


def _grado(o: DatiObiettivo) -> int | None:
    """The counted grade: the validated one, else the proposed one (as scoring counts it)."""
    return o.grado_validato if o.grado_validato is not None else o.grado_proposto


def _misurato(ind: DatiIndicatore) -> bool:
    if ind.tipo == TIPO_SCADENZA:
        return ind.data_consuntivo is not None
    return ind.consuntivo is not None


def _n(valore) -> str:
    return formati.numero(valore, None)


def fine_anno(anno: int) -> datetime.date:
    return datetime.date(anno, 12, 31)


def termine_approvazione(anno: int) -> datetime.date:
    """The Relazione of ``anno`` is approved by 30 June of the year after (art. 10 c. 1 lett. b)."""
    return datetime.date(anno + 1, 6, 30)


# --------------------------------------------------------------------------------------------
# The checks, in the order of the issue (and of docs/verifiche.md)
# --------------------------------------------------------------------------------------------

def esiti_obiettivi(dati: DatiVerifiche) -> Verifica:
    evidenze = []
    for o in _attivi(dati):
        mancano = []
        if o.stato_rendicontazione not in (INVIATO, VALIDATO):
            stato = o.stato_rendicontazione_etichetta or o.stato_rendicontazione
            mancano.append(f"esito non inviato al Nucleo («{stato}»)")
        if _vuoto(o.relazione):
            mancano.append("manca la relazione del dirigente")
        if o.grado_validato is None:
            mancano.append("manca il grado validato dal Nucleo")
        if mancano:
            evidenze.append(_ob(o, NON_SUPERATA, "; ".join(mancano)))
    return _verifica(
        "esiti-obiettivi", "Esiti degli obiettivi attivi",
        "Ogni obiettivo attivo ha l'esito rendicontato, la relazione del dirigente e il grado "
        "validato dal Nucleo.",
        f"{_ART_10} c. 1 lett. b; {_VALIDAZIONE}",
        evidenze,
    )


def indicatori_misurati(dati: DatiVerifiche) -> Verifica:
    evidenze = []
    for o in _attivi(dati):
        for ind in o.indicatori:
            if _misurato(ind):
                continue
            oggetto = f"{o.codice} / {ind.codice}"
            cosa = ("data di realizzazione non inserita" if ind.tipo == TIPO_SCADENZA
                    else "consuntivo non inserito")
            if _vuoto(o.relazione):
                evidenze.append(Evidenza(
                    f"{oggetto} — {cosa} e nessuna relazione del dirigente che ne dica il motivo",
                    NON_SUPERATA, INDICATORE, ind.id, oggetto))
            else:
                evidenze.append(Evidenza(
                    f"{oggetto} — {cosa}: il motivo può stare solo nella relazione del "
                    "dirigente, da leggere", CON_RILIEVI, INDICATORE, ind.id, oggetto))
    return _verifica(
        "indicatori-misurati", "Valori misurati degli indicatori",
        "Ogni indicatore di un obiettivo attivo ha il valore misurato, o la relazione del "
        "dirigente dice perché manca.",
        f"{_ART_10} c. 1 lett. b; {_LINEE_GUIDA}",
        evidenze,
        nota="Il modello non ha un campo per il motivo di un valore mancante: con una relazione "
             "del dirigente la mancanza è un rilievo (il Nucleo legge la relazione), senza è una "
             "mancanza.",
    )


def pesi_fasi(dati: DatiVerifiche) -> Verifica:
    evidenze = []
    for o in dati.obiettivi:
        if not o.fasi:
            continue
        somma = sum((f.peso for f in o.fasi), Decimal(0))
        if somma != CENTO:
            evidenze.append(_ob(o, NON_SUPERATA, f"i pesi delle {len(o.fasi)} fasi sommano a "
                                                 f"{_n(somma)} anziché a 100"))
    return _verifica(
        "pesi-fasi", "Pesi delle fasi",
        "Per ogni obiettivo con fasi, i pesi delle fasi sommano a 100.",
        "SMVP del ciclo (raggiungimento degli obiettivi); " + _LINEE_GUIDA,
        evidenze,
    )


def gradi_nelle_fasce(dati: DatiVerifiche) -> Verifica:
    evidenze = []
    for o in _attivi(dati):
        grado = _grado(o)
        if grado is None or o.grado_calcolato is None or grado == o.grado_calcolato:
            continue
        fonte = "validato" if o.grado_validato is not None else "proposto"
        testo = (f"grado {fonte} {grado}, ma il raggiungimento "
                 f"({formati.percentuale(o.percentuale)}) cade nella fascia del grado "
                 f"{o.grado_calcolato}")
        chi = [nome for nome, spiegazione in (("dal Nucleo", o.motivazione_grado),
                                              ("dal dirigente", o.spiegazione_grado))
               if not _vuoto(spiegazione)]
        if chi:
            evidenze.append(_ob(o, INFORMA, f"{testo}: differenza spiegata {' e '.join(chi)}"))
        else:
            evidenze.append(_ob(o, NON_SUPERATA, f"{testo}, senza spiegazione"))
    return _verifica(
        "gradi-fasce", "Gradi e fasce di raggiungimento",
        "Ogni grado sta nella fascia che la sua % di raggiungimento indica, o la differenza è "
        "spiegata dal dirigente o dal Nucleo.",
        f"SMVP del ciclo (fasce di raggiungimento); {_VALIDAZIONE}",
        evidenze,
    )


def variazioni_coperte(dati: DatiVerifiche) -> Verifica:
    fine = fine_anno(dati.anno)
    evidenze = []
    for o in dati.obiettivi:
        for v in o.variazioni:
            atto = v.atto
            effetto = "modificato" if v.effetto == MODIFICATO else "introdotto"
            if atto.data is None:
                if atto.anno is not None and atto.anno > dati.anno:
                    evidenze.append(_ob(o, NON_SUPERATA, f"{effetto} da {atto.descrizione}, atto "
                                                         f"di un anno successivo al {dati.anno}"))
                else:
                    evidenze.append(_ob(o, CON_RILIEVI, f"{effetto} da {atto.descrizione}, atto "
                                                        "senza data: indicarla"))
            elif atto.data > fine:
                evidenze.append(_ob(o, NON_SUPERATA, f"{effetto} da {atto.descrizione}, dopo la "
                                                     f"fine dell'anno ({formati.data(fine)})"))
        modificato = any(v.effetto == MODIFICATO for v in o.variazioni)
        if o.stato in STATI_DI_VARIAZIONE and not modificato:
            evidenze.append(_ob(o, CON_RILIEVI, f"«{_etichetta_stato(o)}» senza un atto di "
                                                "variazione del PEG che lo disponga"))
    return _verifica(
        "variazioni-atti", "Variazioni del piano coperte da atti",
        f"Ogni obiettivo modificato nell'anno è coperto da un atto di variazione del PEG datato "
        f"entro il {formati.data(fine)}.",
        f"{_ART_10} (variazioni degli obiettivi nell'anno); D.Lgs. 267/2000, art. 169 (PEG)",
        evidenze,
        nota="«Modificato nell'anno» vuol dire: collegato a un atto con effetto «Modificato», "
             "oppure stralciato, rinviato o sospeso (un cambio di stato è una variazione del "
             "piano: senza un atto è un rilievo).",
    )


def motivazioni_stati(dati: DatiVerifiche) -> Verifica:
    evidenze = []
    for o in dati.obiettivi:
        if o.stato == ATTIVO:
            continue
        stato = _etichetta_stato(o)
        if o.stato == RINVIATO and o.anno_rinvio is None:
            evidenze.append(_ob(o, NON_SUPERATA, f"«{stato}» senza l'anno del rinvio"))
        if _vuoto(o.motivazione_stato):
            if o.stato in (SOSPESO, NON_APPLICABILE):
                evidenze.append(_ob(o, NON_SUPERATA, f"«{stato}» senza motivazione"))
            else:
                dove = f" al {o.anno_rinvio}" if o.stato == RINVIATO and o.anno_rinvio else ""
                evidenze.append(_ob(o, CON_RILIEVI, f"«{stato}{dove}» senza motivazione: i "
                                                    "cittadini non leggono perché"))
        else:
            evidenze.append(_ob(o, INFORMA, f"«{stato}»: {o.motivazione_stato.strip()}"))
    return _verifica(
        "motivazioni-stati", "Motivazioni degli obiettivi non attivi",
        "Ogni obiettivo stralciato, rinviato, sospeso o non applicabile ha la sua motivazione "
        "(e il rinviato l'anno del rinvio).",
        f"{_ART_10}; {_LINEE_GUIDA}",
        evidenze,
        nota="Per sospeso e non applicabile la motivazione è obbligatoria (una mancanza); per "
             "stralciato e rinviato le regole del piano non la chiedono: è un rilievo.",
    )


def smvp_del_ciclo(dati: DatiVerifiche) -> Verifica:
    evidenze = []
    s = dati.smvp
    fine = fine_anno(dati.anno)
    if s is None:
        evidenze.append(Evidenza("Il ciclo non ha un sistema di valutazione (SMVP).",
                                 NON_SUPERATA, CICLO, dati.ciclo_id, str(dati.anno)))
    else:
        def ev(esito, testo):
            return Evidenza(f"{s.nome} — {testo}", esito, SMVP, s.id, s.nome)

        if s.ente_id is not None and s.ente_id != dati.ente_id:
            evidenze.append(ev(NON_SUPERATA, "è il sistema di un altro ente"))
        atto = s.atto
        if atto is None:
            evidenze.append(ev(NON_SUPERATA, "nessun atto di approvazione indicato"))
        else:
            if atto.ente_id is not None and atto.ente_id != dati.ente_id:
                evidenze.append(ev(NON_SUPERATA, f"approvato da {atto.descrizione}, atto di un "
                                                 "altro ente"))
            if (atto.data is not None and atto.data > fine) or (
                    atto.data is None and atto.anno is not None and atto.anno > dati.anno):
                evidenze.append(ev(NON_SUPERATA, f"approvato da {atto.descrizione}, dopo la "
                                                 f"fine del ciclo {dati.anno}"))
            elif atto.tipo != DELIBERA_GIUNTA:
                evidenze.append(ev(CON_RILIEVI, f"approvato da {atto.descrizione}, che non è "
                                                "una deliberazione della Giunta"))
            else:
                evidenze.append(ev(INFORMA, f"approvato da {atto.descrizione}"))
            piu_recenti = [
                a for a in dati.altri_smvp
                if a.id != s.id and a.atto is not None and a.atto.data is not None
                and atto.data is not None and atto.data < a.atto.data <= fine
            ]
            for altro in piu_recenti:
                evidenze.append(Evidenza(
                    f"{altro.nome} — approvato da {altro.atto.descrizione}, più recente di "
                    "quello usato e in vigore nel ciclo", CON_RILIEVI, SMVP, altro.id, altro.nome))
        pesi = (s.peso_finanziaria, s.peso_obiettivi, s.peso_qualita)
        somma = sum(pesi, Decimal(0))
        calcolo = f"{' + '.join(_n(p) for p in pesi)} = {_n(somma)}"
        if somma != CENTO:
            evidenze.append(ev(NON_SUPERATA, f"i pesi PFin, PObj_Gen e PQua_Gen sommano a "
                                             f"{calcolo} anziché a 100"))
        else:
            evidenze.append(ev(INFORMA, f"pesi PFin, PObj_Gen e PQua_Gen: {calcolo}"))
    return _verifica(
        "smvp", "Sistema di misurazione e valutazione",
        "Il ciclo usa l'SMVP approvato dall'ente e in vigore nell'anno, e i suoi pesi sommano "
        "a 100.",
        "D.Lgs. 150/2009, art. 7; SMVP dell'ente",
        evidenze,
    )


def obiettivi_senza_indicatori(dati: DatiVerifiche) -> Verifica:
    evidenze = [
        _ob(o, CON_RILIEVI, "misurato solo dalle fasi" if o.fasi else "né indicatori né fasi")
        for o in _attivi(dati) if not o.indicatori
    ]
    return _verifica(
        "obiettivi-senza-indicatori", "Obiettivi senza indicatori",
        "Ogni obiettivo attivo ha almeno un indicatore (se non ne ha, è un rilievo).",
        "D.Lgs. 150/2009, art. 5 c. 2; " + _LINEE_GUIDA,
        evidenze,
    )


def indicatori_senza_target(dati: DatiVerifiche) -> Verifica:
    evidenze = []
    for o in _attivi(dati):
        for ind in o.indicatori:
            manca = ind.data_target is None if ind.tipo == TIPO_SCADENZA else ind.target is None
            if manca:
                oggetto = f"{o.codice} / {ind.codice}"
                cosa = ("scadenza prevista non indicata" if ind.tipo == TIPO_SCADENZA
                        else "target non indicato")
                evidenze.append(Evidenza(f"{oggetto} — {cosa}", CON_RILIEVI,
                                         INDICATORE, ind.id, oggetto))
    return _verifica(
        "indicatori-senza-target", "Indicatori senza target",
        "Ogni indicatore ha il suo target (se manca, è un rilievo).",
        "D.Lgs. 150/2009, art. 5 c. 2",
        evidenze,
    )


def target_migliorativi(dati: DatiVerifiche) -> Verifica:
    precedente = dati.anno - 1
    evidenze = []
    for o in _attivi(dati):
        for ind in o.indicatori:
            prima, target = ind.consuntivo_precedente, ind.target
            if prima is None or target is None or ind.tipo not in (TIPO_ALTO, TIPO_BASSO):
                continue
            uguale = target == prima
            peggiore = target < prima if ind.tipo == TIPO_ALTO else target > prima
            if uguale or peggiore:
                oggetto = f"{o.codice} / {ind.codice}"
                come = "uguale al" if uguale else "meno ambizioso del"
                evidenze.append(Evidenza(
                    f"{oggetto} — target {formati.misura(target, ind.unita)} {come} consuntivo "
                    f"{precedente} ({formati.misura(prima, ind.unita)})", CON_RILIEVI,
                    INDICATORE, ind.id, oggetto))
    nota = ("" if dati.ciclo_precedente else
            f"L'ente non ha un ciclo {precedente}: il confronto non è possibile.")
    return _verifica(
        "target-migliorativi", "Target rispetto all'anno precedente",
        f"Ogni target chiede un miglioramento rispetto al consuntivo {precedente} dello stesso "
        "indicatore (stesso codice di obiettivo e di indicatore); se no, è un rilievo.",
        "D.Lgs. 150/2009, art. 5 c. 2",
        evidenze, nota,
    )


def differenziazione(dati: DatiVerifiche) -> Verifica:
    per_area: dict = {}
    for o in _attivi(dati):
        if _grado(o) is not None:
            per_area.setdefault((o.area_id, o.area_codice, o.area_nome), []).append(_grado(o))
    evidenze = [
        Evidenza(f"{codice} {nome} — tutti i {len(gradi)} obiettivi valutati hanno il grado "
                 f"massimo ({dati.grado_massimo})", CON_RILIEVI, AREA, area_id, codice)
        for (area_id, codice, nome), gradi in per_area.items()
        if len(gradi) >= 2 and all(g == dati.grado_massimo for g in gradi)
    ]
    return _verifica(
        "differenziazione", "Differenziazione dei gradi",
        "In nessuna area tutti gli obiettivi valutati (almeno due) hanno il grado massimo; se "
        "sì, è un rilievo.",
        f"{_VALIDAZIONE} (attendibilità); {_LINEE_GUIDA}",
        evidenze,
    )


def _non_rilevati(dati: DatiVerifiche, voci, tipo: str, *, nome, misura, mancante: str,
                  nessuna: str) -> list[Evidenza]:
    """A failure for each of ``voci`` whose ``misura`` is not measured, or for having none."""
    evidenze = [
        Evidenza(f"{voce.codice} {nome(voce)} — {mancante}", NON_SUPERATA, tipo, voce.id,
                 voce.codice)
        for voce in voci if misura(voce) is None
    ]
    if not voci:
        evidenze.append(Evidenza(nessuna, NON_SUPERATA, CICLO, dati.ciclo_id, str(dati.anno)))
    return evidenze


def barometro(dati: DatiVerifiche) -> Verifica:
    return _verifica(
        "barometro", "Barometro della qualità",
        "Ogni standard del barometro della qualità ha il suo grado rilevato.",
        "D.Lgs. 150/2009, art. 8; SMVP dell'ente (PQua_Gen)",
        _non_rilevati(dati, dati.standard, STANDARD, nome=lambda s: s.servizio,
                      misura=lambda s: s.grado, mancante="grado non rilevato",
                      nessuna="Il ciclo non ha standard del barometro della qualità."),
    )


def indicatori_finanziari(dati: DatiVerifiche) -> Verifica:
    return _verifica(
        "indicatori-finanziari", "Indicatori economico-finanziari",
        "Ogni indicatore economico-finanziario ha il suo valore rilevato.",
        "D.Lgs. 150/2009, art. 8; SMVP dell'ente (PFin)",
        _non_rilevati(dati, dati.finanziari, FINANZIARIO, nome=lambda f: f.nome,
                      misura=lambda f: f.valore, mancante="valore non rilevato",
                      nessuna="Il ciclo non ha indicatori economico-finanziari."),
    )


def partecipazione(dati: DatiVerifiche) -> Verifica:
    rilevati = [s for s in dati.standard if s.grado is not None]
    if rilevati:
        evidenze = [Evidenza(
            f"Il barometro della qualità rileva {len(rilevati)} standard di servizio su "
            f"{len(dati.standard)}: è il solo apporto degli utenti che il prodotto registra. La "
            "partecipazione dei cittadini non ha ancora un suo modulo: il Nucleo verifica nella "
            "Relazione come se ne è tenuto conto.", CON_RILIEVI, CICLO, dati.ciclo_id,
            str(dati.anno))]
    else:
        evidenze = [Evidenza(
            "Nessuno standard del barometro della qualità rilevato: la Relazione non riporta "
            "alcun apporto dei cittadini e degli utenti.", NON_SUPERATA, CICLO, dati.ciclo_id,
            str(dati.anno))]
    return _verifica(
        "partecipazione", "Apporto dei cittadini e degli utenti",
        "La Relazione riporta l'apporto dei cittadini e degli utenti (oggi: il barometro della "
        "qualità, con un rilievo finché manca il modulo della partecipazione).",
        "D.Lgs. 150/2009, artt. 8 e 19-bis; Linee guida DFP n. 4/2019 (valutazione partecipativa)",
        evidenze,
    )


def approvazione(dati: DatiVerifiche) -> Verifica:
    termine = termine_approvazione(dati.anno)
    atto = dati.atto_approvazione
    evidenze = []
    if atto is None:
        evidenze.append(Evidenza("Nessun atto della Giunta approva la Relazione.", NON_SUPERATA,
                                 CICLO, dati.ciclo_id, str(dati.anno)))
    else:
        def ev(esito, testo):
            return Evidenza(f"{atto.descrizione} — {testo}", esito, ATTO, atto.id,
                            atto.descrizione)

        if atto.tipo != DELIBERA_GIUNTA:
            evidenze.append(ev(NON_SUPERATA, "non è una deliberazione della Giunta"))
        elif atto.ente_id is not None and atto.ente_id != dati.ente_id:
            evidenze.append(ev(NON_SUPERATA, "è un atto di un altro ente"))
        elif atto.data is None:
            evidenze.append(ev(CON_RILIEVI, "atto senza data: non si può dire se rispetta il "
                                            f"termine del {formati.data(termine)}"))
        elif atto.data > termine:
            evidenze.append(ev(CON_RILIEVI, f"approvata dopo il termine del "
                                            f"{formati.data(termine)}"))
        else:
            evidenze.append(ev(INFORMA, f"approvata entro il termine del {formati.data(termine)}"))
    return _verifica(
        "approvazione", "Approvazione della Giunta",
        f"La Relazione è approvata con una deliberazione della Giunta entro il "
        f"{formati.data(termine)} (dopo, è un rilievo).",
        f"{_ART_10} c. 1 lett. b",
        evidenze,
    )


VERIFICHE = (
    esiti_obiettivi, indicatori_misurati, pesi_fasi, gradi_nelle_fasce, variazioni_coperte,
    motivazioni_stati, smvp_del_ciclo, obiettivi_senza_indicatori, indicatori_senza_target,
    target_migliorativi, differenziazione, barometro, indicatori_finanziari, partecipazione,
    approvazione,
)


def verifica_ciclo(dati: DatiVerifiche) -> tuple[Verifica, ...]:
    """Every check of the cycle, in order."""
    return tuple(controllo(dati) for controllo in VERIFICHE)


# --------------------------------------------------------------------------------------------
# Summary and plain data (for the command's JSON and the future documento di validazione)
# --------------------------------------------------------------------------------------------

def riepilogo(verifiche) -> dict[str, int]:
    conteggi = {SUPERATA: 0, CON_RILIEVI: 0, NON_SUPERATA: 0}
    for v in verifiche:
        conteggi[v.esito] += 1
    return conteggi


def esito_complessivo(verifiche) -> str:
    """The worst outcome of the checks."""
    return max((v.esito for v in verifiche), key=lambda e: _GRAVITA[e], default=SUPERATA)


def frase_riepilogo(verifiche) -> str:
    """«15 verifiche: 11 superate, 4 con rilievi, nessuna non superata.»"""
    c = riepilogo(verifiche)

    def conta(n, singolare, plurale):
        return f"nessuna {singolare}" if n == 0 else f"{n} {singolare if n == 1 else plurale}"

    return (f"{conta(len(verifiche), 'verifica', 'verifiche')}: "
            f"{conta(c[SUPERATA], 'superata', 'superate')}, "
            f"{conta(c[CON_RILIEVI], 'con rilievi', 'con rilievi')}, "
            f"{conta(c[NON_SUPERATA], 'non superata', 'non superate')}.").capitalize()


def come_dati(verifiche) -> list[dict]:
    """The checks as lists and dicts of strings, ints and None, in a fixed key order."""
    return [
        {
            "codice": v.codice, "titolo": v.titolo, "esito": v.esito, "regola": v.regola,
            "riferimento": v.riferimento, "nota": v.nota,
            "evidenze": [
                {"descrizione": e.descrizione, "esito": e.esito, "tipo": e.tipo, "id": e.id,
                 "codice": e.codice}
                for e in v.evidenze
            ],
        }
        for v in verifiche
    ]


# --------------------------------------------------------------------------------------------
# The draft of the documento di validazione: each criterion's finding from its verifiche
# --------------------------------------------------------------------------------------------

# The checks each criterion of the documento di validazione (Linee guida DFP n. 3/2018, § 4)
# rests on, by code; «chiarezza» rests on none: the Nucleo reads the published Relazione.
VERIFICHE_PER_CRITERIO = {
    "conformita": ("smvp", "pesi-fasi", "approvazione"),
    "attendibilita": ("esiti-obiettivi", "indicatori-misurati", "gradi-fasce", "barometro",
                      "indicatori-finanziari"),
    "chiarezza": (),
    "completezza": ("esiti-obiettivi", "motivazioni-stati", "obiettivi-senza-indicatori"),
    "scostamenti": ("variazioni-atti", "motivazioni-stati", "gradi-fasce"),
    "indicatori": ("indicatori-misurati", "indicatori-senza-target", "target-migliorativi",
                   "differenziazione"),
    "partecipazione": ("partecipazione", "barometro"),
}
SENZA_VERIFICHE = ("Nessuna verifica automatica: il Nucleo legge la Relazione pubblicata e ne "
                   "giudica la chiarezza per i cittadini.")
MAX_RIGHE_BOZZA = 10


def bozza_criteri(verifiche) -> dict[str, str]:
    """The draft text of each criterion's finding: one line per check it rests on (number,
    title, outcome) followed by the check's non-passing evidence lines (at most
    ``MAX_RIGHE_BOZZA`` each). The Nucleo edits it before signing."""
    numerate = {v.codice: (n, v) for n, v in enumerate(verifiche, start=1)}
    bozza = {}
    for criterio, codici in VERIFICHE_PER_CRITERIO.items():
        righe = []
        for codice in codici:
            if codice not in numerate:
                continue
            n, v = numerate[codice]
            righe.append(f"{n}. {v.titolo}: {ESITI[v.esito]}.")
            problemi = [e for e in v.evidenze if e.esito in (CON_RILIEVI, NON_SUPERATA)]
            righe += [f"   – {e.descrizione}" for e in problemi[:MAX_RIGHE_BOZZA]]
            if len(problemi) > MAX_RIGHE_BOZZA:
                righe.append(f"   – e altri {len(problemi) - MAX_RIGHE_BOZZA}.")
        bozza[criterio] = "\n".join(righe) if righe else SENZA_VERIFICHE
    return bozza
