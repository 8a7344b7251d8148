"""Open data of a published Relazione: the objectives as ``dati.csv`` (for people, Italian
spreadsheets), ``dati-rfc4180.csv`` (for programs), ``dati.ods``, and the JSON Schema of dati.json.

One row per objective, the columns of ``COLONNE`` (documented in docs/open-data.md), derived from
the same frozen data as the page and the PDF:

- ``dati.csv`` opens by double-click in Italian Excel and LibreOffice: UTF-8 with BOM, ``;``,
  decimal comma, Italian column headers, the status in words («Sospeso», not «sospeso»).
- ``dati-rfc4180.csv`` is its machine twin: RFC 4180 (comma, decimal point, no BOM), technical
  column names and codes (``non_applicabile``), numbers as in dati.json.
- ``dati.ods`` holds the rows of ``dati.csv`` as typed cells (numbers are numbers) and a second
  sheet, «Informazioni», with the ente, year, version, licence and the fingerprint.

The fingerprint (``impronta``) is written once: in dati.json and in the «Informazioni» sheet of
dati.ods, never on every row. Both CSVs and the ODS go through the project's one writer of
spreadsheets (``obiettivi.peg.scrittura``, which writes CSV through ``seregno_perf.tabelle``:
formula guard).
"""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from obiettivi.models import Obiettivo
from obiettivi.peg.scrittura import scrivi_csv, scrivi_ods
from seregno_perf.tabelle import csv_bytes

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "relazione.schema.json"

# (Italian header of dati.csv / dati.ods, column of dati-rfc4180.csv, key of the objective in
# dati.json, what people read instead when it differs: a key, or a function of the objective)
COLONNE = [
    ("Codice", "codice", "codice", None),
    ("Titolo", "titolo", "titolo", None),
    ("Area", "area", "area", None),
    ("Codice area", "area_codice", "area_codice", None),
    ("Linea strategica", "linea", "linea", None),
    ("Azione strategica", "azione", "azione", None),
    ("Titolo dell'azione", "azione_titolo", "azione_titolo", None),
    ("Tipologia", "tipologia", "tipologia", "tipologia_etichetta"),
    ("Peso", "peso", "peso", None),
    ("Stato", "stato", "stato", lambda ob: _stato_in_parole(ob.get("stato"))),
    ("Motivazione dello stato", "motivazione_stato", "motivazione_stato", None),
    ("Rinviato all'anno", "anno_rinvio", "anno_rinvio", None),
    ("Raggiungimento (%)", "percentuale_raggiungimento", "percentuale_raggiungimento", None),
    ("Grado (1-5)", "grado", "grado", None),
    ("Fonte del grado", "fonte_grado", "fonte_grado", None),
    ("Esito", "esito", "esito", None),
]
TESTA = [("Ente", "ente"), ("Anno", "anno"), ("Versione", "versione")]


def _testa(dati, *, per_persone):
    ente = dati["ente"]
    return [ente.get("nome") if per_persone else ente["slug"], dati["anno"], dati.get("versione")]


def _decimale(valore):
    """A JSON float as the Decimal it stands for (87.5 → Decimal("87.5")): the spreadsheet
    writer prints Decimals the Italian way and writes them as numeric ODS cells."""
    return Decimal(str(valore)) if isinstance(valore, float) else valore


def _stato_in_parole(stato):
    """«Non applicabile», not ``non_applicabile`` (the reason has its own column)."""
    try:
        return Obiettivo.Stato(stato).label
    except ValueError:
        return stato


def _per_persone(ob, chiave, persone):
    if callable(persone):
        return persone(ob)
    return ob.get(persone) if persone and ob.get(persone) else ob.get(chiave)


def righe_persone(dati):
    """The rows of dati.csv and of the «Obiettivi» sheet of dati.ods: Italian headers, the
    status and the type in words, numbers as numbers (the writer formats them)."""
    righe = [[nome for nome, _ in TESTA] + [c[0] for c in COLONNE]]
    for ob in dati["obiettivi"]:
        valori = [_per_persone(ob, chiave, persone) for _, _, chiave, persone in COLONNE]
        righe.append(_testa(dati, per_persone=True) + [_decimale(v) for v in valori])
    return righe


def righe_macchina(dati):
    """The rows of dati-rfc4180.csv: technical names and codes, as in dati.json."""
    righe = [[chiave for _, chiave in TESTA] + [c[1] for c in COLONNE]]
    righe += [_testa(dati, per_persone=False) + [ob.get(c[2]) for c in COLONNE]
              for ob in dati["obiettivi"]]
    return righe


def _numero_macchina(valore):
    return f"{valore:.2f}" if isinstance(valore, float) else str(valore)


def _giorno(iso):
    """The day of an ISO date-time (a date cell, shown dd/mm/yyyy), or None."""
    return datetime.date.fromisoformat(iso[:10]) if iso else None


def informazioni(dati):
    """The «Informazioni» sheet of dati.ods: what the rows are and where they come from."""
    licenza = dati.get("licenza") or {}
    righe = [
        ["Voce", "Valore"],
        ["Ente", dati["ente"].get("nome")],
        ["Anno", dati["anno"]],
        ["Versione", dati.get("versione")],
        ["Pubblicata il", _giorno(dati.get("pubblicata_il"))],
        ["Impronta SHA-256 dei dati (dati.json)", dati["impronta"]],
        ["Licenza", f"{licenza.get('nome', '')} {licenza.get('url', '')}".strip() or None],
    ]
    if dati.get("dati_dimostrativi"):
        righe.append(["Dati dimostrativi", dati.get("nota_dati_dimostrativi") or "sì"])
    return righe


def dati_json(dati) -> bytes:
    """The bytes of ``dati.json`` (UTF-8, one-space indent), as published and served."""
    return json.dumps(dati, ensure_ascii=False, indent=1).encode()


def dati_csv(dati) -> bytes:
    """The bytes of ``dati.csv`` (Italian spreadsheets), as published and served."""
    return scrivi_csv(righe_persone(dati))


def dati_csv_rfc4180(dati) -> bytes:
    """The bytes of ``dati-rfc4180.csv`` (programs), as published and served."""
    return csv_bytes(righe_macchina(dati), formatta=_numero_macchina)


def dati_ods(dati) -> bytes:
    """The bytes of ``dati.ods``: the sheets «Obiettivi» and «Informazioni»."""
    return scrivi_ods({"Obiettivi": righe_persone(dati), "Informazioni": informazioni(dati)})


# Every open-data file of a publication: its name in the URL and on disk → what writes it.
FILE_APERTI = {
    "dati.json": dati_json,
    "dati.csv": dati_csv,
    "dati-rfc4180.csv": dati_csv_rfc4180,
    "dati.ods": dati_ods,
}


def schema():
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
