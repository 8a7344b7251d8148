"""``genera_dati ENTE ANNO --obiettivi N [--persone P] [--seme S] [--forza]``: a synthetic large
cycle, and with ``--persone`` P definitive schede di valutazione individuale in it.

A thin shell over ``obiettivi.synthetic.genera_ciclo`` and ``individuale.synthetic.genera_schede``.
"""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from individuale.synthetic import genera_schede

from obiettivi.synthetic import genera_ciclo, riepilogo
from seregno_perf import formati


class Command(BaseCommand):
    help = (
        "Genera un ciclo sintetico (albero strategico, aree, obiettivi con indicatori, fasi e "
        "gradi, barometro, indicatori finanziari), riproducibile dal seme. Un ciclo sintetico "
        "già esistente per lo stesso ente e anno viene sostituito."
    )

    def add_arguments(self, parser):
        parser.add_argument("ente", help="identificativo (slug) dell'ente; creato se manca")
        parser.add_argument("anno", type=int, help="anno del ciclo")
        parser.add_argument("--obiettivi", type=int, required=True, help="numero di obiettivi")
        parser.add_argument(
            "--persone", type=int, default=0,
            help="numero di schede di valutazione individuale (definitive, con obiettivi e "
                 "comportamenti) da generare nel ciclo, con persone fittizie (predefinito 0)",
        )
        parser.add_argument("--seme", type=int, default=0, help="seme casuale (predefinito 0)")
        parser.add_argument(
            "--forza", action="store_true",
            help="sostituisce il ciclo anche se esiste e non è sintetico (ATTENZIONE: lo cancella)",
        )

    def handle(self, *args, ente, anno, obiettivi, persone, seme, forza, **options):
        if persone < 0:
            raise CommandError("Il numero di persone (--persone) non può essere negativo.")
        inizio = time.perf_counter()
        try:
            with transaction.atomic():
                ciclo = genera_ciclo(
                    ente_slug=ente, anno=anno, n_obiettivi=obiettivi, seme=seme, forza=forza
                )
                if persone:
                    genera_schede(ciclo, persone, seme)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except ValueError as error:  # genera_schede: the cycle cannot take schede
            raise CommandError(str(error)) from error
        durata = time.perf_counter() - inizio
        r = riepilogo(ciclo)
        schede = (f", {formati.quanti(persone, 'scheda di valutazione individuale definitiva', 'schede di valutazione individuale definitive')}"
                  if persone else "")
        self.stdout.write(
            f"Ciclo {ciclo.anno} di «{ciclo.ente}» generato (seme {seme}): "
            f"{r.nodi} nodi dell'albero strategico (profondità {r.profondita}), {r.aree} aree e "
            f"servizi, {r.obiettivi} obiettivi, {r.indicatori} indicatori, {r.fasi} fasi, "
            f"{r.standard} standard del barometro, {r.indicatori_finanziari} indicatori "
            f"finanziari{schede}. Tempo: {durata:.1f} s."
        )
