"""Writes of the plan. Tree models (Area, NodoStrategico) are written only here.

django-mptt keeps ``lft/rght/tree_id/level`` consistent only through ``save()``/``move_to()``:
never ``bulk_create``/``bulk_update``/``QuerySet.update`` on tree fields. For a large batch use
``with Model.objects.delay_mptt_updates():`` (one rebuild at the end), as the loaders do.
"""

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
