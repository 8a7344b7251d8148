"""Reads that feed the citizens' pages: cycles visible to the public and their publications."""

from django.db.models import Exists, Max, OuterRef, Prefetch
from django.http import Http404

from obiettivi.models import Ciclo, Ente

from .models import Pubblicazione


def pubblicazione_corrente(*, ente_slug, anno, versione=None, senza_dati=False, senza_html=False):
    """The publication citizens see for ``ente_slug``/``anno``: the newest, or ``versione``.

    Raises Http404 when nothing is published: an unpublished cycle does not exist for citizens.
    ``senza_dati``/``senza_html`` leave the heavy frozen payloads unloaded.
    """
    qs = Pubblicazione.objects.select_related("ciclo__ente").filter(
        ciclo__ente__slug=ente_slug, ciclo__anno=anno
    )
    rinviati = [nome for nome, via in (("dati", senza_dati), ("html", senza_html)) if via]
    if rinviati:
        qs = qs.defer(*rinviati)
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


def dati_pubblicati(pubblicazione):
    """The frozen data of a publication loaded without them (one query)."""
    return Pubblicazione.objects.filter(pk=pubblicazione.pk).values_list("dati", flat=True).get()


def enti_pubblicati():
    """Enti with at least one published report, each with its published cycles
    (``cicli_pubblicati``, newest year first): 2 queries."""
    pubblicato = Exists(Pubblicazione.objects.filter(ciclo=OuterRef("pk")))
    cicli = (
        Ciclo.objects.filter(pubblicato)
        .annotate(ultima_pubblicazione=Max("pubblicazioni__pubblicata_il"))
        .order_by("-anno")
    )
    return (
        Ente.objects.filter(Exists(Ciclo.objects.filter(pubblicato, ente=OuterRef("pk"))))
        .order_by("nome")
        .prefetch_related(Prefetch("cicli", queryset=cicli, to_attr="cicli_pubblicati"))
    )


def ultima_versione(ciclo_id) -> int | None:
    """The number of a cycle's latest publication."""
    return Pubblicazione.objects.filter(ciclo_id=ciclo_id).aggregate(u=Max("versione"))["u"]
