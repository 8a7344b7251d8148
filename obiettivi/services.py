"""Writes of the plan. Tree models (Area, NodoStrategico) are written only here.

django-mptt keeps ``lft/rght/tree_id/level`` consistent only through ``save()``/``move_to()``:
never ``bulk_create``/``bulk_update``/``QuerySet.update`` on tree fields. For a large batch use
``with Model.objects.delay_mptt_updates():`` (one rebuild at the end), as the loaders do.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Area, Ciclo, NodoStrategico


def _tree_upsert(model, *, etichetta, ciclo, codice, parent, fields):
    """Create or update the tree row ``codice`` of ``ciclo`` under ``parent``.

    mptt's ``save()`` moves a row whose parent changed to its place by ``order_insertion_by``.
    """
    if parent is not None and parent.ciclo_id != ciclo.pk:
        raise ValidationError(
            f"{etichetta} {codice}: il nodo superiore appartiene a un altro ciclo."
        )
    riga = model.objects.filter(ciclo=ciclo, codice=codice).first()
    if riga is None:
        riga = model(ciclo=ciclo, codice=codice)
    elif parent is not None and (parent.pk == riga.pk or parent.is_descendant_of(riga)):
        raise ValidationError(
            f"{etichetta} {codice}: non può stare sotto {parent.codice}, che ne discende (ciclo)."
        )
    for name, value in fields.items():
        setattr(riga, name, value)
    riga.parent = parent
    riga.save()
    return riga


@transaction.atomic
def nodo_upsert(*, ciclo: Ciclo, codice: str, titolo: str, livello_nome: str,
                parent: NodoStrategico | None = None, **fields) -> NodoStrategico:
    """Create or update the strategy-tree node ``codice`` of ``ciclo``."""
    return _tree_upsert(
        NodoStrategico, etichetta="Nodo", ciclo=ciclo, codice=codice, parent=parent,
        fields={"titolo": titolo, "livello_nome": livello_nome, **fields},
    )


@transaction.atomic
def area_upsert(*, ciclo: Ciclo, codice: str, nome: str, slug: str,
                parent: Area | None = None, **fields) -> Area:
    """Create or update the area ``codice`` of ``ciclo``."""
    return _tree_upsert(
        Area, etichetta="Area", ciclo=ciclo, codice=codice, parent=parent,
        fields={"nome": nome, "slug": slug, **fields},
    )


# --- A new year from the previous one ----------------------------------------------------------

# What a copy leaves behind: the outcome and the review belong to the year that produced them.
_ESITI = {
    "Obiettivo": {
        "stato": "attivo", "motivazione_stato": "", "anno_rinvio": None, "relazione": "",
        "grado_proposto": None, "grado_validato": None, "motivazione_grado": "",
        "commento_nucleo": "", "stato_rendicontazione": "bozza", "versione": 0,
    },
    "Indicatore": {"consuntivo": None, "data_consuntivo": None},
    "Fase": {"percentuale": 0},
    "StandardBarometro": {"rilevato": "", "grado": None},
    "IndicatoreFinanziario": {"valore": None},
}
_DATE_DA_SPOSTARE = {"Indicatore": ("data_target",), "Fase": ("inizio", "fine")}


@dataclass(frozen=True)
class EsitoCopia:
    ciclo: Ciclo
    conteggi: dict[str, int]  # rows created, per model (Italian plural names)
    tralasciati: tuple[str, ...]  # codes of the objectives not carried over (stralciati)


@transaction.atomic
def ciclo_copia(*, da: Ciclo, anno: int, utente=None) -> EsitoCopia:
    """Start the cycle ``anno`` of ``da``'s ente from ``da``'s plan.

    Copied: the organigramma (with each area's dirigenti) and the strategy tree, through the
    tree services; every objective except the stralciati, as active, with its indicators and
    phases (targets and weights; dates moved by the difference in years); the barometro's
    standards and the financial indicators (without what was measured); the report's texts and
    tables, to be edited. Left behind: outcomes, grades, reviews, statuses, the acts and the RPCT
    answers, which belong to their year. The new cycle is in «Pianificazione», with the same
    SMVP. One transaction: on any error nothing is written. Every row gets its history entry.
    """
    from simple_history.utils import bulk_create_with_history

    from valutazione.models import IndicatoreFinanziario, StandardBarometro

    from .models import Fase, Indicatore, Obiettivo, TabellaReport, TestoReport

    if anno <= da.anno:
        raise ValidationError(
            f"Il nuovo ciclo deve seguire quello da copiare: {anno} non è dopo {da.anno}."
        )
    if Ciclo.objects.filter(ente_id=da.ente_id, anno=anno).exists():
        raise ValidationError(
            f"Il ciclo {anno} di {da.ente} esiste già: non si copia sopra un ciclo esistente."
        )
    anni = anno - da.anno
    nuovo = Ciclo(
        ente_id=da.ente_id, anno=anno, smvp_id=da.smvp_id,
        scadenza_rendicontazione=_sposta_anni(da.scadenza_rendicontazione, anno - da.anno),
        dati_dimostrativi=da.dati_dimostrativi, nota_dati_dimostrativi=da.nota_dati_dimostrativi,
    )
    nuovo.full_clean()
    nuovo.save()

    aree = _copia_albero(Area, area_upsert, da, nuovo, ("nome", "slug", "ordine"))
    for vecchia in Area.objects.filter(ciclo=da).prefetch_related("dirigenti"):
        aree[vecchia.pk].dirigenti.set(vecchia.dirigenti.all())
    nodi = _copia_albero(
        NodoStrategico, nodo_upsert, da, nuovo,
        ("titolo", "livello_nome", "descrizione", "valore", "nota", "ordine"),
    )

    def crea(model, righe, **legami):
        copie = [_copia_riga(model, r, anni, **{k: f(r) for k, f in legami.items()}) for r in righe]
        return bulk_create_with_history(
            copie, model, batch_size=500, default_user=utente,
            default_change_reason=f"Copiato dal ciclo {da.anno}",
        )

    tutti = list(Obiettivo.objects.filter(ciclo=da).order_by("ordine", "codice"))
    tenuti = [o for o in tutti if o.stato != Obiettivo.Stato.STRALCIATO]
    obiettivi = crea(
        Obiettivo, tenuti, ciclo=lambda r: nuovo, area=lambda r: aree[r.area_id],
        nodo=lambda r: nodi[r.nodo_id],
    )
    per_codice = {o.codice: o for o in obiettivi}  # with their primary keys (simple-history)
    codice_di = {o.pk: o.codice for o in tenuti}
    conteggi = {"aree": len(aree), "nodi dell'albero": len(nodi), "obiettivi": len(obiettivi)}
    for model, nome in ((Indicatore, "indicatori"), (Fase, "fasi")):
        righe = (model.objects.filter(obiettivo__ciclo=da)
                 .exclude(obiettivo__stato=Obiettivo.Stato.STRALCIATO)
                 .order_by("obiettivo_id", "codice"))
        conteggi[nome] = len(crea(model, righe, obiettivo=lambda r: per_codice[codice_di[r.obiettivo_id]]))
    for model, nome, legami in (
        (StandardBarometro, "standard del barometro",
         {"area": lambda r: aree.get(r.area_id)}),
        (IndicatoreFinanziario, "indicatori finanziari", {}),
        (TestoReport, "testi della relazione", {}),
        (TabellaReport, "tabelle della relazione", {}),
    ):
        righe = model.objects.filter(ciclo=da).order_by("pk")
        if hasattr(model, "history"):
            conteggi[nome] = len(crea(model, righe, ciclo=lambda r: nuovo, **legami))
        else:
            copie = [_copia_riga(model, r, anni, ciclo=nuovo) for r in righe]
            conteggi[nome] = len(model.objects.bulk_create(copie, batch_size=500))
    tralasciati = tuple(o.codice for o in tutti if o.stato == Obiettivo.Stato.STRALCIATO)
    return EsitoCopia(ciclo=nuovo, conteggi=conteggi, tralasciati=tralasciati)


def _copia_albero(model, upsert, da, nuovo, campi) -> dict:
    """Old primary key → new row, parents first (mptt order), through the tree service."""
    mappa = {}
    with model.objects.delay_mptt_updates():
        for riga in model.objects.filter(ciclo=da).order_by("tree_id", "lft"):
            mappa[riga.pk] = upsert(
                ciclo=nuovo, codice=riga.codice, parent=mappa.get(riga.parent_id),
                **{c: getattr(riga, c) for c in campi},
            )
    return mappa


def _copia_riga(model, riga, anni, **sostituzioni):
    """An unsaved copy of ``riga``: every concrete field but the primary key, the outcome fields
    reset (``_ESITI``), dates moved by ``anni`` years, foreign keys from ``sostituzioni``."""
    nome = model.__name__
    valori = {
        f.attname: getattr(riga, f.attname)
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.is_relation
    }
    valori.update(_ESITI.get(nome, {}))
    for campo in _DATE_DA_SPOSTARE.get(nome, ()):
        valori[campo] = _sposta_anni(valori[campo], anni)
    valori.update(sostituzioni)
    return model(**valori)


def _sposta_anni(giorno, anni):
    if giorno is None:
        return None
    try:
        return giorno.replace(year=giorno.year + anni)
    except ValueError:  # 29 February into a year without it
        return giorno.replace(year=giorno.year + anni, day=28)
