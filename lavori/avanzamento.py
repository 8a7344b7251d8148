"""The step a job is at, said by the code it runs (``passo("PDF")``) without knowing about jobs:
outside a job ``passo`` does nothing; inside one (``riportando``) it reaches the job's reporter,
which writes it where the admin reads it (``servizi.Battito``)."""

from contextlib import contextmanager
from contextvars import ContextVar

_riporta = ContextVar("lavori_riporta", default=None)


def passo(testo: str) -> None:
    funzione = _riporta.get()
    if funzione is not None:
        funzione(testo)


@contextmanager
def riportando(funzione):
    token = _riporta.set(funzione)
    try:
        yield
    finally:
        _riporta.reset(token)
