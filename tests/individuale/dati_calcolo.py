"""A small cycle for the tests of the scores and the bonuses (calcolo, premi): an ente, a cycle
with the default SMVP, two areas (the first with a service), graded objectives, barometro and
financial indicators, so that the ente's level and the areas' results are computable."""

from decimal import Decimal

from obiettivi.models import Ciclo, Ente, Obiettivo
from obiettivi.services import area_upsert, nodo_upsert
from valutazione.models import IndicatoreFinanziario, StandardBarometro
from valutazione.services import smvp_create_default

D = Decimal


def crea_ciclo(slug="prova", anno=2021, stato=Ciclo.Stato.VALIDATA):
    ente, _ = Ente.objects.get_or_create(slug=slug, defaults={"nome": f"Comune di {slug.title()}"})
    ciclo = Ciclo.objects.create(ente=ente, anno=anno, smvp=smvp_create_default(), stato=stato)
    a1 = area_upsert(ciclo=ciclo, codice="A1", nome="Area uno", slug="uno")
    s11 = area_upsert(ciclo=ciclo, codice="A1.1", nome="Servizio uno", slug="servizio-uno", parent=a1)
    a2 = area_upsert(ciclo=ciclo, codice="A2", nome="Area due", slug="due")
    linea = nodo_upsert(ciclo=ciclo, codice="1", titolo="Linea", livello_nome="linea strategica")
    azione = nodo_upsert(ciclo=ciclo, codice="1.1", titolo="Azione", livello_nome="azione strategica",
                         parent=linea)
    # Area uno: grades 4 (peso 1) and, in its service, 5 (peso 3) → (4 + 15) / 4 = 4,75 → 95.
    # Area due: grade 3 → 60.
    for codice, area, grado, peso in (("OB1", a1, 4, 1), ("OB2", s11, 5, 3), ("OB3", a2, 3, 1)):
        Obiettivo.objects.create(ciclo=ciclo, codice=codice, titolo=codice, area=area, nodo=azione,
                                 peso=D(peso), grado_validato=grado)
    StandardBarometro.objects.create(ciclo=ciclo, codice="S1", servizio="S", standard="S", grado=2)
    IndicatoreFinanziario.objects.create(ciclo=ciclo, codice="F1", nome="F", target=D(10), valore=D(12))
    return ciclo, {"a1": a1, "s11": s11, "a2": a2}


def gruppi_del_ciclo(ciclo):
    """The SMVP rules of performance individuale (those of ``genera_schede``): codice → group."""
    from individuale.synthetic import assicura_regole

    return assicura_regole(ciclo.smvp)


def crea_scheda(ciclo, gruppo, area, punteggio_finale, matricola, **campi):
    """A definitive scheda made by the ORM, with the group's weights and its final score."""
    from individuale.models import Persona, SchedaValutazione

    persona = Persona.objects.create(ente=ciclo.ente, cognome=f"Cognome {matricola}", nome="Nome",
                                     matricola=matricola, codice_fiscale=f"CF{matricola}", fittizia=True)
    pesi = {f"peso_{c}": getattr(gruppo, f"peso_{c}")
            for c in ("ente", "area", "obiettivi", "comportamenti", "differenziazione")}
    return SchedaValutazione.objects.create(
        ciclo=ciclo, persona=persona, gruppo=gruppo, area=area, stato=SchedaValutazione.Stato.DEFINITIVA,
        punteggio_finale=None if punteggio_finale is None else D(punteggio_finale), **{**pesi, **campi},
    )
