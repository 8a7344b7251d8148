"""The tasks' registry: every task the workers run, in one module (the backends find a task by
its dotted path, ``lavori.tasks.<name>``). One task runs every kind of job: the job's row says
its kind, ``servizi.CORPI`` its body."""

from django_tasks import task

from . import servizi


@task()
def esegui_lavoro(lavoro_id: int) -> dict:
    """Run a ``Lavoro`` of any kind (publication, PEG import, schede PDF, reminders)."""
    return servizi.esegui(lavoro_id)
