"""Database chores shared by the bulk writers.

``aggiorna_statistiche`` runs PostgreSQL's ``ANALYZE`` on the tables a bulk load filled
(synthetic generation, a large PEG import): right after such a load the planner still has the
statistics of the empty or smaller tables (it estimated 101 objectives per cycle instead of
1.000 in the 100-ente bench, ``docs/performance.md``) until autovacuum gets there. ``ANALYZE``
reads a sample of each table: cheap, a fraction of a second for 100.000 rows.
"""

from django.db import DEFAULT_DB_ALIAS, connections, transaction


def aggiorna_statistiche(*modelli, using=DEFAULT_DB_ALIAS):
    """``ANALYZE`` the tables of ``modelli`` on PostgreSQL (nothing on other databases), once
    the current transaction commits (at once outside a transaction; never if it rolls back)."""
    connessione = connections[using]
    if connessione.vendor != "postgresql" or not modelli:
        return
    tabelle = ", ".join(connessione.ops.quote_name(t) for t in sorted({m._meta.db_table for m in modelli}))

    def analizza():
        with connessione.cursor() as cursore:
            cursore.execute(f"ANALYZE {tabelle}")

    transaction.on_commit(analizza, using=using)
