"""Hostile spreadsheets through ``importa_peg --dry-run``: seconds and peak RSS of each refusal.

The tests (tests/sicurezza/test_import_ostile.py) prove each file is refused with a short Italian
error and a bounded Python heap; how long it takes depends on the machine, so it is measured here,
as a benchmark: ``.venv/bin/python scripts/bench/bombe.py`` (also run by ``make bench``).
Each file is imported by a fresh process (Django start-up included) on a throw-away SQLite
database; the peak RSS is the child's own ``ru_maxrss`` (``os.wait4``).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RADICE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(RADICE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seregno_perf.settings")


def main():
    import django

    django.setup()
    from seregno_perf import formati
    from tests.sicurezza.test_import_ostile import BOMBE, _righe_vuote_xlsx

    file = dict(BOMBE, **{"righe_vuote.xlsx": lambda: _righe_vuote_xlsx(9_000_000)})
    with tempfile.TemporaryDirectory() as cartella:
        cartella = Path(cartella)
        env = dict(os.environ, DATABASE_URL=f"sqlite:///{cartella / 'bench.sqlite3'}")
        python = sys.executable
        subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=RADICE, env=env,
                       check=True)
        subprocess.run([python, "manage.py", "importa_peg", "/dev/null", "--ente", "bench",
                        "--anno", "2030", "--crea", "--foglio", "aree"], cwd=RADICE, env=env,
                       capture_output=True)
        print(f"{'file':<24} {'dimensione':>12} {'esito':<10} {'secondi':>8} {'RSS max':>9}")
        for nome, fai in file.items():
            percorso = cartella / nome
            percorso.write_bytes(fai())
            inizio = time.perf_counter()
            figlio = subprocess.Popen(
                [python, "manage.py", "importa_peg", str(percorso), "--ente", "bench",
                 "--anno", "2030", "--dry-run"], cwd=RADICE, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            _, stato, uso = os.wait4(figlio.pid, 0)
            secondi = time.perf_counter() - inizio
            uscita = os.waitstatus_to_exitcode(stato)
            risultato = "rifiutato" if uscita == 1 else f"uscita {uscita}"
            print(f"{nome:<24} {formati.dimensione_file(percorso.stat().st_size):>12} "
                  f"{risultato:<10} {formati.numero(secondi, 2, unita='s'):>8} "
                  f"{formati.numero(uso.ru_maxrss / 1024, 0, unita='MB'):>9}")

if __name__ == "__main__":
    main()
