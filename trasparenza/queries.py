"""Reads that feed the citizens' pages: cycles visible to the public and their publications."""

from django.http import Http404

from .models import Pubblicazione


def pubblicazione_corrente(*, ente_slug, anno, versione=None):
    """The publication citizens see for ``ente_slug``/``anno``: the newest, or ``versione``.

    Raises Http404 when nothing is published: an unpublished cycle does not exist for citizens.
    """
    qs = Pubblicazione.objects.select_related("ciclo__ente").filter(
        ciclo__ente__slug=ente_slug, ciclo__anno=anno
    )
    if versione is not None:
        qs = qs.filter(versione=versione)
    pubblicazione = qs.order_by("-versione").first()
    if pubblicazione is None:
        raise Http404("Relazione non pubblicata.")
    return pubblicazione


def versioni(ciclo):
    """All publications of a cycle, newest first, without their heavy payloads."""
    return list(
        Pubblicazione.objects.filter(ciclo=ciclo)
        .order_by("-versione")
        .only("id", "ciclo_id", "versione", "pubblicata_il", "impronta", "modifiche", "nota")
    )
