"""The PDF of the schede di valutazione as a background job (``individuale.stampa.corpo_stampa``):
the demo's schede (Seregno 2021) and N synthetic definitive schede.

    .venv/bin/python scripts/bench/stampa_schede.py [--database sqlite|postgres|both] [--schede 500]

For each database it creates a dedicated, empty database (as ``bench.py`` does; PostgreSQL
``seregno_perf_bench_stampa``, or BENCH_PG_DB), migrates it and, in a child process (``--misura``),
writes the schede, runs the action «Stampa le schede in PDF» as the admin's list posts it (the
request only queues the job) and then the real worker, ``manage.py db_worker --batch``, in its
own process: wall time and peak RSS are the worker's (``RUSAGE_CHILDREN``), Django's start
included; the job's own time is ``finito_il - iniziato_il``.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUI = Path(__file__).resolve().parent
RADICE = QUI.parents[1]
os.environ.setdefault("BENCH_PG_DB", "seregno_perf_bench_stampa")
sys.path.insert(0, str(QUI))

from bench import PY, Database, _migliaia, _ms, esegui  # noqa: E402

ANNO = 2021


def _schede(quante: str):
    """The cycle whose schede are printed: the demo's 2021, or a synthetic one with N schede."""
    from individuale.synthetic import genera_schede
    from obiettivi.demo import carica_demo
    from obiettivi.models import Ciclo
    from obiettivi.synthetic import genera_ciclo

    if quante == "demo":
        carica_demo()
        return Ciclo.objects.get(ente__slug="seregno", anno=ANNO)
    ciclo = genera_ciclo(ente_slug=f"bench-stampa-{quante}", anno=ANNO, n_obiettivi=50, seme=1, forza=True)
    genera_schede(ciclo, int(quante), seme=1)
    return ciclo


def misura(quante: str) -> dict:
    sys.path.insert(0, str(RADICE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seregno_perf.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from individuale.models import SchedaValutazione
    from lavori.models import Lavoro

    ciclo = _schede(quante)
    ids = list(SchedaValutazione.objects.filter(ciclo=ciclo).values_list("pk", flat=True))
    utente = get_user_model().objects.create_superuser(f"bench-stampa-{quante}", "", None)
    cliente = Client(HTTP_HOST="127.0.0.1")
    cliente.force_login(utente)
    inizio = time.perf_counter()
    risposta = cliente.post(reverse("admin:individuale_schedavalutazione_changelist"),
                            {"action": "stampa_pdf", "_selected_action": [str(i) for i in ids]})
    richiesta = time.perf_counter() - inizio
    assert risposta.status_code == 302, risposta.status_code
    inizio = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay",
                    "--no-reload", "-v0"], cwd=RADICE, check=True)
    worker = time.perf_counter() - inizio
    lavoro = Lavoro.objects.get(utente=utente)
    assert lavoro.stato == Lavoro.Stato.COMPLETATO, (lavoro.stato, lavoro.errore)
    return {
        "schede": len(ids), "pagine": lavoro.risultato["pagine"], "byte": lavoro.risultato["byte"],
        "esito": lavoro.esito, "richiesta_s": richiesta, "worker_s": worker,
        "lavoro_s": (lavoro.finito_il - lavoro.iniziato_il).total_seconds(),
        "memoria_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--schede", type=int, default=500)
    parser.add_argument("--misura", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.misura:
        print(json.dumps(misura(args.misura)))
        return
    tipi = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    inizio = time.monotonic()
    risultati = {}
    for tipo in tipi:
        for quante in ("demo", str(args.schede)):
            with Database(tipo) as db, tempfile.TemporaryDirectory(prefix="seregno-bench-media-") as media:
                env = dict(os.environ, DATABASE_URL=db.url, MEDIA_ROOT=media, DEBUG="1")
                subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=RADICE, env=env,
                               check=True)
                print(f"bench stampa [{tipo}]: {quante} schede…", file=sys.stderr, flush=True)
                risultati[(tipo, quante)] = esegui([str(QUI / "stampa_schede.py"), "--misura", quante], env)
    print(f"seregno_perf — PDF delle schede di valutazione ({time.strftime('%Y-%m-%d %H:%M')}, "
          f"{platform.node()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
          f"{time.monotonic() - inizio:.0f} s)")
    for (tipo, quante), m in risultati.items():
        print(f"[{tipo}] {'demo' if quante == 'demo' else 'sintetiche'}: {_migliaia(m['schede'])} schede, "
              f"{_migliaia(m['pagine'])} pagine, {_migliaia(m['byte'] // 1024)} KB; richiesta "
              f"{_ms(m['richiesta_s'])}; worker {_ms(m['worker_s'])} (lavoro {_ms(m['lavoro_s'])}); "
              f"memoria del worker {m['memoria_worker_mb']:.0f} MB")


if __name__ == "__main__":
    main()
