"""What an adversarial test found (issue 17, point 6), with real processes: a publication killed
with SIGKILL at several steps converges (citizens are never served an older version as the
current one; the start-up check completes the files, identical to an uninterrupted write; no
orphan PDF), and two publications of one cycle run at once both succeed, one after the other.

The processes (``avversario_figlio.py``) work on a database of their own: a SQLite file, or on
PostgreSQL (when the tests run there, DATABASE_URL) a scratch database cloned from a prepared
one for each case. Each case starts from the same state: Seregno 2021 published (version 1),
its data changed and approved again, so that publishing makes version 2.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

RADICE = Path(settings.BASE_DIR)
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
PAGINA, DATI, VERSIONE_1 = "/seregno/2021/", "/seregno/2021/dati.json", "/seregno/2021/versioni/1/"
# hidden files a cycle's folder keeps; anything else hidden is a temporary file left behind
NASCOSTI = {".blocco", ".ultima", ".completa", ".pubblicazione", ".dettagli"}


def _figlio(ambiente, *argomenti, attendi=True):
    comando = [sys.executable, "-m", "tests.trasparenza.avversario_figlio", *argomenti]
    if not attendi:
        return subprocess.Popen(comando, cwd=RADICE, env=ambiente, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    return subprocess.run(comando, cwd=RADICE, env=ambiente, capture_output=True, text=True,
                          timeout=600)


def _json(uscita):
    return json.loads(uscita.strip().splitlines()[-1])


class Banca:
    """Databases and media folders of the other processes: a prepared state, and copies of it."""

    def __init__(self, cartella: Path):
        self.cartella = cartella
        self.nomi_pg = []

    def _url_pg(self, nome):
        parti = urlsplit(os.environ["DATABASE_URL"])
        return urlunsplit(parti._replace(path=f"/{nome}"))

    def _pg(self, sql):
        import psycopg

        with psycopg.connect(self._url_pg("postgres"), autocommit=True) as connessione:
            connessione.execute(sql)

    def _nome_pg(self, nome):
        """Named per pytest-xdist worker: two workers running this module at once must not share
        (and lock) each other's template database."""
        base = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
        lavoratore = os.environ.get("PYTEST_XDIST_WORKER", "solo")
        return f"{base}_avv_{lavoratore}_{nome}"[:63]

    def ambiente(self, nome):
        media = self.cartella / nome / "media"
        ambiente = {k: v for k, v in os.environ.items() if k not in ("PUBBLICAZIONI_ROOT",)}
        ambiente.update(
            MEDIA_ROOT=str(media), PUBBLICAZIONI_ROOT=str(media / "pubblicati"),
            DJANGO_SETTINGS_MODULE="seregno_perf.settings", DEBUG="1",
            DATABASE_URL=(self._url_pg(self._nome_pg(nome)) if POSTGRES
                          else f"sqlite:///{self.cartella / nome / 'db.sqlite3'}"),
        )
        return ambiente

    def prepara(self):
        (self.cartella / "base").mkdir(parents=True)
        if POSTGRES:
            self._pg(f'DROP DATABASE IF EXISTS "{self._nome_pg("base")}" WITH (FORCE)')
            self._pg(f'CREATE DATABASE "{self._nome_pg("base")}"')
            self.nomi_pg.append(self._nome_pg("base"))
        risultato = _figlio(self.ambiente("base"), "prepara")
        assert risultato.returncode == 0, risultato.stderr[-3000:]
        assert _json(risultato.stdout) == {"versioni": [1]}

    def copia(self, nome):
        """A copy of the prepared state (database and media) named ``nome``."""
        shutil.copytree(self.cartella / "base", self.cartella / nome, symlinks=True)
        if POSTGRES:
            self._pg(f'DROP DATABASE IF EXISTS "{self._nome_pg(nome)}" WITH (FORCE)')
            self._pg(f'CREATE DATABASE "{self._nome_pg(nome)}" TEMPLATE "{self._nome_pg("base")}"')
            self.nomi_pg.append(self._nome_pg(nome))
        return self.ambiente(nome)

    def chiudi(self):
        for nome in reversed(self.nomi_pg):
            self._pg(f'DROP DATABASE IF EXISTS "{nome}" WITH (FORCE)')


@pytest.fixture(scope="module")
def banca(tmp_path_factory):
    banca = Banca(tmp_path_factory.mktemp("avversario"))
    banca.prepara()
    yield banca
    banca.chiudi()


@pytest.fixture(scope="module")
def riferimento(banca):
    """An uninterrupted publication of version 2: every ``os.replace`` it makes, in order."""
    risultato = _figlio(banca.copia("riferimento"), "pubblica")
    assert risultato.returncode == 0, risultato.stderr[-3000:]
    esito = _json(risultato.stdout)
    assert "Pubblicata la versione 2" in esito["uscita"]
    return esito["rinominati"]


def _punti(rinominati):
    """Where to kill: before the version number (the PDF is saved, nothing committed), right
    after the commit (no file written), in the middle of version 2's files, right before version
    2 is marked complete, in the middle of version 1's rewrite, and at the neighbouring year."""
    ultima = rinominati.index("pubblicati/seregno/2021/.ultima") + 1
    completa_v2 = rinominati.index("pubblicati/seregno/2021/v2/.completa") + 1
    completa_v1 = rinominati.index("pubblicati/seregno/2021/v1/.completa") + 1
    vicino = next(i for i, p in enumerate(rinominati, 1) if p.startswith("pubblicati/seregno/2022/"))
    return {
        "prima del commit": ultima,
        "dopo il commit": ultima + 1,
        "a metà della versione 2": (ultima + completa_v2) // 2,
        "prima del segno di completezza": completa_v2,
        "a metà della versione 1": (completa_v2 + completa_v1) // 2,
        "all'anno vicino": vicino + 3,
    }


@pytest.mark.parametrize("punto", [
    "prima del commit", "dopo il commit", "a metà della versione 2",
    "prima del segno di completezza", "a metà della versione 1", "all'anno vicino",
])
def test_a_publication_killed_at_any_step_converges(banca, riferimento, punto):
    k = _punti(riferimento)[punto]
    ambiente = banca.copia(f"uccisa-{k}")
    ucciso = _figlio(ambiente, "pubblica", "--uccidi-a", str(k))
    assert ucciso.returncode == -9, ucciso.stderr[-3000:]
    assert json.loads(ucciso.stdout.splitlines()[0])["ucciso_prima_di"] == riferimento[k - 1]

    risultato = _figlio(ambiente, "verifica")
    assert risultato.returncode == 0, risultato.stderr[-3000:]
    esito = _json(risultato.stdout)
    ultima = esito["versioni"][-1]
    assert esito["versioni"] == ([1] if punto == "prima del commit" else [1, 2])
    # never an older version as the current one: what the database has last is what is served
    # (from the files if complete, otherwise by the views)
    for momento in ("prima", "dopo"):
        servito = esito[momento]
        assert servito[DATI]["stato"] == 200 and servito[DATI]["versione"] == ultima, momento
        # the current page is version 2's when there is one (it links to version 1), and
        # version 1's page knows of version 2
        assert servito[PAGINA]["link_v1"] == (ultima == 2), momento
        assert servito[VERSIONE_1]["link_v2"] == (ultima == 2), momento
    # after the start-up check every answer comes from the files, with no query, and they are
    # the files an uninterrupted write of the same database makes
    assert all(r["query"] == 0 for r in esito["dopo"].values()), esito["dopo"]
    assert esito["file_dopo"] == esito["file_riscritti"]
    lasciati = [p for p in esito["file_dopo"] if Path(p).name.startswith(".")
                and Path(p).name not in NASCOSTI]
    assert lasciati == []
    # no orphan PDF: a publication killed before its commit leaves one, the check removes it
    assert esito["pdf_dopo"]["su_disco"] == esito["pdf_dopo"]["nominati"]
    if punto == "prima del commit":
        assert len(esito["pdf_prima"]["su_disco"]) == len(esito["pdf_prima"]["nominati"]) + 1


def test_two_publications_at_once_both_succeed_one_after_the_other(banca):
    ambiente = banca.copia("concorrenti")
    # a PDF that takes a second: the two runs overlap
    processi = [_figlio(ambiente, "pubblica", "--attesa", "1", attendi=False) for _ in range(2)]
    uscite = [p.communicate(timeout=600) for p in processi]
    for processo, (uscita, errori) in zip(processi, uscite):
        assert processo.returncode == 0, errori[-3000:]
        assert "database is locked" not in errori
    messaggi = sorted(_json(uscita)["uscita"].splitlines()[0] for uscita, _ in uscite)
    assert messaggi == [
        "Nessuna modifica rispetto alla versione 2: nulla da pubblicare.",
        "Pubblicata la versione 2 della Relazione 2021 di Comune di Seregno.",
    ]
    risultato = _figlio(ambiente, "verifica")
    assert risultato.returncode == 0, risultato.stderr[-3000:]
    esito = _json(risultato.stdout)
    assert esito["versioni"] == [1, 2]
    assert esito["pdf_prima"]["su_disco"] == esito["pdf_prima"]["nominati"]  # no orphan
    assert all(r["query"] == 0 for r in esito["prima"].values()), esito["prima"]
    assert esito["prima"][DATI]["versione"] == 2
