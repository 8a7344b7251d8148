"""Measure the report: assembly (relazione_dati), page served from its snapshot, and the PDF.

Usage (any database; it writes synthetic cycles `misura-100`, `misura-2000` and loads the demo):
    .venv/bin/python scripts/misura_relazione.py
Prints median times over repeated runs. A measurement, not a test.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seregno_perf.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from obiettivi.demo import carica_demo  # noqa: E402
from obiettivi.models import Ciclo  # noqa: E402
from obiettivi.synthetic import genera_ciclo  # noqa: E402
from trasparenza.models import Pubblicazione  # noqa: E402
from trasparenza.report import relazione_dati  # noqa: E402
from trasparenza.services import render_corpo, render_pdf  # noqa: E402


def mediana(funzione, volte):
    tempi = []
    for _ in range(volte):
        inizio = time.perf_counter()
        funzione()
        tempi.append(time.perf_counter() - inizio)
    return statistics.median(tempi)


def main():
    client = Client(HTTP_HOST="127.0.0.1")
    righe = []
    for n in (100, 2000):
        slug = f"misura-{n}"
        ciclo = genera_ciclo(ente_slug=slug, anno=2021, n_obiettivi=n, seme=1, forza=True)
        Pubblicazione.objects.filter(ciclo=ciclo).delete()
        t_dati = mediana(lambda: relazione_dati(ciclo), 3)
        dati = relazione_dati(ciclo)
        dati["versione"] = 1
        t_corpo = mediana(lambda: render_corpo(dati), 3)
        Pubblicazione.objects.create(ciclo=ciclo, versione=1, impronta=dati["impronta"],
                                     dati=dati, html=render_corpo(dati))
        t_pagina = mediana(lambda: client.get(f"/{slug}/2021/"), 20)
        righe.append((n, t_dati, t_corpo, t_pagina))
    carica_demo()
    seregno = Ciclo.objects.get(ente__slug="seregno", anno=2021)
    dati = relazione_dati(seregno)
    t_pdf_a = mediana(lambda: render_pdf(dati), 3)
    t_pdf = mediana(lambda: render_pdf(dati, archivio=False), 3)
    print(f"{'obiettivi':>10} {'relazione_dati':>15} {'render corpo':>13} {'pagina (GET)':>13}")
    for n, a, b, c in righe:
        print(f"{n:>10} {a:>14.3f}s {b:>12.3f}s {c * 1000:>11.1f}ms")
    print(f"PDF Seregno 2021 (PDF/A-3u con tag): {t_pdf_a:.2f}s; PDF semplice: {t_pdf:.2f}s")


if __name__ == "__main__":
    main()
