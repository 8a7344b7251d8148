"""The other process of test_avversario_processi.py: it publishes (and may be killed with
SIGKILL at a chosen step), or looks at what citizens are served and brings the files to
convergence. Run from the project's folder with DATABASE_URL, MEDIA_ROOT and PUBBLICAZIONI_ROOT
set: ``python -m tests.trasparenza.avversario_figlio <comando> [argomenti]``.

Commands (each prints one JSON line):

* ``prepara`` — migrate, load the demo (Seregno 2021 published, version 1, and 2022), then change an
  objective's title and approve the cycle again: publishing makes version 2.
* ``pubblica [--uccidi-a K] [--attesa S]`` — ``manage.py pubblica seregno 2021`` with a fast
  PDF (made in ``S`` seconds, to make two runs overlap); with ``K`` the process kills itself
  (SIGKILL, no clean-up of any kind) right before the K-th ``os.replace``, the step that puts
  a written file, a marker or the version number in place. Prints the paths renamed.
* ``verifica`` — what citizens get now (version served, queries), the PDFs on disk and those
  the database names; then ``rigenera_file_pubblicati --incompleti`` (the start-up check) and
  the same again, the files on disk; then a full ``rigenera_file_pubblicati`` (an
  uninterrupted write of the same database) and its files.
"""

import hashlib
import json
import os
import signal
import sys
import time


def _pdf_rapido(attesa=0.0):
    from trasparenza import services

    def finto(dati, archivio=True):
        time.sleep(attesa)
        return b"%PDF-1.7\n% " + dati["impronta"].encode() + b"\n%%EOF\n"

    services.render_pdf = finto


def prepara():
    from django.core.management import call_command

    from obiettivi.demo import carica_demo, carica_demo_successivo
    from obiettivi.models import Ciclo, Obiettivo

    call_command("migrate", verbosity=0)
    _pdf_rapido()
    carica_demo()
    carica_demo_successivo()  # 2021 published (version 1), and 2022, its neighbour
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
    ob = Obiettivo.objects.filter(ciclo=ciclo).order_by("codice").first()
    ob.titolo = "Titolo corretto dopo la prima pubblicazione"
    ob.save()
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=Ciclo.Stato.APPROVATA)
    return {"versioni": list(ciclo.pubblicazioni.values_list("versione", flat=True))}


def pubblica(uccidi_a=None, attesa=0.0):
    from io import StringIO

    from django.core.management import call_command

    _pdf_rapido(attesa)
    rinominati = []
    originale = os.replace

    def replace(sorgente, destinazione, *args, **kwargs):
        rinominati.append(os.path.relpath(destinazione, os.environ["MEDIA_ROOT"]))
        if uccidi_a is not None and len(rinominati) == uccidi_a:
            sys.stdout.write(json.dumps({"ucciso_prima_di": rinominati[-1]}) + "\n")
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        return originale(sorgente, destinazione, *args, **kwargs)

    os.replace = replace
    uscita = StringIO()
    call_command("pubblica", "seregno", "2021", stdout=uscita)
    return {"uscita": uscita.getvalue(), "rinominati": rinominati}


def _servito():
    """Version served at the report's URLs, and the queries each cost."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    servito = {}
    for url in ("/seregno/2021/", "/seregno/2021/dati.json", "/seregno/2021/versioni/1/"):
        with CaptureQueriesContext(connection) as query:
            risposta = client.get(url)
        corpo = b"".join(risposta.streaming_content) if risposta.streaming else risposta.content
        servito[url] = {"stato": risposta.status_code, "query": len(query),
                        "corpo": hashlib.sha256(corpo).hexdigest()}
        if url.endswith("dati.json"):
            servito[url]["versione"] = json.loads(corpo)["versione"]
        else:  # the pages link to the other versions
            for n in (1, 2):
                servito[url][f"link_v{n}"] = f'href="/seregno/2021/versioni/{n}/"' in corpo.decode()
    return servito


def _file():
    """Every file under PUBBLICAZIONI_ROOT: its bytes' hash (for the hashes beside a file,
    without the inodes they name); symbolic links as their target."""
    from django.conf import settings

    radice = settings.PUBBLICAZIONI_ROOT
    trovati = {}
    for cartella, sottocartelle, nomi in os.walk(radice):
        for nome in nomi + [s for s in sottocartelle if os.path.islink(os.path.join(cartella, s))]:
            percorso = os.path.join(cartella, nome)
            relativo = os.path.relpath(percorso, radice)
            if os.path.islink(percorso):
                trovati[relativo] = "-> " + os.readlink(percorso)
                continue
            with open(percorso, "rb") as fh:
                contenuto = fh.read()
            if nome.endswith(".etag"):
                contenuto = b"".join(r.rsplit(b" ", 1)[0] + b"\n" for r in contenuto.splitlines())
            trovati[relativo] = hashlib.sha256(contenuto).hexdigest()
    return trovati


def _pdf():
    from django.core.files.storage import default_storage

    from trasparenza.models import Pubblicazione

    try:
        su_disco = sorted(f"pubblicazioni/{n}" for n in default_storage.listdir("pubblicazioni")[1])
    except FileNotFoundError:
        su_disco = []
    return {"su_disco": su_disco,
            "nominati": sorted(Pubblicazione.objects.values_list("pdf", flat=True))}


def verifica():
    from django.core.management import call_command

    from trasparenza.models import Pubblicazione

    esito = {
        "versioni": sorted(Pubblicazione.objects.filter(
            ciclo__ente__slug="seregno", ciclo__anno=2021).values_list("versione", flat=True)),
        "prima": _servito(), "pdf_prima": _pdf(),
    }
    call_command("rigenera_file_pubblicati", "--incompleti", verbosity=0, stdout=open(os.devnull, "w"))
    esito.update(dopo=_servito(), file_dopo=_file(), pdf_dopo=_pdf())
    call_command("rigenera_file_pubblicati", verbosity=0, stdout=open(os.devnull, "w"))
    esito.update(file_riscritti=_file())
    return esito


def main(argv):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seregno_perf.settings")
    django.setup()
    comando, argomenti = argv[0], argv[1:]
    if comando == "prepara":
        esito = prepara()
    elif comando == "pubblica":
        opzioni = dict(zip(argomenti[::2], argomenti[1::2]))
        esito = pubblica(
            uccidi_a=int(opzioni["--uccidi-a"]) if "--uccidi-a" in opzioni else None,
            attesa=float(opzioni.get("--attesa", 0)),
        )
    elif comando == "verifica":
        esito = verifica()
    else:
        raise SystemExit(f"Comando sconosciuto: {comando}")
    sys.stdout.write(json.dumps(esito) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
