from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from obiettivi.models import Ciclo
from obiettivi.workflow import ciclo_pubblica


class Command(BaseCommand):
    help = "Pubblica la Relazione sulla Performance di un ciclo: dati, pagina e PDF congelati con impronta SHA-256."

    def add_arguments(self, parser):
        parser.add_argument("ente", help="identificativo dell'ente, es. seregno")
        parser.add_argument("anno", type=int)
        parser.add_argument("--nota", default="", help="nota di pubblicazione (es. motivo della correzione)")

    def handle(self, *args, ente, anno, nota, **options):
        ciclo = Ciclo.objects.filter(ente__slug=ente, anno=anno).first()
        if ciclo is None:
            raise CommandError(f"Ciclo non trovato: ente «{ente}», anno {anno}.")
        try:
            # the one road to «pubblicata»: publishes and moves the state, or refuses
            esito = ciclo_pubblica(ciclo=ciclo, utente=None, nota=nota)
        except ValidationError as errore:
            raise CommandError(" ".join(errore.messages)) from errore
        pub = esito.pubblicazione
        if esito.nuova:
            self.stdout.write(self.style.SUCCESS(
                f"Pubblicata la versione {pub.versione} della Relazione {anno} di {ciclo.ente}."
            ))
        else:
            self.stdout.write(
                f"Nessuna modifica rispetto alla versione {pub.versione}: nulla da pubblicare."
            )
        self.stdout.write(f"Impronta SHA-256: {pub.impronta}")
        self.stdout.write(f"Pagina: /{ente}/{anno}/  PDF: /{ente}/{anno}/relazione.pdf")
