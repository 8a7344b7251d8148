"""Load test: the published report page served from its snapshot vs. a static file of the same
size, both by the same stack (gunicorn + WhiteNoise), measured with wrk on loopback.

    DATABASE_URL=… .venv/bin/python scripts/bench/carico.py --obiettivi 1000 [--durata 10]

Needs the publication of ``bench-N``/2021 written by ``misura.py --obiettivi N``. Prints one
JSON object on the last line of stdout.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

RADICE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(RADICE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seregno_perf.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402


def porta_libera():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def aspetta(url, secondi=30):
    limite = time.monotonic() + secondi
    richiesta = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    while time.monotonic() < limite:
        try:
            with urllib.request.urlopen(richiesta, timeout=5) as risposta:
                return risposta.read()
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn non risponde su {url}")


def wrk(url, durata, connessioni):
    esito = subprocess.run(
        ["wrk", "-t2", f"-c{connessioni}", f"-d{durata}s", "--timeout", "10s",
         "-H", "X-Forwarded-Proto: https", url],
        capture_output=True, text=True, timeout=durata + 60, check=True,
    )
    richieste = re.search(r"Requests/sec:\s+([\d.]+)", esito.stdout)
    errori = re.search(r"Non-2xx or 3xx responses: (\d+)", esito.stdout)
    return {
        "rps": float(richieste.group(1)) if richieste else 0.0,
        "non_2xx": int(errori.group(1)) if errori else 0,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--obiettivi", type=int, default=1000)
    parser.add_argument("--durata", type=int, default=10)
    parser.add_argument("--connessioni", type=int, default=8)
    parser.add_argument("--worker", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print(json.dumps({"errore": "wrk non installato"}))
        return

    percorso = f"/bench-{args.obiettivi}/2021/"
    risposta = Client(HTTP_HOST="127.0.0.1").get(percorso)
    if risposta.status_code != 200:
        print(json.dumps({"errore": f"{percorso}: HTTP {risposta.status_code}"}))
        return
    corpo = b"".join(risposta) if risposta.streaming else risposta.content
    statici = Path(tempfile.mkdtemp(prefix="seregno-bench-static-"))
    (statici / "bench").mkdir()
    (statici / "bench" / "relazione.html").write_bytes(corpo)

    porta = porta_libera()
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="impostazioni_bench",
        BENCH_STATIC_ROOT=str(statici),
        DEBUG="0",
        SECRET_KEY="bench-only-not-a-secret",
        ALLOWED_HOSTS="127.0.0.1",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        CONN_MAX_AGE=os.environ.get("CONN_MAX_AGE", "60"),
        # As behind the HTTPS proxy of production: requests say they came over HTTPS.
        SECURE_PROXY_SSL_HEADER="1",
    )
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "seregno_perf.wsgi",
         "--pythonpath", f"{RADICE},{RADICE / 'scripts' / 'bench'}",
         "-b", f"127.0.0.1:{porta}", "-w", str(args.worker), "--log-level", "warning"],
        cwd=RADICE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{porta}"
    try:
        pagina = aspetta(base + percorso)
        statico = aspetta(base + "/static/bench/relazione.html")
        esito = {
            "obiettivi": args.obiettivi,
            "byte_pagina": len(pagina),
            "byte_statico": len(statico),
            "worker": args.worker,
            "connessioni": args.connessioni,
            "durata_s": args.durata,
            "pagina": wrk(base + percorso, args.durata, args.connessioni),
            "statico": wrk(base + "/static/bench/relazione.html", args.durata, args.connessioni),
        }
        esito["rapporto"] = esito["pagina"]["rps"] / esito["statico"]["rps"]
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        try:
            gunicorn.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(gunicorn.pid, signal.SIGKILL)
        shutil.rmtree(statici, ignore_errors=True)
    print(json.dumps(esito))


if __name__ == "__main__":
    main()
