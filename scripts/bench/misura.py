"""One benchmark measurement in its own process (so that peak memory is this N's own).

    DATABASE_URL=… .venv/bin/python scripts/bench/misura.py --obiettivi N [--pdf] [--ripetizioni R]
    DATABASE_URL=… .venv/bin/python scripts/bench/misura.py --seregno
    DATABASE_URL=… .venv/bin/python scripts/bench/misura.py --solo-pdf N
    DATABASE_URL=… .venv/bin/python scripts/bench/misura.py --importazione N | --importazione-lavoro N

``--solo-pdf N`` measures only the Relazione's PDF of N objectives: the data are computed here,
then the PDF is rendered in a child process, so that its wall time and peak RSS are the
render's own (``RUSAGE_CHILDREN``); it prints pages, bytes and the render path taken.

Prints one JSON object on the last line of stdout. Called by ``scripts/bench/bench.py``
(``make bench``); runnable alone. It writes the synthetic cycle ``bench-N``/2021 (replacing it)
and a publication without PDF for it, in whatever database DATABASE_URL names.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

RADICE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(RADICE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seregno_perf.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from obiettivi.synthetic import genera_ciclo  # noqa: E402
from trasparenza.models import Pubblicazione  # noqa: E402
from trasparenza.report import relazione_dati  # noqa: E402
from trasparenza.services import file_pubblicati_scrivi, render_corpo, render_pdf  # noqa: E402
from valutazione.queries import risultati_ciclo  # noqa: E402

ANNO = 2021


def misura(funzione, volte):
    """(queries of the first run, median seconds over ``volte`` runs, last result)."""
    tempi = []
    connection.queries_log.clear()  # a full log (maxlen 9,000) would count nothing
    with CaptureQueriesContext(connection) as query:
        inizio = time.perf_counter()
        risultato = funzione()
        tempi.append(time.perf_counter() - inizio)
    n_query = len(query)  # now: the captured slice is read from the live log
    for _ in range(volte - 1):
        inizio = time.perf_counter()
        risultato = funzione()
        tempi.append(time.perf_counter() - inizio)
    return n_query, statistics.median(tempi), risultato


def get(client, url):
    def chiama():
        risposta = client.get(url)
        assert risposta.status_code == 200, (url, risposta.status_code)
        return b"".join(risposta) if risposta.streaming else risposta.content
    return chiama


def pubblica_senza_pdf(ciclo, dati):
    """A publication as ``workflow.ciclo_pubblica`` writes it, minus the PDF (measured apart)."""
    dati = dict(dati, versione=1)
    pubblicazione = Pubblicazione.objects.create(
        ciclo=ciclo, versione=1, impronta=dati["impronta"], dati=dati, html=render_corpo(dati)
    )
    return pubblicazione


def _peg_sintetico(n):
    """The PEG workbook (XLSX) exported from a synthetic cycle of ``n`` objectives (with its
    areas, tree, indicators, phases, barometro, financial indicators), and an empty cycle to
    import it into. None when the PEG import (obiettivi.peg) is not there."""
    try:
        from obiettivi.peg.esporta import esporta_workbook
        from obiettivi.peg.importa import ciclo_per_importazione
    except ImportError:
        return None
    sorgente = genera_ciclo(ente_slug=f"bench-peg-{n}", anno=ANNO, n_obiettivi=n, seme=2,
                            forza=True)
    contenuto = esporta_workbook(ciclo=sorgente, formato="xlsx")
    destinazione, _ = ciclo_per_importazione(ente=f"bench-import-{n}", anno=ANNO, crea=True)
    return contenuto, destinazione


def misura_importazione(n):
    """Import the synthetic PEG workbook of ``n`` objectives into an empty cycle."""
    import io

    from obiettivi.synthetic import _ciclo_elimina

    peg = _peg_sintetico(n)
    if peg is None:
        return None
    from obiettivi.peg.importa import importa_workbook

    contenuto, destinazione = peg
    file = io.BytesIO(contenuto)
    file.name = f"peg-{n}.xlsx"
    inizio = time.perf_counter()
    esito = importa_workbook(file=file, ciclo=destinazione)
    durata = time.perf_counter() - inizio
    if not esito.ok:
        raise RuntimeError("; ".join(str(e) for e in esito.errori[:5]))
    righe = sum(c.totale for c in esito.conteggi.values())
    _ciclo_elimina(destinazione)
    return {"s": durata, "righe_obiettivi": esito.conteggi["obiettivi"].totale, "righe": righe,
            "byte": len(contenuto)}


def misura_importazione_lavoro(n):
    """The same import as the admin runs it for a large file: the upload stored, the preview
    job, then the confirmation job, each run as the worker runs it (``lavori.servizi.esegui``,
    queue wait excluded), as a superuser."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from lavori import servizi
    from lavori.models import Lavoro
    from obiettivi.synthetic import _ciclo_elimina

    peg = _peg_sintetico(n)
    if peg is None:
        return None
    from obiettivi.peg import caricati, lavoro

    contenuto, destinazione = peg
    utente = get_user_model().objects.filter(is_superuser=True, is_active=True).first() or \
        get_user_model().objects.create_superuser("bench-importazione", password=None)
    inizio = time.perf_counter()
    percorso = caricati.caricato_salva(SimpleUploadedFile(f"peg-{n}.xlsx", contenuto))
    in_background = caricati.in_background(percorso)
    anteprima = lavoro.anteprima_accoda(ciclo=destinazione, utente=utente, percorso=percorso,
                                        foglio=None).lavoro
    richiesta = time.perf_counter() - inizio
    tempi = {}
    for nome, job in (("anteprima", anteprima), ("conferma", None)):
        if job is None:
            job = lavoro.conferma_accoda(anteprima=anteprima, utente=utente).lavoro
        inizio = time.perf_counter()
        servizi.esegui(job.pk)
        tempi[nome] = time.perf_counter() - inizio
        job.refresh_from_db()
        if job.stato != Lavoro.Stato.COMPLETATO or not job.risultato.get("ok"):
            raise RuntimeError(f"{nome}: {job.errore or job.esito}")
        anteprima.refresh_from_db()
    Lavoro.objects.filter(pk__in=[anteprima.pk, anteprima.risultato["conferma"]]).delete()
    _ciclo_elimina(destinazione)
    return {"richiesta_s": richiesta, "in_background": in_background,
            "anteprima_s": tempi["anteprima"], "conferma_s": tempi["conferma"],
            "righe": job.risultato["n_modifiche"], "byte": len(contenuto)}


def misura_obiettivi(n, *, pdf, ripetizioni):
    risultato = {"obiettivi": n}
    slug = f"bench-{n}"
    # A publication PROTECTs its cycle and refuses delete(): in this benchmark-only database,
    # a previous run's snapshot goes with a raw DELETE before the cycle is replaced.
    vecchie = Pubblicazione.objects.filter(ciclo__ente__slug=slug, ciclo__anno=ANNO)
    if vecchie.exists():
        vecchie._raw_delete(vecchie.db)  # noqa: SLF001
    inizio = time.perf_counter()
    ciclo = genera_ciclo(ente_slug=slug, anno=ANNO, n_obiettivi=n, seme=1, forza=True)
    risultato["genera_s"] = time.perf_counter() - inizio

    q, t, _ = misura(lambda: risultati_ciclo(ciclo), ripetizioni)
    risultato["scoring"] = {"query": q, "s": t}
    q, t, dati = misura(lambda: relazione_dati(ciclo), ripetizioni)
    risultato["relazione_dati"] = {"query": q, "s": t}
    pubblica_senza_pdf(ciclo, dati)
    # what workflow.ciclo_pubblica does once committed: the files citizens are served
    inizio = time.perf_counter()
    scritti = file_pubblicati_scrivi(ciclo=ciclo, forza=True)
    risultato["file_pubblicati"] = {"s": time.perf_counter() - inizio, "file": len(scritti)}

    client = Client(HTTP_HOST="127.0.0.1")
    q, t, corpo = misura(get(client, f"/{slug}/{ANNO}/"), ripetizioni)
    risultato["pagina"] = {"query": q, "s": t, "byte": len(corpo)}
    q, t, corpo = misura(get(client, f"/{slug}/{ANNO}/dati.json"), ripetizioni)
    risultato["dati_json"] = {"query": q, "s": t, "byte": len(corpo)}
    codice = ciclo.obiettivi.order_by("codice").values_list("codice", flat=True).first()
    q, t, corpo = misura(get(client, f"/{slug}/{ANNO}/obiettivi/{codice}/"), ripetizioni)
    risultato["pagina_obiettivo"] = {"query": q, "s": t, "byte": len(corpo)}

    admin = get_user_model().objects.filter(username="bench-admin").first()
    if admin is None:
        admin = get_user_model().objects.create_superuser("bench-admin", "", None)
    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(admin)
    staff.get("/admin/")  # warm the session and content types
    q, t, _ = misura(get(staff, f"/admin/obiettivi/obiettivo/?ciclo={ciclo.pk}"), ripetizioni)
    risultato["admin_elenco"] = {"query": q, "s": t}

    if pdf:
        inizio = time.perf_counter()
        contenuto = render_pdf(dati)
        risultato["pdf"] = {"s": time.perf_counter() - inizio, "byte": len(contenuto)}
    risultato["memoria_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return risultato


def misura_seregno():
    from obiettivi.demo import carica_demo
    from obiettivi.models import Ciclo

    carica_demo()
    ciclo = Ciclo.objects.get(ente__slug="seregno", anno=ANNO)
    dati = relazione_dati(ciclo)
    dati["versione"] = 1
    esito = {}
    for nome, archivio in (("pdf_a3u", True), ("pdf_semplice", False)):
        inizio = time.perf_counter()
        contenuto = render_pdf(dati, archivio=archivio)
        esito[nome] = {"s": time.perf_counter() - inizio, "byte": len(contenuto)}
    return esito


def misura_solo_pdf(n):
    """The PDF of a synthetic cycle of ``n`` objectives, rendered by a child process."""
    import subprocess
    import tempfile

    from trasparenza import queries

    slug = f"bench-{n}"
    vecchie = Pubblicazione.objects.filter(ciclo__ente__slug=slug, ciclo__anno=ANNO)
    if vecchie.exists():
        vecchie._raw_delete(vecchie.db)  # noqa: SLF001
    inizio = time.perf_counter()
    from obiettivi.models import Ciclo

    ciclo = Ciclo.objects.filter(ente__slug=slug, anno=ANNO).first()
    if ciclo is None or ciclo.obiettivi.count() != n:  # the same seed gives the same cycle
        ciclo = genera_ciclo(ente_slug=slug, anno=ANNO, n_obiettivi=n, seme=1, forza=True)
    genera_s = time.perf_counter() - inizio
    dati = relazione_dati(ciclo)
    dati["versione"] = 1
    dati["pubblicata_il"] = "2022-06-30T10:00:00+02:00"
    dati["validazione"] = queries.validazione_per_dati(ciclo)
    with tempfile.TemporaryDirectory() as cartella:
        entrata = Path(cartella) / "dati.json"
        uscita = Path(cartella) / "relazione.pdf"
        entrata.write_text(json.dumps(dati), encoding="utf-8")
        inizio = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--rendi-pdf", str(entrata), str(uscita)],
                       check=True)
        durata = time.perf_counter() - inizio
        figlio = resource.getrusage(resource.RUSAGE_CHILDREN)
        from pypdf import PdfReader

        lettore = PdfReader(str(uscita))
        return {"obiettivi": n, "genera_s": genera_s,
                "pdf": {"s": durata, "picco_rss_mb": figlio.ru_maxrss / 1024,
                        "cpu_s": figlio.ru_utime + figlio.ru_stime,
                        "pagine": len(lettore.pages), "byte": uscita.stat().st_size,
                        "segnalibri": len(lettore.outline)},
                "carico_medio": os.getloadavg()}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--obiettivi", type=int)
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--ripetizioni", type=int, default=3)
    parser.add_argument("--seregno", action="store_true")
    parser.add_argument("--importazione", type=int, metavar="N",
                        help="only the PEG import of N objectives")
    parser.add_argument("--importazione-lavoro", type=int, metavar="N",
                        help="the PEG import of N objectives as background jobs (preview, confirmation)")
    parser.add_argument("--solo-pdf", type=int, metavar="N",
                        help="only the Relazione's PDF of N objectives (rendered by a child)")
    parser.add_argument("--rendi-pdf", nargs=2, metavar=("DATI_JSON", "PDF"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rendi_pdf:
        entrata, uscita = args.rendi_pdf
        Path(uscita).write_bytes(render_pdf(json.loads(Path(entrata).read_text("utf-8"))))
        return
    if args.solo_pdf:
        esito = misura_solo_pdf(args.solo_pdf)
    elif args.seregno:
        esito = misura_seregno()
    elif args.importazione:
        esito = {"importazione": misura_importazione(args.importazione)}
    elif args.importazione_lavoro:
        esito = {"importazione_lavoro": misura_importazione_lavoro(args.importazione_lavoro)}
    else:
        esito = misura_obiettivi(args.obiettivi, pdf=args.pdf, ripetizioni=args.ripetizioni)
    esito["database"] = connection.vendor
    print(json.dumps(esito))


if __name__ == "__main__":
    main()
