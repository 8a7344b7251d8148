"""Background jobs (issue 17, point 2): the long work a request must not wait for — publishing
the Relazione — runs in a worker through Django's Tasks API (the ``django-tasks`` backport).

* ``models.Lavoro`` — a job as the admin shows it: queued, running with its step, done with the
  published version, failed with the Italian error, or interrupted (its worker died).
* ``servizi`` — enqueue a publication (one per cycle at a time), run it in the worker (the one
  road, ``obiettivi.workflow.ciclo_pubblica``), retry an interrupted or failed one.
* ``tasks`` — the tasks' registry: what the workers import.
* ``avanzamento`` — how the code a job runs says which step it is at.
"""
