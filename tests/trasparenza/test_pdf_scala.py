"""The Relazione's PDF at scale (issue 17, point 3).

Seregno 2021's PDF must not change in content when the large-cycle path exists: its text (per
page, with poppler's pdftotext), page count and PDF/A metadata are compared with a reference
captured before the change (``riferimenti/seregno_2021_pdf.txt``). A synthetic cycle above the
threshold takes the compact path: every objective's code is in the text, in order, and the
outline is there.

Regenerate the reference (only when a change to the Relazione is meant to change Seregno's PDF):
``SCRIVI_RIFERIMENTO=1 .venv/bin/python -m pytest tests/trasparenza/test_pdf_scala.py -k seregno``.
"""

import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo
from trasparenza import queries
from trasparenza.report import relazione_dati
from trasparenza.services import render_pdf

RIFERIMENTO = Path(__file__).parent / "riferimenti" / "seregno_2021_pdf.txt"
PUBBLICATA_IL = "2022-06-30T10:00:00+02:00"


def _dati_pubblicazione(ciclo):
    """The data as ``services.pubblicazione_crea`` hands them to ``render_pdf`` (date fixed)."""
    dati = relazione_dati(ciclo)
    dati["versione"] = 1
    dati["pubblicata_il"] = PUBBLICATA_IL
    dati["validazione"] = queries.validazione_per_dati(ciclo)
    return dati


def _testo_per_pagina(pdf: bytes, cartella: Path) -> list[str]:
    percorso = cartella / "relazione.pdf"
    percorso.write_bytes(pdf)
    testo = subprocess.run(
        ["pdftotext", "-layout", str(percorso), "-"], capture_output=True, text=True, check=True
    ).stdout
    pagine = testo.split("\f")
    if pagine and not pagine[-1].strip():
        pagine.pop()
    return pagine


def _normalizza(pagine: list[str], impronta: str) -> str:
    """One text for all pages, each headed by its number; trailing spaces dropped and the data's
    fingerprint (a hash of the data, changes when the demo's data change) replaced."""
    righe = []
    for numero, pagina in enumerate(pagine, start=1):
        righe.append(f"=== pagina {numero} ===")
        for riga in pagina.splitlines():
            righe.append(riga.rstrip().replace(impronta, "<IMPRONTA>"))
    return "\n".join(righe) + "\n"


def _metadati(pdf: bytes) -> dict:
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    info = reader.metadata
    return {
        "pagine": len(reader.pages),
        "pdfa_part": re.search(rb'pdfaid:part="(\d)"', xmp).group(1).decode(),
        "pdfa_conformance": re.search(rb'pdfaid:conformance="(\w)"', xmp).group(1).decode(),
        "titolo": info.title,
        "autore": info.author,
        "contrassegnato": "/StructTreeRoot" in reader.trailer["/Root"],
        "segnalibri": len(reader.outline),
    }


@pytest.mark.django_db
def test_seregno_2021_pdf_text_pages_and_metadata_unchanged(tmp_path):
    carica_demo()
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
    dati = _dati_pubblicazione(ciclo)
    pdf = render_pdf(dati)
    testo = _normalizza(_testo_per_pagina(pdf, tmp_path), dati["impronta"])
    metadati = _metadati(pdf)
    atteso_meta = (
        "pagine={pagine} pdfa={pdfa_part}{pdfa_conformance} titolo={titolo} autore={autore} "
        "contrassegnato={contrassegnato} segnalibri={segnalibri}".format(**metadati)
    )
    if os.environ.get("SCRIVI_RIFERIMENTO"):
        RIFERIMENTO.write_text(atteso_meta + "\n" + testo, encoding="utf-8")
    riferimento = RIFERIMENTO.read_text(encoding="utf-8")
    meta_rif, _, testo_rif = riferimento.partition("\n")
    assert atteso_meta == meta_rif
    assert metadati["pdfa_part"] == "3" and metadati["pdfa_conformance"] == "U"
    assert testo == testo_rif


def _titoli(segnalibri) -> list[str]:
    """The titles of the outline, nested entries included."""
    return [t for voce in segnalibri
            for t in (_titoli(voce) if isinstance(voce, list) else [voce.title])]


def _codici_in_ordine(testo: str, codici: list[str]) -> list[str]:
    """The codes not found in ``testo`` in the given order (each after the previous one)."""
    mancanti, posizione = [], 0
    for codice in codici:
        trovato = re.search(rf"(?<![\w.-]){re.escape(codice)}(?![\w.-])", testo[posizione:])
        if trovato is None:
            mancanti.append(codice)
        else:
            posizione += trovato.end()
    return mancanti


@pytest.mark.django_db
def test_large_cycle_pdf_lists_every_objective_in_order_one_line_each(tmp_path, monkeypatch):
    from obiettivi.synthetic import genera_ciclo
    from trasparenza import presenter, services

    monkeypatch.setattr(services, "SOGLIA_STAMPA_COMPATTA", 200)
    ciclo = genera_ciclo(ente_slug="scala-300", anno=2021, n_obiettivi=300, seme=1)
    dati = _dati_pubblicazione(ciclo)
    html = services.render_html_stampa(dati)
    assert 'class="obiettivi-compatti"' in html
    assert "<caption>Obiettivi operativi —" not in html  # no table per area
    pdf = render_pdf(dati)
    testo = "\n".join(_testo_per_pagina(pdf, tmp_path))
    codici = [o["codice"] for _, gruppo in presenter.obiettivi_per_area(dati) for o in gruppo]
    assert len(codici) == len(set(codici)) == 300
    inizio = testo.rindex("I nostri obiettivi rilevanti")  # the heading, after the contents' entry
    fine = testo.index("Andamento per tipologia", inizio)
    assert _codici_in_ordine(testo[inizio:fine], codici) == []
    # a code out of its place is noticed (the check can fail)
    assert _codici_in_ordine(testo[inizio:fine], [codici[1], codici[0]]) == [codici[0]]
    metadati = _metadati(pdf)
    assert metadati["contrassegnato"] and metadati["segnalibri"] >= 1
    assert (metadati["pdfa_part"], metadati["pdfa_conformance"]) == ("3", "U")
    titoli = _titoli(PdfReader(io.BytesIO(pdf)).outline)
    assert "Relazione sulla Performance 2021" in titoli
    assert "Livelli di performance conseguiti" in titoli

