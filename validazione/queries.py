"""Reads of the validazione app: load a cycle as the checks read it, in a fixed number of queries.

``dati_verifiche(ciclo)`` runs the same number of queries whatever the size of the cycle: the
caller reads the cycle with its SMVP and acts (``cicli()``, 1 query), then
``valutazione.queries.risultati_ciclo`` gives the figures of achievement and the grades of the
bands (9, or 0 without an SMVP), then one query each for the
objectives' texts, indicators, phases, variations, the year before's indicators and whether that
cycle exists, the barometro, the financial indicators and the ente's SMVP versions.
``verifiche_ciclo`` hands them to the pure ``validazione.verifiche``.
"""

from collections import defaultdict

from obiettivi.models import Ciclo, Fase, Indicatore, Obiettivo, VariazioneObiettivo
from valutazione.models import IndicatoreFinanziario, Smvp, StandardBarometro
from valutazione.queries import risultati_ciclo

from . import verifiche as v


def _atto(atto) -> v.DatiAtto | None:
    if atto is None:
        return None
    return v.DatiAtto(id=atto.pk, descrizione=str(atto), tipo=atto.tipo, data=atto.data,
                      anno=atto.anno, ente_id=atto.ente_id)


def _smvp(smvp) -> v.DatiSmvp:
    return v.DatiSmvp(
        id=smvp.pk, nome=str(smvp), ente_id=smvp.ente_id, atto=_atto(smvp.atto),
        peso_finanziaria=smvp.peso_finanziaria, peso_obiettivi=smvp.peso_obiettivi,
        peso_qualita=smvp.peso_qualita,
    )


def cicli():
    """Cycles with what ``dati_verifiche`` reads of them (ente, SMVP and its act, approving act)
    in the same query."""
    return Ciclo.objects.select_related("ente", "smvp__atto", "atto_approvazione")


def dati_verifiche(ciclo: Ciclo) -> v.DatiVerifiche:
    """Everything the checks need for ``ciclo`` (read from ``cicli()``), as plain values."""
    risultati = risultati_ciclo(ciclo) if ciclo.smvp_id is not None else None
    calcolati = {r.id: r for r in risultati.obiettivi} if risultati else {}
    scala = risultati.regole.scala_gradi if risultati else ()
    grado_massimo = max((livello.valore for livello in scala), default=5)

    precedenti = {
        (ob_codice, codice): consuntivo
        for ob_codice, codice, consuntivo in Indicatore.objects.filter(
            obiettivo__ciclo__ente_id=ciclo.ente_id, obiettivo__ciclo__anno=ciclo.anno - 1,
        ).order_by().values_list("obiettivo__codice", "codice", "consuntivo")
    }
    indicatori = defaultdict(list)
    for (id_, ob_id, ob_codice, codice, nome, tipo, target, consuntivo, data_target,
         data_consuntivo, unita) in (
            Indicatore.objects.filter(obiettivo__ciclo=ciclo).order_by("obiettivo_id", "codice")
            .values_list("id", "obiettivo_id", "obiettivo__codice", "codice", "nome", "tipo",
                         "target", "consuntivo", "data_target", "data_consuntivo", "unita")):
        indicatori[ob_id].append(v.DatiIndicatore(
            id=id_, codice=codice, nome=nome, tipo=tipo, target=target, consuntivo=consuntivo,
            data_target=data_target, data_consuntivo=data_consuntivo, unita=unita,
            consuntivo_precedente=precedenti.get((ob_codice, codice)),
        ))
    fasi = defaultdict(list)
    for id_, ob_id, codice, peso in (
            Fase.objects.filter(obiettivo__ciclo=ciclo).order_by("obiettivo_id", "codice")
            .values_list("id", "obiettivo_id", "codice", "peso")):
        fasi[ob_id].append(v.DatiFase(id=id_, codice=codice, peso=peso))
    variazioni = defaultdict(list)
    for variazione in (VariazioneObiettivo.objects.filter(obiettivo__ciclo=ciclo)
                       .select_related("atto").order_by("obiettivo_id", "atto__data", "atto_id")):
        variazioni[variazione.obiettivo_id].append(
            v.DatiVariazione(atto=_atto(variazione.atto), effetto=variazione.effetto))

    stati = dict(Obiettivo.Stato.choices)
    rendicontazione = dict(Obiettivo.StatoRendicontazione.choices)
    obiettivi = []
    for riga in (Obiettivo.objects.filter(ciclo=ciclo).order_by("ordine", "codice")
                 .values("id", "codice", "titolo", "area_id", "area__codice", "area__nome",
                         "stato", "motivazione_stato", "anno_rinvio", "stato_rendicontazione",
                         "relazione", "grado_proposto", "grado_validato", "spiegazione_grado",
                         "motivazione_grado")):
        calcolato = calcolati.get(riga["id"])
        obiettivi.append(v.DatiObiettivo(
            id=riga["id"], codice=riga["codice"], titolo=riga["titolo"], area_id=riga["area_id"],
            area_codice=riga["area__codice"], area_nome=riga["area__nome"], stato=riga["stato"],
            stato_etichetta=str(stati.get(riga["stato"], riga["stato"])),
            motivazione_stato=riga["motivazione_stato"], anno_rinvio=riga["anno_rinvio"],
            stato_rendicontazione=riga["stato_rendicontazione"],
            stato_rendicontazione_etichetta=str(rendicontazione.get(
                riga["stato_rendicontazione"], riga["stato_rendicontazione"])),
            relazione=riga["relazione"], grado_proposto=riga["grado_proposto"],
            grado_validato=riga["grado_validato"], spiegazione_grado=riga["spiegazione_grado"],
            motivazione_grado=riga["motivazione_grado"],
            percentuale=calcolato.raggiungimento.percentuale if calcolato else None,
            grado_calcolato=calcolato.grado_calcolato if calcolato else None,
            indicatori=tuple(indicatori.get(riga["id"], ())),
            fasi=tuple(fasi.get(riga["id"], ())),
            variazioni=tuple(variazioni.get(riga["id"], ())),
        ))

    standard = tuple(
        v.DatiStandard(id=id_, codice=codice, servizio=servizio, grado=grado)
        for id_, codice, servizio, grado in StandardBarometro.objects.filter(ciclo=ciclo)
        .order_by("codice").values_list("id", "codice", "servizio", "grado")
    )
    finanziari = tuple(
        v.DatiFinanziario(id=id_, codice=codice, nome=nome, valore=valore)
        for id_, codice, nome, valore in IndicatoreFinanziario.objects.filter(ciclo=ciclo)
        .order_by("codice").values_list("id", "codice", "nome", "valore")
    )
    altri_smvp = tuple(
        _smvp(s) for s in Smvp.objects.filter(ente_id=ciclo.ente_id).select_related("atto")
        .order_by("nome", "versione")
    )
    return v.DatiVerifiche(
        ciclo_id=ciclo.pk, ente_id=ciclo.ente_id, anno=ciclo.anno,
        smvp=_smvp(ciclo.smvp) if ciclo.smvp_id else None, altri_smvp=altri_smvp,
        atto_approvazione=_atto(ciclo.atto_approvazione), obiettivi=tuple(obiettivi),
        standard=standard, finanziari=finanziari,
        ciclo_precedente=Ciclo.objects.filter(ente_id=ciclo.ente_id, anno=ciclo.anno - 1).exists(),
        grado_massimo=grado_massimo,
    )


def verifiche_ciclo(ciclo: Ciclo) -> tuple[v.Verifica, ...]:
    """The checks of ``ciclo`` (docs/verifiche.md)."""
    return v.verifica_ciclo(dati_verifiche(ciclo))
