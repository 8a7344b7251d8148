"""Reading PEG workbooks (XLSX, ODS, CSV) into tablib ``Dataset``s — no Django.

Each sheet becomes a ``Dataset`` whose ``title`` is the sheet's name, whose ``headers`` are the
first non-empty row (lower case, spaces as ``_``) and whose rows are the following non-empty rows,
cut or padded to the headers' width; ``numeri_riga(dataset)`` gives each row's number in the
sheet (1 = headers), for error messages.

Spreadsheets are zip files, and a small file can describe a huge table (an 843-byte ODS with
``number-rows-repeated``, an XLSX with one cell at column ZZZ, a 1 GiB shared string). So every
reader streams (``iterparse`` of the zip member, elements dropped as they are read) and checks the
`Limiti` *before* anything is expanded:

* the uncompressed size of each zip member read (``ZipInfo.file_size``: zipfile stops reading a
  member at that size and fails its CRC beyond it);
* per sheet: non-empty rows, the column of a non-empty cell, non-empty cells, the length of a
  cell's text — a repeated cell or row is counted with its repeat count before it is repeated;
  the XML elements of the sheet and of one row, empty ones included;
* trailing empty cells and empty rows (repeated or not) are never materialised.

A file beyond a limit raises `FileNonValido` with a short Italian message (never the file's
content). XML is parsed with defusedxml: an entity declaration is refused at once (the standard
library's expat would refuse a "billion laughs" only after expanding some 70 MB of it; the C
parser would read 25,000 rows in 1.2 s instead of 2).

Why not tablib's own readers: its ODS reader drops cells with ``number-columns-repeated``
(shifting columns; upstream PR #616 still open) and reads a number's displayed text ("87,5")
instead of its value; both tablib readers and openpyxl load a whole sheet in memory, padding rows
to their last cell reference, before any limit could be checked.
"""

from __future__ import annotations

import csv
import datetime
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal

import tablib
from defusedxml.ElementTree import fromstring, iterparse

__all__ = ["FileNonValido", "Limiti", "conta_righe", "leggi", "leggi_csv", "leggi_ods", "leggi_xlsx", "numeri_riga"]


class FileNonValido(ValueError):
    """The file cannot be read, or is beyond a `Limiti`. ``str()`` is Italian."""


@dataclass(frozen=True)
class Limiti:
    """Bounds checked while reading, before anything is expanded."""

    byte_espansi: int = 64 * 1024 * 1024  # uncompressed bytes of the zip members read, in all
    righe: int = 100_000  # non-empty rows per sheet
    colonne: int = 200  # the column of a non-empty cell
    celle: int = 1_000_000  # non-empty cells per sheet
    caratteri: int = 32_767  # characters in one cell (Excel's own limit)
    elementi: int = 1_000_000  # XML elements of one part (a sheet, the shared strings)


def numeri_riga(dataset: tablib.Dataset) -> list[int]:
    """The sheet row number of each row of ``dataset`` (1 is the headers' row)."""
    return getattr(dataset, "_numeri_riga", list(range(2, dataset.height + 2)))


def _migliaia(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _colonna(indice: int) -> str:
    """0 → "A", 27 → "AB"."""
    lettere = ""
    indice += 1
    while indice:
        indice, resto = divmod(indice - 1, 26)
        lettere = chr(65 + resto) + lettere
    return lettere


def _vuota(valore) -> bool:
    return valore is None or (isinstance(valore, str) and not valore.strip())


def _intestazione(valore) -> str:
    if valore is None:
        return ""
    if isinstance(valore, Decimal):
        valore = format(valore, "f")
    return str(valore).lstrip("\ufeff").strip().lower().replace(" ", "_")


class _Foglio:
    """Collects one sheet's non-empty rows, enforcing the per-sheet limits."""

    def __init__(self, nome: str, limiti: Limiti):
        self.nome = nome
        self.limiti = limiti
        self.intestazioni: list[str] | None = None
        self.righe: list[list] = []
        self.numeri: list[int] = []
        self.celle = 0

    def errore(self, testo: str) -> FileNonValido:
        return FileNonValido(f"foglio '{self.nome[:40]}': {testo}")

    def controlla_colonna(self, indice: int, numero: int):
        if indice >= self.limiti.colonne:
            raise self.errore(
                f"riga {numero}, colonna {_colonna(indice)}: una cella oltre la colonna "
                f"{_colonna(self.limiti.colonne - 1)} ({self.limiti.colonne} colonne al massimo)"
            )

    def controlla_testo(self, testo: str, numero: int):
        if len(testo) > self.limiti.caratteri:
            raise self.errore(
                f"riga {numero}: una cella di più di {_migliaia(self.limiti.caratteri)} caratteri"
            )

    def aggiungi(self, numero: int, celle: list, ripetizioni: int = 1):
        """A row (already without trailing empty cells), ``ripetizioni`` times."""
        piene = sum(not _vuota(c) for c in celle)
        if not piene:
            return
        if self.intestazioni is None:
            self.intestazioni = [_intestazione(c) for c in celle]
            while self.intestazioni and not self.intestazioni[-1]:
                self.intestazioni.pop()
            numero += 1
            ripetizioni -= 1
            if not ripetizioni:
                return
        if len(self.righe) + ripetizioni > self.limiti.righe:
            raise self.errore(
                f"più di {_migliaia(self.limiti.righe)} righe di dati (riga {numero + ripetizioni - 1})"
            )
        self.celle += piene * ripetizioni
        if self.celle > self.limiti.celle:
            raise self.errore(f"più di {_migliaia(self.limiti.celle)} celle piene")
        for i in range(ripetizioni):
            self.righe.append(celle)
            self.numeri.append(numero + i)

    def dataset(self) -> tablib.Dataset:
        intestazioni = self.intestazioni or []
        larghezza = len(intestazioni)
        dataset = tablib.Dataset(title=self.nome)
        righe = [
            tuple(r[:larghezza]) if len(r) >= larghezza else tuple(r) + (None,) * (larghezza - len(r))
            for r in self.righe
        ]
        if larghezza:
            dataset.headers = intestazioni
            dataset.extend(righe)
        dataset._numeri_riga = self.numeri
        return dataset


# --------------------------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------------------------

def leggi_csv(contenuto: bytes, nome: str, limiti: Limiti = Limiti()) -> tablib.Dataset:
    """One sheet named ``nome``: UTF-8 (BOM or not), ``;`` or ``,`` (the one the header row has
    more of), quotes as spreadsheets write them. Rows are counted while read."""
    try:
        testo = contenuto.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileNonValido(
            f"il file CSV non è in UTF-8 (byte non valido alla posizione {exc.start + 1}): "
            "salvarlo come «CSV UTF-8»"
        ) from None
    prima = testo.split("\n", 1)[0]
    separatore = ";" if prima.count(";") >= prima.count(",") else ","
    foglio = _Foglio(nome, limiti)
    lettore = csv.reader(io.StringIO(testo, newline=""), delimiter=separatore)
    try:
        for numero, celle in enumerate(lettore, start=1):
            while celle and _vuota(celle[-1]):
                celle.pop()
            if not celle:
                continue
            foglio.controlla_colonna(len(celle) - 1, numero)
            for cella in celle:
                foglio.controlla_testo(cella, numero)
            foglio.aggiungi(numero, celle)
    except csv.Error as exc:
        raise FileNonValido(f"il file CSV non è leggibile alla riga {lettore.line_num} ({exc})") from None
    return foglio.dataset()


# --------------------------------------------------------------------------------------------
# Zip members
# --------------------------------------------------------------------------------------------

#: Bytes of a part that is parsed whole (workbook.xml, its relationships, styles.xml).
MAX_PARTE_INTERA = 4 * 1024 * 1024


class _Archivio:
    """A zip file whose members are opened only within the uncompressed-bytes budget."""

    def __init__(self, contenuto: bytes, limiti: Limiti, formato: str):
        self.zip = zipfile.ZipFile(io.BytesIO(contenuto))  # BadZipFile: named by ``leggi``
        self.limiti = limiti
        self.formato = formato
        self.letti = 0
        self.nomi = {i.filename: i for i in self.zip.infolist()}

    def apri(self, nome: str):
        info = self.nomi[nome]  # KeyError: not a workbook, named by ``leggi``
        self.letti += info.file_size
        if self.letti > self.limiti.byte_espansi:
            raise FileNonValido(
                f"il file si espande oltre {_migliaia(self.limiti.byte_espansi // 1048576)} MB "
                f"una volta decompresso ({nome[:60]}: {_migliaia(info.file_size)} byte): "
                "non è un PEG"
            )
        return self.zip.open(info)

    def leggi(self, nome: str) -> bytes:
        """A small part read whole and parsed as a tree (workbook, relationships, styles)."""
        if self.nomi[nome].file_size > MAX_PARTE_INTERA:
            raise FileNonValido(
                f"la parte {nome[:60]} del file supera {MAX_PARTE_INTERA // 1048576} MB: non è un PEG")
        with self.apri(nome) as f:
            return f.read()


#: XML elements within one row (cells and their text): more than a row of Excel can hold.
ELEMENTI_RIGA = 20_000


def _scorri(file, tag_riga: str, limiti: Limiti, *, inizio=frozenset(), fine=frozenset()):
    """Stream an XML part: ``("start", el)`` for the tags in ``inizio``, ``("end", el)`` for each
    row (``tag_riga``, with its content) and for the tags in ``fine``. Whatever has been read is
    dropped from the tree (a row once yielded, anything outside rows at once), so memory does not
    grow with the rows; the elements of the part and of one row are counted against the limits
    (a sheet of nine million empty ``<row/>`` is 79 KB zipped)."""
    pila, in_riga, elementi, nella_riga = [], 0, 0, 0
    for evento, el in iterparse(file, events=("start", "end")):
        if evento == "start":
            elementi += 1
            if elementi > limiti.elementi:
                raise FileNonValido(
                    f"più di {_migliaia(limiti.elementi)} elementi XML in una parte del file")
            if in_riga:
                nella_riga += 1
                if nella_riga > ELEMENTI_RIGA:
                    raise FileNonValido(
                        f"una riga con più di {_migliaia(ELEMENTI_RIGA)} elementi XML")
            if el.tag == tag_riga:
                in_riga += 1
                nella_riga = 0
            pila.append(el)
            if el.tag in inizio:
                yield "start", el
            continue
        pila.pop()
        if el.tag == tag_riga:
            in_riga -= 1
            yield "end", el
        elif el.tag in fine:
            yield "end", el
        if not in_riga and pila:
            pila[-1].remove(el)  # the parent keeps no child it has finished with: O(1)


# --------------------------------------------------------------------------------------------
# XLSX
# --------------------------------------------------------------------------------------------

_X = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _doppia(testo: str) -> Decimal:
    """A spreadsheet double at 15 significant digits (77.76000000000001 is 77.76)."""
    d = Decimal(format(float(testo), ".15g"))
    if not d.is_finite():
        raise ValueError(testo)
    return d.quantize(Decimal(1)) if d == d.to_integral_value() and abs(d) < Decimal("1e15") else d


def _indice_colonna(rif: str) -> int:
    indice = 0
    for lettera in rif:
        if "A" <= lettera <= "Z":
            indice = indice * 26 + ord(lettera) - 64
        else:
            break
    return indice - 1


def _condivise(archivio: _Archivio, limiti: Limiti) -> list[str]:
    if "xl/sharedStrings.xml" not in archivio.nomi:
        return []
    testi = []
    with archivio.apri("xl/sharedStrings.xml") as file:
        for _, el in _scorri(file, f"{_X}si", limiti):
            # Plain text, or rich-text runs; phonetic runs (rPh) are not part of the text.
            parti = el.findall(f"{_X}t") + el.findall(f"{_X}r/{_X}t")
            testo = "".join(t.text or "" for t in parti)
            if len(testo) > limiti.caratteri:
                raise FileNonValido(
                    f"il testo condiviso n. {len(testi) + 1} supera {_migliaia(limiti.caratteri)} caratteri"
                )
            if len(testi) >= limiti.celle:
                raise FileNonValido(f"più di {_migliaia(limiti.celle)} testi condivisi")
            testi.append(testo)
    return testi


def _stili(archivio: _Archivio) -> tuple[set, set]:
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    date_stili, percento_stili = set(), set()
    if "xl/styles.xml" not in archivio.nomi:
        return date_stili, percento_stili
    stili = fromstring(archivio.leggi("xl/styles.xml"))
    formati = dict(BUILTIN_FORMATS)
    for nf in stili.iter(f"{_X}numFmt"):
        try:
            formati[int(nf.get("numFmtId"))] = nf.get("formatCode") or ""
        except (TypeError, ValueError):
            continue
    xfs = stili.find(f"{_X}cellXfs")
    for i, xf in enumerate(xfs if xfs is not None else []):
        try:
            formato = formati.get(int(xf.get("numFmtId") or 0), "")
        except ValueError:
            continue
        if formato and is_date_format(formato):
            date_stili.add(str(i))
        elif "%" in formato:
            percento_stili.add(str(i))
    return date_stili, percento_stili


def leggi_xlsx(contenuto: bytes, limiti: Limiti = Limiti()) -> list[tablib.Dataset]:
    """Every sheet of an XLSX, streamed. Dates are recognised from the cell's number format, as
    openpyxl does; a cell formatted as a percentage is read ×100 (87,5% is 87.5)."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    archivio = _Archivio(contenuto, limiti, "XLSX")
    workbook = fromstring(archivio.leggi("xl/workbook.xml"))
    proprieta = workbook.find(f"{_X}workbookPr")
    epoca = CALENDAR_WINDOWS_1900
    if proprieta is not None and proprieta.get("date1904") in ("1", "true"):
        epoca = CALENDAR_MAC_1904
    relazioni = {
        r.get("Id"): r.get("Target")
        for r in fromstring(archivio.leggi("xl/_rels/workbook.xml.rels")).iter(f"{_PKG_REL}Relationship")
    }
    condivise = _condivise(archivio, limiti)
    date_stili, percento_stili = _stili(archivio)

    def valore(c):
        tipo = c.get("t", "n")
        if tipo == "inlineStr":
            return "".join(t.text or "" for t in c.iter(f"{_X}t"))
        v = c.find(f"{_X}v")
        if v is None or v.text is None:
            return None
        testo = v.text
        if tipo == "s":
            return condivise[int(testo)]
        if tipo in ("str", "e"):
            return testo
        if tipo == "b":
            return testo == "1"
        if tipo == "d":
            return datetime.date.fromisoformat(testo[:10])
        numero = _doppia(testo)
        stile = c.get("s")
        if stile in date_stili:
            data = from_excel(float(numero), epoca)
            return data.date() if isinstance(data, datetime.datetime) else data
        if stile in percento_stili:
            return numero * 100
        return numero

    fogli = []
    for voce in workbook.iter(f"{_X}sheet"):
        destinazione = relazioni.get(voce.get(f"{_REL}id"), "") or ""
        percorso = destinazione.lstrip("/") if destinazione.startswith("/") else posixpath.normpath(
            posixpath.join("xl", destinazione))
        foglio = _Foglio(voce.get("name") or "", limiti)
        with archivio.apri(percorso) as file:
            numero = 0
            for _, el in _scorri(file, f"{_X}row", limiti):
                numero = int(el.get("r") or numero + 1)
                celle = []
                for c in el:
                    if c.tag != f"{_X}c":
                        continue
                    rif = c.get("r")
                    indice = _indice_colonna(rif) if rif else len(celle)
                    v = valore(c)
                    if _vuota(v):
                        continue  # never padded to: trailing empty cells cost nothing
                    foglio.controlla_colonna(indice, numero)
                    if isinstance(v, str):
                        foglio.controlla_testo(v, numero)
                    if indice > len(celle):
                        celle.extend([None] * (indice - len(celle)))
                    if indice < len(celle):
                        celle[indice] = v
                    else:
                        celle.append(v)
                foglio.aggiungi(numero, celle)
        fogli.append(foglio.dataset())
    return fogli


# --------------------------------------------------------------------------------------------
# ODS
# --------------------------------------------------------------------------------------------

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TX = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _testo_ods(el) -> str:
    """The text of a ``text:p`` (spans, ``text:s`` spaces, tabs and line breaks included)."""
    parti = [el.text or ""]
    for figlio in el:
        if figlio.tag == f"{_TX}s":
            parti.append(" " * min(int(figlio.get(f"{_TX}c") or 1), 1000))
        elif figlio.tag == f"{_TX}tab":
            parti.append("\t")
        elif figlio.tag == f"{_TX}line-break":
            parti.append("\n")
        else:
            parti.append(_testo_ods(figlio))
        parti.append(figlio.tail or "")
    return "".join(parti)


def _valore_ods(cella):
    tipo = cella.get(f"{_O}value-type")
    if tipo in ("float", "currency", "percentage"):
        d = _doppia(cella.get(f"{_O}value") or "0")
        return d * 100 if tipo == "percentage" else d
    if tipo == "date":
        return datetime.date.fromisoformat((cella.get(f"{_O}date-value") or "")[:10])
    if tipo == "boolean":
        return cella.get(f"{_O}boolean-value") == "true"
    paragrafi = [_testo_ods(p) for p in cella if p.tag == f"{_TX}p"]
    return "\n".join(paragrafi) if paragrafi else None


def _ripetizioni(el, attributo) -> int:
    try:
        return max(1, int(el.get(attributo) or 1))
    except ValueError:
        return 1


def leggi_ods(contenuto: bytes, limiti: Limiti = Limiti()) -> list[tablib.Dataset]:
    """Every sheet of an ODS, streamed from ``content.xml``. A run of equal cells written once
    with ``number-columns-repeated`` keeps every column in place; empty runs (LibreOffice writes
    them to column 1024 and row 1048576) are counted, never expanded. Numbers are read from the
    value, not from the text shown ("87,5")."""
    archivio = _Archivio(contenuto, limiti, "ODS")
    fogli = []
    foglio, numero = None, 0
    tag_cella = (f"{_T}table-cell", f"{_T}covered-table-cell")
    with archivio.apri("content.xml") as file:
        eventi = _scorri(file, f"{_T}table-row", limiti, inizio={f"{_T}table"}, fine={f"{_T}table"})
        for evento, el in eventi:
            if evento == "start":
                foglio, numero = _Foglio(el.get(f"{_T}name") or "", limiti), 0
                continue
            if el.tag == f"{_T}table-row" and foglio is not None:
                ripetizioni = _ripetizioni(el, f"{_T}number-rows-repeated")
                celle, indice = [], 0
                for cella in el:
                    if cella.tag not in tag_cella:
                        continue
                    volte = _ripetizioni(cella, f"{_T}number-columns-repeated")
                    v = _valore_ods(cella)
                    if not _vuota(v):
                        foglio.controlla_colonna(indice + volte - 1, numero + 1)
                        if isinstance(v, str):
                            foglio.controlla_testo(v, numero + 1)
                        celle.extend([None] * (indice - len(celle)))
                        celle.extend([v] * volte)
                    indice += volte
                foglio.aggiungi(numero + 1, celle, ripetizioni if celle else 1)
                numero += ripetizioni
            elif el.tag == f"{_T}table" and foglio is not None:
                fogli.append(foglio.dataset())
                foglio = None
    return fogli


# --------------------------------------------------------------------------------------------
# Any of them
# --------------------------------------------------------------------------------------------

FORMATI_LETTI = ("xlsx", "ods", "csv")


def leggi(contenuto: bytes, nome_file: str, *, foglio_csv: str = "",
          limiti: Limiti = Limiti()) -> list[tablib.Dataset]:
    """The sheets of a file named ``nome_file`` (its extension says the format; a CSV is one
    sheet named ``foglio_csv``). Raises `FileNonValido`."""
    estensione = posixpath.splitext(nome_file)[1].lower().lstrip(".")
    if estensione == "csv":
        return [leggi_csv(contenuto, foglio_csv, limiti)]
    lettore = {"xlsx": leggi_xlsx, "ods": leggi_ods}.get(estensione)
    if lettore is None:
        raise FileNonValido(f"formato del file '{nome_file}' non riconosciuto: usare .xlsx, .ods o .csv")
    try:
        return lettore(contenuto, limiti)
    except FileNonValido:
        raise
    except Exception as exc:  # a corrupt workbook: any parser or zip error
        raise FileNonValido(
            f"il file '{nome_file}' non è un {estensione.upper()} leggibile ({exc.__class__.__name__})"
        ) from None


# --------------------------------------------------------------------------------------------
# How many rows, roughly and cheaply
# --------------------------------------------------------------------------------------------

_INIZIO_RIGA = {"xlsx": re.compile(rb"<(?:\w+:)?row[\s/>]"),
                "ods": re.compile(rb"<table:table-row[\s/>]")}
_BLOCCO = 64 * 1024


def conta_righe(contenuto: bytes, nome_file: str, *, oltre: int,
                limiti: Limiti = Limiti()) -> int | None:
    """The rows of a file, headers and empty rows included, counted without parsing: lines of
    a CSV, row tags in the sheets of an XLSX or in the ``content.xml`` of an ODS (a repeated
    row counts once). Counting stops past ``oltre``, so a big file costs a few kilobytes
    decompressed. ``None`` when the file cannot be counted (not a workbook, or its sheets
    declare more than ``limiti.byte_espansi`` bytes): the reader then refuses it at once."""
    estensione = posixpath.splitext(nome_file)[1].lower().lstrip(".")
    if estensione == "csv":
        return contenuto.count(b"\n") + (not contenuto.endswith(b"\n"))
    modello = _INIZIO_RIGA.get(estensione)
    if modello is None:
        return None
    try:
        archivio = zipfile.ZipFile(io.BytesIO(contenuto))
        parti = [i for i in archivio.infolist() if (
            i.filename == "content.xml" if estensione == "ods"
            else i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml"))]
        if sum(i.file_size for i in parti) > limiti.byte_espansi:
            return None
        righe = 0
        for parte in parti:
            with archivio.open(parte) as file:
                coda = b""
                while blocco := file.read(_BLOCCO):
                    testo = coda + blocco
                    trovate = list(modello.finditer(testo))
                    righe += len(trovate)
                    if righe > oltre:
                        return righe
                    # a tag cut by the block's end is counted with the next block, once
                    inizio = max(len(testo) - 20, trovate[-1].end() if trovate else 0)
                    coda = testo[inizio:]
        return righe
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError, KeyError):
        return None
