"""The tasks' registry: every task the workers run, in one module (the backends find a task by
its dotted path, ``lavori.tasks.<name>``). A task's body lives in ``servizi``."""

from django_tasks import task

from . import servizi


@task()
def pubblica_relazione(lavoro_id: int) -> dict:
    """Publish a cycle's Relazione (a ``Lavoro`` of type «pubblicazione»)."""
    return servizi.esegui_pubblicazione(lavoro_id)
