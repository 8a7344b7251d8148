"""Writing PEG workbooks (XLSX, ODS, CSV) from tablib ``Dataset``s — no Django.

``fogli`` is ``{sheet name: Dataset}`` (``headers`` + rows), or ``{sheet name: [headers, *rows]}``.
Numbers are written as numbers (a ``Decimal`` becomes a numeric cell, without trailing zeros),
dates as date cells shown dd/mm/yyyy, booleans as «sì»/«no», text as text — a text beginning with
``=`` is never a formula. A CSV is one sheet the way Italian spreadsheets read it: UTF-8 with BOM,
``;``, numbers as `seregno_perf.formati.numero_modulo` writes them («87,5», «40.000»), dates
dd/mm/yyyy, through the project's one CSV writer (`seregno_perf.tabelle`, formula guard).
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from seregno_perf import formati
from seregno_perf.tabelle import csv_bytes

__all__ = ["FORMATI", "scrivi", "scrivi_csv", "scrivi_ods", "scrivi_xlsx"]

FORMATI = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv; charset=utf-8",
}


def _righe(foglio) -> list[list]:
    if hasattr(foglio, "headers"):
        return [list(foglio.headers or [])] + [list(r) for r in foglio]
    return [list(r) for r in foglio]


def _senza_zeri(d: Decimal) -> Decimal:
    """87.50 → 87.5, 100.00 → 100 (never 1E+2)."""
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d.normalize()


def _cella(v):
    if isinstance(v, bool):
        return "sì" if v else "no"
    if isinstance(v, Decimal):
        return _senza_zeri(v)
    if isinstance(v, datetime.datetime):
        return v.date()
    return v


def scrivi_xlsx(fogli) -> bytes:
    """XLSX cannot hold control characters (openpyxl raises ``IllegalCharacterError``): a text
    saved with one before the rule set refused them is exported with «\ufffd» in its place,
    instead of failing the whole export."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    grassetto = Font(bold=True)
    for nome, foglio in fogli.items():
        ws = wb.create_sheet(nome)
        for riga in _righe(foglio):
            ws.append([
                None if v is None or v == ""
                else ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else _cella(v)
                for v in riga
            ])
        for cella in ws[1]:
            cella.font = grassetto
        for colonna in ws.iter_cols(min_row=2):
            for cella in colonna:
                if isinstance(cella.value, datetime.date):
                    cella.number_format = "DD/MM/YYYY"
                elif cella.data_type == "f":
                    cella.data_type = "s"  # a text beginning with "=" is text, never a formula
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def scrivi_ods(fogli) -> bytes:
    from odf.number import DateStyle, Day, Month, Year
    from odf.number import Text as TestoNumero
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    _namespace_fissi()
    doc = OpenDocumentSpreadsheet()
    formato = DateStyle(name="data-it")
    for parte in (Day(style="long"), TestoNumero(text="/"), Month(style="long"),
                  TestoNumero(text="/"), Year(style="long")):
        formato.addElement(parte)
    doc.styles.addElement(formato)
    stile_data = Style(name="cella-data", family="table-cell", datastylename="data-it")
    doc.automaticstyles.addElement(stile_data)
    for nome, foglio in fogli.items():
        tabella = Table(name=nome)
        for riga in _righe(foglio):
            tr = TableRow()
            for v in riga:
                v = _cella(v)
                if v is None or v == "":
                    cella = TableCell()
                elif isinstance(v, (int, Decimal)):
                    cella = TableCell(valuetype="float", value=format(_senza_zeri(Decimal(v)), "f"))
                    cella.addElement(P(text=_testo_csv(v)))
                elif isinstance(v, datetime.date):
                    cella = TableCell(valuetype="date", datevalue=v.isoformat(), stylename=stile_data)
                    cella.addElement(P(text=formati.data(v)))
                else:
                    cella = TableCell(valuetype="string")
                    for linea in str(v).split("\n"):
                        cella.addElement(P(text=linea))
                tr.addElement(cella)
            tabella.addElement(tr)
        doc.spreadsheet.addElement(tabella)
    buffer = io.BytesIO()
    doc.write(buffer)
    return _senza_data(buffer.getvalue())


def _namespace_fissi():
    """odfpy declares on each document the namespaces every document of the process has used so
    far (a class-level dict, in order of first use): declare all it knows, in a fixed order, so
    the same sheets give the same bytes in every process (a published dati.ods is served by a
    file and by a view, byte for byte)."""
    from odf.element import Element
    from odf.namespaces import nsdict

    tutti = dict(sorted({**nsdict, **Element.namespaces}.items()))
    if list(Element.namespaces.items()) != list(tutti.items()):
        Element.namespaces.clear()
        Element.namespaces.update(tutti)


def _senza_data(ods: bytes) -> bytes:
    """The zip of an ODS with every member dated 1980-01-01 instead of the moment it was
    written (same order, same compression: ``mimetype`` stays first and stored)."""
    import zipfile

    sorgente = zipfile.ZipFile(io.BytesIO(ods))
    uscita = io.BytesIO()
    with zipfile.ZipFile(uscita, "w") as destinazione:
        for info in sorgente.infolist():
            copia = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            copia.compress_type = info.compress_type
            copia.external_attr = info.external_attr
            destinazione.writestr(copia, sorgente.read(info))
    return uscita.getvalue()


def _testo_csv(v) -> str:
    """A cell as text (CSV, and the text an ODS number shows)."""
    if isinstance(v, bool):
        return "sì" if v else "no"
    if isinstance(v, int):
        return str(v)  # years, grades, counts: never grouped ("2023", not "2.023")
    if isinstance(v, (Decimal, float)):
        return formati.numero_modulo(v)
    if isinstance(v, datetime.date):
        return formati.data(v)
    return str(v)


def scrivi_csv(foglio) -> bytes:
    """One sheet as CSV the way Italian spreadsheets read it."""
    return csv_bytes(_righe(foglio), separatore=";", formatta=_testo_csv, bom=True)


def scrivi(fogli, formato: str, foglio: str | None = None) -> bytes:
    """``fogli`` as ``formato`` (xlsx, ods, or csv of the sheet ``foglio``). Raises ValueError
    with an Italian message for an unknown format or sheet."""
    if formato == "xlsx":
        return scrivi_xlsx(fogli)
    if formato == "ods":
        return scrivi_ods(fogli)
    if formato == "csv":
        if foglio not in fogli:
            raise ValueError(f"CSV: indicare uno dei fogli {', '.join(fogli)}")
        return scrivi_csv(fogli[foglio])
    raise ValueError(f"formato '{formato}' non previsto: xlsx, ods o csv")
