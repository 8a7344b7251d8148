"""Running the queued jobs inside a test: the database backend's own worker (``db_worker
--batch``) in this process, on the test's database and transaction. Its check for stale
connections is left out (inside a test's transaction it would close the connection), and the
heartbeat thread too (``LAVORI_BATTITO = 0``: another connection would not see the test's rows).
The real worker, in its own process, is in test_worker.py."""

import signal
from io import StringIO

from django.core.management import call_command
from django.test import override_settings


SEGNALI = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


def esegui_coda(monkeypatch):
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections",
                        lambda: None)
    gestori = {s: signal.getsignal(s) for s in SEGNALI}  # the worker installs its own
    try:
        with override_settings(LAVORI_BATTITO=0):
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload",
                         verbosity=0, stdout=StringIO())
    finally:
        for segnale, gestore in gestori.items():
            signal.signal(segnale, gestore)
