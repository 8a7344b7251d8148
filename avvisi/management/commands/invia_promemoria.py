from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from avvisi.services import accoda_promemoria, promemoria_invia
from lavori.pagine import url_pagina


def _giorno(testo):
    try:
        return date.fromisoformat(testo)
    except ValueError:
        raise CommandError(f"--oggi: «{testo}» non è una data AAAA-MM-GG (es. 2022-03-24).") from None


class Command(BaseCommand):
    help = (
        "Invia per e-mail i promemoria dovuti oggi (apertura della rendicontazione, 7 giorni e "
        "1 giorno al termine, obiettivi rinviati, riepilogo giornaliero al Nucleo, tutti gli "
        "obiettivi validati). Ognuno una volta sola: si può rilanciare (es. ogni ora da cron). "
        "Con --in-coda li affida a un lavoro in background (lo esegue il worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--oggi", help="la data da considerare, AAAA-MM-GG (predefinita: oggi)")
        parser.add_argument(
            "--in-coda", action="store_true",
            help="non inviare qui: mettere in coda un lavoro «Invio dei promemoria» che il worker "
                 "esegue (uno alla volta: se ce n'è già uno in coda o in corso non se ne aggiunge "
                 "un altro); senza --oggi il worker usa il giorno in cui lo esegue",
        )

    def handle(self, *args, oggi=None, in_coda=False, **options):
        if in_coda:
            self._accoda(_giorno(oggi) if oggi else None)
            return
        giorno = _giorno(oggi) if oggi else timezone.localdate()
        esito = promemoria_invia(oggi=giorno)
        for avviso in esito.inviati:
            self.stdout.write(f"Inviato a {avviso.indirizzo}: {avviso.oggetto}")
        self.stdout.write(self.style.SUCCESS(esito.frase(giorno)))
        for errore in esito.errori:
            self.stderr.write(self.style.ERROR(f"Non inviato: {errore}"))
        if esito.errori:
            raise CommandError(f"{len(esito.errori)} messaggi non inviati: si riproverà al prossimo avvio.")

    def _accoda(self, giorno):
        accodato = accoda_promemoria(oggi=giorno)
        lavoro = accodato.lavoro
        if accodato.nuovo:
            self.stdout.write(self.style.SUCCESS(
                f"Messo in coda il lavoro n. {lavoro.pk} (invio dei promemoria): lo esegue il worker; "
                f"si segue nell'admin, {url_pagina(lavoro)}"))
        else:
            self.stdout.write(self.style.WARNING(
                f"Un invio dei promemoria è già {lavoro.get_stato_display().lower()} (lavoro n. "
                f"{lavoro.pk}): non se ne aggiunge un altro."))
