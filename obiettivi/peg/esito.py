"""The outcome of a PEG import (or of its dry run): errors placed by sheet/row/column, what each
row does, counts per sheet. No Django."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Errors kept (and shown); beyond these only their number is.
MAX_ERRORI = 100
#: Characters of one error message (a cell's text is never repeated whole).
MAX_PROBLEMA = 300
#: Changed rows listed on the preview page; beyond these only their number is.
RIGHE_ANTEPRIMA = 300


def breve(testo, massimo: int = 60) -> str:
    """``testo`` cut to ``massimo`` characters (with «…»), for messages that quote a cell."""
    testo = str(testo)
    return testo if len(testo) <= massimo else testo[: massimo - 1] + "…"


@dataclass(frozen=True)
class Errore:
    """A problem, placed as precisely as possible: sheet, row (1 = headers), column."""

    problema: str
    foglio: str = ""
    riga: int | None = None
    colonna: str = ""

    def __post_init__(self):
        object.__setattr__(self, "problema", breve(self.problema, MAX_PROBLEMA))
        object.__setattr__(self, "colonna", breve(self.colonna, 40))

    def __str__(self):
        dove = []
        if self.foglio:
            dove.append(f"Foglio {self.foglio}")
        if self.riga is not None:
            dove.append(f"riga {self.riga}")
        if self.colonna:
            dove.append(f"colonna {self.colonna}")
        return f"{', '.join(dove)}: {self.problema}" if dove else self.problema


class Errori(list):
    """The errors of an import: the first `MAX_ERRORI` are kept, the others only counted
    (``totale``). A 1,000,000-row file of bad rows costs a short list, not a 185 MB page."""

    def __init__(self, *args):
        super().__init__(*args)
        self.totale = len(self)

    def append(self, errore):
        self.totale += 1
        if len(self) < MAX_ERRORI:
            super().append(errore)

    def extend(self, errori):
        for errore in errori:
            self.append(errore)

    @property
    def omessi(self) -> int:
        return self.totale - len(self)


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
    """Rows created, updated, left unchanged (of a sheet; also of a table of the demo load)."""

    creati: int = 0
    aggiornati: int = 0
    invariati: int = 0

    @property
    def totale(self) -> int:
        return self.creati + self.aggiornati + self.invariati


@dataclass
class Esito:
    """The result of an import (or of its dry run)."""

    file: str = ""
    dry_run: bool = False
    errori: Errori = field(default_factory=Errori)
    avvisi: list[str] = field(default_factory=list)
    modifiche: list[Modifica] = field(default_factory=list)
    conteggi: dict[str, Conteggio] = field(default_factory=dict)
    scritto: bool = False

    @property
    def ok(self) -> bool:
        return not self.errori

    @property
    def n_errori(self) -> int:
        return self.errori.totale

    @property
    def n_modifiche(self) -> int:
        return sum(c.creati + c.aggiornati for c in self.conteggi.values())

    def riepilogo(self) -> dict:
        """What the preview page shows, as plain JSON data (the synchronous page and the job's
        ``Lavoro.risultato`` alike): counts per sheet, the changed rows (the first
        `RIGHE_ANTEPRIMA`), every kept error placed by sheet, row and column."""
        cambiate = [m for m in self.modifiche if m.azione != "invariato"]
        return {
            "file": self.file, "dry_run": self.dry_run, "ok": self.ok, "scritto": self.scritto,
            "n_errori": self.n_errori, "omessi": self.errori.omessi,
            "errori": [{"foglio": e.foglio, "riga": e.riga, "colonna": e.colonna,
                        "problema": e.problema, "testo": str(e)} for e in self.errori],
            "avvisi": list(self.avvisi),
            "conteggi": {foglio: {"creati": c.creati, "aggiornati": c.aggiornati,
                                  "invariati": c.invariati} for foglio, c in self.conteggi.items()},
            "n_modifiche": self.n_modifiche,
            "modifiche": [{"foglio": m.foglio, "riga": m.riga, "chiave": m.chiave,
                           "azione": m.azione, "colonne": list(m.colonne)}
                          for m in cambiate[:RIGHE_ANTEPRIMA]],
            "altre_modifiche": max(0, len(cambiate) - RIGHE_ANTEPRIMA),
        }

    def righe_report(self) -> list[str]:
        """A readable report, in Italian, for the command and the admin."""
        righe = []
        if self.errori:
            n = self.n_errori
            righe.append(f"{n} {'errore' if n == 1 else 'errori'}: nessun dato è stato scritto.")
            righe.extend(f"  {e}" for e in self.errori)
            if self.errori.omessi:
                righe.append(f"  … e altri {self.errori.omessi} errori (sono mostrati i primi {len(self.errori)}).")
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
