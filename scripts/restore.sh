#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database and MEDIA_ROOT of the current
# environment (DATABASE_URL, MEDIA_ROOT, as for the application).
#
#   scripts/restore.sh CARTELLA_DEL_BACKUP [--sovrascrivi]     (make restore DA=… [SOVRASCRIVI=1])
#
# Checks SHA256SUMS first. Refuses to overwrite a database that already has tables, or a
# non-empty MEDIA_ROOT, unless --sovrascrivi is given (then the current MEDIA_ROOT is kept
# beside as MEDIA_ROOT.prima-AAAAMMGG-HHMMSS). Stop the application before restoring.
# PostgreSQL: pg_restore --clean --if-exists into the database of DATABASE_URL (it must exist:
# createdb NOME). SQLite: the copy is written with SQLite's backup API.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3

SRC="${1:-}"
SOVRASCRIVI="${2:-}"
[ -n "$SRC" ] && [ -d "$SRC" ] || { echo "Uso: scripts/restore.sh CARTELLA_DEL_BACKUP [--sovrascrivi]" >&2; exit 2; }
[ -z "$SOVRASCRIVI" ] || [ "$SOVRASCRIVI" = "--sovrascrivi" ] || { echo "Opzione sconosciuta: $SOVRASCRIVI" >&2; exit 2; }
SRC="$(cd "$SRC" && pwd)"

(cd "$SRC" && sha256sum --check --quiet SHA256SUMS) || { echo "Backup alterato o incompleto: SHA256SUMS non corrisponde." >&2; exit 1; }

eval "$("$PY" - <<'PYEOF'
import os, shlex
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seregno_perf.settings")
import django
django.setup()
from django.conf import settings
from django.db import connection
db = settings.DATABASES["default"]
try:
    tabelle = len(connection.introspection.table_names())
except Exception:
    tabelle = 0
print("MOTORE=" + shlex.quote(db["ENGINE"].rsplit(".", 1)[-1]))
print("NOME_DB=" + shlex.quote(str(db["NAME"])))
print("MEDIA=" + shlex.quote(str(settings.MEDIA_ROOT)))
print(f"TABELLE={tabelle}")
PYEOF
)"

if [ "$TABELLE" -gt 0 ] && [ -z "$SOVRASCRIVI" ]; then
  echo "Il database di destinazione ha già $TABELLE tabelle: aggiungere --sovrascrivi per sostituirlo." >&2
  exit 1
fi
if [ -d "$MEDIA" ] && [ -n "$(ls -A "$MEDIA" 2>/dev/null)" ] && [ -z "$SOVRASCRIVI" ]; then
  echo "MEDIA_ROOT ($MEDIA) non è vuota: aggiungere --sovrascrivi per sostituirla." >&2
  exit 1
fi

case "$MOTORE" in
  postgresql)
    [ -f "$SRC/database.dump" ] || { echo "Il backup non contiene database.dump (PostgreSQL)." >&2; exit 1; }
    pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error \
      --dbname="$DATABASE_URL" "$SRC/database.dump"
    ;;
  sqlite3)
    [ -f "$SRC/database.sqlite3" ] || { echo "Il backup non contiene database.sqlite3 (SQLite)." >&2; exit 1; }
    mkdir -p "$(dirname "$NOME_DB")"
    "$PY" - "$SRC/database.sqlite3" "$NOME_DB" <<'PYEOF'
import pathlib, sqlite3, sys
sorgente = sqlite3.connect(pathlib.Path(sys.argv[1]).resolve().as_uri() + "?mode=ro", uri=True)
destinazione = sqlite3.connect(sys.argv[2])
with destinazione:
    sorgente.backup(destinazione)  # replaces every page of the destination
esito = destinazione.execute("PRAGMA integrity_check").fetchone()[0]
destinazione.close(); sorgente.close()
if esito != "ok":
    sys.exit(f"Il database ripristinato non è integro: {esito}")
PYEOF
    ;;
  *)
    echo "Motore di database non gestito: $MOTORE" >&2; exit 1 ;;
esac

if [ -d "$MEDIA" ] && [ -n "$(ls -A "$MEDIA" 2>/dev/null)" ]; then
  mv "$MEDIA" "$MEDIA.prima-$(date +%Y%m%d-%H%M%S)"
fi
mkdir -p "$MEDIA"
tar -C "$MEDIA" -xzf "$SRC/media.tar.gz" --no-same-owner
# The files citizens are served (trasparenza/snapshot.py) follow the restored database.
"$PY" manage.py rigenera_file_pubblicati
echo "Ripristino completato ($MOTORE) da $SRC; media in $MEDIA."
