"""The one CSV writer of the project: ``dati.csv``, the PEG export and the admin's «Esporta in CSV».

A spreadsheet opening a CSV runs a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (CWE-1236). Every text cell written here that starts so gets a
leading apostrophe, which spreadsheets show as nothing. Numbers (and dates) are never touched:
they are formatted by the caller's ``formatta`` and written as they come out of it, so a negative
number stays a number.
"""

import csv
import io

INIZIO_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def testo_sicuro(testo: str) -> str:
    """``testo`` as a spreadsheet will show it, never run it."""
    return "'" + testo if testo.startswith(INIZIO_FORMULA) else testo


def righe_csv(righe, *, separatore: str = ",", formatta=str) -> str:
    """``righe`` (iterables of cells) as CSV text (RFC 4180 quoting, CRLF line ends).

    A cell is ``None`` → empty; a ``str`` → guarded with ``testo_sicuro``; anything else (numbers,
    dates, booleans) → ``formatta(valore)``, unguarded."""
    buffer = io.StringIO()
    scrittore = csv.writer(buffer, delimiter=separatore, lineterminator="\r\n")
    for riga in righe:
        scrittore.writerow([
            "" if v is None else testo_sicuro(v) if isinstance(v, str) else formatta(v)
            for v in riga
        ])
    return buffer.getvalue()


def csv_bytes(righe, *, separatore: str = ",", formatta=str, bom: bool = False) -> bytes:
    """The UTF-8 bytes of ``righe_csv`` (with a BOM when ``bom``: Excel then reads UTF-8)."""
    testo = righe_csv(righe, separatore=separatore, formatta=formatta)
    return (("\ufeff" if bom else "") + testo).encode("utf-8")
