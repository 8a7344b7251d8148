"""Checks and the plan: what each row of each sheet does to the cycle.

Each sheet's rows go through its ``Resource`` (``obiettivi.peg.risorse``): cells read, rules of
``obiettivi.regole`` checked, new / changed / unchanged told apart, changed columns listed. What
needs more than one row, or more than one sheet, is checked here by hand (see docs/import-peg.md
for why the library cannot): codes repeated in a sheet, parents and references that must exist
in the cycle or in the same file, loops in the trees, the phases of an objective summing to 100,
and what the importing user may touch (``obiettivi.permessi``). Nothing is written here.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field

import tablib
from django.db.models import F
from django.utils.text import slugify

from valutazione.models import IndicatoreFinanziario, StandardBarometro

from .. import permessi, regole
from ..models import Area, Ciclo, Fase, Indicatore, NodoStrategico, Obiettivo
from .esito import Conteggio, Errore, Esito, Modifica, breve
from .lettura import numeri_riga
from .risorse import FOGLI, RISORSE, misura_esistente, testo_cella

#: What an import row's attribute changes in the model (for the dirigente's editable fields).
CAMPI_DI = {
    "misura_target": ("target", "data_target"),
    "misura_consuntivo": ("consuntivo", "data_consuntivo"),
    "area_codice": ("area",),
    "nodo_codice": ("nodo",),
    "padre_codice": ("parent",),
    "obiettivo_codice": ("obiettivo",),
}


@dataclass
class Letta:
    """One row after its Resource: the instance with the row's values, the one before."""

    numero: int
    chiave: object
    istanza: object
    originale: object | None  # None: a new row
    azione: str  # creato / aggiornato / invariato
    colonne: tuple[str, ...] = ()  # changed columns (the library's diff)
    valida: bool = True

    @property
    def nuova(self):
        return self.originale is None


@dataclass
class Operazione:
    foglio: str
    riga: int
    chiave: str
    istanza: object
    originale: object | None
    colonne: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)

    @property
    def nuova(self):
        return self.originale is None

    @property
    def cambia(self):
        return self.nuova or bool(self.colonne)


@dataclass
class Ambito:
    """What the importing user may touch: everything, or outcomes of some areas."""

    tutto: bool
    aree: frozenset = frozenset()
    etichetta: str = ""

    def area_ammessa(self, codice) -> bool:
        return self.tutto or codice in self.aree


def ambito_di(utente, ciclo) -> Ambito | Errore:
    if utente is None or permessi.is_amministratore(utente, ciclo.ente_id):
        return Ambito(tutto=True)
    if permessi.is_dirigente(utente):
        aree = permessi.aree_visibili(utente).filter(ciclo=ciclo).values_list("codice", flat=True)
        return Ambito(tutto=False, aree=frozenset(aree), etichetta=utente.get_username())
    return Errore(
        f"l'utente '{utente.get_username()}' non può importare il PEG: servono i ruoli "
        f"{permessi.AMMINISTRATORE} o {permessi.DIRIGENTE}"
    )


def _it(numero) -> str:
    return breve(numero, 40) if isinstance(numero, str) else str(numero)


# --------------------------------------------------------------------------------------------
# The cycle's rows, loaded once per sheet
# --------------------------------------------------------------------------------------------

def _con_padre(model, ciclo) -> dict:
    return {o.codice: o for o in model.objects.filter(ciclo=ciclo).annotate(padre_codice=F("parent__codice"))}


# Loaded rows carry no related objects: the library deep-copies each row's instance (its
# ``original``), and a cached objective with its area would be copied along with every indicator.

def _obiettivi_esistenti(ciclo) -> dict:
    return {
        o.codice: o
        for o in Obiettivo.objects.filter(ciclo=ciclo).annotate(
            area_codice=F("area__codice"), nodo_codice=F("nodo__codice"))
    }


def _figli_esistenti(model, ciclo) -> dict:
    righe = model.objects.filter(obiettivo__ciclo=ciclo).annotate(
        obiettivo_codice=F("obiettivo__codice"))
    esistenti = {}
    for f in righe:
        if model is Indicatore:
            misura_esistente(f)
        esistenti[(f.obiettivo_codice, f.codice)] = f
    return esistenti


def _standard_esistenti(ciclo) -> dict:
    return {s.codice: s for s in StandardBarometro.objects.filter(ciclo=ciclo)
            .annotate(area_codice=F("area__codice"))}


def _finanziari_esistenti(ciclo) -> dict:
    return {i.codice: i for i in IndicatoreFinanziario.objects.filter(ciclo=ciclo)}


# --------------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------------

class Piano:
    def __init__(self, ciclo: Ciclo, esito: Esito, ambito: Ambito, utente=None):
        self.ciclo = ciclo
        self.esito = esito
        self.ambito = ambito
        self.utente = utente
        self.operazioni: dict[str, list[Operazione]] = {}
        self.padri: dict[str, dict] = {}
        self._aree = self._obiettivi = None
        self._riaperto = self._rendicontazione = None

    # --- errors -------------------------------------------------------------------------

    def errore(self, foglio, riga, colonna, problema):
        self.esito.errori.append(Errore(problema, foglio, riga, colonna))

    def scarta(self, foglio, letta: Letta, colonna, problema):
        self.errore(foglio, letta.numero, colonna, problema)
        letta.valida = False

    # --- one sheet through its Resource -------------------------------------------------------

    def leggi(self, nome: str, dataset: tablib.Dataset, esistenti: dict) -> list[Letta] | None:
        """The sheet's rows through its Resource: header checks, repeated keys, then the
        library's row pipeline (cells, rules, new/changed/unchanged, changed columns).
        ``None`` when the headers are wrong (no row is read then)."""
        attese = FOGLI[nome]
        intestazioni = list(dataset.headers or [])
        indici, ok = {}, True
        for i, intestazione in enumerate(intestazioni):
            if not intestazione:
                continue
            if intestazione not in attese:
                self.errore(nome, 1, intestazione, f"colonna sconosciuta (attese: {', '.join(attese)})")
                ok = False
            elif intestazione in indici:
                self.errore(nome, 1, intestazione, "colonna ripetuta")
                ok = False
            else:
                indici[intestazione] = i
        for chiave in RISORSE[nome].chiavi:
            if chiave not in indici:
                self.esito.errori.append(Errore(f"manca la colonna '{chiave}'", nome, 1))
                ok = False
        if not ok:
            return None

        colonne = list(indici)
        risorsa = RISORSE[nome](esistenti=esistenti)
        numeri = numeri_riga(dataset)
        righe, tenuti, viste = [], [], {}
        for numero, riga in zip(numeri, dataset):
            celle = tuple(riga[indici[c]] for c in colonne)
            chiave = risorsa.chiave(dict(zip(colonne, celle)))
            if chiave is not None and chiave in viste:
                codice = chiave[-1] if isinstance(chiave, tuple) else chiave
                self.errore(nome, numero, "codice",
                            f"il codice '{_it(codice)}' è ripetuto (già alla riga {viste[chiave]})")
                continue
            if chiave is not None:
                viste[chiave] = numero
            righe.append(celle)
            tenuti.append((numero, chiave))
        if not righe:
            return []
        dati = tablib.Dataset(*righe, headers=colonne)
        risultato = risorsa.import_data(dati, use_transactions=False, raise_errors=False)
        lette = []
        for (numero, chiave), rr in zip(tenuti, risultato.rows):
            if rr.import_type == rr.IMPORT_TYPE_INVALID:
                for colonna, messaggio in risorsa.messaggi(rr.validation_error):
                    self.errore(nome, numero, colonna, messaggio)
                continue
            if rr.import_type == rr.IMPORT_TYPE_ERROR:
                errore = rr.errors[0].error if rr.errors else None
                self.errore(nome, numero, "", f"riga non leggibile ({errore.__class__.__name__})")
                continue
            azione = {"new": "creato", "update": "aggiornato"}.get(rr.import_type, "invariato")
            colonne_cambiate = tuple(rr.diff or ()) if azione == "aggiornato" else ()
            if azione == "aggiornato" and not colonne_cambiate:
                azione = "invariato"
            lette.append(Letta(numero, chiave, rr.instance, rr.original, azione,
                               colonne_cambiate))
        return lette

    # --- bookkeeping ----------------------------------------------------------------------

    def registra(self, foglio, letta: Letta, chiave: str, extra=None):
        conteggio = self.esito.conteggi.setdefault(foglio, Conteggio())
        op = Operazione(foglio, letta.numero, chiave, letta.istanza, letta.originale,
                        letta.colonne if not letta.nuova else (), extra or {})
        if op.nuova:
            conteggio.creati += 1
        elif op.colonne:
            conteggio.aggiornati += 1
        else:
            conteggio.invariati += 1
        self.esito.modifiche.append(Modifica(
            foglio, letta.numero, chiave,
            "creato" if op.nuova else "aggiornato" if op.colonne else "invariato", op.colonne))
        self.operazioni.setdefault(foglio, []).append(op)
        return op

    def solo_esiti(self, op: Operazione, cosa: str):
        """A dirigente creates nothing and changes only what ``permessi.campi_modificabili``
        allows on that row (the outcomes, during rendicontazione, of objectives not sent)."""
        if self.ambito.tutto:
            return
        if op.nuova:
            self.errore(op.foglio, op.riga, "codice",
                        f"un dirigente non può creare {cosa}: '{op.chiave}' non esiste nel ciclo")
            return
        ammessi = permessi.campi_importabili(self.utente, self._con_relazioni(op.originale))
        if ammessi is permessi.TUTTI:
            return
        risorsa = RISORSE[op.foglio]()
        for colonna in op.colonne:
            attributo = risorsa._attributo(colonna)
            if not set(CAMPI_DI.get(attributo, (attributo,))) & ammessi:
                self.errore(
                    op.foglio, op.riga, colonna,
                    f"'{self.ambito.etichetta}' non può modificare questa colonna: un dirigente "
                    "cambia solo gli esiti, durante la rendicontazione, degli obiettivi non "
                    "ancora inviati al Nucleo",
                )

    def guardia(self, op: Operazione, cosa: str, plurale: str, obiettivo: str | None = None):
        """The limits of a change, role first then state: a dirigente's (``solo_esiti``), then
        everyone's (``regole.errori_modifica``: nothing in «Validazione» and later unless
        reopened, no outcome of an objective already with the Nucleo, the plan only in
        «Pianificazione»), one message per column. ``cosa`` names the row, ``obiettivo`` is the
        code of the objective it belongs to."""
        if not op.cambia:
            return
        prima = len(self.esito.errori)
        self.solo_esiti(op, plurale)
        if len(self.esito.errori) > prima:
            return
        risorsa = RISORSE[op.foglio]()
        colonne_di = {}  # model field -> the column that sets it
        for colonna in op.colonne:
            attributo = risorsa._attributo(colonna)
            for campo in CAMPI_DI.get(attributo, (attributo,)):
                colonne_di.setdefault(campo, colonna)
        errori = regole.errori_modifica(
            cosa=cosa, modello=risorsa._meta.model._meta.label_lower, campi=list(colonne_di),
            nuova=op.nuova, stato_ciclo=self.ciclo.stato, riaperto=self.riaperto,
            obiettivo=obiettivo, stato_rendicontazione=self.stato_rendicontazione(obiettivo),
        )
        dette = set()
        for campo, messaggi in errori.items():
            colonna = "codice" if op.nuova else colonne_di.get(campo, "")
            for messaggio in messaggi:
                if (colonna, messaggio) not in dette:
                    dette.add((colonna, messaggio))
                    self.errore(op.foglio, op.riga, colonna, messaggio)

    @property
    def riaperto(self) -> bool:
        """The cycle is in the state a reopening brought it to (asked once, only if it matters)."""
        if self._riaperto is None:
            from .. import workflow

            self._riaperto = (self.ciclo.stato in regole.STATI_CHIUSI
                              and workflow.ciclo_riaperto(self.ciclo))
        return self._riaperto

    def stato_rendicontazione(self, obiettivo: str | None) -> str | None:
        """The reporting state of the cycle's objective ``obiettivo`` (None: not in the cycle
        yet, or no objective). One query per import."""
        if obiettivo is None:
            return None
        if self._rendicontazione is None:
            self._rendicontazione = dict(Obiettivo.objects.filter(ciclo=self.ciclo)
                                         .values_list("codice", "stato_rendicontazione"))
        return self._rendicontazione.get(obiettivo)

    def _con_relazioni(self, oggetto):
        """``oggetto`` with its cycle, objective and area attached, as ``permessi`` reads them
        (two queries per import, only for a dirigente)."""
        if self._aree is None:
            self._aree = {a.pk: a for a in Area.objects.filter(ciclo=self.ciclo)}
            self._obiettivi = {o.pk: o for o in Obiettivo.objects.filter(ciclo=self.ciclo)}
            for o in self._obiettivi.values():
                o.ciclo, o.area = self.ciclo, self._aree[o.area_id]
        if hasattr(oggetto, "obiettivo_id"):
            oggetto.obiettivo = self._obiettivi[oggetto.obiettivo_id]
        else:
            oggetto.ciclo = self.ciclo
            if getattr(oggetto, "area_id", None) is not None:
                oggetto.area = self._aree[oggetto.area_id]
        return oggetto

    def non_visibile(self, foglio, riga, colonna, cosa, elenco):
        """A dirigente's row about something not theirs: the same words whether it exists in
        another area or nowhere (an import must not tell a dirigente what other areas hold)."""
        self.errore(foglio, riga, colonna, f"{cosa} non è tra {elenco} delle aree di cui "
                                           f"'{self.ambito.etichetta}' è dirigente")

    def area_fuori_ambito(self, foglio, riga, area_codice) -> bool:
        """A dirigente moving their row to an area not theirs (areas are public: it is named)."""
        if self.ambito.area_ammessa(area_codice):
            return False
        self.errore(foglio, riga, "area", f"l'area '{_it(area_codice)}' non è tra le aree di cui "
                                          f"'{self.ambito.etichetta}' è dirigente")
        return True

    # --- trees --------------------------------------------------------------------------

    def _albero(self, nome, lette, esistenti, cosa):
        """Parents that exist, no loops (reported once, on the first of its rows listed)."""
        padri = {codice: obj.padre_codice for codice, obj in esistenti.items()}
        righe = {}
        for letta in lette:
            righe[letta.chiave] = letta
            padri[letta.chiave] = letta.istanza.padre_codice or None
        for codice, letta in righe.items():
            padre = padri.get(codice)
            if padre and padre not in padri:
                self.scarta(nome, letta, "padre",
                            f"{cosa} '{_it(padre)}' non esiste nel ciclo né nel foglio {nome}")
        segnalati = set()
        for codice, letta in righe.items():
            percorso, corrente = [codice], padri.get(codice)
            while corrente and corrente in padri and corrente not in percorso:
                percorso.append(corrente)
                corrente = padri.get(corrente)
            if corrente == codice and codice not in segnalati:
                segnalati.update(percorso)
                self.scarta(
                    nome, letta, "padre",
                    f"'{codice}' non può stare sotto '{padri[codice]}': si creerebbe un ciclo "
                    f"({' → '.join(percorso + [codice])})",
                )
        self.padri[nome] = padri
        return padri

    def aree(self, dataset):
        esistenti = _con_padre(Area, self.ciclo)
        lette = self.leggi("aree", dataset, esistenti) or []
        padri = self._albero("aree", lette, esistenti, "l'area")
        slug_usati = {a.slug for a in esistenti.values()}
        slug_precedenti = {}
        for codice, slug in (
            Area.objects.filter(ciclo__ente_id=self.ciclo.ente_id)
            .exclude(ciclo=self.ciclo).order_by("-ciclo__anno").values_list("codice", "slug")
        ):
            slug_precedenti.setdefault(codice, slug)
        ordini = _ordini_nuovi(esistenti)
        for letta in lette:
            if not letta.valida:
                continue
            extra = {}
            if letta.nuova:
                extra = {"ordine": next(ordini), "slug": _slug_libero(
                    slug_precedenti.get(letta.chiave) or slugify(letta.istanza.nome)
                    or slugify(letta.chiave) or "area", slug_usati,
                )}
            op = self.registra("aree", letta, letta.chiave, extra)
            self.guardia(op, f"l'area '{letta.chiave}'", "aree")
        return padri

    def albero(self, dataset):
        esistenti = _con_padre(NodoStrategico, self.ciclo)
        lette = self.leggi("albero", dataset, esistenti) or []
        padri = self._albero("albero", lette, esistenti, "il nodo")
        ordini = _ordini_nuovi(esistenti)
        for letta in lette:
            if letta.valida:
                op = self.registra("albero", letta, letta.chiave,
                                   {"ordine": next(ordini)} if letta.nuova else {})
                self.guardia(op, f"il nodo '{letta.chiave}'", "nodi")
        return padri

    # --- objectives -------------------------------------------------------------------------

    def obiettivi(self, dataset, codici_aree, codici_nodi):
        esistenti = _obiettivi_esistenti(self.ciclo)
        lette = self.leggi("obiettivi", dataset, esistenti) or []
        ordini = _ordini_nuovi(esistenti)
        for letta in lette:
            o, codice = letta.istanza, letta.chiave
            if o.area_codice not in codici_aree:
                self.scarta("obiettivi", letta, "area",
                            f"l'area '{_it(o.area_codice)}' non esiste nel ciclo né nel foglio aree")
            if o.nodo_codice not in codici_nodi:
                self.scarta("obiettivi", letta, "nodo",
                            f"il nodo '{_it(o.nodo_codice)}' non esiste nel ciclo né nel foglio albero")
            if not self.ambito.tutto:
                if letta.nuova or not self.ambito.area_ammessa(letta.originale.area_codice):
                    self.non_visibile("obiettivi", letta.numero, "codice", f"l'obiettivo '{codice}'",
                                      "gli obiettivi")
                    continue
                if o.area_codice in codici_aree and self.area_fuori_ambito(
                        "obiettivi", letta.numero, o.area_codice):
                    continue
            if not letta.valida:
                continue
            op = self.registra("obiettivi", letta, codice, {"ordine": next(ordini)} if letta.nuova else {})
            self.guardia(op, f"l'obiettivo '{codice}'", "obiettivi", codice)
        finali = {codice: o.area_codice for codice, o in esistenti.items()}
        for op in self.operazioni.get("obiettivi", []):
            finali[op.chiave] = op.istanza.area_codice
        return finali

    def _figli(self, nome, dataset, esistenti, obiettivi_area):
        """Common part of ``indicatori`` and ``fasi``: the objective exists, is in scope."""
        lette = self.leggi(nome, dataset, esistenti)
        for letta in lette or ():
            obiettivo = letta.chiave[0]
            if not self.ambito.area_ammessa(obiettivi_area.get(obiettivo)):
                self.non_visibile(nome, letta.numero, "obiettivo", f"l'obiettivo '{_it(obiettivo)}'",
                                  "gli obiettivi")
                letta.valida = False
            elif obiettivo not in obiettivi_area:
                self.scarta(nome, letta, "obiettivo",
                            f"l'obiettivo '{_it(obiettivo)}' non esiste nel ciclo né nel foglio obiettivi")
        return lette

    def indicatori(self, dataset, obiettivi_area):
        esistenti = _figli_esistenti(Indicatore, self.ciclo)
        for letta in self._figli("indicatori", dataset, esistenti, obiettivi_area) or ():
            if letta.valida:
                op = self.registra("indicatori", letta, " / ".join(letta.chiave))
                self.guardia(op, f"l'indicatore '{op.chiave}'", "indicatori", letta.chiave[0])

    def fasi(self, dataset, obiettivi_area):
        esistenti = _figli_esistenti(Fase, self.ciclo)
        pesi = defaultdict(dict)  # objective -> {phase code: final weight}
        for (obiettivo, codice), f in esistenti.items():
            pesi[obiettivo][codice] = f.peso
        numeri = numeri_riga(dataset)
        prima_riga, con_errori = {}, set()
        lette = self._figli("fasi", dataset, esistenti, obiettivi_area)
        if lette is None:
            return
        validi = {letta.numero for letta in lette if letta.valida}
        # Rows refused by their own rules: their objective's sum would only repeat the error.
        risorsa = RISORSE["fasi"]()
        for numero, riga in zip(numeri, dataset):
            chiave = risorsa.chiave(dict(zip(dataset.headers, riga)))
            if chiave is None:
                continue
            prima_riga.setdefault(chiave[0], numero)
            if numero not in validi:
                con_errori.add(chiave[0])
        for letta in lette:
            if not letta.valida:
                continue
            pesi[letta.chiave[0]][letta.chiave[1]] = letta.istanza.peso
            op = self.registra("fasi", letta, " / ".join(letta.chiave))
            self.guardia(op, f"la fase '{op.chiave}'", "fasi", letta.chiave[0])
        for obiettivo, numero in prima_riga.items():
            if obiettivo in con_errori:
                continue
            for messaggio in regole.errori_fasi(pesi[obiettivo].values(), obiettivo=obiettivo):
                self.errore("fasi", numero, "peso", messaggio)

    # --- barometro and financial indicators -------------------------------------------------

    def barometro(self, dataset, codici_aree):
        esistenti = _standard_esistenti(self.ciclo)
        for letta in self.leggi("barometro", dataset, esistenti) or ():
            area = letta.istanza.area_codice or None
            letta.istanza.area_codice = area
            if area and area not in codici_aree:
                self.scarta("barometro", letta, "area",
                            f"l'area '{_it(area)}' non esiste nel ciclo né nel foglio aree")
                continue
            if not self.ambito.tutto:
                if letta.nuova or not self.ambito.area_ammessa(letta.originale.area_codice):
                    self.non_visibile("barometro", letta.numero, "codice",
                                      f"lo standard '{letta.chiave}'", "gli standard")
                    continue
                if area and self.area_fuori_ambito("barometro", letta.numero, area):
                    continue
            op = self.registra("barometro", letta, letta.chiave)
            self.guardia(op, f"lo standard '{letta.chiave}'", "standard del barometro")

    def finanziari(self, dataset):
        for letta in self.leggi("finanziari", dataset, _finanziari_esistenti(self.ciclo)) or ():
            op = self.registra("finanziari", letta, letta.chiave)
            self.guardia(op, f"l'indicatore finanziario '{letta.chiave}'", "indicatori finanziari")


def codici_nel_foglio(dataset) -> set[str]:
    """The codes a sheet names (even on rows that failed: one error each, not two)."""
    if dataset is None or "codice" not in (dataset.headers or []):
        return set()
    return {c for c in (testo_cella(v) for v in dataset["codice"]) if c}


def _ordini_nuovi(esistenti: dict):
    """``ordine`` of the new rows: in the file's order, after the rows already there."""
    return itertools.count(max((o.ordine for o in esistenti.values()), default=0) + 1)


def _slug_libero(base: str, usati: set) -> str:
    base = base[:60]
    slug, n = base, 1
    while slug in usati:
        n += 1
        suffisso = f"-{n}"
        slug = base[: 60 - len(suffisso)] + suffisso
    usati.add(slug)
    return slug
