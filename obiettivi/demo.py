"""Load the Seregno 2021 demo from ``fixtures/seregno_2021/*.json`` (see fixtures/README.md).

``carica_demo()`` writes everything in one transaction and is idempotent: every row is looked
up by its natural key (ente slug, (ciclo, codice), (atto, obiettivo)…), created when missing,
updated only when a field differs, left alone otherwise — so a second run writes nothing and
adds no history. Tree nodes and areas are written only through ``obiettivi.services``.
A broken fixture raises ``ErroreDatiDemo`` with an Italian message saying which file and which
item; the transaction is rolled back, nothing is written.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from valutazione.models import IndicatoreFinanziario, StandardBarometro
from valutazione.services import smvp_create_default

from .models import (
    Area,
    Atto,
    Ciclo,
    Ente,
    Fase,
    Indicatore,
    NodoStrategico,
    Obiettivo,
    RispostaRPCT,
    TabellaReport,
    TestoReport,
    VariazioneObiettivo,
    VoceScheda,
)
from .peg.esito import Conteggio
from .services import area_upsert, nodo_upsert

CARTELLA_DEMO = Path(settings.BASE_DIR) / "fixtures" / "seregno_2021"
PASSWORD_DEMO = "demo"
MOTIVO_STORICO = "Caricamento dei dati dimostrativi Seregno 2021"


class ErroreDatiDemo(Exception):
    """The demo fixture is missing, malformed or inconsistent (message in Italian)."""



@dataclass(frozen=True)
class UtenteDemo:
    username: str
    ruolo: str
    password: str = PASSWORD_DEMO


@dataclass
class RiepilogoDemo:
    ente: Ente | None = None
    ciclo: Ciclo | None = None
    conteggi: dict[str, Conteggio] = field(default_factory=dict)
    utenti: list[UtenteDemo] = field(default_factory=list)

    @property
    def modifiche(self) -> int:
        """Rows created or updated by this run (0 when the demo was already loaded)."""
        return sum(c.creati + c.aggiornati for c in self.conteggi.values())

    def righe(self) -> list[str]:
        return [
            f"{etichetta}: {c.totale} ({c.creati} creati, {c.aggiornati} aggiornati, "
            f"{c.invariati} invariati)"
            for etichetta, c in self.conteggi.items()
        ]


# --------------------------------------------------------------------------------------------
# Reading the fixture
# --------------------------------------------------------------------------------------------

def _leggi(cartella: Path, nome: str):
    percorso = cartella / nome
    try:
        with percorso.open(encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError as exc:
        raise ErroreDatiDemo(f"Dati dimostrativi: manca il file {percorso}.") from exc
    except json.JSONDecodeError as exc:
        raise ErroreDatiDemo(
            f"Dati dimostrativi: il file {nome} non è JSON valido "
            f"(riga {exc.lineno}, colonna {exc.colno}: {exc.msg})."
        ) from exc


@contextmanager
def _voce(file: str, dove: str):
    """Turn any error raised while loading one item into an Italian message naming it."""
    try:
        yield
    except ErroreDatiDemo:
        raise
    except KeyError as exc:
        raise ErroreDatiDemo(f"{file}, {dove}: manca il campo «{exc.args[0]}».") from exc
    except ValidationError as exc:
        raise ErroreDatiDemo(f"{file}, {dove}: {' '.join(exc.messages)}") from exc
    except (TypeError, ValueError, InvalidOperation) as exc:
        raise ErroreDatiDemo(f"{file}, {dove}: valore non valido ({exc}).") from exc
    except DatabaseError as exc:
        raise ErroreDatiDemo(
            f"{file}, {dove}: dati rifiutati dal database ({exc}). Nessun dato è stato scritto."
        ) from exc


def _data(valore):
    return None if valore in (None, "") else datetime.date.fromisoformat(valore)


def _decimale(valore):
    return None if valore in (None, "") else Decimal(str(valore))


def _trova(indice: dict, chiave, file: str, dove: str, cosa: str):
    try:
        return indice[chiave]
    except KeyError:
        raise ErroreDatiDemo(f"{file}, {dove}: {cosa} «{chiave}» non esiste.") from None


# --------------------------------------------------------------------------------------------
# Writing: create, update only what differs, count
# --------------------------------------------------------------------------------------------

class _Scrittore:
    def __init__(self, riepilogo: RiepilogoDemo):
        self.riepilogo = riepilogo

    def conteggio(self, etichetta: str) -> Conteggio:
        return self.riepilogo.conteggi.setdefault(etichetta, Conteggio())

    def salva(self, etichetta: str, model, esistente, chiavi: dict, valori: dict):
        """Create ``model(**chiavi, **valori)`` or bring ``esistente`` up to ``valori``."""
        conteggio = self.conteggio(etichetta)
        if esistente is None:
            obj = model(**chiavi, **valori)
            obj._change_reason = MOTIVO_STORICO
            obj.save()
            conteggio.creati += 1
            return obj
        cambiati = [nome for nome, valore in valori.items() if getattr(esistente, nome) != valore]
        if not cambiati:
            conteggio.invariati += 1
            return esistente
        for nome in cambiati:
            setattr(esistente, nome, valori[nome])
        esistente._change_reason = MOTIVO_STORICO
        esistente.save(update_fields=cambiati)
        conteggio.aggiornati += 1
        return esistente


# --------------------------------------------------------------------------------------------
# The service
# --------------------------------------------------------------------------------------------

@transaction.atomic
def carica_demo(*, stdout=None, cartella: Path | None = None) -> RiepilogoDemo:
    """Load (or bring up to date) the Seregno 2021 demo; return what was done."""
    cartella = Path(cartella) if cartella else CARTELLA_DEMO
    riepilogo = RiepilogoDemo()
    w = _Scrittore(riepilogo)

    def passo(testo):
        if stdout is not None:
            stdout.write(testo + "\n")

    ente = _carica_ente(w, _leggi(cartella, "ente.json"))
    riepilogo.ente = ente
    atti = _carica_atti(w, ente, _leggi(cartella, "atti.json"))
    passo(f"Ente «{ente.nome}» e {len(atti)} atti.")

    ciclo = _carica_ciclo(w, ente, atti, _leggi(cartella, "ciclo.json"))
    riepilogo.ciclo = ciclo
    azioni = _carica_albero(w, ciclo, _leggi(cartella, "albero.json"))
    aree = _carica_aree(w, ciclo, _leggi(cartella, "aree.json"))
    passo(f"Ciclo {ciclo.anno}: albero strategico e {len(aree)} aree.")

    obiettivi = _carica_obiettivi(
        w, ciclo, azioni, aree, _leggi(cartella, "obiettivi.json"), _leggi(cartella, "esiti.json")
    )
    _carica_variazioni(w, atti, obiettivi, _leggi(cartella, "variazioni.json"))
    passo(f"{len(obiettivi)} obiettivi operativi con esiti, fasi, indicatori e variazioni.")

    _carica_barometro(w, ciclo, aree, _leggi(cartella, "barometro.json"))
    _carica_finanziari(w, ciclo, _leggi(cartella, "indicatori_finanziari.json"))
    _carica_testi(w, ciclo, _leggi(cartella, "testi.json"))
    _carica_tabelle(w, ciclo, _leggi(cartella, "tabelle.json"))
    _carica_rpct(w, ciclo, _leggi(cartella, "rpct.json"))
    passo("Barometro, indicatori finanziari, testi, tabelle e relazione RPCT.")

    riepilogo.utenti = crea_utenti_demo(aree.values())
    passo(f"{len(riepilogo.utenti)} utenti dimostrativi.")

    # performance individuale (illustrative schede, funds, definitive scores): before the 2021
    # Relazione is published, so that it carries the art. 20 aggregates
    from individuale.demo import carica_schede_demo

    schede = carica_schede_demo(ciclo, aree.values())
    w.conteggio("Schede di valutazione individuale (illustrative)").creati += schede.schede
    riepilogo.utenti += [UtenteDemo(username, ruolo) for username, ruolo in schede.utenti]
    if schede.creato:
        passo(f"{schede.schede} schede di valutazione individuale illustrative, definitive.")
    return riepilogo


def _carica_ente(w: _Scrittore, dati: dict) -> Ente:
    file = "ente.json"
    with _voce(file, "ente"):
        valori = {
            nome: dati[nome]
            for nome in (
                "nome", "provincia", "codice_istat", "codice_catastale", "cap", "prefisso_telefonico",
                "latitudine", "longitudine", "gemellaggi", "indirizzo", "telefono", "email",
                "sito_web", "ufficio_referente", "abitanti_riferimento", "altitudine_m",
                "abitanti",
            )
        }
        valori["superficie_kmq"] = _decimale(dati["superficie_kmq"])
        valori["densita"] = _decimale(dati["densita"])
        valori["comuni_confinanti"] = "\n".join(dati["comuni_confinanti"])
        ente = w.salva(
            "Enti", Ente, Ente.objects.filter(slug=dati["slug"]).first(),
            {"slug": dati["slug"]}, valori,
        )
    esistenti = {v.voce: v for v in VoceScheda.objects.filter(ente=ente)}
    for ordine, voce in enumerate(dati.get("voci_scheda", []), start=1):
        with _voce(file, f"voce della scheda n. {ordine}"):
            w.salva(
                "Voci della scheda servizi", VoceScheda, esistenti.get(voce["voce"]),
                {"ente": ente, "voce": voce["voce"]},
                {"valore": voce["valore"], "ordine": ordine},
            )
    return ente


def _carica_atti(w: _Scrittore, ente: Ente, dati: list) -> dict[str, Atto]:
    esistenti = {(a.organo, a.numero, a.anno): a for a in Atto.objects.filter(ente=ente)}
    atti = {}
    for voce in dati:
        with _voce("atti.json", f"atto «{voce.get('chiave', '?')}»"):
            chiave = (voce["organo"], str(voce["numero"]), int(voce["anno"]))
            atti[voce["chiave"]] = w.salva(
                "Atti", Atto, esistenti.get(chiave),
                {"ente": ente, "organo": chiave[0], "numero": chiave[1], "anno": chiave[2]},
                {"data": _data(voce["data"]), "oggetto": voce["oggetto"], "note": voce["note"]},
            )
    return atti


def _carica_ciclo(w: _Scrittore, ente: Ente, atti: dict, dati: dict) -> Ciclo:
    file = "ciclo.json"
    with _voce(file, "ciclo"):
        atto_smvp = _trova(atti, dati["atto_smvp"], file, "atto_smvp", "l'atto")
        # the Giunta's act approving the Relazione (illustrative: the seed does not name it);
        # kept out of the cycle's acts, so that the demo's Relazione stays as the document is
        atto_approvazione = _trova(atti, dati["atto_approvazione"], file, "atto_approvazione",
                                   "l'atto")
        smvp = smvp_create_default(ente=ente, atto=atto_smvp)
        anno = int(dati["anno"])
        ciclo = w.salva(
            "Cicli", Ciclo, Ciclo.objects.filter(ente=ente, anno=anno).first(),
            {"ente": ente, "anno": anno},
            {
                "stato": dati["stato"],
                "scadenza_rendicontazione": _data(dati.get("scadenza_rendicontazione")),
                "smvp_id": smvp.pk,
                "atto_approvazione_id": atto_approvazione.pk,
                "dati_dimostrativi": bool(dati["dati_dimostrativi"]),
                "nota_dati_dimostrativi": dati["nota_dati_dimostrativi"],
            },
        )
        del_ciclo = [_trova(atti, k, file, "atti", "l'atto") for k in dati["atti"]]
        presenti = set(ciclo.atti.values_list("pk", flat=True))
        mancanti = [a for a in del_ciclo if a.pk not in presenti]
        if mancanti:
            ciclo.atti.add(*mancanti)
    return ciclo


def _nodo(w, ciclo, esistenti, voce, parent) -> NodoStrategico:
    campi = {
        "titolo": voce["titolo"],
        "livello_nome": voce["livello_nome"],
        "ordine": int(voce.get("ordine", 0)),
        "nota": voce.get("nota", ""),
    }
    nodo = esistenti.get(voce["codice"])
    parent_id = parent.pk if parent else None
    if nodo is not None and nodo.parent_id == parent_id and all(
        getattr(nodo, k) == v for k, v in campi.items()
    ):
        w.conteggio("Nodi dell'albero strategico").invariati += 1
        return nodo
    conteggio = w.conteggio("Nodi dell'albero strategico")
    if nodo is None:
        conteggio.creati += 1
    else:
        conteggio.aggiornati += 1
    return nodo_upsert(ciclo=ciclo, codice=voce["codice"], parent=parent, **campi)


def _carica_albero(w: _Scrittore, ciclo: Ciclo, dati: dict) -> dict[str, NodoStrategico]:
    """The tree (any depth: each node may have ``azioni`` or ``figli``); returns the leaves."""
    esistenti = {n.codice: n for n in NodoStrategico.objects.filter(ciclo=ciclo)}
    foglie = {}

    def visita(voci, parent):
        for voce in voci:
            with _voce("albero.json", f"nodo «{voce.get('codice', '?')}»"):
                nodo = _nodo(w, ciclo, esistenti, voce, parent)
                figli = voce.get("azioni") or voce.get("figli") or []
            if figli:
                visita(figli, nodo)
            else:
                foglie[nodo.codice] = nodo

    visita(dati["linee"], None)
    return foglie


def _carica_aree(w: _Scrittore, ciclo: Ciclo, dati: list) -> dict[str, Area]:
    esistenti = {a.codice: a for a in Area.objects.filter(ciclo=ciclo)}
    aree = {}
    for voce in dati:
        with _voce("aree.json", f"area «{voce.get('codice', '?')}»"):
            campi = {"nome": voce["nome"], "slug": voce["slug"], "ordine": int(voce["ordine"])}
            area = esistenti.get(voce["codice"])
            conteggio = w.conteggio("Aree")
            if area is not None and area.parent_id is None and all(
                getattr(area, k) == v for k, v in campi.items()
            ):
                conteggio.invariati += 1
            else:
                if area is None:
                    conteggio.creati += 1
                else:
                    conteggio.aggiornati += 1
                area = area_upsert(ciclo=ciclo, codice=voce["codice"], parent=None, **campi)
            aree[area.codice] = area
    return aree


def _carica_obiettivi(w, ciclo, azioni, aree, dati: list, esiti: list) -> dict[str, Obiettivo]:
    esiti_per_codice = {}
    for n, esito in enumerate(esiti, start=1):
        with _voce("esiti.json", f"voce n. {n}"):
            esiti_per_codice[esito["obiettivo"]] = esito
    codici = {voce.get("codice") for voce in dati}
    for codice in esiti_per_codice:
        if codice not in codici:
            raise ErroreDatiDemo(f"esiti.json: l'obiettivo «{codice}» non esiste in obiettivi.json.")

    esistenti = {o.codice: o for o in Obiettivo.objects.filter(ciclo=ciclo)}
    fasi = {(f.obiettivo_id, f.codice): f for f in Fase.objects.filter(obiettivo__ciclo=ciclo)}
    indicatori = {
        (i.obiettivo_id, i.codice): i for i in Indicatore.objects.filter(obiettivo__ciclo=ciclo)
    }
    obiettivi = {}
    for voce in dati:
        file, dove = "obiettivi.json", f"obiettivo «{voce.get('codice', '?')}»"
        with _voce(file, dove):
            area = _trova(aree, voce["area"], file, dove, "l'area")
            nodo = _trova(azioni, voce["azione"], file, dove, "l'azione strategica")
            esito = esiti_per_codice.get(voce["codice"])
            attivo = voce["stato"] == Obiettivo.Stato.ATTIVO
            if esito is not None and not attivo:
                raise ErroreDatiDemo(
                    f"esiti.json: l'obiettivo «{voce['codice']}» non è attivo "
                    f"(stato «{voce['stato']}») e non può avere esiti."
                )
            esito = esito or {}
            valori = {
                "titolo": voce["titolo"],
                "descrizione": voce.get("descrizione", ""),
                "area_id": area.pk,
                "nodo_id": nodo.pk,
                "tipologia": voce["tipologia"],
                "stato": voce["stato"],
                "motivazione_stato": voce.get("motivazione_stato", ""),
                "anno_rinvio": voce.get("anno_rinvio"),
                "ordine": int(voce["ordine"]),
                "peso": _decimale(esito.get("peso", "1")),
                "relazione": esito.get("relazione", ""),
                "grado_proposto": esito.get("grado_proposto"),
                "grado_validato": esito.get("grado_validato"),
                "motivazione_grado": esito.get("motivazione_grado", ""),
                # the 2021 cycle is approved: every graded objective went through the Nucleo
                "stato_rendicontazione": (
                    Obiettivo.StatoRendicontazione.VALIDATO
                    if esito.get("grado_validato") is not None
                    else Obiettivo.StatoRendicontazione.BOZZA
                ),
            }
            obiettivo = w.salva(
                "Obiettivi operativi", Obiettivo, esistenti.get(voce["codice"]),
                {"ciclo": ciclo, "codice": voce["codice"]}, valori,
            )
            obiettivi[obiettivo.codice] = obiettivo
        with _voce("esiti.json", dove):
            _sincronizza_fasi(w, obiettivo, esito.get("fasi", []), fasi)
            _sincronizza_indicatori(w, obiettivo, esito.get("indicatori", []), indicatori)
    return obiettivi


def _sincronizza_fasi(w, obiettivo, dati: list, esistenti: dict):
    codici = set()
    for voce in dati:
        codici.add(voce["codice"])
        w.salva(
            "Fasi", Fase, esistenti.get((obiettivo.pk, voce["codice"])),
            {"obiettivo": obiettivo, "codice": voce["codice"]},
            {
                "descrizione": voce["descrizione"],
                "peso": _decimale(voce["peso"]),
                "percentuale": _decimale(voce["percentuale"]),
                "inizio": _data(voce.get("inizio")),
                "fine": _data(voce.get("fine")),
            },
        )
    _elimina_superflui(w, "Fasi", esistenti, obiettivo, codici)


def _sincronizza_indicatori(w, obiettivo, dati: list, esistenti: dict):
    codici = set()
    for voce in dati:
        codici.add(voce["codice"])
        w.salva(
            "Indicatori", Indicatore, esistenti.get((obiettivo.pk, voce["codice"])),
            {"obiettivo": obiettivo, "codice": voce["codice"]},
            {
                "nome": voce["nome"],
                "unita": voce.get("unita", ""),
                "tipo": voce["tipo"],
                "peso": _decimale(voce.get("peso", "1")),
                "target": _decimale(voce.get("target")),
                "consuntivo": _decimale(voce.get("consuntivo")),
                "data_target": _data(voce.get("data_target")),
                "data_consuntivo": _data(voce.get("data_consuntivo")),
            },
        )
    _elimina_superflui(w, "Indicatori", esistenti, obiettivo, codici)


def _elimina_superflui(w, etichetta, esistenti: dict, obiettivo, codici: set):
    """Phases/indicators of a demo objective that the fixture no longer lists are removed."""
    for (obiettivo_id, codice), obj in esistenti.items():
        if obiettivo_id == obiettivo.pk and codice not in codici:
            obj._change_reason = MOTIVO_STORICO
            obj.delete()
            w.conteggio(etichetta).aggiornati += 1


def _carica_variazioni(w, atti: dict, obiettivi: dict, dati: list):
    esistenti = {
        (v.atto_id, v.obiettivo_id): v
        for v in VariazioneObiettivo.objects.filter(atto__in=list(atti.values()))
    }
    file = "variazioni.json"
    for gruppo in dati:
        with _voce(file, f"atto «{gruppo.get('atto', '?')}»"):
            atto = _trova(atti, gruppo["atto"], file, "variazioni", "l'atto")
            for voce in gruppo["obiettivi"]:
                dove = f"atto «{gruppo['atto']}»"
                obiettivo = _trova(obiettivi, voce["obiettivo"], file, dove, "l'obiettivo")
                w.salva(
                    "Obiettivi introdotti o modificati da atti", VariazioneObiettivo,
                    esistenti.get((atto.pk, obiettivo.pk)),
                    {"atto": atto, "obiettivo": obiettivo},
                    {"effetto": gruppo["effetto"], "titolo_nell_atto": voce.get("titolo_nell_atto", "")},
                )


def _carica_barometro(w, ciclo, aree: dict, dati: list):
    esistenti = {s.codice: s for s in StandardBarometro.objects.filter(ciclo=ciclo)}
    file = "barometro.json"
    for voce in dati:
        dove = f"standard «{voce.get('codice', '?')}»"
        with _voce(file, dove):
            area = _trova(aree, voce["area"], file, dove, "l'area") if voce.get("area") else None
            w.salva(
                "Standard del barometro", StandardBarometro, esistenti.get(voce["codice"]),
                {"ciclo": ciclo, "codice": voce["codice"]},
                {
                    "servizio": voce["servizio"],
                    "area_id": area.pk if area else None,
                    "standard": voce["standard"],
                    "programmato": voce.get("programmato", ""),
                    "rilevato": voce.get("rilevato", ""),
                    "grado": voce.get("grado"),
                },
            )


def _carica_finanziari(w, ciclo, dati: list):
    esistenti = {i.codice: i for i in IndicatoreFinanziario.objects.filter(ciclo=ciclo)}
    for voce in dati:
        with _voce("indicatori_finanziari.json", f"indicatore «{voce.get('codice', '?')}»"):
            w.salva(
                "Indicatori economico-finanziari", IndicatoreFinanziario,
                esistenti.get(voce["codice"]),
                {"ciclo": ciclo, "codice": voce["codice"]},
                {
                    "nome": voce["nome"],
                    "unita": voce.get("unita", ""),
                    "target": _decimale(voce["target"]),
                    "valore": _decimale(voce.get("valore")),
                    "direzione": voce["direzione"],
                },
            )


def _carica_testi(w, ciclo, dati: list):
    esistenti = {(t.sezione, t.ordine): t for t in TestoReport.objects.filter(ciclo=ciclo)}
    for voce in dati:
        with _voce("testi.json", f"testo {voce.get('sezione', '?')} n. {voce.get('ordine', '?')}"):
            chiave = (voce["sezione"], int(voce["ordine"]))
            w.salva(
                "Testi della relazione", TestoReport, esistenti.get(chiave),
                {"ciclo": ciclo, "sezione": chiave[0], "ordine": chiave[1]},
                {"titolo": voce.get("titolo", ""), "testo": voce["testo"]},
            )


def _carica_tabelle(w, ciclo, dati: list):
    esistenti = {t.codice: t for t in TabellaReport.objects.filter(ciclo=ciclo)}
    for voce in dati:
        with _voce("tabelle.json", f"tabella «{voce.get('codice', '?')}»"):
            valori = {
                "sezione": voce["sezione"],
                "ordine": int(voce.get("ordine", 0)),
                "titolo": voce["titolo"],
                "colonne": voce["colonne"],
                "righe": voce["righe"],
                "fonte": voce.get("fonte", ""),
                "note": voce.get("note", ""),
            }
            TabellaReport(ciclo=ciclo, codice=voce["codice"], **valori).clean()
            w.salva(
                "Tabelle della relazione", TabellaReport, esistenti.get(voce["codice"]),
                {"ciclo": ciclo, "codice": voce["codice"]}, valori,
            )


def _carica_rpct(w, ciclo, dati: list):
    esistenti = {r.codice: r for r in RispostaRPCT.objects.filter(ciclo=ciclo)}
    for voce in dati:
        with _voce("rpct.json", f"risposta «{voce.get('codice', '?')}»"):
            w.salva(
                "Risposte della relazione RPCT", RispostaRPCT, esistenti.get(voce["codice"]),
                {"ciclo": ciclo, "codice": voce["codice"]},
                {"sezione": voce.get("sezione", ""), "domanda": voce["domanda"],
                 "risposta": voce["risposta"]},
            )


# --------------------------------------------------------------------------------------------
# Demo users, each in the group of their role (groups are created by a migration)
# --------------------------------------------------------------------------------------------

# Demo users' addresses: a reserved domain (RFC 2606), so a reminder never reaches anyone.
DOMINIO_EMAIL_DEMO = "demo.invalid"


def utente_demo(username, *, nome="", staff=True, superuser=False):
    """A demo user with the demo password and e-mail (created, or put right: idempotent)."""
    user, _ = get_user_model().objects.get_or_create(username=username)
    cambiati = []
    for campo, valore in (
        ("is_staff", staff), ("is_superuser", superuser), ("is_active", True),
        ("first_name", nome[:150]), ("email", f"{username}@{DOMINIO_EMAIL_DEMO}"),
    ):
        if getattr(user, campo) != valore:
            setattr(user, campo, valore)
            cambiati.append(campo)
    if not user.check_password(PASSWORD_DEMO):
        user.set_password(PASSWORD_DEMO)
        cambiati.append("password")
    if cambiati:
        user.save(update_fields=cambiati)
    return user


def crea_utenti_demo(aree: Iterable[Area]) -> list[UtenteDemo]:
    """``admin`` (Amministratore of Seregno only), ``nucleo`` (Nucleo di valutazione of Seregno;
    ``carica_demo_esempio`` makes it the Nucleo of the second ente too), ``gestore`` (the host:
    superuser of the installation, no incarico) and one ``dirigente.<area>`` per area (group
    Dirigente, dirigente of that area), all staff; password ``demo``. Idempotent: a second run
    writes nothing."""
    from django.contrib.auth.models import Group

    from . import permessi

    aree = list(aree)
    User = get_user_model()
    utenti = []
    gruppi = {g.name: g for g in Group.objects.filter(name__in=permessi.RUOLI)}
    mancanti = set(permessi.RUOLI) - set(gruppi)
    if mancanti:
        raise ErroreDatiDemo(
            f"Mancano i gruppi {', '.join(sorted(mancanti))}: eseguire «manage.py migrate»."
        )
    iscritti = set(
        User.groups.through.objects.filter(user__username__in=_nomi_utenti_demo(aree))
        .values_list("user_id", "group_id")
    )

    def utente(username, ruolo, gruppo, *, superuser=False, nome="", ente=None):
        user = utente_demo(username, nome=nome, superuser=superuser)
        if gruppo in permessi.RUOLI_PER_ENTE:
            permessi.assegna(user, ente, gruppo)
        elif gruppo is not None and (user.pk, gruppi[gruppo].pk) not in iscritti:
            user.groups.add(gruppi[gruppo])
        utenti.append(UtenteDemo(username, ruolo))
        return user

    ente = aree[0].ciclo.ente if aree else Ente.objects.get(slug="seregno")
    utente("admin", f"Amministratore di {ente.nome}", permessi.AMMINISTRATORE,
           nome="Amministratore", ente=ente)
    utente("nucleo", "Nucleo di valutazione", permessi.NUCLEO, nome="Nucleo di valutazione", ente=ente)
    utente("gestore", "Gestore dell'installazione (superutente)", None, superuser=True,
           nome="Gestore dell'installazione")
    for area in sorted(aree, key=lambda a: (a.ordine, a.codice)):
        user = utente(f"dirigente.{area.slug}", f"Dirigente: {area.nome}", permessi.DIRIGENTE,
                      nome="Dirigente")
        if not area.dirigenti.filter(pk=user.pk).exists():
            area.dirigenti.add(user)
    return utenti


def _nomi_utenti_demo(aree):
    return ["admin", "nucleo", "gestore", *(f"dirigente.{a.slug}" for a in aree)]


# --------------------------------------------------------------------------------------------
# A second ente, synthetic (issue 17): the Nucleo «in forma associata» serves both
# --------------------------------------------------------------------------------------------

SLUG_ESEMPIO = "esempio"
NOME_ESEMPIO = "Comune di Esempio (dati illustrativi)"
ANNO_ESEMPIO = 2021
OBIETTIVI_ESEMPIO = 36
NOTA_ESEMPIO = (
    "Il Comune di Esempio non esiste: i suoi obiettivi, indicatori, fasi ed esiti sono generati "
    "(«obiettivi.synthetic») per mostrare più enti su una sola installazione. Nessun dato è reale."
)


@dataclass
class RiepilogoEsempio:
    ciclo: Ciclo
    creato: bool
    pubblicato: bool
    utenti: list[UtenteDemo] = field(default_factory=list)


def carica_demo_esempio(*, stdout=None) -> RiepilogoEsempio:
    """The second ente of the demo: «Comune di Esempio (dati illustrativi)», slug ``esempio``,
    one cycle of a few dozen synthetic objectives, approved and published; its Amministratore
    ``admin.esempio`` and one ``dirigente.esempio.<area>`` per area; the demo ``nucleo`` becomes
    its Nucleo too (in forma associata). Idempotent: once the cycle exists it is kept."""
    from . import permessi
    from .synthetic import genera_ciclo
    from .workflow import ciclo_pubblica

    def passo(testo):
        if stdout is not None:
            stdout.write(testo + "\n")

    User = get_user_model()
    utenti = []
    with transaction.atomic():
        ciclo = Ciclo.objects.select_related("ente").filter(ente__slug=SLUG_ESEMPIO, anno=ANNO_ESEMPIO).first()
        creato = ciclo is None
        if creato:
            ciclo = genera_ciclo(ente_slug=SLUG_ESEMPIO, anno=ANNO_ESEMPIO, n_obiettivi=OBIETTIVI_ESEMPIO, seme=17)
            passo(f"{NOME_ESEMPIO}: ciclo {ANNO_ESEMPIO} con {OBIETTIVI_ESEMPIO} obiettivi sintetici.")
        ente = ciclo.ente
        _salva(ente, ("nome",), {"nome": NOME_ESEMPIO})
        if ciclo.smvp is not None and ciclo.smvp.ente_id is None:
            _salva(ciclo.smvp, ("ente",), {"ente": ente})  # its own SMVP, not one shared by every ente
        giunta, _ = Atto.objects.get_or_create(
            ente=ente, organo="Giunta Comunale", numero="1", anno=ANNO_ESEMPIO + 1,
            defaults={"oggetto": "Approvazione della Relazione sulla Performance (illustrativa)"})
        if ciclo.stato not in (Ciclo.Stato.APPROVATA, Ciclo.Stato.PUBBLICATA, Ciclo.Stato.VALIDATA):
            _salva(ciclo, ("stato", "atto_approvazione", "dati_dimostrativi", "nota_dati_dimostrativi"), {
                "stato": Ciclo.Stato.APPROVATA, "atto_approvazione": giunta, "dati_dimostrativi": True,
                "nota_dati_dimostrativi": NOTA_ESEMPIO})

        def utente(username, ruolo, nome):
            user, nuovo = User.objects.get_or_create(
                username=username, defaults={"is_staff": True, "first_name": nome,
                                             "email": f"{username}@{DOMINIO_EMAIL_DEMO}"})
            if nuovo or not user.check_password(PASSWORD_DEMO):
                user.set_password(PASSWORD_DEMO)
                user.save(update_fields=["password"])
            utenti.append(UtenteDemo(username, ruolo))
            return user

        permessi.assegna(utente("admin.esempio", f"Amministratore di {NOME_ESEMPIO}", "Amministratore"),
                         ente, permessi.AMMINISTRATORE)
        from django.contrib.auth.models import Group

        dirigenti = Group.objects.get(name=permessi.DIRIGENTE)
        for area in Area.objects.filter(ciclo=ciclo, parent__isnull=True).order_by("codice"):
            user = utente(f"dirigente.esempio.{area.slug}", f"Dirigente: {area.nome} (Comune di Esempio)",
                          "Dirigente")
            user.groups.add(dirigenti)
            area.dirigenti.add(user)
        nucleo = User.objects.filter(username="nucleo").first()
        if nucleo is not None:
            permessi.assegna(nucleo, ente, permessi.NUCLEO)
        pubblicato = False
        if not ciclo.pubblicazioni.exists():
            ciclo_pubblica(ciclo=Ciclo.objects.get(pk=ciclo.pk), utente=None)
            pubblicato = True
            passo(f"Pubblicata la Relazione {ANNO_ESEMPIO} di {NOME_ESEMPIO}.")
    return RiepilogoEsempio(ciclo=Ciclo.objects.get(pk=ciclo.pk), creato=creato, pubblicato=pubblicato,
                            utenti=utenti)


# --------------------------------------------------------------------------------------------
# Seregno 2022: a second, illustrative year, so the published reports show years side by side
# --------------------------------------------------------------------------------------------

ANNO_DEMO_SUCCESSIVO = 2022
NOTA_DEMO_SUCCESSIVO = (
    "Il ciclo 2022 non proviene da un documento del Comune: è stato creato dal 2021 con la copia "
    "del piano («copia_ciclo») per mostrare il confronto tra gli anni. Tutti i suoi esiti (gradi "
    "degli obiettivi, fasi, indicatori, standard del barometro della qualità e indicatori "
    "economico-finanziari) sono illustrativi, ricavati in modo fisso da quelli dimostrativi del 2021."
)
MOTIVO_STORICO_SUCCESSIVO = "Esiti illustrativi della demo Seregno 2022"


@dataclass
class RiepilogoDemoSuccessivo:
    ciclo: Ciclo
    creato: bool
    pubblicato_2021: bool
    pubblicato: bool


def _grado_illustrativo(indice: int, grado_2021: int | None) -> int:
    """The 2022 grade of the ``indice``-th objective (by order and code): the 2021 grade, one up
    for every fifth, one down for every seventh from the fourth; 3 for an objective that was not
    graded in 2021. Fixed, so every run gives the same cycle."""
    if grado_2021 is None:
        return 3
    if indice % 5 == 0:
        return min(5, grado_2021 + 1)
    if indice % 7 == 3:
        return max(1, grado_2021 - 1)
    return grado_2021


def carica_demo_successivo(*, stdout=None) -> RiepilogoDemoSuccessivo:
    """Seregno 2022 from Seregno 2021 (``carica_demo`` first): publish 2021 if it is not yet,
    copy its plan with ``ciclo_copia``, give the copy illustrative outcomes (``dati_dimostrativi``,
    with a note saying so), approve and publish it. Idempotent: once 2022 exists it is left as it
    is (and published if it is not). The publications write their files when the transaction
    commits."""
    from .services import ciclo_copia
    from .workflow import ciclo_pubblica

    def passo(testo):
        if stdout is not None:
            stdout.write(testo + "\n")

    with transaction.atomic():
        base = Ciclo.objects.select_related("ente").get(ente__slug="seregno", anno=2021)
        pubblicato_2021 = False
        # carica_demo() brings 2021 back to «approvata» (its fixture's state); publishing it
        # again creates no version if nothing changed, a new one if the report did (as the
        # ``pubblica`` command of ``make run`` always has)
        if base.stato == Ciclo.Stato.APPROVATA:
            pubblicato_2021 = ciclo_pubblica(ciclo=base, utente=None).nuova
            if pubblicato_2021:
                passo("Pubblicata la Relazione 2021 (serve al confronto tra gli anni).")
        ciclo = Ciclo.objects.filter(ente=base.ente, anno=ANNO_DEMO_SUCCESSIVO).first()
        creato = ciclo is None
        if creato:
            ciclo = ciclo_copia(da=base, anno=ANNO_DEMO_SUCCESSIVO).ciclo
            _esiti_illustrativi(base, ciclo)
            passo(f"Ciclo {ANNO_DEMO_SUCCESSIVO} copiato dal 2021 con esiti illustrativi.")
        pubblicato = False
        if not ciclo.pubblicazioni.exists() and ciclo.stato == Ciclo.Stato.APPROVATA:
            ciclo_pubblica(ciclo=ciclo, utente=None)
            pubblicato = True
            passo(f"Pubblicata la Relazione {ANNO_DEMO_SUCCESSIVO}.")
    return RiepilogoDemoSuccessivo(ciclo=Ciclo.objects.get(pk=ciclo.pk), creato=creato,
                                   pubblicato_2021=pubblicato_2021, pubblicato=pubblicato)


def _salva(riga, campi, valori):
    cambiati = [c for c in campi if getattr(riga, c) != valori[c]]
    if cambiati:
        for c in cambiati:
            setattr(riga, c, valori[c])
        riga._change_reason = MOTIVO_STORICO_SUCCESSIVO
        riga.save(update_fields=cambiati)


def _esiti_illustrativi(base: Ciclo, ciclo: Ciclo) -> None:
    """The outcomes of the copied cycle: each objective, phase, indicator, standard and financial
    indicator takes its 2021 namesake's measured value; grades follow ``_grado_illustrativo``."""
    gradi_2021 = dict(
        Obiettivo.objects.filter(ciclo=base, stato=Obiettivo.Stato.ATTIVO)
        .values_list("codice", "grado_validato")
    )
    relazioni_2021 = dict(Obiettivo.objects.filter(ciclo=base).values_list("codice", "relazione"))
    fasi_2021 = {
        (f.obiettivo.codice, f.codice): f.percentuale
        for f in Fase.objects.filter(obiettivo__ciclo=base).select_related("obiettivo")
    }
    indicatori_2021 = {
        (i.obiettivo.codice, i.codice): (i.consuntivo, i.data_consuntivo)
        for i in Indicatore.objects.filter(obiettivo__ciclo=base).select_related("obiettivo")
    }
    obiettivi = Obiettivo.objects.filter(ciclo=ciclo).order_by("ordine", "codice")
    for indice, ob in enumerate(obiettivi):
        grado_2021 = gradi_2021.get(ob.codice)
        grado = _grado_illustrativo(indice, grado_2021)
        relazione = (
            relazioni_2021.get(ob.codice, "") if grado == grado_2021
            else "Esito illustrativo della demo (dati dimostrativi)."
        )
        _salva(ob, ("grado_proposto", "grado_validato", "relazione", "stato_rendicontazione"), {
            "grado_proposto": grado, "grado_validato": grado, "relazione": relazione,
            "stato_rendicontazione": Obiettivo.StatoRendicontazione.VALIDATO,
        })
    for fase in Fase.objects.filter(obiettivo__ciclo=ciclo).select_related("obiettivo"):
        percentuale = fasi_2021.get((fase.obiettivo.codice, fase.codice))
        if percentuale is not None:
            _salva(fase, ("percentuale",), {"percentuale": percentuale})
    for ind in Indicatore.objects.filter(obiettivo__ciclo=ciclo).select_related("obiettivo"):
        consuntivo, data = indicatori_2021.get((ind.obiettivo.codice, ind.codice), (None, None))
        _salva(ind, ("consuntivo", "data_consuntivo"), {
            "consuntivo": consuntivo, "data_consuntivo": data and data.replace(year=data.year + 1),
        })
    standard_2021 = {s.codice: s for s in StandardBarometro.objects.filter(ciclo=base)}
    for indice, std in enumerate(StandardBarometro.objects.filter(ciclo=ciclo).order_by("codice")):
        vecchio = standard_2021.get(std.codice)
        if vecchio is None or vecchio.grado is None:
            continue
        grado = min(3, vecchio.grado + 1) if indice % 4 == 0 else vecchio.grado
        _salva(std, ("rilevato", "grado"), {"rilevato": vecchio.rilevato, "grado": grado})
    valori_2021 = dict(IndicatoreFinanziario.objects.filter(ciclo=base).values_list("codice", "valore"))
    for ind in IndicatoreFinanziario.objects.filter(ciclo=ciclo):
        _salva(ind, ("valore",), {"valore": valori_2021.get(ind.codice)})
    _salva(ciclo, ("stato", "dati_dimostrativi", "nota_dati_dimostrativi"), {
        "stato": Ciclo.Stato.APPROVATA, "dati_dimostrativi": True,
        "nota_dati_dimostrativi": NOTA_DEMO_SUCCESSIVO,
    })
