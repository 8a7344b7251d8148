"""Writes of the plan. Tree models (Area, NodoStrategico) are written only here.

django-mptt keeps ``lft/rght/tree_id/level`` consistent only through ``save()``/``move_to()``:
never ``bulk_create``/``bulk_update``/``QuerySet.update`` on tree fields. For a large batch use
``with Model.objects.delay_mptt_updates():`` (one rebuild at the end), as the loaders do.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Area, Ciclo, NodoStrategico


def _check_same_ciclo(*, ciclo, parent, label):
    if parent is not None and parent.ciclo_id != ciclo.pk:
        raise ValidationError(f"{label}: il nodo superiore appartiene a un altro ciclo.")


@transaction.atomic
def nodo_upsert(*, ciclo: Ciclo, codice: str, titolo: str, livello_nome: str,
                parent: NodoStrategico | None = None, **fields) -> NodoStrategico:
    """Create or update the strategy-tree node ``codice`` of ``ciclo``."""
    _check_same_ciclo(ciclo=ciclo, parent=parent, label=f"Nodo {codice}")
    nodo = NodoStrategico.objects.filter(ciclo=ciclo, codice=codice).first()
    if nodo is None:
        nodo = NodoStrategico(ciclo=ciclo, codice=codice)
    nodo.titolo = titolo
    nodo.livello_nome = livello_nome
    for name, value in fields.items():
        setattr(nodo, name, value)
    if nodo.pk is not None and parent is not None and (
        parent.pk == nodo.pk or parent.is_descendant_of(nodo)
    ):
        raise ValidationError(
            f"Nodo {codice}: non può stare sotto {parent.codice}, che ne discende (ciclo)."
        )
    # mptt's save() moves a node whose parent changed to its place by order_insertion_by.
    nodo.parent = parent
    nodo.save()
    return nodo


@transaction.atomic
def area_upsert(*, ciclo: Ciclo, codice: str, nome: str, slug: str,
                parent: Area | None = None, **fields) -> Area:
    """Create or update the area ``codice`` of ``ciclo``."""
    _check_same_ciclo(ciclo=ciclo, parent=parent, label=f"Area {codice}")
    area = Area.objects.filter(ciclo=ciclo, codice=codice).first()
    if area is None:
        area = Area(ciclo=ciclo, codice=codice)
    area.nome = nome
    area.slug = slug
    for name, value in fields.items():
        setattr(area, name, value)
    if area.pk is not None and parent is not None and (
        parent.pk == area.pk or parent.is_descendant_of(area)
    ):
        raise ValidationError(
            f"Area {codice}: non può stare sotto {parent.codice}, che ne discende (ciclo)."
        )
    area.parent = parent
    area.save()
    return area
