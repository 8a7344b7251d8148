"""``make bench-enti``: many enti on one database (issue 17, point 4).

    .venv/bin/python scripts/bench/enti.py [--enti 100] [--obiettivi 1000] [--campione N]
        [--ripetizioni 3] [--database postgres|sqlite] [--json FILE] [--conserva]

Two dedicated databases, created, migrated and dropped by the script (PostgreSQL
``seregno_perf_bench1`` and ``seregno_perf_bench100`` on BENCH_PG, or two temporary SQLite
files): one with ONE ente of ``--obiettivi`` objectives, one with ``--enti`` enti of
``--obiettivi`` objectives each (``genera_ciclo``, bulk, one year). The measured ente is
``ente-001`` with the same seed in both, so every difference comes from the other enti. On each
database, in a process of its own (``--interno``), with the helpers of ``misura.py``:

- generation time, rows, database size;
- the public home ``/`` (whatever it is), the ente's published page, ``dati.json`` and an
  objective page (served as files: 0 queries);
- the admin changelist of objectives and an objective's change page as a dirigente of one area,
  the changelist as an Amministratore;
- scoring one ente (``risultati_ciclo``);
- ``EXPLAIN`` of the changelist's querysets (page and count) for the dirigente, the
  Amministratore, the Nucleo of the ente and a Nucleo of every ente (in forma associata: the
  list it opens on, one cycle, and the explicit «Tutti i cicli»): does it read
  ``obiettivi_obiettivo`` with a sequential scan? does the first page sort every row it sees?
- on the many-enti database, publication throughput: EVERY ente published, the first third with
  1 worker and the other two thirds with 2 (each phase about as long), or with ``--campione N``
  only N enti with 1 worker and the next N with 2 — through the background jobs' worker (``manage.py db_worker
  --batch``) when the ``lavori`` app is installed, else through 1 and 2 parallel processes of
  ``manage.py pubblica``. Full publications (data, files, PDF).

Query counts: the first run; times: median of ``--ripetizioni`` runs. Prints a table.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

RADICE = Path(__file__).resolve().parents[2]
QUI = Path(__file__).resolve().parent
PY = sys.executable
PG_BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
ANNO = 2021
ENTE_MISURATO = "ente-001"
TUTTI = -1  # --campione: publish every ente


def slug_ente(i):
    return f"ente-{i:03d}"


# --- the orchestrator (no Django here: each database is measured in its own process) --------

def _pg(sql):
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(sql)


class Database:
    """A dedicated database named ``nome``, created on enter and dropped on exit (unless kept)."""

    def __init__(self, tipo, nome, conserva=False):
        self.tipo, self.nome, self.conserva = tipo, nome, conserva

    def __enter__(self):
        self.media = tempfile.mkdtemp(prefix=f"{self.nome}-media-")
        if self.tipo == "sqlite":
            self.cartella = tempfile.mkdtemp(prefix=f"{self.nome}-")
            self.url = f"sqlite:///{self.cartella}/bench.sqlite3"
        else:
            _pg(f'DROP DATABASE IF EXISTS "{self.nome}" WITH (FORCE)')
            _pg(f'CREATE DATABASE "{self.nome}"')
            self.url = f"{PG_BASE}/{self.nome}"
        return self

    def __exit__(self, *exc):
        if self.conserva:
            print(f"bench-enti: conservato {self.url} (MEDIA_ROOT {self.media})", file=sys.stderr)
            return
        shutil.rmtree(self.media, ignore_errors=True)
        if self.tipo == "sqlite":
            shutil.rmtree(self.cartella, ignore_errors=True)
        else:
            _pg(f'DROP DATABASE IF EXISTS "{self.nome}" WITH (FORCE)')


def misura_database(tipo, nome, *, enti, obiettivi, campione, ripetizioni, conserva):
    with Database(tipo, nome, conserva) as db:
        env = dict(os.environ, DATABASE_URL=db.url, MEDIA_ROOT=db.media, DEBUG="1")
        inizio = time.perf_counter()
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=RADICE, env=env,
                       check=True)
        migrate_s = time.perf_counter() - inizio
        print(f"bench-enti [{nome}]: {enti} {'ente' if enti == 1 else 'enti'} × {obiettivi} obiettivi…", file=sys.stderr,
              flush=True)
        esito = subprocess.run(
            [PY, str(Path(__file__).resolve()), "--interno", "--enti", str(enti), "--obiettivi",
             str(obiettivi), "--campione", str(campione), "--ripetizioni", str(ripetizioni)],
            cwd=RADICE, env=env, capture_output=True, text=True)
        if esito.returncode != 0:
            sys.stderr.write(esito.stdout[-3000:] + esito.stderr[-6000:])
            raise SystemExit(f"bench-enti: la misura su {nome} è fallita "
                             f"(codice {esito.returncode})")
        risultato = json.loads(esito.stdout.strip().splitlines()[-1])
        risultato["migrate_s"] = migrate_s
        return risultato


# --- the measuring process (Django set up on the database DATABASE_URL names) ----------------

def genera(enti, obiettivi, *, da=1):
    """Enti ``da``…``enti`` (synthetic, seed = their number) of ``obiettivi`` objectives each,
    approved by the Giunta so that they can be published. Returns the seconds taken."""
    from obiettivi.models import Ciclo, Ente
    from obiettivi.synthetic import genera_ciclo

    inizio = time.perf_counter()
    for i in range(da, enti + 1):
        genera_ciclo(ente_slug=slug_ente(i), anno=ANNO, n_obiettivi=obiettivi, seme=i, forza=True)
        if i % 10 == 0:
            print(f"  {i}/{enti} enti generati ({time.perf_counter() - inizio:.0f} s)",
                  file=sys.stderr, flush=True)
    Ciclo.objects.filter(stato=Ciclo.Stato.VALIDAZIONE).update(stato=Ciclo.Stato.APPROVATA)
    if any(f.name == "provincia" for f in Ente._meta.fields):  # the home for many enti
        province = ["MB", "MI", "CO", "LC", "VA", "BG", "BS", "PV", "CR", "LO"]
        for ente in Ente.objects.filter(provincia=""):
            ente.provincia = province[ente.pk % len(province)]
            ente.save(update_fields=["provincia"])
    return time.perf_counter() - inizio


def utenti(ciclo):
    """The users of the admin measures, for the measured ente's cycle: a dirigente of its first
    area (and its services), an Amministratore and a Nucleo member of its ente — through the
    ente's incarichi when the enti have them (``permessi.assegna``, issue 17 point 1), else
    through the roles' groups, which see every ente — and a Nucleo of every ente (in forma
    associata)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from obiettivi import permessi

    permessi.ruoli_allinea()
    Utente = get_user_model()
    creati = {}
    for chiave, ruolo in (("dirigente", permessi.DIRIGENTE),
                          ("amministratore", permessi.AMMINISTRATORE),
                          ("nucleo", permessi.NUCLEO)):
        utente, _ = Utente.objects.get_or_create(username=f"bench-{chiave}",
                                                 defaults={"is_staff": True})
        if chiave != "dirigente" and hasattr(permessi, "assegna"):
            permessi.assegna(utente, ciclo.ente, ruolo)
        else:
            utente.groups.add(Group.objects.get(name=ruolo))
        creati[chiave] = utente
    associato, _ = Utente.objects.get_or_create(username="bench-nucleo-associato", defaults={"is_staff": True})
    if hasattr(permessi, "assegna"):
        from obiettivi.models import Ente

        for ente in Ente.objects.all():
            permessi.assegna(associato, ente, permessi.NUCLEO)
    else:
        associato.groups.add(Group.objects.get(name=permessi.NUCLEO))
    creati["nucleo_associato"] = associato
    area = ciclo.aree.filter(parent=None).order_by("ordine").first()
    area.dirigenti.add(creati["dirigente"])
    return creati, area


def spiega(user, percorso):
    """EXPLAIN of the querysets the objectives' changelist runs for ``user`` (the first page and
    all its rows, as the count reads them): the plans' text, whether they read every ente's
    objectives sequentially, and whether the first page sorts the rows it selects (instead of
    reading them from an index in the list's order) — on PostgreSQL, how many rows the planner
    expects to sort (one cycle's, or every row the user sees)."""
    from django.contrib import admin
    from django.db import connection
    from django.test import RequestFactory

    from obiettivi.models import Obiettivo

    modello_admin = admin.site._registry[Obiettivo]  # noqa: SLF001
    richiesta = RequestFactory().get(percorso, HTTP_HOST="127.0.0.1")
    richiesta.user = user
    elenco = modello_admin.get_changelist_instance(richiesta)
    piani = {
        "pagina": elenco.queryset[:elenco.list_per_page].explain(),
        "tutte": elenco.queryset.explain(),
    }
    tabella = Obiettivo._meta.db_table
    if connection.vendor == "postgresql":
        segno = f"Seq Scan on {tabella}"
        scansioni = {k: segno in p for k, p in piani.items()}
        ordinamento = re.search(r"\bSort\s+\(cost=[\d.]+\.\.[\d.]+ rows=(\d+)", piani["pagina"])
        ordina = ordinamento is not None
        righe_ordinate = int(ordinamento.group(1)) if ordinamento else 0
    else:  # SQLite: «SCAN t» reads the whole table, «SEARCH t USING INDEX …» does not
        segno = re.compile(rf"\bSCAN {tabella}\b")
        scansioni = {k: bool(segno.search(p)) for k, p in piani.items()}
        ordina = "TEMP B-TREE FOR ORDER BY" in piani["pagina"]
        righe_ordinate = None  # SQLite's plan gives no estimate
    return {"piani": piani, "scansione_sequenziale": scansioni, "ordina": ordina,
            "righe_ordinate": righe_ordinate}


def pubblica_con(n_worker, slugs):
    """Publish the cycles of ``slugs`` with ``n_worker`` workers; seconds from the first queued
    to the last published, and how it was done."""
    from django.apps import apps
    from django.db import connection

    from obiettivi.models import Ciclo

    env = dict(os.environ)
    inizio = time.perf_counter()
    if apps.is_installed("lavori"):
        from lavori.models import Lavoro
        from lavori.servizi import accoda_pubblicazione

        lavori = [accoda_pubblicazione(ciclo=Ciclo.objects.get(ente__slug=s, anno=ANNO),
                                       utente=None).lavoro.pk for s in slugs]
        connection.close()
        processi = [subprocess.Popen(
            [PY, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay",
             "--interval", "0.2", "-v0"], cwd=RADICE, env=env) for _ in range(n_worker)]
        for processo in processi:
            processo.wait()
        durata = time.perf_counter() - inizio
        falliti = Lavoro.objects.filter(pk__in=lavori).exclude(stato=Lavoro.Stato.COMPLETATO)
        if falliti.exists():
            raise RuntimeError("pubblicazioni non completate: " + "; ".join(
                f"{l.ciclo}: {l.stato} {l.errore}" for l in falliti))
        modo = "worker dei lavori (manage.py db_worker)"
    else:
        connection.close()

        def pubblica(slug):
            subprocess.run([PY, "manage.py", "pubblica", slug, str(ANNO)], cwd=RADICE, env=env,
                           check=True, capture_output=True)

        with ThreadPoolExecutor(n_worker) as pool:
            list(pool.map(pubblica, slugs))
        durata = time.perf_counter() - inizio
        modo = "processi paralleli di manage.py pubblica"
    import resource

    return {"worker": n_worker, "pubblicazioni": len(slugs), "s": durata, "modo": modo,
            "al_minuto": len(slugs) * 60 / durata,
            # the largest child so far (Linux: KiB): a worker, PDF included
            "rss_max_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "carico": os.getloadavg()[0]}


def _prepara_django():
    sys.path.insert(0, str(QUI))
    sys.path.insert(0, str(RADICE))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seregno_perf.settings")
    import misura  # noqa: F401 — sets Django up on DATABASE_URL


def misura_ente(ripetizioni):
    """The measures on the measured ente (published), whatever else the database holds."""
    from django.db import connection
    from django.test import Client
    from misura import get, misura

    from obiettivi.models import Ciclo, Fase, Indicatore, Obiettivo
    from valutazione.queries import risultati_ciclo

    r = {"enti": Ciclo.objects.values("ente").distinct().count(), "database": connection.vendor,
         "righe": {"obiettivi": Obiettivo.objects.count(),
                   "indicatori": Indicatore.objects.count(), "fasi": Fase.objects.count()}}
    ciclo = Ciclo.objects.select_related("ente").get(ente__slug=ENTE_MISURATO, anno=ANNO)
    utente, area = utenti(ciclo)
    client = Client(HTTP_HOST="127.0.0.1")
    base = f"/{ENTE_MISURATO}/{ANNO}"
    codice = ciclo.obiettivi.order_by("codice").values_list("codice", flat=True).first()
    pagine = {"home": "/", "pagina": f"{base}/", "dati_json": f"{base}/dati.json",
              "pagina_obiettivo": f"{base}/obiettivi/{codice}/"}
    for chiave, url in pagine.items():
        q, t, corpo = misura(get(client, url), ripetizioni)
        r[chiave] = {"query": q, "s": t, "byte": len(corpo)}

    aree = [area.pk, *area.get_descendants().values_list("pk", flat=True)]
    suo = ciclo.obiettivi.filter(area__in=aree).order_by("codice").first()
    elenco = "/admin/obiettivi/obiettivo/"
    elenchi = {"dirigente": elenco, "amministratore": f"{elenco}?ciclo={ciclo.pk}"}
    for ruolo, url in elenchi.items():
        staff = Client(HTTP_HOST="127.0.0.1")
        staff.force_login(utente[ruolo])
        staff.get("/admin/")  # warm the session and content types
        q, t, _ = misura(get(staff, url), ripetizioni)
        r[f"admin_elenco_{ruolo}"] = {"query": q, "s": t}
        q, t, _ = misura(get(staff, f"{elenco}{suo.pk}/change/"), ripetizioni)
        r[f"admin_scheda_{ruolo}"] = {"query": q, "s": t}
    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(utente["amministratore"])
    staff.get("/admin/")
    q, t, _ = misura(get(staff, elenco), ripetizioni)
    r["admin_elenco_amministratore_tutti"] = {"query": q, "s": t}
    r["explain"] = {
        "dirigente": spiega(utente["dirigente"], elenco),
        "amministratore_ente": spiega(utente["amministratore"], elenchi["amministratore"]),
        "amministratore_tutti": spiega(utente["amministratore"], elenco),
        "nucleo_tutti": spiega(utente["nucleo"], elenco),
        "nucleo_associato": spiega(utente["nucleo_associato"], _dove_apre(utente["nucleo_associato"], elenco)),
        "nucleo_associato_tutti": spiega(utente["nucleo_associato"], f"{elenco}?ciclo=tutti"),
    }

    q, t, _ = misura(lambda: risultati_ciclo(ciclo), ripetizioni)
    r["scoring"] = {"query": q, "s": t}

    with connection.cursor() as cursore:
        if connection.vendor == "postgresql":
            cursore.execute("SELECT pg_database_size(current_database())")
            r["byte_database"] = cursore.fetchone()[0]
        else:
            nome = connection.settings_dict["NAME"]
            r["byte_database"] = os.path.getsize(nome) if os.path.exists(str(nome)) else 0
    return r


def _dove_apre(user, elenco):
    """Where the objectives' list opens for ``user`` asked without filters: the cycle it is
    sent to (one cycle for whoever sees more than one ente), or the list itself."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    risposta = client.get(elenco)
    return risposta["Location"] if risposta.status_code == 302 else elenco


def misura_interna(enti, obiettivi, campione, ripetizioni):
    """Generate, publish (the sample with 1 and 2 workers, ente-001 among the first; or ente-001
    alone in this process), measure."""
    _prepara_django()
    from obiettivi.models import Ciclo
    from obiettivi.workflow import ciclo_pubblica

    genera_s = genera(enti, obiettivi)
    slugs = [slug_ente(i) for i in range(1, enti + 1)]
    pubblicazione = {}
    if campione == TUTTI and enti >= 3:  # all: a third with 1 worker, the rest with 2
        terzo = -(-enti // 3)
        pubblicazione["pubblicazione"] = [pubblica_con(1, slugs[:terzo]),
                                          pubblica_con(2, slugs[terzo:])]
    elif campione > 0 and enti >= 2 * campione:
        pubblicazione["pubblicazione"] = [pubblica_con(1, slugs[:campione]),
                                          pubblica_con(2, slugs[campione:2 * campione])]
    else:
        inizio = time.perf_counter()
        ciclo_pubblica(ciclo=Ciclo.objects.get(ente__slug=ENTE_MISURATO, anno=ANNO), utente=None)
        pubblicazione["pubblicazione_singola_s"] = time.perf_counter() - inizio
    r = misura_ente(ripetizioni)
    r.update(pubblicazione, genera_s=genera_s, obiettivi_per_ente=obiettivi)
    return r


# --- the table ---------------------------------------------------------------------------------

def _ms(s):
    from seregno_perf.formati import numero

    return f"{numero(s * 1000, 0)} ms" if s < 1 else f"{numero(s, 2)} s"


VOCI = [
    ("home pubblica (/)", "home"),
    ("pagina della relazione di un ente", "pagina"),
    ("dati.json di un ente", "dati_json"),
    ("pagina di un obiettivo", "pagina_obiettivo"),
    ("admin: elenco obiettivi (dirigente)", "admin_elenco_dirigente"),
    ("admin: scheda di un obiettivo (dirigente)", "admin_scheda_dirigente"),
    ("admin: elenco obiettivi del suo ente (Amministratore)", "admin_elenco_amministratore"),
    ("admin: scheda di un obiettivo (Amministratore)", "admin_scheda_amministratore"),
    ("admin: elenco obiettivi senza filtro (Amministratore)", "admin_elenco_amministratore_tutti"),
    ("scoring di un ente (risultati_ciclo)", "scoring"),
]

SPIEGAZIONI = [
    ("dirigente", "dirigente"),
    ("amministratore_ente", "Amministratore, ?ciclo= del suo ente"),
    ("amministratore_tutti", "Amministratore, senza filtro"),
    ("nucleo_tutti", "Nucleo, senza filtro"),
    ("nucleo_associato", "Nucleo di tutti gli enti, senza filtro (apre un ciclo)"),
    ("nucleo_associato_tutti", "Nucleo di tutti gli enti, ?ciclo=tutti"),
]


def tabella(uno, molti):
    from seregno_perf.formati import dimensione_file, numero

    n = numero
    intestazione = ["misura", f"1 ente × {n(uno['obiettivi_per_ente'], 0)}",
                    f"{n(molti['enti'], 0)} enti × {n(molti['obiettivi_per_ente'], 0)}",
                    "query uguali"]
    righe = []
    for etichetta, chiave in VOCI:
        a, b = uno[chiave], molti[chiave]
        righe.append([etichetta, f"{a['query']} q, {_ms(a['s'])}", f"{b['query']} q, {_ms(b['s'])}",
                      "sì" if a["query"] == b["query"] else "NO"])
    for chiave, nome in SPIEGAZIONI:
        for parte, quale in (("pagina", "prima pagina"), ("tutte", "tutte le righe")):
            celle = []
            for r in (uno, molti):
                spiegazione = r["explain"][chiave]
                cella = "scansione sequenziale" if spiegazione["scansione_sequenziale"][parte] else "indici"
                if parte == "pagina" and spiegazione.get("ordina"):
                    ordinate = spiegazione.get("righe_ordinate")
                    cella += f" + Sort di ≈ {n(ordinate, 0)} righe" if ordinate else " + Sort"
                celle.append(cella)
            righe.append([f"EXPLAIN elenco, {nome}, {quale}", *celle, ""])
    for chiave, etichetta in (("obiettivi", "obiettivi"), ("indicatori", "indicatori"),
                              ("fasi", "fasi")):
        righe.append([f"righe: {etichetta}", n(uno["righe"][chiave], 0),
                      n(molti["righe"][chiave], 0), ""])
    righe.append(["generazione dei dati (genera_ciclo)", _ms(uno["genera_s"]),
                  _ms(molti["genera_s"]), ""])
    righe.append(["dimensione del database", dimensione_file(uno["byte_database"]),
                  dimensione_file(molti["byte_database"]), ""])
    larghezze = [max(len(str(r[i])) for r in [intestazione, *righe]) for i in range(4)]
    linee = [" | ".join(str(c).ljust(w) for c, w in zip(intestazione, larghezze)),
             "-|-".join("-" * w for w in larghezze)]
    linee += [" | ".join(str(c).ljust(w) for c, w in zip(r, larghezze)) for r in righe]
    linee.append("")
    for p in molti.get("pubblicazione", []):
        linee.append(
            f"pubblicazione completa (dati, file, PDF) di {p['pubblicazioni']} enti × "
            f"{n(molti['obiettivi_per_ente'], 0)} obiettivi con {p['worker']} worker "
            f"({p['modo']}): {_ms(p['s'])}, {n(p['al_minuto'], 2)} pubblicazioni al minuto, "
            f"{_ms(p['s'] / p['pubblicazioni'])} l'una; RSS massimo di un worker "
            f"{n(p.get('rss_max_mb', 0), 0)} MB, carico medio alla fine {n(p.get('carico', 0), 1)}")
    if "pubblicazione_singola_s" in uno:
        linee.append(f"pubblicazione completa dell'ente solo: {_ms(uno['pubblicazione_singola_s'])}")
    return "\n".join(linee)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--enti", type=int, default=100)
    parser.add_argument("--obiettivi", type=int, default=1000)
    parser.add_argument("--campione", type=int, default=TUTTI,
                        help="enti pubblicati con 1 worker e, altri tanti, con 2 (0: nessuno; "
                             "predefinito: tutti, un terzo con 1 worker e il resto con 2)")
    parser.add_argument("--ripetizioni", type=int, default=3)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--json", help="scrive qui anche i risultati grezzi (JSON)")
    parser.add_argument("--conserva", action="store_true",
                        help="non eliminare i database alla fine")
    parser.add_argument("--interno", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.enti < 1 or args.obiettivi < 1:
        parser.error("--enti e --obiettivi devono essere almeno 1")
    if args.campione > 0 and args.enti < 2 * args.campione:
        parser.error(f"--campione {args.campione} chiede almeno {2 * args.campione} enti")
    if args.interno:
        print(json.dumps(misura_interna(args.enti, args.obiettivi, args.campione,
                                        args.ripetizioni)))
        return
    inizio = time.monotonic()
    carico_prima = os.getloadavg()
    uno = misura_database(args.database, "seregno_perf_bench1", enti=1, obiettivi=args.obiettivi,
                          campione=0, ripetizioni=args.ripetizioni, conserva=args.conserva)
    molti = misura_database(args.database, f"seregno_perf_bench{args.enti}", enti=args.enti,
                            obiettivi=args.obiettivi, campione=args.campione,
                            ripetizioni=args.ripetizioni, conserva=args.conserva)
    durata = time.monotonic() - inizio
    if args.json:
        Path(args.json).write_text(json.dumps({"uno": uno, "molti": molti, "durata_s": durata},
                                              indent=1))
    sys.path.insert(0, str(RADICE))
    print(f"seregno_perf — {args.enti} enti su {args.database} ({time.strftime('%Y-%m-%d %H:%M')}, "
          f"{os.cpu_count()} CPU, {durata:.0f} s; carico medio 1/5/15 min all'avvio "
          f"{', '.join(f'{c:.1f}' for c in carico_prima)}, alla fine "
          f"{', '.join(f'{c:.1f}' for c in os.getloadavg())})")
    print(tabella(uno, molti))


if __name__ == "__main__":
    main()
