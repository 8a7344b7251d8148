"""Plain-value builders for scoring tests (no database)."""

from decimal import Decimal

from valutazione import scoring as s
from valutazione.services import BAROMETRO_SEREGNO, FASCE_DEFAULT, GRADI_SEREGNO


def D(x):
    return Decimal(str(x))


def fasce(tipo):
    return tuple(
        s.DatiFascia(da=D(da), a=None if a is None else D(a), valore=v)
        for da, a, v in FASCE_DEFAULT[tipo]
    )


def regole(**modifiche):
    """The default SMVP (what ``smvp_create_default`` creates) as plain rules."""
    base = dict(
        nome="SMVP predefinito",
        peso_finanziaria=D(40), peso_obiettivi=D(30), peso_qualita=D(30),
        scala_gradi=tuple(s.DatiLivello(v, e) for v, e in GRADI_SEREGNO),
        scala_barometro=tuple(s.DatiLivello(v, e) for v, e in BAROMETRO_SEREGNO),
        fasce_raggiungimento=fasce(s.FASCE_RAGGIUNGIMENTO),
        fasce_qualita=fasce(s.FASCE_QUALITA),
        fasce_finanziaria=fasce(s.FASCE_FINANZIARIA),
        aggregazione_obiettivi=s.AGGREGAZIONE_PONDERATA,
        aggregazione_nodi=s.AGGREGAZIONE_SEMPLICE,
        tetto_raggiungimento=D(120), quota_fasi=D(50),
    )
    base.update(modifiche)
    return s.Regole(**base)


def obiettivo(id, nodo_id, grado=None, *, peso=1, validato=None, stato=s.STATO_ATTIVO, area=1,
              tipologia="sviluppo", **extra):
    return s.DatiObiettivo(
        id=id, codice=f"OB{id}", titolo=f"Obiettivo {id}", nodo_id=nodo_id, area_id=area,
        area_nome=f"Area {area}", tipologia=tipologia, peso=D(peso), stato=stato,
        grado_proposto=grado, grado_validato=validato, **extra,
    )


def standard(gradi):
    return tuple(s.DatiStandard(codice=f"S{i}", servizio="Servizio", standard="Standard", grado=g)
                 for i, g in enumerate(gradi, start=1))


def finanziari(rispettati, totale):
    return tuple(
        s.DatiIndicatoreFinanziario(
            codice=f"F{i}", nome=f"Indicatore {i}", target=D(100),
            valore=D(100) if i <= rispettati else D(90),
        )
        for i in range(1, totale + 1)
    )
