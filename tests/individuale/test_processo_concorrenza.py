"""Two clicks at the same moment (two requests, two database connections): the scheda's row is
locked for the whole action, so the second waits, finds the state moved and is refused; the
action is applied and logged once."""

import datetime
import threading
import time

import pytest
from django.db import OperationalError, connection, connections

from individuale import processo

from .processo_mondo import ANNO, OGGI, S, costruisci_mondo

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_clicks_apply_once(monkeypatch):
    mondo = costruisci_mondo()
    verifica = processo._verifica

    def lenta(*args, **kwargs):  # hold the row while the other click arrives
        time.sleep(0.5)
        return verifica(*args, **kwargs)

    monkeypatch.setattr(processo, "_verifica", lenta)
    esiti = []

    def clic():
        try:
            processo.esegui(mondo.scheda, "assegna_obiettivi", mondo.valutatore, oggi=OGGI,
                            data=datetime.date(ANNO, 1, 15))
            esiti.append("applicata")
        except processo.ErroreProcesso as errore:
            esiti.append(errore.messages[0])
        except OperationalError as errore:  # SQLite: the second writer gives up («locked»)
            assert connection.vendor == "sqlite", errore
            esiti.append("bloccata")
        finally:
            connections.close_all()

    fili = [threading.Thread(target=clic) for _ in range(2)]
    for filo in fili:
        filo.start()
        time.sleep(0.1)
    for filo in fili:
        filo.join(30)
    assert sorted(esiti)[0] == "applicata" and esiti.count("applicata") == 1, esiti
    if connection.vendor == "postgresql":  # the row lock made the second wait, then refuse
        assert "la scheda è in «Colloquio iniziale: obiettivi assegnati»" in "".join(esiti)
    mondo.scheda.refresh_from_db()
    assert mondo.scheda.stato == S.COLLOQUIO_INIZIALE
    assert mondo.scheda.history.filter(
        history_change_reason__startswith=processo.AZIONI["assegna_obiettivi"].motivo).count() == 1
