"""``make bench``: the benchmark suite of seregno_perf, on SQLite and on PostgreSQL.

    .venv/bin/python scripts/bench/bench.py [--database sqlite|postgres|both] [--rapido]

For each database it creates a dedicated, empty database (a temporary SQLite file;
PostgreSQL ``seregno_perf_bench`` on BENCH_PG, default postgres://postgres@127.0.0.1:5432),
migrates it, runs ``misura.py`` once per N in its own process (so peak memory is that N's),
runs the load test (``carico.py``, gunicorn + WhiteNoise + wrk on loopback) and drops the
database. Then it prints one table. ``--rapido``: N = 100 and 1,000 only, short load test.
Installs Debian's ``wrk`` with apt-get if it is missing (root or sudo needed).
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RADICE = Path(__file__).resolve().parents[2]
QUI = Path(__file__).resolve().parent
PY = sys.executable
PG_BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_NOME = os.environ.get("BENCH_PG_DB", "seregno_perf_bench")

BUDGET_S = 1.0  # scoring and report page at N = 10,000
BUDGET_PDF_S = 10.0  # Seregno PDF
BUDGET_RAPPORTO = 0.5  # snapshot page throughput vs. static file


def esegui(argomenti, env, timeout=3600):
    esito = subprocess.run([PY, *argomenti], cwd=RADICE, env=env, capture_output=True,
                           text=True, timeout=timeout)
    if esito.returncode != 0:
        sys.stderr.write(esito.stdout[-2000:] + esito.stderr[-4000:])
        raise SystemExit(f"bench: {' '.join(argomenti)} è fallito (codice {esito.returncode})")
    return json.loads(esito.stdout.strip().splitlines()[-1])


def assicura_wrk():
    if shutil.which("wrk"):
        return True
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    print("bench: wrk manca, lo installo con apt-get…", file=sys.stderr)
    for comando in (["apt-get", "install", "-y", "-q", "wrk"],
                    ["sh", "-c", "apt-get update -q && apt-get install -y -q wrk"]):
        if subprocess.run(sudo + comando, capture_output=True).returncode == 0:
            return True
    print("bench: impossibile installare wrk: il confronto di throughput è saltato.",
          file=sys.stderr)
    return False


def _pg(sql):
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(sql)


class Database:
    """A dedicated database for one run, created on enter and dropped on exit."""

    def __init__(self, tipo):
        self.tipo = tipo

    def __enter__(self):
        if self.tipo == "sqlite":
            self.cartella = tempfile.mkdtemp(prefix="seregno-bench-")
            self.url = f"sqlite:///{self.cartella}/bench.sqlite3"
        else:
            _pg(f'DROP DATABASE IF EXISTS "{PG_NOME}" WITH (FORCE)')
            _pg(f'CREATE DATABASE "{PG_NOME}"')
            self.url = f"{PG_BASE}/{PG_NOME}"
        return self

    def __exit__(self, *exc):
        if self.tipo == "sqlite":
            shutil.rmtree(self.cartella, ignore_errors=True)
        else:
            _pg(f'DROP DATABASE IF EXISTS "{PG_NOME}" WITH (FORCE)')


def misura_database(tipo, *, enne, pdf_enne, import_enne, carico_s, wrk_ok, seregno,
                    pdf_scala=()):
    with Database(tipo) as db, tempfile.TemporaryDirectory(prefix="seregno-bench-media-") as media:
        env = dict(os.environ, DATABASE_URL=db.url, MEDIA_ROOT=media, DEBUG="1")
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=RADICE, env=env,
                       check=True)
        esiti = {"righe": {}, "importazione": {}}
        for n in enne:
            print(f"bench [{tipo}]: {n} obiettivi…", file=sys.stderr, flush=True)
            argomenti = [str(QUI / "misura.py"), "--obiettivi", str(n),
                         "--ripetizioni", "5" if n < 10_000 else "3"]
            if n in pdf_enne:
                argomenti.append("--pdf")
            esiti["righe"][n] = esegui(argomenti, env)
        for n in import_enne:
            print(f"bench [{tipo}]: importazione PEG di {n} obiettivi…", file=sys.stderr,
                  flush=True)
            esiti["importazione"][n] = esegui(
                [str(QUI / "misura.py"), "--importazione", str(n)], env)["importazione"]
        for n in pdf_scala:
            print(f"bench [{tipo}]: PDF di {n} obiettivi (processo figlio)…", file=sys.stderr,
                  flush=True)
            esiti.setdefault("pdf_scala", {})[n] = esegui(
                [str(QUI / "misura.py"), "--solo-pdf", str(n)], env)["pdf"]
        if seregno:
            print(f"bench [{tipo}]: PDF Seregno 2021…", file=sys.stderr, flush=True)
            esiti["seregno"] = esegui([str(QUI / "misura.py"), "--seregno"], env)
        if wrk_ok:
            print(f"bench [{tipo}]: carico (wrk)…", file=sys.stderr, flush=True)
            esiti["carico"] = esegui(
                [str(QUI / "carico.py"), "--obiettivi", str(1000 if 1000 in enne else enne[0]),
                 "--durata", str(carico_s)], env)
        return esiti


def _migliaia(n):
    return f"{n:,}".replace(",", ".")


def _ms(s):
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s".replace(".", ",")


def tabella(risultati, enne, pdf_enne, import_enne):
    righe = []
    intestazione = ["misura"] + [f"{tipo} N={_migliaia(n)}"
                                 for tipo in risultati for n in enne]
    voci = [
        ("scoring (risultati_ciclo)", "scoring"),
        ("relazione_dati (dati della relazione)", "relazione_dati"),
        ("pagina della relazione (GET)", "pagina"),
        ("admin: elenco obiettivi (GET)", "admin_elenco"),
        ("dati.json (GET)", "dati_json"),
        ("pagina di un obiettivo (GET)", "pagina_obiettivo"),
    ]
    for etichetta, chiave in voci:
        riga = [etichetta]
        for tipo, esiti in risultati.items():
            for n in enne:
                m = esiti["righe"][n][chiave]
                riga.append(f"{m['query']} q, {_ms(m['s'])}")
        righe.append(riga)
    riga = ["scrittura dei file pubblicati"]
    for tipo, esiti in risultati.items():
        for n in enne:
            m = esiti["righe"][n]["file_pubblicati"]
            riga.append(f"{m['file']} file, {_ms(m['s'])}")
    righe.append(riga)
    riga = ["PDF (PDF/A-3u con tag)"]
    for tipo, esiti in risultati.items():
        for n in enne:
            m = esiti["righe"][n].get("pdf")
            riga.append(_ms(m["s"]) if m else "—")
    righe.append(riga)
    riga = ["memoria di picco del processo"]
    for tipo, esiti in risultati.items():
        for n in enne:
            riga.append(f"{esiti['righe'][n]['memoria_mb']:.0f} MB")
    righe.append(riga)

    larghezze = [max(len(str(r[i])) for r in [intestazione, *righe])
                 for i in range(len(intestazione))]
    linee = [" | ".join(str(c).ljust(w) for c, w in zip(intestazione, larghezze)),
             "-|-".join("-" * w for w in larghezze)]
    linee += [" | ".join(str(c).ljust(w) for c, w in zip(r, larghezze)) for r in righe]

    linee.append("")
    for tipo, esiti in risultati.items():
        for n in import_enne:
            m = esiti["importazione"].get(n)
            testo = (f"{_ms(m['s'])} ({_migliaia(m['righe_obiettivi'])} obiettivi, "
                     f"{_migliaia(m['righe'])} righe in tutto)"
                     ) if m else "n.d. (importazione PEG non disponibile)"
            linee.append(f"importazione PEG XLSX, {_migliaia(n)} obiettivi [{tipo}]: {testo}")
    for tipo, esiti in risultati.items():
        if "seregno" in esiti:
            s = esiti["seregno"]
            linee.append(f"PDF Seregno 2021 [{tipo}]: PDF/A-3u con tag {_ms(s['pdf_a3u']['s'])}, "
                         f"PDF semplice {_ms(s['pdf_semplice']['s'])} (budget {BUDGET_PDF_S:.0f} s)")
    for tipo, esiti in risultati.items():
        c = esiti.get("carico")
        if not c:
            linee.append(f"throughput [{tipo}]: non misurato (wrk mancante)")
            continue
        linee.append(
            f"throughput [{tipo}], {c['byte_pagina'] // 1024} KB, gunicorn {c['worker']} worker, "
            f"wrk {c['connessioni']} connessioni × {c['durata_s']} s: pagina pubblicata "
            f"{c['pagina']['rps']:.0f} req/s, file statico {c['statico']['rps']:.0f} req/s, "
            f"rapporto {c['rapporto']:.2f} (budget ≥ {BUDGET_RAPPORTO})".replace(".", ",")
        )
    # Budgets on time.
    linee.append("")
    grande = max(enne)
    for tipo, esiti in risultati.items():
        for chiave, nome in (("scoring", "scoring"), ("pagina", "pagina della relazione")):
            t = esiti["righe"][grande][chiave]["s"]
            esito = "rispettato" if t <= BUDGET_S else "NON rispettato"
            linee.append(f"budget [{tipo}] {nome} a N={_migliaia(grande)} ≤ 1 s: {_ms(t)} — {esito}")
        if "seregno" in esiti:
            t = esiti["seregno"]["pdf_a3u"]["s"]
            esito = "rispettato" if t <= BUDGET_PDF_S else "NON rispettato"
            linee.append(f"budget [{tipo}] PDF Seregno 2021 ≤ {BUDGET_PDF_S:.0f} s: {_ms(t)} — {esito}")
        if esiti.get("carico"):
            r = esiti["carico"]["rapporto"]
            esito = "rispettato" if r >= BUDGET_RAPPORTO else "NON rispettato"
            linee.append(f"budget [{tipo}] pagina pubblicata ≥ {BUDGET_RAPPORTO} × file statico: "
                         f"{r:.2f} — {esito}".replace(".", ","))
    return "\n".join(linee)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rapido", action="store_true")
    parser.add_argument("--pdf-scala", action="store_true",
                        help="anche il PDF di 1.000 e 10.000 obiettivi con memoria di picco "
                             "(minuti; docs/performance.md, «Il PDF della Relazione a scala»)")
    args = parser.parse_args()
    enne = [100, 1000] if args.rapido else [100, 1000, 10_000]
    pdf_enne = [100, 1000]
    import_enne = [1000] if args.rapido else [1000, 5000]
    tipi = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    wrk_ok = assicura_wrk()
    inizio = time.monotonic()
    risultati = {}
    for tipo in tipi:
        risultati[tipo] = misura_database(
            tipo, enne=enne, pdf_enne=pdf_enne, import_enne=import_enne,
            carico_s=5 if args.rapido else 10, wrk_ok=wrk_ok, seregno=True,
            pdf_scala=(1000, 10_000) if args.pdf_scala else (),
        )
    print(f"seregno_perf — benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, "
          f"{os.cpu_count()} CPU, Python {platform.python_version()}, "
          f"{time.monotonic() - inizio:.0f} s)")
    print(tabella(risultati, enne, pdf_enne, import_enne))
    for tipo, esiti in risultati.items():
        for n, pdf in esiti.get("pdf_scala", {}).items():
            print(f"PDF di {_migliaia(n)} obiettivi [{tipo}]: {_ms(pdf['s'])} (CPU "
                  f"{_ms(pdf['cpu_s'])}), picco {_migliaia(round(pdf['picco_rss_mb']))} MB, "
                  f"{_migliaia(pdf['pagine'])} pagine")


if __name__ == "__main__":
    main()
