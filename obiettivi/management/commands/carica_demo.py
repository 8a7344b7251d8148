"""``manage.py carica_demo``: load the Seregno 2021 demo (a thin shell over obiettivi.demo)."""

from django.core.management.base import BaseCommand, CommandError

from obiettivi.demo import ErroreDatiDemo, carica_demo


class Command(BaseCommand):
    help = (
        "Carica (o aggiorna) i dati dimostrativi del Comune di Seregno, ciclo 2021, e crea gli "
        "utenti dimostrativi. Si può rilanciare: non duplica nulla."
    )

    def handle(self, *args, **options):
        try:
            riepilogo = carica_demo(stdout=self.stdout if options["verbosity"] > 1 else None)
        except ErroreDatiDemo as exc:
            raise CommandError(str(exc)) from exc

        ciclo = riepilogo.ciclo
        if riepilogo.modifiche:
            esito = f"{riepilogo.modifiche} righe create o aggiornate"
        else:
            esito = "erano già caricati, nulla è cambiato"
        self.stdout.write(self.style.SUCCESS(
            f"Dati dimostrativi «{ciclo.ente.nome}», ciclo {ciclo.anno}: {esito}."
        ))
        if options["verbosity"] > 1:
            for riga in riepilogo.righe():
                self.stdout.write(f"  {riga}")

        larghezza = max(len(u.username) for u in riepilogo.utenti)
        larghezza_ruolo = max(len(u.ruolo) for u in riepilogo.utenti)
        self.stdout.write("")
        self.stdout.write("Utenti dimostrativi (solo per la demo):")
        self.stdout.write(f"  {'utente':<{larghezza}}  {'ruolo':<{larghezza_ruolo}}  password")
        for u in riepilogo.utenti:
            self.stdout.write(f"  {u.username:<{larghezza}}  {u.ruolo:<{larghezza_ruolo}}  {u.password}")
