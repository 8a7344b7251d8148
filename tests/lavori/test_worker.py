"""Real worker processes (issue 17, point 2): a worker killed with SIGKILL in the middle of a
publication leaves the previous version served and its job shown «interrotto»; retried, the
job completes and citizens get the new version. And one publication through the RQ backend on
the local Redis (database 15) with a real ``rqworker --burst``.

The processes (``figlio.py``) work on a database of their own, prepared as in
tests/trasparenza/test_avversario_processi.py (``Banca``: a SQLite file, or a scratch database
on PostgreSQL when DATABASE_URL is set): Seregno 2021 published (version 1), its data changed and
approved again, so that publishing makes version 2.
"""

import json
import os
import subprocess
import sys
import time

import pytest

from tests.trasparenza.test_avversario_processi import RADICE, Banca

DATI = "/seregno/2021/dati.json"
REDIS_TEST = "redis://127.0.0.1:6379/15"


def _figlio(ambiente, *argomenti, attendi=True):
    comando = [sys.executable, "-m", "tests.lavori.figlio", *argomenti]
    if not attendi:
        return subprocess.Popen(comando, cwd=RADICE, env=ambiente, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    risultato = subprocess.run(comando, cwd=RADICE, env=ambiente, capture_output=True, text=True,
                               timeout=600)
    assert risultato.returncode == 0, risultato.stderr[-3000:]
    return json.loads(risultato.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def banca(tmp_path_factory):
    banca = Banca(tmp_path_factory.mktemp("lavori"))
    banca.prepara()
    yield banca
    banca.chiudi()


def test_a_worker_killed_mid_publication_leaves_v1_served_and_the_retried_job_completes(
        banca, tmp_path):
    ambiente = banca.copia("uccisa")
    lavoro = _figlio(ambiente, "accoda")["lavoro"]
    assert _figlio(ambiente, "stato", str(lavoro))["stato"] == "in_coda"
    segnale = tmp_path / "pdf-iniziato"
    worker = _figlio(ambiente, "worker", "--attesa", "120", "--segnale", str(segnale),
                     attendi=False)
    try:
        limite = time.monotonic() + 120
        while not segnale.exists():  # the worker is rendering the PDF, inside the publication
            assert worker.poll() is None, worker.stderr.read()[-3000:]
            assert time.monotonic() < limite, "il worker non ha iniziato la pubblicazione"
            time.sleep(0.2)
        durante = _figlio(ambiente, "stato", str(lavoro))
        assert (durante["stato"], durante["mostrato"]) == ("in_corso", "in_corso")
        assert durante["servito"][DATI]["versione"] == 1
    finally:
        worker.kill()  # SIGKILL: no clean-up of any kind
        worker.wait(timeout=60)
    assert worker.returncode == -9

    dopo = _figlio(ambiente, "stato", str(lavoro))
    # still «in corso» in the database, shown «interrotto»; citizens keep version 1
    assert (dopo["stato"], dopo["mostrato"]) == ("in_corso", "interrotto")
    assert dopo["versioni"] == [1]
    assert dopo["servito"][DATI]["stato"] == 200 and dopo["servito"][DATI]["versione"] == 1

    nuovo = _figlio(ambiente, "riprova", str(lavoro))["lavoro"]
    assert nuovo != lavoro
    assert _figlio(ambiente, "stato", str(lavoro))["stato"] == "interrotto"
    _figlio(ambiente, "worker", "--batch")
    fatto = _figlio(ambiente, "stato", str(nuovo))
    assert (fatto["stato"], fatto["versione"], fatto["task"]) == ("completato", 2, "SUCCESSFUL")
    assert fatto["esito"] == "Pubblicata la versione 2."
    assert fatto["versioni"] == [1, 2]
    assert fatto["servito"][DATI]["versione"] == 2
    assert all(r["query"] == 0 for r in fatto["servito"].values()), fatto["servito"]  # files


def _redis_vuoto():
    import redis

    connessione = redis.Redis.from_url(REDIS_TEST)
    connessione.flushdb()  # database 15 is the tests' own
    return connessione


def test_a_publication_through_the_rq_backend_with_a_real_rqworker(banca):
    _redis_vuoto().ping()  # Redis runs on these machines and in CI: no skip
    ambiente = dict(banca.copia("rq"), TASKS_BACKEND="rq", REDIS_URL=REDIS_TEST)
    lavoro = _figlio(ambiente, "accoda")["lavoro"]
    in_coda = _figlio(ambiente, "stato", str(lavoro))
    assert (in_coda["stato"], in_coda["task"]) == ("in_coda", "READY")
    _figlio(ambiente, "worker")  # rqworker --burst: runs what is queued, then exits
    fatto = _figlio(ambiente, "stato", str(lavoro))
    assert (fatto["stato"], fatto["versione"], fatto["task"]) == ("completato", 2, "SUCCESSFUL")
    assert fatto["versioni"] == [1, 2] and fatto["servito"][DATI]["versione"] == 2
    _redis_vuoto()
