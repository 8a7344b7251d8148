"""The PEG import service: ``importa_workbook`` (and the command's ``ciclo_per_importazione``).

Read (``lettura``, bounded) → check and plan every sheet (``piano``, rows through the sheets'
``Resource``s) → only if no row failed, write everything in one transaction (``scritture``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from lavori.avanzamento import passo
from seregno_perf import formati
from seregno_perf.basedati import aggiorna_statistiche

from ..models import Area, Ciclo, Ente, NodoStrategico, Obiettivo
from ..synthetic import TABELLE_GENERATE
from .esito import Errore, Esito
from .lettura import FileNonValido, Limiti, leggi
from .piano import Piano, ambito_di, codici_nel_foglio
from .risorse import FOGLI, FOGLI_DIRIGENTE
from .scritture import applica

MOTIVO_STORICO = "Importazione PEG"


class ErroreImportazione(Exception):
    """Raised by the command helpers (missing ente or cycle), message in Italian."""


def limiti() -> Limiti:
    """The reading limits, from settings (``PEG_IMPORT_MAX_*``) or their defaults."""
    predefiniti = Limiti()
    return Limiti(
        byte_espansi=getattr(settings, "PEG_IMPORT_MAX_BYTE_ESPANSI", predefiniti.byte_espansi),
        righe=getattr(settings, "PEG_IMPORT_MAX_RIGHE", predefiniti.righe),
        colonne=getattr(settings, "PEG_IMPORT_MAX_COLONNE", predefiniti.colonne),
        celle=getattr(settings, "PEG_IMPORT_MAX_CELLE", predefiniti.celle),
        caratteri=predefiniti.caratteri,
        elementi=getattr(settings, "PEG_IMPORT_MAX_ELEMENTI", predefiniti.elementi),
    )


def _apri(file) -> tuple[str, bytes | None]:
    """The file's name and bytes; ``None`` bytes when it is beyond PEG_IMPORT_MAX_BYTES (only
    that many bytes, plus one, are read)."""
    massimo = settings.PEG_IMPORT_MAX_BYTES
    if isinstance(file, (str, Path)):
        percorso = Path(file)
        if percorso.stat().st_size > massimo:
            return percorso.name, None
        return percorso.name, percorso.read_bytes()
    if hasattr(file, "seek"):
        file.seek(0)
    contenuto = file.read(massimo + 1)
    nome = Path(str(getattr(file, "name", "") or "")).name
    return nome, (contenuto if len(contenuto) <= massimo else None)


def messaggio_file_troppo_grande(nome_file: str, dimensione: int | None = None) -> str:
    """The one wording of a file over ``PEG_IMPORT_MAX_BYTES`` (the command and the admin)."""
    massimo = formati.dimensione_file(settings.PEG_IMPORT_MAX_BYTES)
    di = f" è di {formati.dimensione_file(dimensione)} e" if dimensione is not None else ""
    return f"Il file «{nome_file}»{di} supera il massimo accettato di {massimo}."


def leggi_file(file, foglio: str | None = None, esito: Esito | None = None) -> dict:
    """The known sheets of ``file`` (a path or a binary file object with a name) as
    ``{sheet: tablib.Dataset}``; problems go to ``esito.errori``."""
    esito = esito if esito is not None else Esito()
    nome_file, contenuto = _apri(file)
    esito.file = nome_file
    if contenuto is None:
        esito.errori.append(Errore(messaggio_file_troppo_grande(nome_file)))
        return {}
    csv = Path(nome_file).suffix.lower() == ".csv"
    nome_csv = (foglio or Path(nome_file).stem).strip().lower()
    if csv and nome_csv not in FOGLI:
        esito.errori.append(Errore(
            f"il foglio '{nome_csv}' non è tra quelli del modello ({', '.join(FOGLI)}): "
            "chiamare il file come il foglio (es. fasi.csv) o indicarlo con --foglio"
        ))
        return {}
    try:
        letti = leggi(contenuto, nome_file, foglio_csv=nome_csv, limiti=limiti())
    except FileNonValido as exc:
        esito.errori.append(Errore(str(exc)))
        return {}

    fogli = {}
    for letto in letti:
        nome = (letto.title or "").strip().lower()
        if foglio and not csv and nome != foglio.strip().lower():
            continue
        if nome not in FOGLI:
            esito.avvisi.append(f"foglio '{letto.title[:40]}' ignorato: non è tra quelli del modello")
            continue
        if nome in fogli:
            esito.errori.append(Errore(f"il foglio '{nome}' compare due volte"))
            continue
        fogli[nome] = letto
    if foglio and not csv and not fogli:
        esito.errori.append(Errore(f"il file non ha il foglio '{foglio}'"))
    if not fogli and not esito.errori:
        esito.errori.append(Errore(
            f"il file non contiene nessuno dei fogli del modello ({', '.join(FOGLI)})"
        ))
    return fogli


def importa_workbook(*, file, ciclo: Ciclo, utente=None, dry_run: bool = False,
                     foglio: str | None = None) -> Esito:
    """Import the PEG workbook ``file`` into ``ciclo``.

    ``file``: a path, or a binary file object with a ``name`` ending in .xlsx, .ods or .csv.
    ``utente``: who imports; ``None`` means no scoping (an operator at the command line). A
    dirigente may import only the outcome columns of their own areas' rows.
    ``foglio``: import only that sheet (for a CSV: the sheet the file holds).
    Nothing is written when ``dry_run`` is true or when any row has an error.
    """
    esito = Esito(dry_run=dry_run)
    passo("Lettura del file")  # the steps of a background job (nothing outside one)
    fogli = leggi_file(file, foglio, esito)
    if not esito.ok:
        return esito
    from .. import workflow

    if workflow.ciclo_bloccato(ciclo):
        esito.errori.append(Errore(
            f"il ciclo {ciclo.anno} è nello stato «{ciclo.get_stato_display()}»: i suoi dati non "
            "si possono più modificare (un amministratore può riaprirlo)"
        ))
        return esito
    ambito = ambito_di(utente, ciclo)
    if isinstance(ambito, Errore):
        esito.errori.append(ambito)
        return esito
    if not ambito.tutto:
        for nome in fogli:
            if nome not in FOGLI_DIRIGENTE:
                esito.errori.append(Errore(
                    f"un dirigente non può importare questo foglio (solo {', '.join(FOGLI_DIRIGENTE)})",
                    nome, 1,
                ))
        if not esito.ok:
            return esito

    motivo = f"{MOTIVO_STORICO} ({esito.file})" if esito.file else MOTIVO_STORICO
    passo("Controllo delle righe")
    try:
        with transaction.atomic():
            piano = Piano(ciclo, esito, ambito, utente)
            padri_aree = piano.aree(fogli["aree"]) if "aree" in fogli else {}
            padri_nodi = piano.albero(fogli["albero"]) if "albero" in fogli else {}
            codici_aree = set(padri_aree) | set(
                Area.objects.filter(ciclo=ciclo).values_list("codice", flat=True))
            codici_nodi = set(padri_nodi) | set(
                NodoStrategico.objects.filter(ciclo=ciclo).values_list("codice", flat=True))
            # Codes named in a sheet count as known even when their row failed: one error each.
            codici_aree |= codici_nel_foglio(fogli.get("aree"))
            codici_nodi |= codici_nel_foglio(fogli.get("albero"))
            obiettivi_area = {}
            if "obiettivi" in fogli:
                obiettivi_area = piano.obiettivi(fogli["obiettivi"], codici_aree, codici_nodi)
                for codice in codici_nel_foglio(fogli["obiettivi"]):
                    obiettivi_area.setdefault(codice, "—")
            elif "indicatori" in fogli or "fasi" in fogli:
                obiettivi_area = {
                    o["codice"]: o["area__codice"]
                    for o in Obiettivo.objects.filter(ciclo=ciclo).values("codice", "area__codice")
                }
            if "indicatori" in fogli:
                piano.indicatori(fogli["indicatori"], obiettivi_area)
            if "fasi" in fogli:
                piano.fasi(fogli["fasi"], obiettivi_area)
            if "barometro" in fogli:
                piano.barometro(fogli["barometro"], codici_aree)
            if "finanziari" in fogli:
                piano.finanziari(fogli["finanziari"])
            ordina(esito)
            if not esito.ok or dry_run:
                return esito
            passo("Scrittura nel database")
            applica(piano, utente=utente, motivo=motivo)
            esito.scritto = True
            # the planner's statistics for the tables just filled, after the commit (PostgreSQL)
            aggiorna_statistiche(*TABELLE_GENERATE)
    except (DatabaseError, ValidationError) as exc:
        testo = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        esito.errori.append(Errore(
            f"il database ha rifiutato i dati ({testo}): nessun dato è stato scritto"
        ))
        esito.scritto = False
    return esito


def ordina(esito: Esito):
    """Errors by sheet (the template's order), row, then column."""
    fogli = list(FOGLI)
    esito.errori.sort(key=lambda e: (
        fogli.index(e.foglio) if e.foglio in fogli else -1,
        e.riga or 0,
        FOGLI[e.foglio].index(e.colonna) if e.foglio in FOGLI and e.colonna in FOGLI[e.foglio] else 99,
    ))


@transaction.atomic
def ciclo_per_importazione(*, ente: str, anno: int, crea: bool = False,
                           nome_ente: str | None = None) -> tuple[Ciclo, list[str]]:
    """The cycle ``anno`` of the ente with slug ``ente``; with ``crea`` missing ones are
    created (a new cycle gets ``smvp_create_default``). Returns the cycle and what was created."""
    from valutazione.services import smvp_create_default

    creati = []
    ente_obj = Ente.objects.filter(slug=ente).first()
    if ente_obj is None:
        if not crea:
            raise ErroreImportazione(
                f"L'ente '{ente}' non esiste: crearlo con --crea (e --nome-ente) o dall'amministrazione."
            )
        ente_obj = Ente.objects.create(slug=ente, nome=nome_ente or ente)
        creati.append(f"creato l'ente '{ente}' ({ente_obj.nome})")
    ciclo = Ciclo.objects.filter(ente=ente_obj, anno=anno).first()
    if ciclo is None:
        if not crea:
            raise ErroreImportazione(
                f"Il ciclo {anno} dell'ente '{ente}' non esiste: crearlo con --crea o dall'amministrazione."
            )
        if not 2000 <= anno <= 2100:
            raise ErroreImportazione(f"Anno {anno} non valido: tra 2000 e 2100.")
        smvp = smvp_create_default(ente=ente_obj)
        ciclo = Ciclo.objects.create(ente=ente_obj, anno=anno, smvp=smvp)
        creati.append(f"creato il ciclo {anno} con il sistema di valutazione predefinito")
    return ciclo, creati
