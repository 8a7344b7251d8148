"""Readability of the citizen's text: the Gulpease index (Lucisano e Piemontese, 1988), the
Italian readability index, in one place.

    G = 89 + (300 × frasi − 10 × lettere) / parole

Below 80 a text is hard for a reader with an elementary education, below 60 for one with a
middle-school education, below 40 for a high-school graduate. Words are runs of letters and
digits (``4,00``, ``1.254.300`` and ``dell'area`` are one word each); letters are alphabetic
characters; a sentence ends with ``.``, ``!`` or ``?`` followed by a space or the end.

``testo_html`` turns an HTML fragment into the text a reader sees: the SVG of a chart is left
out (its words are for screen readers and are repeated by the table twin), and every block
(heading, paragraph, list item, table cell, caption) is its own line; a line without final
punctuation (a heading, a cell) counts as one sentence, as a reader pauses there.
"""

import re
from html.parser import HTMLParser

PAROLA = re.compile(r"\w+(?:[.,'’]\w+)*")
FINE_FRASE = re.compile(r"[.!?]+(?=\s|$)")
BLOCCHI = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "caption", "figcaption",
           "dt", "dd", "address", "div", "section", "br", "tr"}


class _Testo(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.righe, self.corrente, self.dentro_svg = [], [], 0

    def _chiudi(self):
        riga = " ".join("".join(self.corrente).split())
        if riga:
            self.righe.append(riga)
        self.corrente = []

    def handle_starttag(self, tag, attrs):
        if tag == "svg":
            self.dentro_svg += 1
        elif tag in BLOCCHI:
            self._chiudi()

    def handle_endtag(self, tag):
        if tag == "svg":
            self.dentro_svg -= 1
        elif tag in BLOCCHI:
            self._chiudi()

    def handle_data(self, data):
        if not self.dentro_svg:
            self.corrente.append(data)


def testo_html(html: str) -> str:
    """The visible text of an HTML fragment, one block per line, each line ending a sentence."""
    parser = _Testo()
    parser.feed(html)
    parser.close()
    parser._chiudi()
    return "\n".join(r if r[-1] in ".!?" else r + "." for r in parser.righe)


def gulpease(testo: str) -> float:
    """The Gulpease index of a plain text (see module docstring); ValueError if it has no words."""
    parole = PAROLA.findall(testo)
    if not parole:
        raise ValueError("Il testo non contiene parole: indice Gulpease non calcolabile.")
    lettere = sum(c.isalpha() for c in testo)
    frasi = max(len(FINE_FRASE.findall(testo)), 1)
    return 89 + (300 * frasi - 10 * lettere) / len(parole)
