"""``make bench``: the bonus calculation of performance individuale at 10.000 people.

    .venv/bin/python scripts/bench/premi.py [--database sqlite|postgres|both] [--rapido]

For each database it creates a dedicated, empty database (as ``bench.py`` does; PostgreSQL
``seregno_perf_bench_premi``), migrates it and, in a child process (``--misura N``), writes a
synthetic cycle of 200 objectives with N definitive schede (``individuale.synthetic``) and an
ente-wide fund, then measures ``queries.premi_ciclo`` (queries, median of 3 runs), the payroll
CSV and the admin page «Calcolo dei premi». ``--rapido``: N = 1.000 only.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUI = Path(__file__).resolve().parent
RADICE = QUI.parents[1]
os.environ.setdefault("BENCH_PG_DB", "seregno_perf_bench_premi")
sys.path.insert(0, str(QUI))

from bench import PY, Database, _migliaia, _ms, esegui  # noqa: E402

BUDGET_S = 1.0  # premi_ciclo at N = 10.000
ANNO = 2021


def misura(n: int) -> dict:
    sys.path.insert(0, str(RADICE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seregno_perf.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from individuale import premi, queries
    from individuale.synthetic import genera_schede
    from obiettivi.models import Ciclo
    from obiettivi.synthetic import genera_ciclo

    ciclo = genera_ciclo(ente_slug=f"bench-premi-{n}", anno=ANNO, n_obiettivi=200, seme=1, forza=True)
    inizio = time.perf_counter()
    genera_schede(ciclo, n, seme=1)
    generazione = time.perf_counter() - inizio
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=Ciclo.Stato.VALIDATA)
    ciclo = Ciclo.objects.select_related("ente", "smvp").get(pk=ciclo.pk)

    def cronometra(funzione, volte=3):
        tempi = []
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as query:
            inizio = time.perf_counter()
            risultato = funzione()
            tempi.append(time.perf_counter() - inizio)
        n_query = len(query)
        for _ in range(volte - 1):
            inizio = time.perf_counter()
            risultato = funzione()
            tempi.append(time.perf_counter() - inizio)
        return {"query": n_query, "s": statistics.median(tempi)}, risultato

    calcolo, risultato = cronometra(lambda: queries.premi_ciclo(ciclo))
    assert sum(q.importo for q in risultato.quote) == risultato.stanziato
    esportazione, _ = cronometra(lambda: premi.esporta(ciclo, "csv"))
    admin = get_user_model().objects.create_superuser(f"bench-premi-{n}", "", None)
    cliente = Client(HTTP_HOST="127.0.0.1")
    cliente.force_login(admin)
    url = reverse("admin:individuale_premi", args=[ciclo.pk])
    cliente.get(url)

    def pagina():
        risposta = cliente.get(url)
        assert risposta.status_code == 200, risposta.status_code
        return risposta.content

    pagina_m, contenuto = cronometra(pagina, volte=2)
    return {
        "n": n, "generazione_s": generazione, "premi_ciclo": calcolo, "csv": esportazione,
        "pagina": pagina_m, "pagina_kb": len(contenuto) // 1024,
        "memoria_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rapido", action="store_true")
    parser.add_argument("--misura", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.misura:
        print(json.dumps(misura(args.misura)))
        return
    enne = [1000] if args.rapido else [1000, 10_000]
    tipi = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    inizio = time.monotonic()
    risultati = {}
    for tipo in tipi:
        with Database(tipo) as db, tempfile.TemporaryDirectory(prefix="seregno-bench-media-") as media:
            env = dict(os.environ, DATABASE_URL=db.url, MEDIA_ROOT=media, DEBUG="1")
            subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=RADICE, env=env, check=True)
            for n in enne:
                print(f"bench premi [{tipo}]: {n} schede…", file=sys.stderr, flush=True)
                risultati[(tipo, n)] = esegui([str(QUI / "premi.py"), "--misura", str(n)], env)
    print(f"seregno_perf — calcolo dei premi ({time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
          f"{os.cpu_count()} CPU, Python {platform.python_version()}, {time.monotonic() - inizio:.0f} s)")
    for (tipo, n), m in risultati.items():
        print(f"[{tipo}] N={_migliaia(n)} schede: premi_ciclo {m['premi_ciclo']['query']} q, "
              f"{_ms(m['premi_ciclo']['s'])}; CSV per le paghe {_ms(m['csv']['s'])}; pagina «Calcolo dei "
              f"premi» {m['pagina']['query']} q, {_ms(m['pagina']['s'])} ({_migliaia(m['pagina_kb'])} KB); "
              f"generazione {_ms(m['generazione_s'])}; memoria {m['memoria_mb']:.0f} MB")
    for (tipo, n), m in risultati.items():
        if n == max(enne):
            t = m["premi_ciclo"]["s"]
            esito = "rispettato" if t <= BUDGET_S else "NON rispettato"
            print(f"budget [{tipo}] premi_ciclo a N={_migliaia(n)} ≤ {BUDGET_S:.0f} s: {_ms(t)} — {esito}")


if __name__ == "__main__":
    main()
