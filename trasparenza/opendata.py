"""Open data of a published Relazione: the CSV of the objectives and the JSON Schema of dati.json.

The CSV is RFC 4180: comma-separated, UTF-8, decimal point, one row per objective, with the
columns of ``COLONNE_CSV`` (documented in docs/open-data.md). It is derived from the same frozen
data as the page and the PDF.
"""

import json
from pathlib import Path

from seregno_perf.tabelle import righe_csv

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "relazione.schema.json"

COLONNE_CSV = [
    ("codice", "codice"),
    ("titolo", "titolo"),
    ("area", "area"),
    ("area_codice", "area_codice"),
    ("linea", "linea"),
    ("azione", "azione"),
    ("azione_titolo", "azione_titolo"),
    ("tipologia", "tipologia"),
    ("peso", "peso"),
    ("stato", "stato"),
    ("motivazione_stato", "motivazione_stato"),
    ("anno_rinvio", "anno_rinvio"),
    ("percentuale_raggiungimento", "percentuale_raggiungimento"),
    ("grado", "grado"),
    ("fonte_grado", "fonte_grado"),
]


def _numero(valore):
    return f"{valore:.2f}" if isinstance(valore, float) else str(valore)


def obiettivi_csv(dati):
    """The text of ``dati.csv``, written by the project's one CSV writer (``seregno_perf.tabelle``:
    text cells a spreadsheet would run as formulas get a leading apostrophe; numbers are never
    touched; dati.json keeps every text as written)."""
    testa = [dati["ente"]["slug"], dati["anno"], dati.get("versione") or "", dati["impronta"]]
    righe = [["ente", "anno", "versione", "impronta"] + [nome for nome, _ in COLONNE_CSV]]
    righe += [testa + [ob.get(chiave) for _, chiave in COLONNE_CSV] for ob in dati["obiettivi"]]
    return righe_csv(righe, formatta=_numero)


def dati_json(dati) -> bytes:
    """The bytes of ``dati.json`` (UTF-8, one-space indent), as published and served."""
    return json.dumps(dati, ensure_ascii=False, indent=1).encode()


def dati_csv(dati) -> bytes:
    """The bytes of ``dati.csv``, as published and served."""
    return obiettivi_csv(dati).encode()


def schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
