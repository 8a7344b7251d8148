#!/usr/bin/env bash
# Backup of seregno_perf: the database and MEDIA_ROOT (the published PDFs) in one folder.
#
#   scripts/backup.sh [CARTELLA]        (make backup [BACKUP_DIR=…])
#
# Reads DATABASE_URL and MEDIA_ROOT like the application (defaults: SQLite db.sqlite3 in the
# project, var/media). Writes CARTELLA/seregno_perf-AAAAMMGG-HHMMSS/ with
#   database.dump     PostgreSQL: pg_dump --format=custom (consistent snapshot)
#   database.sqlite3  SQLite: a copy made with SQLite's online backup API (consistent, never cp)
#   media.tar.gz      the whole MEDIA_ROOT
#   SHA256SUMS        checksums, verified by scripts/restore.sh
# and prints the folder's path on the last line. Default CARTELLA: $BACKUP_DIR or var/backup.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3

CARTELLA="${1:-${BACKUP_DIR:-var/backup}}"
DEST="$CARTELLA/seregno_perf-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$DEST"
chmod 700 "$DEST"

# Where the application's database and media are: asked to the settings themselves.
eval "$("$PY" - <<'PYEOF'
import os, shlex
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seregno_perf.settings")
from django.conf import settings
db = settings.DATABASES["default"]
print("MOTORE=" + shlex.quote(db["ENGINE"].rsplit(".", 1)[-1]))
print("NOME_DB=" + shlex.quote(str(db["NAME"])))
print("MEDIA=" + shlex.quote(str(settings.MEDIA_ROOT)))
PYEOF
)"

case "$MOTORE" in
  postgresql)
    [ -n "${DATABASE_URL:-}" ] || { echo "DATABASE_URL mancante per PostgreSQL" >&2; exit 1; }
    pg_dump --format=custom --no-owner --no-privileges --dbname="$DATABASE_URL" \
      --file="$DEST/database.dump"
    ;;
  sqlite3)
    [ -f "$NOME_DB" ] || { echo "Database SQLite '$NOME_DB' inesistente: niente da salvare." >&2; exit 1; }
    "$PY" - "$NOME_DB" "$DEST/database.sqlite3" <<'PYEOF'
import pathlib, sqlite3, sys
sorgente = sqlite3.connect(pathlib.Path(sys.argv[1]).resolve().as_uri() + "?mode=ro", uri=True)
copia = sqlite3.connect(sys.argv[2])
with copia:
    sorgente.backup(copia)  # page by page, consistent even while the app writes
esito = copia.execute("PRAGMA integrity_check").fetchone()[0]
copia.close(); sorgente.close()
if esito != "ok":
    sys.exit(f"La copia SQLite non è integra: {esito}")
PYEOF
    ;;
  *)
    echo "Motore di database non gestito: $MOTORE" >&2; exit 1 ;;
esac

if [ -d "$MEDIA" ]; then
  tar -C "$MEDIA" -czf "$DEST/media.tar.gz" .
else
  tar -czf "$DEST/media.tar.gz" --files-from /dev/null
fi

(cd "$DEST" && sha256sum database.* media.tar.gz > SHA256SUMS)
echo "Backup completato ($MOTORE, media da $MEDIA):"
echo "$DEST"
