from django.db.models import Exists, Max, OuterRef, Prefetch
from django.shortcuts import render

from obiettivi.models import Ciclo, Ente
from trasparenza.models import Pubblicazione


def home(request):
    """Enti with at least one published report, each with its published cycles: 2 queries."""
    pubblicato = Exists(Pubblicazione.objects.filter(ciclo=OuterRef("pk")))
    cicli = (
        Ciclo.objects.filter(pubblicato)
        .annotate(ultima_pubblicazione=Max("pubblicazioni__pubblicata_il"))
        .order_by("-anno")
    )
    enti = (
        Ente.objects.filter(Exists(Ciclo.objects.filter(pubblicato, ente=OuterRef("pk"))))
        .order_by("nome")
        .prefetch_related(Prefetch("cicli", queryset=cicli, to_attr="cicli_pubblicati"))
    )
    return render(request, "trasparenza/home.html", {"enti": enti})
