"""``esporta_peg FILE [--ente E --anno A] [--vuoto] [--risultati] [--foglio NOME] [--utente U]``:
write the PEG template (blank or filled from a cycle) or the results, as XLSX, ODS or CSV
(format from the file's extension). A thin shell over ``obiettivi.peg.esporta``.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from obiettivi.peg.esporta import esporta_risultati, esporta_workbook
from obiettivi.peg.importa import ErroreImportazione, ciclo_per_importazione
from obiettivi.peg.scrittura import FORMATI


class Command(BaseCommand):
    help = (
        "Esporta il PEG di un ciclo nel modello di importazione (o il modello vuoto con --vuoto, "
        "o i risultati calcolati con --risultati) in formato XLSX, ODS o CSV."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="il file da scrivere: .xlsx, .ods o .csv")
        parser.add_argument("--ente", help="identificativo (slug) dell'ente")
        parser.add_argument("--anno", type=int, help="anno del ciclo")
        parser.add_argument("--vuoto", action="store_true", help="solo le intestazioni del modello")
        parser.add_argument(
            "--risultati", action="store_true",
            help="i risultati: raggiungimento, gradi calcolati, proposti e validati, livello di ente",
        )
        parser.add_argument("--foglio", help="per un CSV: il foglio da esportare")
        parser.add_argument("--utente", help="esporta con i permessi di questo utente")

    def handle(self, *args, file, ente, anno, vuoto, risultati, foglio, utente, **options):
        formato = Path(file).suffix.lower().lstrip(".")
        if formato not in FORMATI:
            raise CommandError(f"Formato '{formato}' non previsto: usare .xlsx, .ods o .csv.")
        if formato == "csv" and not foglio:
            raise CommandError("Un CSV contiene un solo foglio: indicarlo con --foglio.")
        user = None
        if utente:
            user = get_user_model().objects.filter(username=utente).first()
            if user is None:
                raise CommandError(f"L'utente '{utente}' non esiste.")
        ciclo = None
        if not vuoto:
            if not ente or anno is None:
                raise CommandError("Indicare --ente e --anno (o --vuoto per il modello vuoto).")
            try:
                ciclo, _ = ciclo_per_importazione(ente=ente, anno=anno)
            except ErroreImportazione as errore:
                raise CommandError(str(errore)) from errore
        try:
            if risultati:
                if ciclo is None:
                    raise CommandError("I risultati richiedono --ente e --anno.")
                contenuto = esporta_risultati(ciclo=ciclo, utente=user, formato=formato, foglio=foglio)
            else:
                contenuto = esporta_workbook(
                    ciclo=ciclo, utente=user, formato=formato, vuoto=vuoto, foglio=foglio
                )
        except ValueError as errore:
            raise CommandError(str(errore)) from errore
        Path(file).write_bytes(contenuto)
        self.stdout.write(f"Scritto {file} ({len(contenuto):,} byte).".replace(",", "."))
