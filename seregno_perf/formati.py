"""Italian numbers and dates, both ways: the one home of how the product reads what people type
and how it writes figures for people.

Reading (`leggi_numero`, `leggi_data`) serves the admin's forms and filters (through
``seregno_perf.campi``) and the PEG import's cells; writing (`numero`, `percentuale`, `euro`,
`numero_modulo`, `data`) serves scoring explanations, charts, pages, the PDF and messages.

The Italian way: "." groups thousands, "," separates decimals — ``1.250,5``. Spreadsheets and
other programs also hand us ``1250.5``: a single dot is a decimal point unless it is followed by
exactly three digits after a group of one to three digits ("40.000" is forty thousand), which is
Django's own reading of localized input (ticket #22171) — except that Django, with
``USE_THOUSAND_SEPARATOR`` off as here, reads "40.000" as 40. Text that could mean two numbers
("1,2,3", "1.25.0", "4,5.3", "1,250.5") is refused with a message that says how to write it:
we never guess a figure that people will be graded on.

Years and codes are never numbers here: print them as text.

Pure Python (no Django import) so that ``valutazione.scoring`` can use it.
"""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "DataNonValida", "NumeroNonValido", "data", "dimensione_file", "euro", "leggi_data", "leggi_numero", "misura",
    "numero", "numero_modulo", "percentuale", "quanti", "giorni_alla_scadenza",
]

COME_SCRIVERE = "scrivi 1.250,5: il punto separa le migliaia, la virgola i decimali"
VUOTO = "—"

# Spaces people paste from documents (no-break, narrow no-break, thin) read as plain spaces; a
# space may group thousands ("1 250,5") and nothing else.
_SPAZI = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})
_MIGLIAIA_SPAZI = re.compile(r"[+-]?[1-9]\d{0,2}(?: \d{3})+(?:,\d+)?")
_MENO = str.maketrans({"\u2212": "-", "\u2013": "-"})

# 1.250,5  40.000  -1.254.300,00   (dots group exactly three digits; optional decimals)
_MIGLIAIA = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")
# 1250,5  12,5  -6,4  40000  ,5
_VIRGOLA = re.compile(r"[+-]?(?:\d+(?:,\d*)?|,\d+)")
# 12.5  40.5  0.500  1250.75  .5   (a single dot that is not a thousands group)
_PUNTO = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)")


class NumeroNonValido(ValueError):
    """Text that is not a number, or not one we can read unambiguously. ``str()`` is Italian."""

    def __init__(self, testo: str, motivo: str = ""):
        self.testo = testo
        motivo = motivo or "non è un numero"
        super().__init__(f"«{testo}» {motivo}; {COME_SCRIVERE}.")


class DataNonValida(ValueError):
    """Text that is not a date. ``str()`` is Italian."""

    def __init__(self, testo: str):
        self.testo = testo
        super().__init__(f"«{testo}» non è una data: scrivi gg/mm/aaaa, per esempio 31/12/2021.")


def leggi_numero(valore) -> Decimal | None:
    """What a person typed (or a spreadsheet cell held) as a ``Decimal``; empty → ``None``.

    ``"40.000"`` → 40000, ``"1.250,5"`` → 1250.5, ``"12,5"`` → 12.5, ``"-6,4"`` → -6.4,
    ``"40000"``, ``"12.5"`` and ``"40.5"`` as written; a trailing ``%`` is ignored. Raises
    `NumeroNonValido` for anything else, including ambiguous text such as ``"1,2,3"``.
    """
    if valore is None:
        return None
    if isinstance(valore, bool):
        raise NumeroNonValido("sì" if valore else "no")
    if isinstance(valore, int):
        return Decimal(valore)
    if isinstance(valore, float):
        if valore != valore or valore in (float("inf"), float("-inf")):
            raise NumeroNonValido(str(valore))
        return Decimal(repr(valore))
    if isinstance(valore, Decimal):
        if not valore.is_finite():
            raise NumeroNonValido(str(valore))
        return valore
    if not isinstance(valore, str):
        raise NumeroNonValido(str(valore))
    originale = valore.strip()
    if not originale:
        return None
    testo = originale.translate(_SPAZI).translate(_MENO)
    if testo.endswith("%"):
        testo = testo[:-1].rstrip()
    if " " in testo:
        if not _MIGLIAIA_SPAZI.fullmatch(testo):
            raise NumeroNonValido(originale)
        testo = testo.replace(" ", ".")
    if _MIGLIAIA.fullmatch(testo):
        testo = testo.replace(".", "").replace(",", ".")
    elif _VIRGOLA.fullmatch(testo):
        testo = testo.replace(",", ".")
    elif not _PUNTO.fullmatch(testo):
        ambiguo = testo.count(",") + testo.count(".") > 1 and re.fullmatch(r"[+-]?[\d.,]+", testo)
        raise NumeroNonValido(originale, "non si legge in un solo modo" if ambiguo else "")
    if testo in ("", "+", "-", ".", "+.", "-."):
        raise NumeroNonValido(originale)
    try:
        return Decimal(testo)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only digits
        raise NumeroNonValido(originale) from None


def _decimale(valore) -> Decimal:
    if isinstance(valore, Decimal):
        return valore
    if isinstance(valore, float):
        return Decimal(repr(valore))
    if isinstance(valore, (int, str)) and not isinstance(valore, bool):
        risultato = leggi_numero(valore) if isinstance(valore, str) else Decimal(valore)
        if risultato is None:
            raise NumeroNonValido(str(valore))
        return risultato
    raise NumeroNonValido(str(valore))


_QUANTI = {d: Decimal(1).scaleb(-d) for d in range(7)}


def _raggruppa(intero: str) -> str:
    """"1254300" → "1.254.300"."""
    testa = len(intero) % 3 or 3
    gruppi = [intero[:testa]] + [intero[i:i + 3] for i in range(testa, len(intero), 3)]
    return ".".join(gruppi)


def numero(valore, decimali: int | None = 2, *, unita: str = "") -> str:
    """A figure for people: ``numero(Decimal("1254300"), unita="€")`` → ``"1.254.300,00 €"``.

    ``decimali`` fixes the decimals (half-up rounding); ``None`` keeps only the significant ones
    (``Decimal("5.0000")`` → ``"5"``, ``Decimal("12.50")`` → ``"12,5"``). Thousands are always
    grouped; ``-0`` is printed ``0``; ``None`` is ``"—"``. ``unita`` follows after a space.
    """
    if valore is None:
        return VUOTO
    d = _decimale(valore)
    if not d.is_finite():
        raise NumeroNonValido(str(valore))
    if decimali is None:
        d = d.normalize() if d != d.to_integral_value() else d.to_integral_value()
    else:
        if decimali < 0:
            raise ValueError(f"decimali: atteso un intero non negativo, ricevuto {decimali}.")
        d = d.quantize(_QUANTI.get(decimali) or Decimal(1).scaleb(-decimali),
                       rounding=ROUND_HALF_UP)
    segno = "-" if d < 0 else ""
    intero, _, frazione = format(abs(d), "f").partition(".")
    testo = f"{segno}{_raggruppa(intero)}" + (f",{frazione}" if frazione else "")
    return f"{testo} {unita}" if unita else testo


def numero_modulo(valore) -> str:
    """A stored value as a form shows it: ``Decimal("5.0000")`` → ``"5"``, 40000 → ``"40.000"``,
    1250.5 → ``"1.250,5"``; ``None`` → ``""``. `leggi_numero` reads it back unchanged."""
    if valore is None or valore == "":
        return ""
    return numero(valore, None)


def percentuale(valore, decimali: int | None = 2) -> str:
    """``Decimal("90")`` → ``"90,00 %"``."""
    return numero(valore, decimali, unita="%") if valore is not None else VUOTO


def euro(valore, decimali: int | None = 2) -> str:
    """``Decimal("1254300")`` → ``"1.254.300,00 €"``."""
    return numero(valore, decimali, unita="€") if valore is not None else VUOTO


def misura(valore, unita: str = "") -> str:
    """A measured value with its unit: amounts in euro with their cents (``"1.254.300,00 €"``,
    ``"12,50 €/abitante"``), any other unit with its significant digits (``"40.000 dosi"``,
    ``"12,5 %"``, ``"30 giorni"``); ``None`` → ``"—"``."""
    unita = (unita or "").strip()
    return numero(valore, 2 if unita.startswith("€") else None, unita=unita)


def dimensione_file(byte: int) -> str:
    """A file's size for people: 843 → ``"843 byte"``, 5242880 → ``"5 MB"``, 1536 → ``"1,5 KB"``
    (binary multiples, at most one decimal)."""
    for unita, quanto in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if byte >= quanto:
            return numero(Decimal(byte) / quanto, 1).removesuffix(",0") + f" {unita}"
    return f"{numero(byte, 0)} byte"


def data(valore) -> str:
    """``date(2021, 12, 31)`` → ``"31/12/2021"``; an aware datetime in Europe/Rome time (the
    project's time zone, through Django when it is configured); ``None`` → ``""``; text is
    returned as it is."""
    if valore is None or valore == "":
        return ""
    if isinstance(valore, datetime.datetime):
        if valore.tzinfo is not None:
            from django.utils import timezone  # only aware datetimes need Django's time zone

            valore = timezone.localtime(valore)
        valore = valore.date()
    if isinstance(valore, datetime.date):
        return f"{valore.day:02d}/{valore.month:02d}/{valore.year:04d}"
    return str(valore)


def data_ora(valore) -> str:
    """An aware datetime as «31/12/2021 alle 14:05» in Europe/Rome time; ``None`` → ``""``."""
    if valore is None:
        return ""
    from django.utils import timezone

    return f"{data(valore)} alle {timezone.localtime(valore):%H:%M}"


MESI = ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
        "settembre", "ottobre", "novembre", "dicembre")


def data_lunga(valore) -> str:
    """A date in words, for running text: ``date(2021, 2, 1)`` → ``"1 febbraio 2021"``; the ISO
    text of the report data is read first; ``None`` → ``""``; other text is returned as it is."""
    if isinstance(valore, str) and valore.strip():
        try:
            valore = leggi_data(valore)
        except DataNonValida:
            return valore
    if isinstance(valore, datetime.datetime) and valore.tzinfo is not None:
        from django.utils import timezone

        valore = timezone.localtime(valore)
    if isinstance(valore, datetime.datetime):
        valore = valore.date()
    if isinstance(valore, datetime.date):
        return f"{valore.day} {MESI[valore.month - 1]} {valore.year}"
    return "" if valore is None or valore == "" else str(valore)


def leggi_data(valore) -> datetime.date | None:
    """``"31/12/2021"``, ``"2021-12-31"`` (also an ISO datetime's date), a ``date`` or a
    ``datetime`` → ``date``; empty → ``None``; anything else raises `DataNonValida`."""
    if valore is None or (isinstance(valore, str) and not valore.strip()):
        return None
    if isinstance(valore, datetime.datetime):
        return valore.date()
    if isinstance(valore, datetime.date):
        return valore
    testo = str(valore).strip()
    for formato, parte in (("%d/%m/%Y", testo), ("%Y-%m-%d", testo[:10])):
        try:
            return datetime.datetime.strptime(parte, formato).date()
        except ValueError:
            pass
    raise DataNonValida(testo)


def quanti(n: int, singolare: str, plurale: str) -> str:
    """``quanti(1, "obiettivo", "obiettivi")`` → ``"1 obiettivo"``; 0 and 2+ take the plural,
    thousands grouped the Italian way (``"1.250 righe"``)."""
    return f"{numero(n, 0)} {singolare if n == 1 else plurale}"


def giorni_alla_scadenza(scadenza: datetime.date | None, oggi: datetime.date) -> str:
    """How far a deadline is, in words: «mancano 12 giorni», «manca 1 giorno», «scade oggi»,
    «scaduto da 1 giorno», «scaduto da 3 giorni»; ``None`` → ``""``."""
    if scadenza is None:
        return ""
    giorni = (scadenza - oggi).days
    if giorni == 0:
        return "scade oggi"
    if giorni > 0:
        return f"{'manca' if giorni == 1 else 'mancano'} {quanti(giorni, 'giorno', 'giorni')}"
    return f"scaduto da {quanti(-giorni, 'giorno', 'giorni')}"
