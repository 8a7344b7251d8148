"""Import and export of the PEG workbook (see docs/import-peg.md).

One entry point each way:

* ``importa_workbook(file=…, ciclo=…, utente=None, dry_run=False, foglio=None) -> Esito`` reads an
  XLSX, ODS or CSV file, checks every row against the rules (types, codes, references, weights,
  statuses, trees, the user's areas) and, only if no row fails, writes everything in one
  transaction. With ``dry_run`` it stops after the plan: the ``Esito`` says what would be created,
  updated or left unchanged, row by row.
* ``esporta_workbook`` writes the same template (blank or filled) and ``esporta_risultati`` the
  computed results (``valutazione.queries.risultati_ciclo``) with proposed and validated grades.

How it writes: tree rows (Area, NodoStrategico) only through ``obiettivi.services``; objectives,
indicators, phases, barometro standards and financial indicators with simple-history's
``bulk_create_with_history`` / ``bulk_update_with_history``, which write one history row per
created or changed row (user and reason included) — fast, and no write escapes the history.
Rows are matched by code within the cycle (indicators and phases within their objective); a row
equal to the database is not written at all, so importing the same file twice changes nothing.

Files are read with openpyxl (XLSX) and odfpy (ODS) directly, the two backends tablib uses:
tablib's ODS reader drops empty cells and rows (shifting columns and row numbers) and reads a
number's displayed text ("87,5") instead of its value, so error positions would be wrong.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.text import slugify

from valutazione.models import IndicatoreFinanziario, StandardBarometro

from seregno_perf import formati

from . import permessi, regole
from .models import Area, Ciclo, Ente, Fase, Indicatore, NodoStrategico, Obiettivo
from .services import area_upsert, nodo_upsert

# --------------------------------------------------------------------------------------------
# The template
# --------------------------------------------------------------------------------------------

FOGLI: dict[str, tuple[str, ...]] = {
    "aree": ("codice", "nome", "padre"),
    "albero": ("codice", "titolo", "padre", "livello"),
    "obiettivi": (
        "codice", "titolo", "descrizione", "area", "nodo", "tipologia", "peso", "stato",
        "motivazione", "anno_rinvio",
    ),
    "indicatori": ("obiettivo", "codice", "nome", "unita", "direzione", "target", "consuntivo"),
    "fasi": ("obiettivo", "codice", "descrizione", "peso", "percentuale", "inizio", "fine"),
    "barometro": ("codice", "servizio", "area", "standard", "programmato", "rilevato", "grado"),
    "finanziari": ("codice", "nome", "target", "valore", "direzione"),
}
#: Columns a sheet must have (the others may be left out: the field is then left as it is).
CHIAVI = {nome: ("obiettivo", "codice") if nome in ("indicatori", "fasi") else ("codice",)
          for nome in FOGLI}
#: Sheets a dirigente may import (which fields of a row they may change: ``permessi``).
FOGLI_DIRIGENTE = ("obiettivi", "indicatori", "fasi", "barometro")

TIPOLOGIE = {
    **{v: v for v in Obiettivo.Tipologia.values},
    **{etichetta.lower(): v for v, etichetta in Obiettivo.Tipologia.choices},
    "anticorruzione": "ptpct",
}
DIREZIONI = {
    "alto": "alto", "basso": "basso", "si_no": "si_no", "sì_no": "si_no", "si/no": "si_no",
    "sì/no": "si_no", "scadenza": "scadenza",
}
DIREZIONI_FINANZIARIE = {"alto": "alto", "basso": "basso"}

MOTIVO_STORICO = "Importazione PEG"
BATCH = 500


# --------------------------------------------------------------------------------------------
# The outcome
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Errore:
    """A problem, placed as precisely as possible: sheet, row (1 = headers), column."""

    problema: str
    foglio: str = ""
    riga: int | None = None
    colonna: str = ""

    def __str__(self):
        dove = []
        if self.foglio:
            dove.append(f"Foglio {self.foglio}")
        if self.riga is not None:
            dove.append(f"riga {self.riga}")
        if self.colonna:
            dove.append(f"colonna {self.colonna}")
        return f"{', '.join(dove)}: {self.problema}" if dove else self.problema


@dataclass(frozen=True)
class Modifica:
    """What happens (or would happen) to one row: ``creato``, ``aggiornato`` or ``invariato``."""

    foglio: str
    riga: int
    chiave: str
    azione: str
    colonne: tuple[str, ...] = ()


@dataclass
class Conteggio:
    creati: int = 0
    aggiornati: int = 0
    invariati: int = 0

    @property
    def totale(self):
        return self.creati + self.aggiornati + self.invariati


@dataclass
class Esito:
    """The result of an import (or of its dry run)."""

    file: str = ""
    dry_run: bool = False
    errori: list[Errore] = field(default_factory=list)
    avvisi: list[str] = field(default_factory=list)
    modifiche: list[Modifica] = field(default_factory=list)
    conteggi: dict[str, Conteggio] = field(default_factory=dict)
    scritto: bool = False

    @property
    def ok(self) -> bool:
        return not self.errori

    @property
    def n_modifiche(self) -> int:
        return sum(c.creati + c.aggiornati for c in self.conteggi.values())

    def righe_report(self) -> list[str]:
        """A readable report, in Italian, for the command and the admin."""
        righe = []
        if self.errori:
            n = len(self.errori)
            righe.append(f"{n} {'errore' if n == 1 else 'errori'}: nessun dato è stato scritto.")
            righe.extend(f"  {e}" for e in self.errori)
        verbi = ("da creare", "da aggiornare", "invariate") if self.dry_run or not self.ok else (
            "create", "aggiornate", "invariate")
        for foglio, c in self.conteggi.items():
            righe.append(
                f"{foglio}: {c.totale} righe — {c.creati} {verbi[0]}, {c.aggiornati} {verbi[1]}, "
                f"{c.invariati} {verbi[2]}"
            )
        righe.extend(f"Avviso: {a}" for a in self.avvisi)
        if self.ok:
            if self.dry_run:
                righe.append("Prova (--dry-run): nessun dato è stato scritto.")
            elif self.n_modifiche == 0:
                righe.append("Nessuna modifica: i dati erano già allineati al file.")
            else:
                righe.append(f"Importazione completata: {self.n_modifiche} righe scritte.")
        return righe


class ErroreImportazione(Exception):
    """Raised by the command helpers (missing ente or cycle), message in Italian."""


# --------------------------------------------------------------------------------------------
# Cell values
# --------------------------------------------------------------------------------------------

class _Invalido(Exception):
    pass


_ASSENTE = object()  # the column is not in the sheet
_ERRATO = object()  # the cell has an error (already recorded)


def numero_testo(d: Decimal, *, virgola=False) -> str:
    """A Decimal without exponent or trailing zeros: 87.50 → "87.5", 100 → "100".

    Absurd magnitudes (≥ 10^15, beyond any field) are shown in scientific notation."""
    if not d.is_finite():
        testo = str(d)
    elif abs(d) >= Decimal("1e15"):
        testo = f"{d:.3E}"
    elif d == d.to_integral_value():
        testo = format(d.to_integral_value(), "f")
    else:
        testo = format(d.normalize(), "f")
    return testo.replace(".", ",") if virgola else testo


def _testo(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "sì" if v else "no"
    if isinstance(v, float):
        return numero_testo(Decimal(repr(v)))
    if isinstance(v, Decimal):
        return numero_testo(v)
    if isinstance(v, datetime.datetime):
        v = v.date()
    if isinstance(v, datetime.date):
        return v.strftime("%d/%m/%Y")
    return str(v).strip()


def _decimale(v) -> Decimal | None:
    if isinstance(v, (datetime.date, datetime.time)):
        raise _Invalido(str(formati.NumeroNonValido(_testo(v))))
    try:
        return formati.leggi_numero(v)
    except formati.NumeroNonValido as errore:
        raise _Invalido(str(errore)) from None


def _intero(v) -> int | None:
    d = _decimale(v)
    if d is None:
        return None
    if d != d.to_integral_value():
        raise _Invalido(str(regole.NON_INTERO))
    return int(d)


def _data(v) -> datetime.date | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    s = str(v).strip()
    for formato, testo in (("%d/%m/%Y", s), ("%Y-%m-%d", s[:10])):
        try:
            return datetime.datetime.strptime(testo, formato).date()
        except ValueError:
            pass
    raise _Invalido(f"'{_testo(v)}' non è una data (gg/mm/aaaa o aaaa-mm-gg)")


def _si_no(v) -> Decimal | None:
    """«sì», «no» (``regole.SI_NO_TESTO``) or a number; ``regole.errori_indicatore`` then
    refuses a number other than 1 and 0, as the admin does."""
    s = _testo(v).lower()
    if s in regole.SI_NO_TESTO:
        return regole.SI_NO_TESTO[s]
    return _decimale(v)


def _scelta(ammessi: dict, elenco: tuple[str, ...] = ()):
    def conv(v):
        valore, errori = regole.scelta(_testo(v), ammessi)
        if errori:
            raise _Invalido(errori[0])
        return valore
    return conv


# --------------------------------------------------------------------------------------------
# Reading files: {sheet: (headers, [(row number, [cells])])}
# --------------------------------------------------------------------------------------------

@dataclass
class _Foglio:
    nome: str
    intestazioni: list[str]
    righe: list[tuple[int, list]]


def _vuota(celle) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in celle)


def _foglio_da_righe(nome: str, righe) -> _Foglio:
    intestazioni, dati = None, []
    for numero, celle in righe:
        if intestazioni is None:
            if _vuota(celle):
                continue
            intestazioni = [
                _testo(c).lstrip("\ufeff").strip().lower().replace(" ", "_") for c in celle
            ]
            while intestazioni and not intestazioni[-1]:
                intestazioni.pop()
            continue
        if not _vuota(celle):
            dati.append((numero, list(celle)))
    return _Foglio(nome, intestazioni or [], dati)


_NS_XLSX = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _leggi_xlsx(contenuto: bytes) -> list[_Foglio]:
    """XLSX sheets, read with ``zipfile`` + ``ElementTree`` (openpyxl's reader without lxml
    takes ~9 s for 25,000 rows). Dates are recognised from the cell's
    number format, as openpyxl does; a cell formatted as a percentage is read ×100."""
    import posixpath
    import zipfile
    from xml.etree.ElementTree import fromstring, iterparse

    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
    from openpyxl.utils.cell import column_index_from_string
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

    archivio = zipfile.ZipFile(io.BytesIO(contenuto))
    nomi = set(archivio.namelist())
    workbook = fromstring(archivio.read("xl/workbook.xml"))
    proprieta = workbook.find(f"{_NS_XLSX}workbookPr")
    epoca = CALENDAR_WINDOWS_1900
    if proprieta is not None and proprieta.get("date1904") in ("1", "true"):
        epoca = CALENDAR_MAC_1904
    relazioni = {
        r.get("Id"): r.get("Target")
        for r in fromstring(archivio.read("xl/_rels/workbook.xml.rels")).iter(f"{_NS_PKG_REL}Relationship")
    }
    condivise = []
    if "xl/sharedStrings.xml" in nomi:
        for _, el in iterparse(io.BytesIO(archivio.read("xl/sharedStrings.xml"))):
            if el.tag == f"{_NS_XLSX}si":
                # Plain text, or rich-text runs; phonetic runs (rPh) are not part of the text.
                parti = el.findall(f"{_NS_XLSX}t") + el.findall(f"{_NS_XLSX}r/{_NS_XLSX}t")
                condivise.append("".join(t.text or "" for t in parti))
                el.clear()
    date_stili, percento_stili = set(), set()
    if "xl/styles.xml" in nomi:
        stili = fromstring(archivio.read("xl/styles.xml"))
        formati = dict(BUILTIN_FORMATS)
        for nf in stili.iter(f"{_NS_XLSX}numFmt"):
            formati[int(nf.get("numFmtId"))] = nf.get("formatCode") or ""
        xfs = stili.find(f"{_NS_XLSX}cellXfs")
        for i, xf in enumerate(xfs if xfs is not None else []):
            formato = formati.get(int(xf.get("numFmtId") or 0), "")
            if formato and is_date_format(formato):
                date_stili.add(str(i))
            elif "%" in formato:
                percento_stili.add(str(i))

    fogli, colonne = [], {}
    for foglio in workbook.iter(f"{_NS_XLSX}sheet"):
        destinazione = relazioni.get(foglio.get(f"{_NS_REL}id"), "")
        percorso = destinazione.lstrip("/") if destinazione.startswith("/") else posixpath.normpath(
            posixpath.join("xl", destinazione))

        def righe(percorso=percorso):
            # One parse of the whole sheet (C parser): far faster than iterparse's events.
            dati = fromstring(archivio.read(percorso)).find(f"{_NS_XLSX}sheetData")
            numero = 0
            for riga in dati if dati is not None else []:
                numero = int(riga.get("r") or numero + 1)
                celle = []
                for c in riga:
                    rif = c.get("r")
                    if rif:
                        lettere = rif.rstrip("0123456789")
                        indice = colonne.get(lettere)
                        if indice is None:
                            indice = colonne[lettere] = column_index_from_string(lettere) - 1
                    else:
                        indice = len(celle)
                    if indice > len(celle):
                        celle.extend([None] * (indice - len(celle)))
                    celle.append(_valore_xlsx(c, condivise, date_stili, percento_stili, epoca, from_excel))
                yield numero, celle

        fogli.append(_foglio_da_righe(foglio.get("name"), righe()))
    return fogli


def _doppia(testo: str) -> Decimal:
    d = Decimal(format(float(testo), ".15g"))
    return d.quantize(Decimal(1)) if d == d.to_integral_value() and abs(d) < Decimal("1e15") else d


def _valore_xlsx(c, condivise, date_stili, percento_stili, epoca, from_excel):
    tipo = c.get("t", "n")
    if tipo == "inlineStr":
        return "".join(t.text or "" for t in c.iter(f"{_NS_XLSX}t"))
    v = c.find(f"{_NS_XLSX}v")
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
    # Spreadsheet numbers are doubles with 15 significant digits ("77.76000000000001" is 77.76).
    numero = _doppia(testo)
    stile = c.get("s")
    if stile in date_stili:
        valore = from_excel(float(numero), epoca)
        return valore.date() if isinstance(valore, datetime.datetime) else valore
    if stile in percento_stili:
        return numero * 100
    return numero


def _valore_ods(cella):
    from odf import teletype

    tipo = cella.getAttribute("valuetype")
    if tipo in ("float", "currency", "percentage"):
        d = _doppia(cella.getAttribute("value"))
        return d * 100 if tipo == "percentage" else d
    if tipo == "date":
        testo = cella.getAttribute("datevalue")
        return datetime.date.fromisoformat(testo[:10])
    if tipo == "boolean":
        return cella.getAttribute("booleanvalue") == "true"
    paragrafi = [teletype.extractText(p) for p in cella.childNodes if p.qname[1] == "p"]
    return "\n".join(paragrafi) if paragrafi else None


def _leggi_ods(contenuto: bytes) -> list[_Foglio]:
    from odf.opendocument import load
    from odf.table import Table, TableRow

    doc = load(io.BytesIO(contenuto))
    fogli = []
    for tabella in doc.spreadsheet.getElementsByType(Table):
        def righe(tabella=tabella):
            numero = 0
            for riga in tabella.getElementsByType(TableRow):
                ripetizioni = int(riga.getAttribute("numberrowsrepeated") or 1)
                celle = []
                for cella in riga.childNodes:
                    if cella.qname[1] not in ("table-cell", "covered-table-cell"):
                        continue
                    valore = _valore_ods(cella)
                    celle.extend([valore] * min(int(cella.getAttribute("numbercolumnsrepeated") or 1), 200))
                while celle and celle[-1] is None:
                    celle.pop()
                if not celle:
                    numero += ripetizioni
                    continue
                for _ in range(min(ripetizioni, 100_000)):
                    numero += 1
                    yield numero, celle
        fogli.append(_foglio_da_righe(tabella.getAttribute("name"), righe()))
    return fogli


def _leggi_csv(contenuto: bytes, nome: str) -> _Foglio:
    try:
        testo = contenuto.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Invalido(
            f"il file CSV non è in UTF-8 (byte non valido alla posizione {exc.start + 1}): "
            "salvarlo come «CSV UTF-8»"
        ) from None
    prima = testo.split("\n", 1)[0]
    separatore = ";" if prima.count(";") >= prima.count(",") else ","
    lettore = csv.reader(io.StringIO(testo, newline=""), delimiter=separatore)
    return _foglio_da_righe(nome, enumerate(lettore, start=1))


def _apri(file) -> tuple[str, bytes]:
    if isinstance(file, (str, Path)):
        percorso = Path(file)
        return percorso.name, percorso.read_bytes()
    if hasattr(file, "seek"):
        file.seek(0)
    contenuto = file.read()
    return Path(getattr(file, "name", "") or "").name, contenuto


def leggi_file(file, foglio: str | None = None, esito: Esito | None = None) -> dict[str, _Foglio]:
    """The known sheets of ``file`` (a path or a binary file object with a name)."""
    esito = esito if esito is not None else Esito()
    nome_file, contenuto = _apri(file)
    esito.file = nome_file
    massimo = settings.PEG_IMPORT_MAX_BYTES
    if len(contenuto) > massimo:
        esito.errori.append(Errore(
            f"il file '{nome_file}' è di {len(contenuto)} byte: il massimo accettato è "
            f"{massimo} byte ({massimo / 1048576:.1f} MB, impostazione PEG_IMPORT_MAX_BYTES)"
        ))
        return {}
    estensione = Path(nome_file).suffix.lower().lstrip(".")
    try:
        if estensione == "csv":
            nome = (foglio or Path(nome_file).stem).strip().lower()
            letti = [_leggi_csv(contenuto, nome)]
            if nome not in FOGLI:
                esito.errori.append(Errore(
                    f"il foglio '{nome}' non è tra quelli del modello ({', '.join(FOGLI)}): "
                    "chiamare il file come il foglio (es. fasi.csv) o indicarlo con --foglio"
                ))
                return {}
        elif estensione == "xlsx":
            letti = _leggi_xlsx(contenuto)
        elif estensione == "ods":
            letti = _leggi_ods(contenuto)
        else:
            esito.errori.append(Errore(
                f"formato del file '{nome_file}' non riconosciuto: usare .xlsx, .ods o .csv"
            ))
            return {}
    except _Invalido as exc:
        esito.errori.append(Errore(str(exc)))
        return {}
    except Exception as exc:  # a corrupt workbook: any library error
        esito.errori.append(Errore(
            f"il file '{nome_file}' non è un {estensione.upper()} leggibile ({exc.__class__.__name__})"
        ))
        return {}

    fogli = {}
    for letto in letti:
        nome = letto.nome.strip().lower()
        if foglio and estensione != "csv" and nome != foglio.strip().lower():
            continue
        if nome not in FOGLI:
            esito.avvisi.append(f"foglio '{letto.nome}' ignorato: non è tra quelli del modello")
            continue
        if nome in fogli:
            esito.errori.append(Errore(f"il foglio '{nome}' compare due volte"))
            continue
        letto.nome = nome
        fogli[nome] = letto
    if foglio and estensione != "csv" and not fogli:
        esito.errori.append(Errore(f"il file non ha il foglio '{foglio}'"))
    if not fogli and not esito.errori:
        esito.errori.append(Errore(
            f"il file non contiene nessuno dei fogli del modello ({', '.join(FOGLI)})"
        ))
    return fogli


# --------------------------------------------------------------------------------------------
# Checking rows
# --------------------------------------------------------------------------------------------

@dataclass
class _Riga:
    numero: int
    celle: dict
    valori: dict = field(default_factory=dict)  # column -> converted value (present columns)
    valida: bool = True


class _Controllo:
    """Reads one sheet's rows, converting cells and recording errors with their position."""

    def __init__(self, esito: Esito, foglio: _Foglio):
        self.esito = esito
        self.nome = foglio.nome
        self.righe: list[_Riga] = []
        attese = FOGLI[foglio.nome]
        self.colonne = []
        self.ok = True
        viste = set()
        for i, intestazione in enumerate(foglio.intestazioni):
            if not intestazione:
                continue
            if intestazione not in attese:
                self.errore(1, intestazione, f"colonna sconosciuta (attese: {', '.join(attese)})")
            elif intestazione in viste:
                self.errore(1, intestazione, "colonna ripetuta")
            else:
                viste.add(intestazione)
                self.colonne.append((i, intestazione))
        for chiave in CHIAVI[foglio.nome]:
            if chiave not in viste:
                self.esito.errori.append(Errore(f"manca la colonna '{chiave}'", self.nome, 1))
                self.ok = False
        if not self.ok:
            return
        for numero, celle in foglio.righe:
            self.righe.append(_Riga(numero, {
                col: (celle[i] if i < len(celle) else None) for i, col in self.colonne
            }))

    def errore(self, riga, colonna, problema):
        self.esito.errori.append(Errore(problema, self.nome, riga, colonna))
        self.ok = False

    def presente(self, colonna) -> bool:
        return any(col == colonna for _, col in self.colonne)

    def leggi(self, riga: _Riga, colonna, conv=_testo, *, obbligatorio=False, campo=None):
        """The cell converted; ``campo`` = (model, field): its limits and control characters
        (``regole.campo``)."""
        if colonna not in riga.celle:
            return _ASSENTE
        try:
            valore = conv(riga.celle[colonna])
        except _Invalido as exc:
            return self._scarta(riga, colonna, str(exc))
        if obbligatorio and valore in (None, ""):
            return self._scarta(riga, colonna, str(regole.OBBLIGATORIO))
        if campo is not None:
            for problema in regole.campo(*campo, valore):
                return self._scarta(riga, colonna, problema)
        riga.valori[colonna] = valore
        return valore

    def regole(self, riga: _Riga, errori: dict, colonne: dict | None = None) -> bool:
        """Record the messages of ``obiettivi.regole`` (keyed by model field) on their columns;
        False when there were any."""
        for nome, messaggi in errori.items():
            for problema in messaggi:
                self._scarta(riga, (colonne or {}).get(nome, nome), problema)
        return not errori

    def _scarta(self, riga, colonna, problema):
        self.errore(riga.numero, colonna, problema)
        riga.valida = False
        return _ERRATO


def _unici(controllo: _Controllo, chiave) -> dict:
    """Rows by key; a repeated key is an error on its second row."""
    viste = {}
    for riga in controllo.righe:
        k = chiave(riga)
        if k is None:
            continue
        if k in viste:
            controllo._scarta(
                riga, "codice",
                f"il codice '{k[-1] if isinstance(k, tuple) else k}' è ripetuto "
                f"(già alla riga {viste[k].numero})",
            )
        else:
            viste[k] = riga
    return viste


@dataclass
class _Ambito:
    """What the importing user may touch: everything, or outcomes of some areas."""

    tutto: bool
    aree: frozenset = frozenset()
    etichetta: str = ""

    def area_ammessa(self, codice) -> bool:
        return self.tutto or codice in self.aree


def _ambito(utente, ciclo) -> _Ambito | Errore:
    if utente is None or permessi.is_amministratore(utente):
        return _Ambito(tutto=True)
    if permessi.is_dirigente(utente):
        aree = permessi.aree_visibili(utente).filter(ciclo=ciclo).values_list("codice", flat=True)
        return _Ambito(tutto=False, aree=frozenset(aree), etichetta=utente.get_username())
    return Errore(
        f"l'utente '{utente.get_username()}' non può importare il PEG: servono i ruoli "
        f"{permessi.AMMINISTRATORE} o {permessi.DIRIGENTE}"
    )


# --------------------------------------------------------------------------------------------
# The plan: what each row does to the database
# --------------------------------------------------------------------------------------------

@dataclass
class _Operazione:
    riga: int
    chiave: str
    oggetto: object | None  # existing row, or None to create
    valori: dict  # model field -> final value (only for create/update)
    cambiati: tuple[str, ...] = ()  # model fields that change
    colonne: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)
    mappa: dict = field(default_factory=dict)  # model field -> template column


class _Piano:
    def __init__(self, ciclo: Ciclo, esito: Esito, ambito: _Ambito, utente=None):
        self.ciclo = ciclo
        self.esito = esito
        self.ambito = ambito
        self.utente = utente
        self.operazioni: dict[str, list[_Operazione]] = {}

    # --- helpers ------------------------------------------------------------------------

    def registra(self, foglio, op: _Operazione, mappa_colonne: dict):
        op.mappa = mappa_colonne
        conteggio = self.esito.conteggi.setdefault(foglio, Conteggio())
        if op.oggetto is None:
            azione = "creato"
            conteggio.creati += 1
            op.colonne = ()
        else:
            op.cambiati = tuple(
                campo for campo, valore in op.valori.items() if getattr(op.oggetto, campo) != valore
            )
            op.colonne = tuple(dict.fromkeys(mappa_colonne.get(c, c) for c in op.cambiati))
            if op.cambiati:
                azione = "aggiornato"
                conteggio.aggiornati += 1
            else:
                azione = "invariato"
                conteggio.invariati += 1
        self.esito.modifiche.append(Modifica(foglio, op.riga, op.chiave, azione, op.colonne))
        self.operazioni.setdefault(foglio, []).append(op)

    def solo_esiti(self, controllo: _Controllo, foglio: str, op: _Operazione, cosa: str):
        """A dirigente creates nothing and changes only what ``permessi.campi_modificabili``
        allows on that row (the outcomes, during rendicontazione, of objectives not sent)."""
        if self.ambito.tutto:
            return
        if op.oggetto is None:
            controllo.errore(op.riga, "codice", f"un dirigente non può creare {cosa}: "
                             f"'{op.chiave}' non esiste nel ciclo")
            return
        ammessi = permessi.campi_modificabili(self.utente, op.oggetto)
        if ammessi is permessi.TUTTI:
            return
        segnalate = set()
        for campo in op.cambiati:
            colonna = op.mappa.get(campo, campo)
            if campo not in ammessi and colonna not in segnalate:
                segnalate.add(colonna)
                controllo.errore(
                    op.riga, colonna,
                    f"'{self.ambito.etichetta}' non può modificare questa colonna: un dirigente "
                    "cambia solo gli esiti, durante la rendicontazione, degli obiettivi non "
                    "ancora inviati al Nucleo",
                )

    def fuori_ambito(self, controllo, riga, colonna, cosa, area_codice) -> bool:
        if self.ambito.area_ammessa(area_codice):
            return False
        controllo.errore(
            riga, colonna,
            f"{cosa} è dell'area '{area_codice}', che non è tra le aree di cui "
            f"'{self.ambito.etichetta}' è dirigente",
        )
        return True

    # --- trees --------------------------------------------------------------------------

    def _albero(self, controllo: _Controllo, *, model, esistenti, campi, cosa, etichetta):
        """Shared by ``aree`` and ``albero``: codes, parents, cycles. Returns (rows, parents)."""
        for riga in controllo.righe:
            controllo.leggi(riga, "codice", obbligatorio=True, campo=(model, "codice"))
            for colonna, campo, obbligatorio in campi:
                controllo.leggi(riga, colonna, obbligatorio=obbligatorio, campo=(model, campo))
            controllo.leggi(riga, "padre", campo=(model, "codice"))
        righe = _unici(controllo, lambda r: r.valori.get("codice") or None)
        padri = {codice: obj.padre_codice for codice, obj in esistenti.items()}
        for codice, riga in righe.items():
            if not riga.valida:
                continue
            if codice not in esistenti:
                for colonna, _campo, _obbl in campi:
                    if riga.valori.get(colonna, _ASSENTE) in (_ASSENTE, ""):
                        controllo._scarta(riga, colonna, f"obbligatorio per {etichetta} nuova")
            if "padre" in riga.valori:
                padri[codice] = riga.valori["padre"] or None
            else:
                padri.setdefault(codice, None)
        for codice, riga in righe.items():
            padre = padri.get(codice)
            if riga.valida and padre and padre not in padri:
                controllo._scarta(
                    riga, "padre",
                    f"{cosa} '{padre}' non esiste nel ciclo né nel foglio {controllo.nome}",
                )
        segnalati = set()
        for codice, riga in righe.items():
            percorso, corrente = [codice], padri.get(codice)
            while corrente and corrente in padri and corrente not in percorso:
                percorso.append(corrente)
                corrente = padri.get(corrente)
            # Reported once per loop, on the first of its rows that the sheet lists.
            if corrente == codice and codice not in segnalati:
                anello = percorso + [codice]
                segnalati.update(percorso)
                controllo._scarta(
                    riga, "padre",
                    f"'{codice}' non può stare sotto '{padri[codice]}': si creerebbe un ciclo "
                    f"({' → '.join(anello)})",
                )
        return righe, padri

    def aree(self, controllo: _Controllo):
        esistenti = _con_padre(Area, self.ciclo)
        righe, padri = self._albero(
            controllo, model=Area, esistenti=esistenti, campi=[("nome", "nome", True)],
            cosa="l'area", etichetta="un'area",
        )
        slug_usati = {a.slug for a in esistenti.values()}
        slug_precedenti = {}
        for codice, slug in (
            Area.objects.filter(ciclo__ente_id=self.ciclo.ente_id)
            .exclude(ciclo=self.ciclo).order_by("-ciclo__anno").values_list("codice", "slug")
        ):
            slug_precedenti.setdefault(codice, slug)
        ordine = max((a.ordine for a in esistenti.values()), default=0)
        for codice, riga in righe.items():
            if not riga.valida:
                continue
            obj = esistenti.get(codice)
            valori = {"padre_codice": padri.get(codice)}
            if "nome" in riga.valori:
                valori["nome"] = riga.valori["nome"]
            extra = {}
            if obj is None:
                ordine += 1
                extra = {"ordine": ordine, "slug": _slug_libero(
                    slug_precedenti.get(codice) or slugify(valori["nome"]) or slugify(codice)
                    or "area", slug_usati,
                )}
            self.registra("aree", _Operazione(riga.numero, codice, obj, valori, extra=extra),
                          {"padre_codice": "padre"})
        return padri

    def albero(self, controllo: _Controllo):
        esistenti = _con_padre(NodoStrategico, self.ciclo)
        righe, padri = self._albero(
            controllo, model=NodoStrategico, esistenti=esistenti,
            campi=[("titolo", "titolo", True), ("livello", "livello_nome", True)],
            cosa="il nodo", etichetta="un nodo",
        )
        ordine = max((n.ordine for n in esistenti.values()), default=0)
        for codice, riga in righe.items():
            if not riga.valida:
                continue
            obj = esistenti.get(codice)
            valori = {"padre_codice": padri.get(codice)}
            for colonna, campo in (("titolo", "titolo"), ("livello", "livello_nome")):
                if colonna in riga.valori:
                    valori[campo] = riga.valori[colonna]
            extra = {}
            if obj is None:
                ordine += 1
                extra = {"ordine": ordine}
            self.registra("albero", _Operazione(riga.numero, codice, obj, valori, extra=extra),
                          {"padre_codice": "padre", "livello_nome": "livello"})
        return padri

    # --- objectives -------------------------------------------------------------------------

    def obiettivi(self, controllo: _Controllo, codici_aree, codici_nodi):
        esistenti = _obiettivi_esistenti(self.ciclo)
        for riga in controllo.righe:
            controllo.leggi(riga, "codice", obbligatorio=True, campo=(Obiettivo, "codice"))
            controllo.leggi(riga, "titolo", obbligatorio=True, campo=(Obiettivo, "titolo"))
            controllo.leggi(riga, "descrizione", campo=(Obiettivo, "descrizione"))
            controllo.leggi(riga, "area", obbligatorio=True)
            controllo.leggi(riga, "nodo", obbligatorio=True)
            controllo.leggi(riga, "tipologia", _scelta(TIPOLOGIE))
            controllo.leggi(riga, "peso", _decimale, campo=(Obiettivo, "peso"))
            controllo.leggi(riga, "stato", _scelta(regole.stati_obiettivo()))
            controllo.leggi(riga, "motivazione", campo=(Obiettivo, "motivazione_stato"))
            controllo.leggi(riga, "anno_rinvio", _intero, campo=(Obiettivo, "anno_rinvio"))
        righe = _unici(controllo, lambda r: r.valori.get("codice") or None)
        ordine = max((o.ordine for o in esistenti.values()), default=0)
        for codice, riga in righe.items():
            if not riga.valida:
                continue
            obj = esistenti.get(codice)
            v = riga.valori
            if obj is None:
                for colonna in ("titolo", "area", "nodo"):
                    if colonna not in v:
                        controllo._scarta(riga, colonna, "obbligatorio per un obiettivo nuovo")
            if not riga.valida:
                continue
            attuale = lambda campo, default: getattr(obj, campo) if obj is not None else default  # noqa: E731
            area = v.get("area", attuale("area_codice", None))
            nodo = v.get("nodo", attuale("nodo_codice", None))
            if area not in codici_aree:
                controllo._scarta(riga, "area", f"l'area '{area}' non esiste nel ciclo né nel foglio aree")
            if nodo not in codici_nodi:
                controllo._scarta(riga, "nodo", f"il nodo '{nodo}' non esiste nel ciclo né nel foglio albero")
            peso = v["peso"] if "peso" in v else attuale("peso", None)
            peso = Decimal("1") if peso is None else peso
            stato = (v["stato"] or "attivo") if "stato" in v else attuale("stato", "attivo")
            motivazione = v.get("motivazione", attuale("motivazione_stato", ""))
            anno = v.get("anno_rinvio", attuale("anno_rinvio", None))
            controllo.regole(riga, regole.errori_obiettivo(
                {"stato": stato, "motivazione_stato": motivazione, "anno_rinvio": anno}
            ), {"motivazione_stato": "motivazione"})
            if obj is not None and self.fuori_ambito(controllo, riga.numero, "area", f"l'obiettivo '{codice}'", obj.area_codice):
                continue
            if area in codici_aree and self.fuori_ambito(controllo, riga.numero, "area", f"l'obiettivo '{codice}'", area):
                continue
            if not riga.valida:
                continue
            valori = {"area_codice": area, "nodo_codice": nodo, "peso": peso, "stato": stato,
                      "motivazione_stato": motivazione or "", "anno_rinvio": anno}
            if "titolo" in v:
                valori["titolo"] = v["titolo"]
            if "descrizione" in v:
                valori["descrizione"] = v["descrizione"]
            if "tipologia" in v or obj is None:
                valori["tipologia"] = v.get("tipologia") or "sviluppo"
            extra = {}
            if obj is None:
                ordine += 1
                extra = {"ordine": ordine}
            op = _Operazione(riga.numero, codice, obj, valori, extra=extra)
            self.registra("obiettivi", op, {"area_codice": "area", "nodo_codice": "nodo",
                                            "motivazione_stato": "motivazione"})
            self.solo_esiti(controllo, "obiettivi", op, "obiettivi")
        finali = {codice: o.area_codice for codice, o in esistenti.items()}
        for op in self.operazioni.get("obiettivi", []):
            finali[op.chiave] = op.valori["area_codice"]
        return finali

    def _figli(self, controllo: _Controllo, model, obiettivi_area: dict):
        """Common part of ``indicatori`` and ``fasi``: keys, the objective, its area."""
        for riga in controllo.righe:
            controllo.leggi(riga, "obiettivo", obbligatorio=True)
            controllo.leggi(riga, "codice", obbligatorio=True, campo=(model, "codice"))
        righe = _unici(
            controllo,
            lambda r: (r.valori["obiettivo"], r.valori["codice"])
            if r.valori.get("obiettivo") and r.valori.get("codice") else None,
        )
        for (obiettivo, _codice), riga in righe.items():
            if not riga.valida:
                continue
            if obiettivo not in obiettivi_area:
                controllo._scarta(
                    riga, "obiettivo",
                    f"l'obiettivo '{obiettivo}' non esiste nel ciclo né nel foglio obiettivi",
                )
            elif self.fuori_ambito(controllo, riga.numero, "obiettivo",
                                   f"l'obiettivo '{obiettivo}'", obiettivi_area[obiettivo]):
                riga.valida = False
        return righe

    def indicatori(self, controllo: _Controllo, obiettivi_area: dict):
        esistenti = _figli_esistenti(Indicatore, self.ciclo)
        for riga in controllo.righe:
            controllo.leggi(riga, "nome", campo=(Indicatore, "nome"))
            controllo.leggi(riga, "unita", campo=(Indicatore, "unita"))
            controllo.leggi(riga, "direzione", _scelta(DIREZIONI))
        righe = self._figli(controllo, Indicatore, obiettivi_area)
        for chiave, riga in righe.items():
            if not riga.valida:
                continue
            obj = esistenti.get(chiave)
            v = riga.valori
            if obj is None and not v.get("nome"):
                controllo._scarta(riga, "nome", "obbligatorio per un indicatore nuovo")
                continue
            tipo = v.get("direzione") or (obj.tipo if obj is not None else "alto")
            stesso_tipo = obj is not None and obj.tipo == tipo
            conv = {"scadenza": _data, "si_no": _si_no}.get(tipo, _decimale)
            data = tipo == "scadenza"
            misure = {}
            for colonna in ("target", "consuntivo"):
                campo = f"data_{colonna}" if data else colonna
                if colonna in riga.celle:
                    misure[colonna] = controllo.leggi(riga, colonna, conv, campo=(Indicatore, campo))
                elif stesso_tipo:
                    misure[colonna] = getattr(obj, campo)
                else:
                    misure[colonna] = None
            if not riga.valida:
                continue
            campi = {f"data_{c}" if data else c: valore for c, valore in misure.items()}
            if not controllo.regole(riga, regole.errori_indicatore({"tipo": tipo, **campi}), {
                "data_target": "target", "data_consuntivo": "consuntivo",
            }):
                continue
            valori = {
                "tipo": tipo,
                "target": None if data else misure["target"],
                "consuntivo": None if data else misure["consuntivo"],
                "data_target": misure["target"] if data else None,
                "data_consuntivo": misure["consuntivo"] if data else None,
            }
            for colonna in ("nome", "unita"):
                if colonna in v:
                    valori[colonna] = v[colonna] or ""
            op = _Operazione(riga.numero, f"{chiave[0]} / {chiave[1]}", obj, valori,
                             extra={"obiettivo": chiave[0], "codice": chiave[1]})
            self.registra("indicatori", op, {"tipo": "direzione", "data_target": "target",
                                             "data_consuntivo": "consuntivo"})
            self.solo_esiti(controllo, "indicatori", op, "indicatori")

    def fasi(self, controllo: _Controllo, obiettivi_area: dict):
        esistenti = _figli_esistenti(Fase, self.ciclo)
        for riga in controllo.righe:
            controllo.leggi(riga, "descrizione", campo=(Fase, "descrizione"))
            controllo.leggi(riga, "peso", _decimale, campo=(Fase, "peso"))
            controllo.leggi(riga, "percentuale", _decimale, campo=(Fase, "percentuale"))
            controllo.leggi(riga, "inizio", _data)
            controllo.leggi(riga, "fine", _data)
        righe = self._figli(controllo, Fase, obiettivi_area)
        pesi = defaultdict(dict)  # objective -> {phase code: final weight}
        for (obiettivo, codice), f in esistenti.items():
            pesi[obiettivo][codice] = f.peso
        prima_riga, con_errori = {}, set()
        for chiave, riga in righe.items():
            prima_riga.setdefault(chiave[0], riga.numero)
            if not riga.valida:
                con_errori.add(chiave[0])
                continue
            obj = esistenti.get(chiave)
            v = riga.valori
            attuale = lambda campo, default: getattr(obj, campo) if obj is not None else default  # noqa: E731
            if obj is None:
                for colonna in ("descrizione", "peso"):
                    if v.get(colonna) in (None, ""):
                        controllo._scarta(riga, colonna, "obbligatorio per una fase nuova")
            if not riga.valida:
                continue
            peso = v.get("peso", attuale("peso", None))
            percentuale = v.get("percentuale", attuale("percentuale", Decimal("0")))
            percentuale = Decimal("0") if percentuale is None else percentuale
            if peso is None:
                controllo._scarta(riga, "peso", str(regole.OBBLIGATORIO))
            inizio = v.get("inizio", attuale("inizio", None))
            fine = v.get("fine", attuale("fine", None))
            controllo.regole(riga, regole.errori_fase({"inizio": inizio, "fine": fine}))
            if not riga.valida:
                con_errori.add(chiave[0])
                continue
            pesi[chiave[0]][chiave[1]] = peso
            valori = {"peso": peso, "percentuale": percentuale, "inizio": inizio, "fine": fine}
            if "descrizione" in v:
                valori["descrizione"] = v["descrizione"]
            op = _Operazione(riga.numero, f"{chiave[0]} / {chiave[1]}", obj, valori,
                             extra={"obiettivo": chiave[0], "codice": chiave[1]})
            self.registra("fasi", op, {})
            self.solo_esiti(controllo, "fasi", op, "fasi")
        for obiettivo, numero in prima_riga.items():
            if obiettivo in con_errori:
                continue  # the row's own error says it; a sum would only repeat it
            for problema in regole.errori_fasi(pesi[obiettivo].values(), obiettivo=obiettivo):
                controllo.errore(numero, "peso", problema)

    # --- barometro and financial indicators -------------------------------------------------

    def barometro(self, controllo: _Controllo, codici_aree):
        esistenti = {}
        for s in StandardBarometro.objects.filter(ciclo=self.ciclo).select_related("area"):
            s.ciclo = self.ciclo
            s.area_codice = s.area.codice if s.area else None
            esistenti[s.codice] = s
        for riga in controllo.righe:
            controllo.leggi(riga, "codice", obbligatorio=True, campo=(StandardBarometro, "codice"))
            controllo.leggi(riga, "servizio", campo=(StandardBarometro, "servizio"))
            controllo.leggi(riga, "area")
            controllo.leggi(riga, "standard", campo=(StandardBarometro, "standard"))
            controllo.leggi(riga, "programmato", campo=(StandardBarometro, "programmato"))
            controllo.leggi(riga, "rilevato", campo=(StandardBarometro, "rilevato"))
            controllo.leggi(riga, "grado", _intero, campo=(StandardBarometro, "grado"))
        righe = _unici(controllo, lambda r: r.valori.get("codice") or None)
        for codice, riga in righe.items():
            if not riga.valida:
                continue
            obj = esistenti.get(codice)
            v = riga.valori
            if obj is None:
                for colonna in ("servizio", "standard"):
                    if not v.get(colonna):
                        controllo._scarta(riga, colonna, "obbligatorio per uno standard nuovo")
            area = (v["area"] or None) if "area" in v else (obj.area_codice if obj else None)
            if area and area not in codici_aree:
                controllo._scarta(riga, "area", f"l'area '{area}' non esiste nel ciclo né nel foglio aree")
            if not riga.valida:
                continue
            if not self.ambito.tutto:
                attuale = obj.area_codice if obj else area
                if self.fuori_ambito(controllo, riga.numero, "area", f"lo standard '{codice}'", attuale or "—"):
                    continue
            valori = {"area_codice": area}
            for colonna in ("servizio", "standard", "programmato", "rilevato", "grado"):
                if colonna in v:
                    valori[colonna] = v[colonna] if colonna == "grado" else (v[colonna] or "")
            op = _Operazione(riga.numero, codice, obj, valori)
            self.registra("barometro", op, {"area_codice": "area"})
            self.solo_esiti(controllo, "barometro", op, "standard del barometro")

    def finanziari(self, controllo: _Controllo):
        esistenti = {i.codice: i for i in IndicatoreFinanziario.objects.filter(ciclo=self.ciclo)}
        for riga in controllo.righe:
            controllo.leggi(riga, "codice", obbligatorio=True, campo=(IndicatoreFinanziario, "codice"))
            controllo.leggi(riga, "nome", campo=(IndicatoreFinanziario, "nome"))
            controllo.leggi(riga, "target", _decimale, campo=(IndicatoreFinanziario, "target"))
            controllo.leggi(riga, "valore", _decimale, campo=(IndicatoreFinanziario, "valore"))
            controllo.leggi(riga, "direzione", _scelta(DIREZIONI_FINANZIARIE, ("alto", "basso")))
        righe = _unici(controllo, lambda r: r.valori.get("codice") or None)
        for codice, riga in righe.items():
            if not riga.valida:
                continue
            obj = esistenti.get(codice)
            v = riga.valori
            if obj is None:
                for colonna in ("nome", "target"):
                    if v.get(colonna) in (None, ""):
                        controllo._scarta(riga, colonna, "obbligatorio per un indicatore nuovo")
            elif "target" in v and v["target"] is None:
                controllo._scarta(riga, "target", str(regole.OBBLIGATORIO))
            if not riga.valida:
                continue
            valori = {}
            for colonna in ("nome", "target", "valore", "direzione"):
                if colonna in v:
                    valori[colonna] = v[colonna]
            if "nome" in valori:
                valori["nome"] = valori["nome"] or ""
            if obj is None or "direzione" in v:
                valori["direzione"] = v.get("direzione") or "alto"
            self.registra("finanziari", _Operazione(riga.numero, codice, obj, valori), {})


def _F(nome):
    from django.db.models import F

    return F(nome)


def _con_padre(model, ciclo) -> dict:
    return {
        o.codice: o
        for o in model.objects.filter(ciclo=ciclo).annotate(padre_codice=_F("parent__codice"))
    }


def _obiettivi_esistenti(ciclo) -> dict:
    esistenti = {}
    for o in Obiettivo.objects.filter(ciclo=ciclo).select_related("area").annotate(
        nodo_codice=_F("nodo__codice")
    ):
        o.ciclo = ciclo  # ``permessi`` asks for it: no query per row
        o.area_codice = o.area.codice
        esistenti[o.codice] = o
    return esistenti


def _figli_esistenti(model, ciclo) -> dict:
    """Indicators or phases of ``ciclo`` by (objective code, code), with their objective's
    area and cycle cached (``permessi`` asks for them)."""
    esistenti = {}
    for f in model.objects.filter(obiettivo__ciclo=ciclo).select_related("obiettivo__area"):
        f.obiettivo.ciclo = ciclo
        f.obiettivo_codice = f.obiettivo.codice
        esistenti[(f.obiettivo_codice, f.codice)] = f
    return esistenti


def _slug_libero(base: str, usati: set) -> str:
    base = base[:60]
    slug, n = base, 1
    while slug in usati:
        n += 1
        suffisso = f"-{n}"
        slug = base[: 60 - len(suffisso)] + suffisso
    usati.add(slug)
    return slug


# --------------------------------------------------------------------------------------------
# Applying the plan
# --------------------------------------------------------------------------------------------

def _ordina_per_profondita(operazioni, padri):
    def profondita(codice):
        n, corrente = 0, padri.get(codice)
        while corrente:
            n += 1
            corrente = padri.get(corrente)
        return n
    return sorted(operazioni, key=lambda op: profondita(op.chiave))


def _scrivi_albero(model, upsert, operazioni, padri, ciclo, campi):
    """Parents first. When no existing row moves, mptt's updates are delayed to one partial
    rebuild per tree at the end (as the loaders do); a move keeps mptt's immediate updates,
    which the service's loop check relies on."""
    from contextlib import nullcontext

    sposta = any(op.oggetto is not None and "padre_codice" in op.cambiati for op in operazioni)
    with nullcontext() if sposta else model.objects.delay_mptt_updates():
        _scrivi_albero_righe(model, upsert, operazioni, padri, ciclo, campi)


def _scrivi_albero_righe(model, upsert, operazioni, padri, ciclo, campi):
    for op in _ordina_per_profondita(operazioni, padri):
        if op.oggetto is not None and not op.cambiati:
            continue
        padre_codice = op.valori["padre_codice"]
        padre = model.objects.get(ciclo=ciclo, codice=padre_codice) if padre_codice else None
        attuale = model.objects.filter(ciclo=ciclo, codice=op.chiave).first()
        argomenti = {campo: op.valori.get(campo, getattr(attuale, campo, None)) for campo in campi}
        argomenti.update(op.extra)
        if attuale is not None:
            argomenti.setdefault("ordine", attuale.ordine)
        upsert(ciclo=ciclo, codice=op.chiave, parent=padre, **argomenti)


def _scrivi(model, operazioni, costruisci, *, utente, motivo):
    """Create and update ``model`` rows with history (one history row per written row)."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    nuovi, per_campi = [], defaultdict(list)
    for op in operazioni:
        valori = costruisci(op)
        if op.oggetto is None:
            nuovi.append(model(**valori))
        elif op.cambiati:
            campi = tuple(sorted(k for k in valori if getattr(op.oggetto, k) != valori[k]))
            for k in campi:
                setattr(op.oggetto, k, valori[k])
            if hasattr(op.oggetto, "versione"):
                # The admin's lost-update guard: a form opened before the import is refused.
                op.oggetto.versione += 1
                campi += ("versione",)
            per_campi[campi].append(op.oggetto)
    if nuovi:
        bulk_create_with_history(
            nuovi, model, batch_size=BATCH, default_user=utente, default_change_reason=motivo
        )
    for campi, oggetti in per_campi.items():
        bulk_update_with_history(
            oggetti, model, list(campi), batch_size=BATCH, default_user=utente,
            default_change_reason=motivo,
        )
    return nuovi


def _applica(piano: _Piano, padri_aree, padri_nodi, *, utente, motivo):
    ciclo = piano.ciclo
    ops = piano.operazioni
    _scrivi_albero(Area, area_upsert, ops.get("aree", []), padri_aree, ciclo, ("nome", "slug"))
    _scrivi_albero(NodoStrategico, nodo_upsert, ops.get("albero", []), padri_nodi, ciclo,
                   ("titolo", "livello_nome"))
    aree = dict(Area.objects.filter(ciclo=ciclo).values_list("codice", "pk"))
    nodi = dict(NodoStrategico.objects.filter(ciclo=ciclo).values_list("codice", "pk"))

    def obiettivo(op):
        valori = {k: v for k, v in op.valori.items() if k not in ("area_codice", "nodo_codice")}
        valori["area_id"] = aree[op.valori["area_codice"]]
        valori["nodo_id"] = nodi[op.valori["nodo_codice"]]
        if op.oggetto is None:
            valori.update(ciclo=ciclo, codice=op.chiave, **op.extra)
        return valori

    _scrivi(Obiettivo, ops.get("obiettivi", []), obiettivo, utente=utente, motivo=motivo)
    obiettivi = dict(Obiettivo.objects.filter(ciclo=ciclo).values_list("codice", "pk"))

    def figlio(op):
        valori = dict(op.valori)
        if op.oggetto is None:
            valori.update(obiettivo_id=obiettivi[op.extra["obiettivo"]], codice=op.extra["codice"])
        return valori

    _scrivi(Indicatore, ops.get("indicatori", []), figlio, utente=utente, motivo=motivo)
    _scrivi(Fase, ops.get("fasi", []), figlio, utente=utente, motivo=motivo)

    def standard(op):
        valori = {k: v for k, v in op.valori.items() if k != "area_codice"}
        area = op.valori["area_codice"]
        valori["area_id"] = aree[area] if area else None
        if op.oggetto is None:
            valori.update(ciclo=ciclo, codice=op.chiave)
        return valori

    _scrivi(StandardBarometro, ops.get("barometro", []), standard, utente=utente, motivo=motivo)

    def finanziario(op):
        valori = dict(op.valori)
        if op.oggetto is None:
            valori.update(ciclo=ciclo, codice=op.chiave)
        return valori

    _scrivi(IndicatoreFinanziario, ops.get("finanziari", []), finanziario, utente=utente,
            motivo=motivo)


# --------------------------------------------------------------------------------------------
# The service
# --------------------------------------------------------------------------------------------

def importa_workbook(*, file, ciclo: Ciclo, utente=None, dry_run: bool = False,
                     foglio: str | None = None) -> Esito:
    """Import the PEG workbook ``file`` into ``ciclo`` (see the module docstring).

    ``file``: a path, or a binary file object with a ``name`` ending in .xlsx, .ods or .csv.
    ``utente``: who imports; ``None`` means no scoping (an operator at the command line). A
    dirigente may import only the outcome columns of their own areas' rows.
    ``foglio``: import only that sheet (for a CSV: the sheet the file holds).
    Nothing is written when ``dry_run`` is true or when any row has an error.
    """
    esito = Esito(dry_run=dry_run)
    fogli = leggi_file(file, foglio, esito)
    if not esito.ok:
        return esito
    from . import workflow

    if workflow.ciclo_bloccato(ciclo):
        esito.errori.append(Errore(
            f"il ciclo {ciclo.anno} è nello stato '{ciclo.get_stato_display()}': i suoi dati non "
            "si possono più modificare (un amministratore può riaprirlo)"
        ))
        return esito
    ambito = _ambito(utente, ciclo)
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
    try:
        with transaction.atomic():
            piano = _Piano(ciclo, esito, ambito, utente)
            controlli = {nome: _Controllo(esito, f) for nome, f in fogli.items()}
            padri_aree = piano.aree(controlli["aree"]) if "aree" in controlli else {}
            padri_nodi = piano.albero(controlli["albero"]) if "albero" in controlli else {}
            codici_aree = set(padri_aree) | set(
                Area.objects.filter(ciclo=ciclo).values_list("codice", flat=True))
            codici_nodi = set(padri_nodi) | set(
                NodoStrategico.objects.filter(ciclo=ciclo).values_list("codice", flat=True))
            # Codes named in a sheet count as known even when their row failed: one error each.
            for nome, codici in (("aree", codici_aree), ("albero", codici_nodi)):
                if nome in controlli:
                    codici.update(_testo(r.celle.get("codice")) for r in controlli[nome].righe)
            obiettivi_area = {}
            if "obiettivi" in controlli:
                obiettivi_area = piano.obiettivi(controlli["obiettivi"], codici_aree, codici_nodi)
                for r in controlli["obiettivi"].righe:
                    codice = _testo(r.celle.get("codice"))
                    if codice and codice not in obiettivi_area:
                        obiettivi_area[codice] = _testo(r.celle.get("area")) or "—"
            if ("indicatori" in controlli or "fasi" in controlli) and "obiettivi" not in controlli:
                obiettivi_area = {
                    o["codice"]: o["area__codice"]
                    for o in Obiettivo.objects.filter(ciclo=ciclo).values("codice", "area__codice")
                }
            if "indicatori" in controlli:
                piano.indicatori(controlli["indicatori"], obiettivi_area)
            if "fasi" in controlli:
                piano.fasi(controlli["fasi"], obiettivi_area)
            if "barometro" in controlli:
                piano.barometro(controlli["barometro"], codici_aree)
            if "finanziari" in controlli:
                piano.finanziari(controlli["finanziari"])
            if not esito.ok or dry_run:
                return esito
            _applica(piano, padri_aree, padri_nodi, utente=utente, motivo=motivo)
            esito.scritto = True
    except (DatabaseError, ValidationError) as exc:
        testo = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        esito.errori.append(Errore(
            f"il database ha rifiutato i dati ({testo}): nessun dato è stato scritto"
        ))
        esito.scritto = False
    return esito


# --------------------------------------------------------------------------------------------
# Ente and cycle for the command
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------

def _aree_esportabili(ciclo, utente):
    """``None`` = every area; else the codes of the areas ``utente`` may export."""
    if utente is None or permessi.vede_tutto(utente):
        return None
    return set(permessi.aree_visibili(utente).filter(ciclo=ciclo).values_list("codice", flat=True))


def fogli_esportabili(utente) -> tuple[str, ...]:
    if utente is None or permessi.vede_tutto(utente):
        return tuple(FOGLI)
    return FOGLI_DIRIGENTE


def dati_workbook(*, ciclo: Ciclo | None, utente=None, vuoto: bool = False) -> dict[str, list[list]]:
    """The template's sheets as lists of rows (headers first), filled from ``ciclo`` unless
    ``vuoto``. A dirigente gets only their areas' objectives, indicators, phases and standards."""
    fogli = {nome: [list(FOGLI[nome])] for nome in fogli_esportabili(utente)}
    if vuoto or ciclo is None:
        return fogli
    ammesse = _aree_esportabili(ciclo, utente)

    def ok(area):
        return ammesse is None or area in ammesse

    if "aree" in fogli:
        for a in Area.objects.filter(ciclo=ciclo).order_by("tree_id", "lft").values(
            "codice", "nome", "parent__codice"
        ):
            fogli["aree"].append([a["codice"], a["nome"], a["parent__codice"] or ""])
    if "albero" in fogli:
        for n in NodoStrategico.objects.filter(ciclo=ciclo).order_by("tree_id", "lft").values(
            "codice", "titolo", "parent__codice", "livello_nome"
        ):
            fogli["albero"].append([n["codice"], n["titolo"], n["parent__codice"] or "", n["livello_nome"]])
    for o in Obiettivo.objects.filter(ciclo=ciclo).order_by("ordine", "codice").values(
        "codice", "titolo", "descrizione", "area__codice", "nodo__codice", "tipologia", "peso",
        "stato", "motivazione_stato", "anno_rinvio",
    ):
        if ok(o["area__codice"]):
            fogli["obiettivi"].append([
                o["codice"], o["titolo"], o["descrizione"], o["area__codice"], o["nodo__codice"],
                o["tipologia"], o["peso"], o["stato"], o["motivazione_stato"], o["anno_rinvio"],
            ])
    for i in Indicatore.objects.filter(obiettivo__ciclo=ciclo).order_by(
        "obiettivo__ordine", "obiettivo__codice", "codice"
    ).values("obiettivo__codice", "obiettivo__area__codice", "codice", "nome", "unita", "tipo",
             "target", "consuntivo", "data_target", "data_consuntivo"):
        if not ok(i["obiettivo__area__codice"]):
            continue
        if i["tipo"] == "scadenza":
            target, consuntivo = i["data_target"], i["data_consuntivo"]
        elif i["tipo"] == "si_no":
            target, consuntivo = (None if v is None else ("sì" if v == 1 else "no")
                                  for v in (i["target"], i["consuntivo"]))
        else:
            target, consuntivo = i["target"], i["consuntivo"]
        fogli["indicatori"].append([
            i["obiettivo__codice"], i["codice"], i["nome"], i["unita"], i["tipo"], target, consuntivo,
        ])
    for f in Fase.objects.filter(obiettivo__ciclo=ciclo).order_by(
        "obiettivo__ordine", "obiettivo__codice", "codice"
    ).values("obiettivo__codice", "obiettivo__area__codice", "codice", "descrizione", "peso",
             "percentuale", "inizio", "fine"):
        if ok(f["obiettivo__area__codice"]):
            fogli["fasi"].append([
                f["obiettivo__codice"], f["codice"], f["descrizione"], f["peso"], f["percentuale"],
                f["inizio"], f["fine"],
            ])
    for s in StandardBarometro.objects.filter(ciclo=ciclo).order_by("codice").values(
        "codice", "servizio", "area__codice", "standard", "programmato", "rilevato", "grado"
    ):
        if ok(s["area__codice"]):
            fogli["barometro"].append([
                s["codice"], s["servizio"], s["area__codice"] or "", s["standard"], s["programmato"],
                s["rilevato"], s["grado"],
            ])
    if "finanziari" in fogli:
        for f in IndicatoreFinanziario.objects.filter(ciclo=ciclo).order_by("codice").values(
            "codice", "nome", "target", "valore", "direzione"
        ):
            fogli["finanziari"].append([f["codice"], f["nome"], f["target"], f["valore"], f["direzione"]])
    return fogli


def dati_risultati(*, ciclo: Ciclo, utente=None) -> dict[str, list[list]]:
    """The computed results (``risultati_ciclo``): objectives with achievement and grades,
    nodes of the tree, and the ente's level with its components. A dirigente gets only their
    areas' objectives."""
    from valutazione.queries import risultati_ciclo

    r = risultati_ciclo(ciclo)
    ammesse = _aree_esportabili(ciclo, utente)
    aree = dict(Area.objects.filter(ciclo=ciclo).values_list("pk", "codice"))
    nodi = {n.id: n.codice for n in r.nodi}
    fogli = {"obiettivi": [[
        "codice", "titolo", "area", "nodo", "stato", "peso", "raggiungimento", "grado_calcolato",
        "grado_proposto", "grado_validato", "grado", "fonte_grado", "calcolo",
    ]]}
    for o in r.obiettivi:
        area = aree.get(o.area_id, "")
        if ammesse is not None and area not in ammesse:
            continue
        fogli["obiettivi"].append([
            o.codice, o.titolo, area, nodi.get(o.nodo_id, ""), o.stato, o.peso,
            o.raggiungimento.percentuale, o.grado_calcolato, o.grado_proposto, o.grado_validato,
            o.grado, o.fonte_grado, o.spiegazione.calcolo,
        ])
    if ammesse is not None:
        return fogli
    fogli["nodi"] = [["codice", "titolo", "livello", "padre", "grado", "obiettivi", "valutati",
                      "provvisorio", "calcolo"]]
    for n in r.nodi:
        fogli["nodi"].append([
            n.codice, n.titolo, n.livello_nome, nodi.get(n.parent_id, ""), n.grado, n.n_obiettivi,
            n.n_conteggiati, "sì" if n.provvisorio else "no", n.spiegazione.calcolo,
        ])
    fogli["linee"] = [["codice", "titolo", "azioni", "azioni_coperte", "copertura", "obiettivi",
                       "densita"]]
    for linea in r.linee:
        fogli["linee"].append([
            linea.nodo.codice, linea.nodo.titolo, linea.n_azioni, linea.n_azioni_coperte,
            linea.copertura, linea.n_obiettivi, linea.densita,
        ])
    fogli["ente"] = [["componente", "nome", "peso", "valore", "contributo", "calcolo"]]
    for c in r.ente.componenti:
        fogli["ente"].append([c.codice, c.nome, c.peso, c.valore, c.contributo, c.spiegazione.calcolo])
    fogli["ente"].append(["Livello", "Livello di performance di ente", Decimal("100"),
                          r.ente.valore, r.ente.valore, r.ente.spiegazione.calcolo])
    return fogli


def _cella(v):
    if isinstance(v, Decimal):
        return Decimal(numero_testo(v))
    return "" if v is None else v


def scrivi_xlsx(fogli: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    grassetto = Font(bold=True)
    for nome, righe in fogli.items():
        ws = wb.create_sheet(nome)
        for riga in righe:
            ws.append([None if _cella(v) == "" else _cella(v) for v in riga])
        for cella in ws[1]:
            cella.font = grassetto
        for colonna in ws.iter_cols(min_row=2):
            for cella in colonna:
                if isinstance(cella.value, (datetime.date, datetime.datetime)):
                    cella.number_format = "DD/MM/YYYY"
                elif cella.data_type == "f":
                    cella.data_type = "s"  # a text beginning with "=" is text, never a formula
        ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def scrivi_ods(fogli: dict[str, list[list]]) -> bytes:
    from odf.number import DateStyle, Day, Month, Year
    from odf.number import Text as TestoNumero
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    formato = DateStyle(name="data-it")
    for parte in (Day(style="long"), TestoNumero(text="/"), Month(style="long"),
                  TestoNumero(text="/"), Year(style="long")):
        formato.addElement(parte)
    doc.styles.addElement(formato)
    stile_data = Style(name="cella-data", family="table-cell", datastylename="data-it")
    doc.automaticstyles.addElement(stile_data)
    for nome, righe in fogli.items():
        tabella = Table(name=nome)
        for riga in righe:
            tr = TableRow()
            for v in riga:
                v = _cella(v)
                if v == "":
                    cella = TableCell()
                elif isinstance(v, bool):
                    cella = TableCell(valuetype="string")
                    cella.addElement(P(text="sì" if v else "no"))
                elif isinstance(v, (int, Decimal)):
                    testo = numero_testo(Decimal(v))
                    cella = TableCell(valuetype="float", value=testo)
                    cella.addElement(P(text=testo.replace(".", ",")))
                elif isinstance(v, datetime.date):
                    cella = TableCell(valuetype="date", datevalue=v.isoformat(), stylename=stile_data)
                    cella.addElement(P(text=v.strftime("%d/%m/%Y")))
                else:
                    cella = TableCell(valuetype="string")
                    for linea in str(v).split("\n"):
                        cella.addElement(P(text=linea))
                tr.addElement(cella)
            tabella.addElement(tr)
        doc.spreadsheet.addElement(tabella)
    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()


def scrivi_csv(righe: list[list]) -> bytes:
    """One sheet as CSV the way Italian spreadsheets read it: UTF-8 with BOM, ``;``,
    decimal comma, dates dd/mm/yyyy."""
    buffer = io.StringIO()
    scrittore = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for riga in righe:
        scrittore.writerow([
            numero_testo(v, virgola=True) if isinstance(v, Decimal)
            else v.strftime("%d/%m/%Y") if isinstance(v, datetime.date)
            else "" if v is None else v
            for v in riga
        ])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


FORMATI = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv; charset=utf-8",
}


def _scrivi_formato(fogli, formato, foglio):
    if formato == "xlsx":
        return scrivi_xlsx(fogli)
    if formato == "ods":
        return scrivi_ods(fogli)
    if formato == "csv":
        if foglio not in fogli:
            raise ValueError(f"CSV: indicare uno dei fogli {', '.join(fogli)}")
        return scrivi_csv(fogli[foglio])
    raise ValueError(f"formato '{formato}' non previsto: xlsx, ods o csv")


def esporta_workbook(*, ciclo: Ciclo | None, utente=None, formato: str = "xlsx",
                     vuoto: bool = False, foglio: str | None = None) -> bytes:
    """The PEG template, blank or filled from ``ciclo``, as XLSX, ODS or (one ``foglio``) CSV."""
    return _scrivi_formato(dati_workbook(ciclo=ciclo, utente=utente, vuoto=vuoto), formato, foglio)


def esporta_risultati(*, ciclo: Ciclo, utente=None, formato: str = "xlsx",
                      foglio: str | None = None) -> bytes:
    """The results with proposed, validated and computed grades and the ente's figures."""
    return _scrivi_formato(dati_risultati(ciclo=ciclo, utente=utente), formato, foglio)
