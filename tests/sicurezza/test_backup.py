"""make backup / make restore: a round trip keeps the cycle's data (``dati.json`` of
``relazione_dati``, via ``manage.py relazione --json``) and MEDIA_ROOT byte for byte, on SQLite
(SQLite's backup API) and, when the suite runs on PostgreSQL, with pg_dump/pg_restore."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VARIABILI = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "MEDIA_ROOT"}


def _env(database_url, media):
    env = {k: v for k, v in os.environ.items() if k not in VARIABILI and not k.startswith("DJANGO_")}
    env.update({"DATABASE_URL": database_url, "MEDIA_ROOT": str(media), "PY": sys.executable})
    return env


def _esegui(argomenti, env, atteso=0):
    esito = subprocess.run(argomenti, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert esito.returncode == atteso, esito.stdout + esito.stderr
    return esito


def _manage(env, *argomenti):
    return _esegui([sys.executable, "manage.py", *argomenti], env)


def _prepara(env, media, tmp_path):
    _manage(env, "migrate", "--noinput")
    _manage(env, "carica_demo")
    # carica_demo publishes (issue 13): its PDFs are in the media; a file of other bytes beside
    # them (not a PDF: rigenera_file_pubblicati, which the restore runs, removes orphan PDFs)
    (media / "pubblicazioni").mkdir(parents=True, exist_ok=True)
    (media / "pubblicazioni" / "allegato.bin").write_bytes(os.urandom(4096))
    _manage(env, "relazione", "seregno", "2021", "--json", str(tmp_path / "prima.json"))


def _round_trip(tmp_path, origine_url, destinazione_url):
    media_a, media_b = tmp_path / "media_a", tmp_path / "media_b"
    env_a, env_b = _env(origine_url, media_a), _env(destinazione_url, media_b)
    _prepara(env_a, media_a, tmp_path)

    esito = _esegui(["bash", "scripts/backup.sh", str(tmp_path / "backup")], env_a)
    cartella = Path(esito.stdout.strip().splitlines()[-1])
    assert (cartella / "SHA256SUMS").is_file() and (cartella / "media.tar.gz").is_file()

    # a tampered backup is refused before anything is touched
    copia = tmp_path / "alterato"
    subprocess.run(["cp", "-r", str(cartella), str(copia)], check=True)
    with open(copia / "media.tar.gz", "ab") as fh:
        fh.write(b"x")
    esito = _esegui(["bash", "scripts/restore.sh", str(copia)], env_b, atteso=1)
    assert "SHA256SUMS non corrisponde" in esito.stderr

    _esegui(["bash", "scripts/restore.sh", str(cartella)], env_b)
    _manage(env_b, "relazione", "seregno", "2021", "--json", str(tmp_path / "dopo.json"))
    prima = (tmp_path / "prima.json").read_bytes()
    assert len(prima) > 10_000
    assert (tmp_path / "dopo.json").read_bytes() == prima
    archivio = sorted(p.name for p in (media_a / "pubblicazioni").iterdir())
    assert "allegato.bin" in archivio and any(n.endswith(".pdf") for n in archivio)
    for nome in archivio:
        assert (media_b / "pubblicazioni" / nome).read_bytes() == (media_a / "pubblicazioni" / nome).read_bytes()

    # restoring again over a database that has tables needs --sovrascrivi
    esito = _esegui(["bash", "scripts/restore.sh", str(cartella)], env_b, atteso=1)
    assert "aggiungere --sovrascrivi" in esito.stderr
    _esegui(["bash", "scripts/restore.sh", str(cartella), "--sovrascrivi"], env_b)
    for nome in archivio:
        assert (media_b / "pubblicazioni" / nome).read_bytes() == (media_a / "pubblicazioni" / nome).read_bytes()
    assert list(tmp_path.glob("media_b.prima-*"))  # the replaced media kept aside


def test_sqlite_round_trip_keeps_the_data_and_the_media(tmp_path):
    _round_trip(tmp_path, f"sqlite:///{tmp_path / 'a.sqlite3'}", f"sqlite:///{tmp_path / 'b.sqlite3'}")


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the suite runs on SQLite: the PostgreSQL round trip runs with DATABASE_URL=postgres://…",
)
def test_postgresql_round_trip_keeps_the_data_and_the_media(tmp_path):
    import psycopg

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    nomi = [f"seregno_perf_backup_{uuid.uuid4().hex[:8]}_{x}" for x in ("a", "b")]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        for nome in nomi:
            conn.execute(f'CREATE DATABASE "{nome}"')
    try:
        _round_trip(tmp_path, f"{base}/{nomi[0]}", f"{base}/{nomi[1]}")
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            for nome in nomi:
                conn.execute(f'DROP DATABASE IF EXISTS "{nome}" WITH (FORCE)')
