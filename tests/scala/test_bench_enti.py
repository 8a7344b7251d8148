"""Smoke test of ``scripts/bench/enti.py`` (``make bench-enti``): its steps run on a small
database (1 ente, then 3 enti × 20 objectives) and find what the 100-ente benchmark must show —
the measured ente's pages and admin views make as many queries with 3 enti as with 1, its
published pages none, and a dirigente's changelist reads the objectives through an index.
The publication by workers (other processes) is not here: the test database is not theirs."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from obiettivi.models import Ciclo
from obiettivi.workflow import ciclo_pubblica

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench" / "enti.py"
OBIETTIVI = 20


def _modulo():
    spec = importlib.util.spec_from_file_location("bench_enti", SCRIPT)
    modulo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(modulo)
    return modulo


@pytest.mark.django_db(transaction=True)  # published files are written when the commit happens
def test_misure_con_uno_e_con_tre_enti():
    enti = _modulo()
    enti._prepara_django()

    enti.genera(1, OBIETTIVI)
    ciclo = Ciclo.objects.get(ente__slug=enti.ENTE_MISURATO, anno=enti.ANNO)
    ciclo_pubblica(ciclo=ciclo, utente=None)
    uno = enti.misura_ente(1)
    uno.update(genera_s=0.1, obiettivi_per_ente=OBIETTIVI)

    enti.genera(3, OBIETTIVI, da=2)
    # 60 rows: PostgreSQL would rightly read them sequentially; with sequential scans priced out
    # it still chooses one only when no index serves the query — what the benchmark looks for.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursore:
            cursore.execute("SET enable_seqscan = off")
    try:
        molti = enti.misura_ente(1)
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursore:
                cursore.execute("RESET enable_seqscan")
    molti.update(genera_s=0.2, obiettivi_per_ente=OBIETTIVI)

    assert (uno["enti"], molti["enti"]) == (1, 3)
    assert molti["righe"]["obiettivi"] == 3 * uno["righe"]["obiettivi"] == 3 * OBIETTIVI
    for _, chiave in enti.VOCI:
        assert uno[chiave]["query"] == molti[chiave]["query"], chiave
    for chiave in ("pagina", "dati_json", "pagina_obiettivo"):
        assert molti[chiave]["query"] == 0, chiave  # served from the published files
    assert molti["pagina_obiettivo"]["byte"] > 0
    assert molti["admin_elenco_dirigente"]["query"] > 0
    dirigente = molti["explain"]["dirigente"]
    assert "obiettivi_obiettivo" in dirigente["piani"]["pagina"]
    assert dirigente["scansione_sequenziale"] == {"pagina": False, "tutte": False}
    # a Nucleo of the three enti: its list opens on one cycle (read in order from an index, or
    # its few rows sorted); «Tutti i cicli» sorts every row it sees
    associato, tutti = molti["explain"]["nucleo_associato"], molti["explain"]["nucleo_associato_tutti"]
    assert tutti["ordina"] is True
    if connection.vendor == "postgresql":
        assert associato["righe_ordinate"] < tutti["righe_ordinate"]
    else:
        assert associato["ordina"] is False

    testo = enti.tabella(uno, molti)
    assert "3 enti × 20" in testo
    assert "NO" not in testo.split()  # every «query uguali» cell says «sì»
    assert "EXPLAIN elenco, dirigente, prima pagina" in testo


def test_il_campione_chiede_abbastanza_enti():
    esito = subprocess.run([sys.executable, str(SCRIPT), "--enti", "3", "--campione", "2"],
                           capture_output=True, text=True)
    assert esito.returncode == 2
    assert "--campione 2 chiede almeno 4 enti" in esito.stderr

