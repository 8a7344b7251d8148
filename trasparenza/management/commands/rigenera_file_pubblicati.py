from django.core.management.base import BaseCommand

from trasparenza.services import file_pubblicati_rigenera


class Command(BaseCommand):
    help = (
        "Riscrive dal database i file delle relazioni pubblicate (pagina, dati.json, dati.csv, "
        "PDF) serviti senza database, elimina quelli di cicli o versioni non più pubblicati e i "
        "PDF che nessuna pubblicazione nomina. Da lanciare dopo un ripristino o su un nuovo "
        "server; con --incompleti, a ogni avvio: completa solo i file di una pubblicazione "
        "interrotta."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--incompleti", action="store_true",
            help="scrive solo i file mancanti dei cicli la cui ultima versione non è completa "
                 "su disco (il controllo all'avvio)",
        )

    def handle(self, *args, incompleti, **options):
        esito = file_pubblicati_rigenera(solo_incompleti=incompleti)
        self.stdout.write(self.style.SUCCESS(
            f"File pubblicati scritti per {esito.scritti} cicli; rimossi {esito.rimossi} cicli "
            f"non pubblicati e {esito.pdf_orfani} PDF orfani."
        ))
