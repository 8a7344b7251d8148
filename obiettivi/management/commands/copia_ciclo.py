from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from obiettivi.models import Ciclo
from obiettivi.services import ciclo_copia


class Command(BaseCommand):
    help = (
        "Avvia il ciclo di un nuovo anno copiando il piano di un ciclo: organigramma, albero "
        "strategico, obiettivi (tranne gli stralciati) con indicatori e fasi, barometro, "
        "indicatori finanziari, testi e tabelle della relazione; senza esiti, gradi e revisioni."
    )

    def add_arguments(self, parser):
        parser.add_argument("ente", help="identificativo dell'ente, es. seregno")
        parser.add_argument("da_anno", type=int, help="anno del ciclo da copiare")
        parser.add_argument("anno", type=int, help="anno del nuovo ciclo")

    def handle(self, *args, ente, da_anno, anno, **options):
        da = Ciclo.objects.filter(ente__slug=ente, anno=da_anno).select_related("ente").first()
        if da is None:
            raise CommandError(f"Ciclo non trovato: ente «{ente}», anno {da_anno}.")
        try:
            esito = ciclo_copia(da=da, anno=anno)
        except ValidationError as errore:
            raise CommandError(" ".join(errore.messages)) from errore
        self.stdout.write(self.style.SUCCESS(
            f"Creato il ciclo {anno} di {da.ente} (in «Pianificazione») dal ciclo {da_anno}."
        ))
        for nome, n in esito.conteggi.items():
            self.stdout.write(f"  {nome}: {n}")
        if esito.tralasciati:
            self.stdout.write(
                f"  obiettivi stralciati non copiati: {', '.join(esito.tralasciati)}"
            )
