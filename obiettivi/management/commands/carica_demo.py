"""``manage.py carica_demo``: load the Seregno 2021 demo and its illustrative 2022, both published,
and 2021's illustrative documento di validazione (a thin shell over obiettivi.demo and
validazione.demo)."""

from django.core.management.base import BaseCommand, CommandError

from obiettivi.demo import ErroreDatiDemo, carica_demo, carica_demo_esempio, carica_demo_successivo


class Command(BaseCommand):
    help = (
        "Carica (o aggiorna) i dati dimostrativi del Comune di Seregno, ciclo 2021, e crea gli "
        "utenti dimostrativi; poi pubblica il 2021 e crea e pubblica il ciclo 2022, copiato dal 2021 "
        "con esiti illustrativi, per il confronto tra gli anni. Si può rilanciare: non duplica nulla."
    )

    def handle(self, *args, **options):
        try:
            riepilogo = carica_demo(stdout=self.stdout if options["verbosity"] > 1 else None)
        except ErroreDatiDemo as exc:
            raise CommandError(str(exc)) from exc

        ciclo = riepilogo.ciclo
        successivo = carica_demo_successivo(stdout=self.stdout if options["verbosity"] > 1 else None)
        from validazione.demo import carica_validazione_demo  # validazione depends on obiettivi

        validazione = carica_validazione_demo()
        esempio = carica_demo_esempio(stdout=self.stdout if options["verbosity"] > 1 else None)
        riepilogo.utenti += esempio.utenti
        if riepilogo.modifiche:
            esito = f"{riepilogo.modifiche} righe create o aggiornate"
        else:
            esito = "erano già caricati, nulla è cambiato"
        self.stdout.write(self.style.SUCCESS(
            f"Dati dimostrativi «{ciclo.ente.nome}», ciclo {ciclo.anno}: {esito}."
        ))
        anno = successivo.ciclo.anno
        frasi = [f for f, fatto in (
            ("Relazione 2021 pubblicata.", successivo.pubblicato_2021),
            (f"Ciclo {anno} dimostrativo creato dal 2021 con esiti illustrativi.", successivo.creato),
            (f"Relazione {anno} pubblicata.", successivo.pubblicato),
            ("Documento di validazione 2021 (illustrativo) firmato dal Nucleo.", validazione.firmato),
            (f"Secondo ente «{esempio.ciclo.ente.nome}» creato e pubblicato.", esempio.creato),
        ) if fatto]
        self.stdout.write(self.style.SUCCESS(
            " ".join(frasi) or f"Ciclo {anno} dimostrativo: era già caricato e pubblicato, nulla è cambiato."
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
