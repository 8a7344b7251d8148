from django.core.management.base import BaseCommand

from trasparenza.services import file_pubblicati_rigenera


class Command(BaseCommand):
    help = (
        "Riscrive dal database i file delle relazioni pubblicate (pagina, dati.json, dati.csv, "
        "PDF) serviti senza database, ed elimina quelli di cicli o versioni non più pubblicati. "
        "Da lanciare dopo un ripristino o su un nuovo server."
    )

    def handle(self, *args, **options):
        scritti, rimossi = file_pubblicati_rigenera()
        self.stdout.write(self.style.SUCCESS(
            f"File pubblicati riscritti per {scritti} cicli; rimossi {rimossi} cicli non pubblicati."
        ))
