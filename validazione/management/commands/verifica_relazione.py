import json
import sys

from django.core.management.base import BaseCommand, CommandError

from validazione import verifiche as v
from validazione.queries import cicli, verifiche_ciclo

SEGNI = {v.NON_SUPERATA: "✗", v.CON_RILIEVI: "!", v.INFORMA: "·"}


class Command(BaseCommand):
    help = (
        "Le verifiche del Nucleo sulla Relazione di un ciclo (docs/verifiche.md): esito, regola "
        "ed evidenze di ciascuna. Esce con 0 se nessuna verifica è «non superata», 1 altrimenti."
    )

    def add_arguments(self, parser):
        parser.add_argument("ente", help="identificativo dell'ente, es. seregno")
        parser.add_argument("anno", type=int)
        parser.add_argument(
            "--json", dest="file_json", metavar="FILE",
            help="scrive anche le verifiche in JSON (UTF-8) nel file; «-» per l'uscita standard",
        )

    def handle(self, *args, ente, anno, file_json=None, **options):
        ciclo = cicli().filter(ente__slug=ente, anno=anno).first()
        if ciclo is None:
            raise CommandError(f"Ciclo non trovato: ente «{ente}», anno {anno}.", returncode=2)
        verifiche = verifiche_ciclo(ciclo)
        if file_json == "-":
            self.stdout.write(_json(ciclo, verifiche), ending="")
        else:
            self._stampa(ciclo, verifiche)
            if file_json:
                try:
                    with open(file_json, "w", encoding="utf-8") as file:
                        file.write(_json(ciclo, verifiche))
                except OSError as errore:
                    raise CommandError(f"Non riesco a scrivere il file «{file_json}»: "
                                       f"{errore.strerror}.", returncode=2) from errore
                self.stdout.write(f"Verifiche scritte in JSON in {file_json}.")
        if v.esito_complessivo(verifiche) == v.NON_SUPERATA:
            sys.exit(1)

    def _stampa(self, ciclo, verifiche):
        scrivi = self.stdout.write
        scrivi(f"Verifiche della Relazione {ciclo.anno} — {ciclo.ente} "
               f"(ciclo in «{ciclo.get_stato_display()}»)")
        for numero, verifica in enumerate(verifiche, start=1):
            scrivi("")
            scrivi(f"{numero}. {verifica.titolo}: {verifica.etichetta_esito.upper()}")
            scrivi(f"   Regola: {verifica.regola}")
            scrivi(f"   Riferimento: {verifica.riferimento}")
            if verifica.nota:
                scrivi(f"   Nota: {verifica.nota}")
            for evidenza in verifica.evidenze:
                scrivi(f"   {SEGNI[evidenza.esito]} {evidenza.descrizione}")
        scrivi("")
        riepilogo = v.frase_riepilogo(verifiche)
        if v.esito_complessivo(verifiche) == v.NON_SUPERATA:
            scrivi(self.style.ERROR(f"Esito: verifiche non superate. {riepilogo}"))
        elif v.esito_complessivo(verifiche) == v.CON_RILIEVI:
            scrivi(self.style.WARNING(f"Esito: verifiche superate con rilievi. {riepilogo}"))
        else:
            scrivi(self.style.SUCCESS(f"Esito: verifiche superate. {riepilogo}"))


def _json(ciclo, verifiche) -> str:
    dati = {
        "ente": ciclo.ente.slug,
        "anno": ciclo.anno,
        "stato_ciclo": ciclo.stato,
        "esito": v.esito_complessivo(verifiche),
        "riepilogo": v.riepilogo(verifiche),
        "verifiche": v.come_dati(verifiche),
    }
    return json.dumps(dati, ensure_ascii=False, indent=2) + "\n"
