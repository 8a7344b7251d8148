"""``importa_peg FILE --ente E --anno A [--dry-run] [--foglio NOME] [--crea] [--nome-ente N]
[--utente U]``: import a PEG workbook (XLSX, ODS or CSV) into a cycle.

A thin shell over ``obiettivi.peg.importa.importa_workbook``; exit status 0 on success, 1 on any
error (nothing is written then). See docs/import-peg.md.
"""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from obiettivi.peg.importa import ErroreImportazione, ciclo_per_importazione, importa_workbook


class Command(BaseCommand):
    help = (
        "Importa il PEG (aree, albero, obiettivi, indicatori, fasi, barometro, indicatori "
        "finanziari) da un file XLSX, ODS o CSV nel ciclo indicato. Tutto o niente: se una riga "
        "ha un errore non scrive nulla. Reimportare lo stesso file non cambia nulla."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="il file .xlsx, .ods o .csv")
        parser.add_argument("--ente", required=True, help="identificativo (slug) dell'ente")
        parser.add_argument("--anno", type=int, required=True, help="anno del ciclo")
        parser.add_argument(
            "--dry-run", action="store_true",
            help="controlla e mostra cosa cambierebbe, senza scrivere nulla",
        )
        parser.add_argument(
            "--foglio", help="importa solo questo foglio (per un CSV: il foglio che contiene)"
        )
        parser.add_argument(
            "--crea", action="store_true",
            help="crea l'ente e il ciclo se mancano (il ciclo con il sistema di valutazione predefinito)",
        )
        parser.add_argument("--nome-ente", help="nome dell'ente creato con --crea (predefinito: E)")
        parser.add_argument(
            "--utente", help="importa con i permessi di questo utente (un dirigente: solo le sue aree)"
        )
        parser.add_argument(
            "--dettaglio", action="store_true", help="elenca ogni riga creata o aggiornata",
        )

    def handle(self, *args, file, ente, anno, dry_run, foglio, crea, nome_ente, utente,
               dettaglio, **options):
        user = None
        if utente:
            user = get_user_model().objects.filter(username=utente).first()
            if user is None:
                raise CommandError(f"L'utente '{utente}' non esiste.")
        inizio = time.perf_counter()
        with transaction.atomic():
            try:
                ciclo, creati = ciclo_per_importazione(
                    ente=ente, anno=anno, crea=crea, nome_ente=nome_ente
                )
            except ErroreImportazione as errore:
                raise CommandError(str(errore)) from errore
            try:
                esito = importa_workbook(
                    file=file, ciclo=ciclo, utente=user, dry_run=dry_run, foglio=foglio
                )
            except FileNotFoundError as errore:
                raise CommandError(f"Il file '{file}' non esiste.") from errore
            if dry_run or not esito.ok:
                # Nor the ente and cycle created by --crea.
                transaction.set_rollback(True)
        durata = time.perf_counter() - inizio
        for riga in creati:
            self.stdout.write(riga + (" (annullato: prova)" if dry_run else ""))
        if dettaglio:
            for m in esito.modifiche:
                if m.azione != "invariato":
                    colonne = f" ({', '.join(m.colonne)})" if m.colonne else ""
                    self.stdout.write(f"  {m.foglio}, riga {m.riga}: {m.chiave} {m.azione}{colonne}")
        righe = esito.righe_report()
        if not esito.ok:
            raise CommandError("\n".join([f"Importazione di '{esito.file}' nel ciclo {anno} "
                                          f"di '{ente}' non riuscita."] + righe))
        for riga in righe:
            self.stdout.write(riga)
        self.stdout.write(f"Tempo: {durata:.1f} s.")
