"""Measure the PEG import: 5,000 objectives with their indicators and phases (not a test).

Usage (a scratch SQLite database by default; DATABASE_URL=postgres://… for PostgreSQL):
    .venv/bin/python -m tests.peg.misura_5000 [--obiettivi N]
It generates a synthetic cycle (``genera_dati``), exports it with ``esporta_workbook`` (XLSX) and
imports it into a new cycle of the same ente with ``importa_workbook``: dry run, real import
(with history rows), then the same file again (nothing to write). Prints the times.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seregno_perf.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/misura_peg.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402


def cronometro(etichetta, funzione):
    inizio = time.perf_counter()
    risultato = funzione()
    durata = time.perf_counter() - inizio
    print(f"{etichetta}: {durata:.1f} s")
    return risultato


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--obiettivi", type=int, default=5000)
    n = parser.parse_args().obiettivi

    call_command("migrate", verbosity=0)
    from obiettivi.models import Ciclo, Fase, Indicatore, Obiettivo
    from obiettivi.peg.esporta import esporta_workbook
    from obiettivi.peg.importa import ciclo_per_importazione, importa_workbook
    from obiettivi.synthetic import genera_ciclo

    print(f"Database: {connection.vendor}")
    sorgente = cronometro("genera_dati", lambda: genera_ciclo(
        ente_slug="misura-peg", anno=2030, n_obiettivi=n, seme=1, forza=True))
    contenuto = cronometro("esporta_workbook (XLSX)", lambda: esporta_workbook(ciclo=sorgente))
    anno = 2031 + Ciclo.objects.filter(ente__slug="misura-peg", anno__gt=2030).count()
    destinazione, _ = ciclo_per_importazione(ente="misura-peg", anno=anno, crea=True)
    percorso = Path(tempfile.gettempdir()) / "misura_peg.xlsx"
    percorso.write_bytes(contenuto)
    print(f"File: {percorso} ({len(contenuto) / 1e6:.1f} MB), "
          f"{Obiettivo.objects.filter(ciclo=sorgente).count()} obiettivi, "
          f"{Indicatore.objects.filter(obiettivo__ciclo=sorgente).count()} indicatori, "
          f"{Fase.objects.filter(obiettivo__ciclo=sorgente).count()} fasi")
    for etichetta, dry_run in (("importa_workbook, prova (dry run)", True),
                               ("importa_workbook, importazione", False),
                               ("importa_workbook, stesso file di nuovo", False)):
        esito = cronometro(etichetta, lambda d=dry_run: importa_workbook(
            file=percorso, ciclo=destinazione, dry_run=d))
        assert esito.ok, esito.errori[:5]
        print("   ", "; ".join(esito.righe_report()[:3]), "…")
    print("Righe di storico (obiettivi, indicatori, fasi):",
          Obiettivo.history.filter(ciclo=destinazione).count(),
          Indicatore.history.filter(obiettivo_id__in=Obiettivo.objects.filter(ciclo=destinazione)).count(),
          Fase.history.filter(obiettivo_id__in=Obiettivo.objects.filter(ciclo=destinazione)).count())


if __name__ == "__main__":
    main()
