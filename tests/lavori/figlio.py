"""The other processes of test_worker.py: queue a publication, run a real worker (the database
backend's ``db_worker`` or RQ's ``rqworker``), look at the job and at what citizens are served.
Run from the project's folder with DATABASE_URL, MEDIA_ROOT, PUBBLICAZIONI_ROOT (and, for RQ,
TASKS_BACKEND=rq and REDIS_URL) set: ``python -m tests.lavori.figlio <comando> [argomenti]``.

Commands (each prints one JSON line at the end):

* ``accoda`` — queue the publication of Seregno 2021 (``lavori.servizi.accoda_pubblicazione``).
* ``worker [--attesa S] [--segnale FILE] [--batch]`` — a worker with a fast PDF that takes ``S``
  seconds and first creates ``FILE`` (the test knows the job is inside the publication); with
  ``--batch`` it runs what is queued and exits, otherwise it runs until killed.
* ``stato ID`` — the job (as stored, as shown), the versions, what citizens are served.
* ``riprova ID`` — queue the job again (``lavori.servizi.riprova``).
"""

import json
import os
import sys
import time
from pathlib import Path


def _pdf(attesa=0.0, segnale=None):
    from trasparenza import services

    def finto(dati, archivio=True):
        if segnale:
            Path(segnale).write_text(str(os.getpid()))
        time.sleep(attesa)
        return b"%PDF-1.7\n% " + dati["impronta"].encode() + b"\n%%EOF\n"

    services.render_pdf = finto


def _ciclo():
    from obiettivi.models import Ciclo

    return Ciclo.objects.get(ente__slug="seregno", anno=2021)


def accoda():
    from lavori import servizi

    return {"lavoro": servizi.accoda_pubblicazione(ciclo=_ciclo(), utente=None).lavoro.pk}


def worker(attesa=0.0, segnale=None, batch=False):
    from django.conf import settings
    from django.core.management import call_command

    _pdf(attesa, segnale)
    if settings.TASKS_BACKEND == "rq":
        call_command("rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job",
                     verbosity=0)
    else:
        call_command("db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2",
                     *(["--batch"] if batch else []), verbosity=0)
    return {"fine": True}


def stato(lavoro_id):
    from django_tasks import default_task_backend

    from lavori import servizi
    from lavori.models import Lavoro
    from tests.trasparenza.avversario_figlio import _servito

    lavoro = Lavoro.objects.get(pk=lavoro_id)
    risultato = default_task_backend.get_result(lavoro.id_task) if lavoro.id_task else None
    return {
        "stato": lavoro.stato, "mostrato": servizi.stato_effettivo(lavoro), "passo": lavoro.passo,
        "versione": lavoro.versione, "errore": lavoro.errore, "esito": lavoro.esito,
        "task": str(risultato.status) if risultato else None,
        "versioni": sorted(_ciclo().pubblicazioni.values_list("versione", flat=True)),
        "servito": {url: {k: v for k, v in r.items() if k != "corpo"}
                    for url, r in _servito().items()},
    }


def riprova(lavoro_id):
    from lavori import servizi
    from lavori.models import Lavoro

    return {"lavoro": servizi.riprova(Lavoro.objects.get(pk=lavoro_id), utente=None).lavoro.pk}


def main(argv):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seregno_perf.settings")
    django.setup()
    comando, argomenti = argv[0], argv[1:]
    if comando == "accoda":
        esito = accoda()
    elif comando == "worker":
        batch = "--batch" in argomenti
        argomenti = [a for a in argomenti if a != "--batch"]
        opzioni = dict(zip(argomenti[::2], argomenti[1::2]))
        esito = worker(attesa=float(opzioni.get("--attesa", 0)), segnale=opzioni.get("--segnale"),
                       batch=batch)
    elif comando == "stato":
        esito = stato(int(argomenti[0]))
    elif comando == "riprova":
        esito = riprova(int(argomenti[0]))
    else:
        raise SystemExit(f"Comando sconosciuto: {comando}")
    sys.stdout.write(json.dumps(esito) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
