#!/usr/bin/env bash
# Bounded load test: gunicorn (production settings, DEBUG=0) on PostgreSQL, loopback only.
#
#   scripts/carico.sh            (make carico)
#
# 1. prepares the database CARICO_DATABASE_URL (default: the local PostgreSQL, database
#    seregno_perf_carico, created if missing): migrate, carica_demo, pubblica seregno 2021;
# 2. collectstatic (whitenoise manifest), starts gunicorn on 127.0.0.1:CARICO_PORTA with
#    CARICO_WORKERS workers, as behind a TLS proxy (SECURE_PROXY_SSL_HEADER=1, the client sends
#    X-Forwarded-Proto: https);
# 3. CARICO_CONCORRENZA clients request the public pages, the PDF, the JSON and the CSV in a
#    loop for CARICO_SECONDI seconds (fixed duration, never another host than 127.0.0.1);
# 4. prints a Markdown table (requests, errors, latencies) and stops gunicorn.
# Exit status 1 if any request failed (status ≠ 200, timeout, connection error).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3

DB_URL="${CARICO_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/seregno_perf_carico}"
PORTA="${CARICO_PORTA:-8765}"
WORKERS="${CARICO_WORKERS:-3}"
CONCORRENZA="${CARICO_CONCORRENZA:-8}"
SECONDI="${CARICO_SECONDI:-30}"
LAVORO="var/carico"
mkdir -p "$LAVORO/media"

case "$DB_URL" in postgres://*|postgresql://*) ;; *) echo "CARICO_DATABASE_URL deve essere PostgreSQL." >&2; exit 2 ;; esac
NOME_DB="${DB_URL##*/}"
BASE_URL="${DB_URL%/*}"
"$PY" - "$BASE_URL/postgres" "$NOME_DB" <<'PYEOF'
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [sys.argv[2]]).fetchone():
        conn.execute(f'CREATE DATABASE "{sys.argv[2]}"')
        print(f"Creato il database {sys.argv[2]}.")
PYEOF

export DATABASE_URL="$DB_URL" MEDIA_ROOT="$PWD/$LAVORO/media"
# Setup with DEBUG=1: with DEBUG=0 the system checks refuse the demo users (seregno_perf.E001).
DEBUG=1 "$PY" manage.py migrate --noinput -v 0
DEBUG=1 "$PY" manage.py carica_demo > /dev/null
DEBUG=1 "$PY" manage.py pubblica seregno 2021 > /dev/null

export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 SECURE_PROXY_SSL_HEADER=1 CONN_MAX_AGE=60
SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export SECRET_KEY
"$PY" manage.py collectstatic --noinput -v 0

"$PY" -m gunicorn seregno_perf.wsgi:application --bind "127.0.0.1:$PORTA" --workers "$WORKERS" \
  --timeout 30 --access-logfile /dev/null --error-logfile "$LAVORO/gunicorn.log" &
GUNICORN=$!
trap 'kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true' EXIT

"$PY" - "$PORTA" "$CONCORRENZA" "$SECONDI" "$WORKERS" <<'PYEOF'
import http.client, json, statistics, sys, threading, time, urllib.request

porta, concorrenza, secondi, workers = (int(x) for x in sys.argv[1:5])
HOST = "127.0.0.1"  # loopback only, by construction
INTESTAZIONI = {"X-Forwarded-Proto": "https", "Host": HOST}

def richiesta(conn, percorso):
    conn.request("GET", percorso, headers=INTESTAZIONI)
    r = conn.getresponse()
    corpo = r.read()
    return r.status, corpo

# wait for gunicorn (at most 30 s)
for _ in range(300):
    try:
        c = http.client.HTTPConnection(HOST, porta, timeout=5)
        if richiesta(c, "/")[0] == 200:
            break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("gunicorn non risponde")

c = http.client.HTTPConnection(HOST, porta, timeout=30)
dati = json.loads(richiesta(c, "/seregno/2021/dati.json")[1])
obiettivi = [o["codice"] for o in dati["obiettivi"]][:5]
PERCORSI = (["/", "/seregno/2021/", "/seregno/2021/relazione.pdf", "/seregno/2021/dati.json",
             "/seregno/2021/dati.csv", "/seregno/2021/linee/2/",
             "/seregno/2021/aree/servizi-persona/"]
            + [f"/seregno/2021/obiettivi/{c}/" for c in obiettivi])

risultati = {p: [] for p in PERCORSI}
errori = []
byte = [0]
blocco = threading.Lock()
fine = time.monotonic() + secondi

def cliente(n):
    conn = http.client.HTTPConnection(HOST, porta, timeout=30)
    i = n
    while time.monotonic() < fine:
        percorso = PERCORSI[i % len(PERCORSI)]
        i += 1
        inizio = time.perf_counter()
        try:
            stato, corpo = richiesta(conn, percorso)
        except Exception as exc:  # timeout, reset: an error, and a new connection
            with blocco:
                errori.append(f"{percorso}: {exc.__class__.__name__}")
            conn = http.client.HTTPConnection(HOST, porta, timeout=30)
            continue
        durata = (time.perf_counter() - inizio) * 1000
        with blocco:
            risultati[percorso].append(durata)
            byte[0] += len(corpo)
            if stato != 200:
                errori.append(f"{percorso}: HTTP {stato}")

fili = [threading.Thread(target=cliente, args=(n,)) for n in range(concorrenza)]
t0 = time.monotonic()
for f in fili: f.start()
for f in fili: f.join()
durata = time.monotonic() - t0

def pct(valori, q):
    valori = sorted(valori)
    return valori[min(len(valori) - 1, int(q * len(valori)))] if valori else float("nan")

totale = sum(len(v) for v in risultati.values())
print(f"\nCarico: {concorrenza} client per {secondi} s su gunicorn ({workers} worker), "
      f"127.0.0.1:{porta}")
print(f"Richieste: {totale} ({totale / durata:.0f}/s), errori: {len(errori)}, "
      f"dati trasferiti: {byte[0] / 1e6:.0f} MB\n")
print("| indirizzo | richieste | mediana (ms) | 95° percentile (ms) | massimo (ms) |")
print("|---|---:|---:|---:|---:|")
gruppi = {}
for p, v in risultati.items():
    chiave = "/seregno/2021/obiettivi/…/" if "/obiettivi/" in p else p
    gruppi.setdefault(chiave, []).extend(v)
for p, v in gruppi.items():
    print(f"| `{p}` | {len(v)} | {statistics.median(v):.0f} | {pct(v, .95):.0f} | {max(v):.0f} |")
if errori:
    print("\nErrori (primi 20):", *errori[:20], sep="\n  ")
    sys.exit(1)
PYEOF
