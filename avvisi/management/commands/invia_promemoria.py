from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from avvisi.services import promemoria_invia


def _giorno(testo):
    try:
        return date.fromisoformat(testo)
    except ValueError:
        raise CommandError(f"--oggi: «{testo}» non è una data AAAA-MM-GG (es. 2022-03-24).") from None


class Command(BaseCommand):
    help = (
        "Invia per e-mail i promemoria dovuti oggi (apertura della rendicontazione, 7 giorni e "
        "1 giorno al termine, obiettivi rinviati, riepilogo giornaliero al Nucleo, tutti gli "
        "obiettivi validati). Ognuno una volta sola: si può rilanciare (es. ogni ora da cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--oggi", help="la data da considerare, AAAA-MM-GG (predefinita: oggi)")

    def handle(self, *args, oggi=None, **options):
        giorno = _giorno(oggi) if oggi else timezone.localdate()
        esito = promemoria_invia(oggi=giorno)
        for avviso in esito.inviati:
            self.stdout.write(f"Inviato a {avviso.indirizzo}: {avviso.oggetto}")
        self.stdout.write(self.style.SUCCESS(
            f"{len(esito.inviati)} inviati, {esito.gia_inviati} già inviati in precedenza."
        ))
        if esito.senza_indirizzo:
            self.stdout.write(self.style.WARNING(
                "Senza indirizzo e-mail (nessun avviso): " + ", ".join(esito.senza_indirizzo)
            ))
        for errore in esito.errori:
            self.stderr.write(self.style.ERROR(f"Non inviato: {errore}"))
        if esito.errori:
            raise CommandError(f"{len(esito.errori)} messaggi non inviati: si riproverà al prossimo avvio.")
