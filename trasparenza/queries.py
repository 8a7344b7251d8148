"""Reads that feed the citizens' pages: cycles visible to the public and their publications."""

import unicodedata

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, OuterRef, Subquery
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

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


ENTI_PER_PAGINA = 50


def chiave_ricerca(testo: str) -> str:
    """``testo`` as the public search compares it: without accents and case (NFKD, combining
    marks dropped, casefold), typographic apostrophes made plain, spaces collapsed. Done in Python
    so SQLite and PostgreSQL answer the same («forli» finds «Forlì», «SANT'ANGELO» finds
    «Sant’Angelo»): SQLite's ``lower`` knows only ASCII, ``unaccent`` is PostgreSQL's."""
    scomposto = unicodedata.normalize("NFKD", testo.replace("\u2019", "'").replace("\u02bc", "'"))
    senza_segni = "".join(c for c in scomposto if not unicodedata.combining(c))
    return " ".join(senza_segni.casefold().split())


def _enti_con_pubblicazioni():
    return Ente.objects.filter(Exists(Pubblicazione.objects.filter(ciclo__ente=OuterRef("pk"))))


def _con_anni_pubblicati(enti):
    """``enti`` with the latest published year (``ultimo_anno``, and whether its data are
    illustrative, ``ultimo_dimostrativo``) and how many years are published (``anni_pubblicati``):
    correlated subqueries, so a count of the queryset leaves them out."""
    cicli = Ciclo.objects.filter(
        Exists(Pubblicazione.objects.filter(ciclo=OuterRef("pk"))), ente=OuterRef("pk")
    )
    ultimo = cicli.order_by("-anno")
    return enti.annotate(
        ultimo_anno=Subquery(ultimo.values("anno")[:1]),
        ultimo_dimostrativo=Subquery(ultimo.values("dati_dimostrativi")[:1]),
        anni_pubblicati=Subquery(
            cicli.order_by().values("ente").annotate(n=Count("pk")).values("n")
        ),
    ).only("pk", "slug", "nome", "provincia")


def enti_pubblicati(*, nome="", provincia="", pagina=1, per_pagina=ENTI_PER_PAGINA) -> Page:
    """The page ``pagina`` of the enti with at least one published report, by name, each with
    ``ultimo_anno``, ``ultimo_dimostrativo`` and ``anni_pubblicati``; only those in
    ``provincia`` (sigla) and whose name contains ``nome`` (``chiave_ricerca``: accents and case
    ignored). Two queries whatever the number of enti: the count and the page, or, when searching
    by name, the enti's names (compared in Python, the same on every database) and the page."""
    enti = _enti_con_pubblicazioni().order_by("nome", "pk")
    if provincia:
        enti = enti.filter(provincia=provincia)
    chiave = chiave_ricerca(nome)
    if not chiave:
        return Paginator(_con_anni_pubblicati(enti), per_pagina).get_page(pagina)
    trovati = [pk for pk, n in enti.values_list("pk", "nome") if chiave in chiave_ricerca(n)]
    risultato = Paginator(trovati, per_pagina).get_page(pagina)
    per_pk = {e.pk: e for e in _con_anni_pubblicati(Ente.objects.filter(pk__in=risultato.object_list))}
    risultato.object_list = [per_pk[pk] for pk in risultato.object_list]
    return risultato


def province_pubblicate() -> list[str]:
    """The provinces (sigle, in alphabetical order) that have at least one ente with a published
    report: the choices of the home's dropdown. One query."""
    return list(
        _enti_con_pubblicazioni().exclude(provincia="").order_by("provincia")
        .values_list("provincia", flat=True).distinct()
    )


def relazioni_ente(ente_slug):
    """The ente ``ente_slug`` and its published reports, newest year first: for each cycle its
    newest publication (``versione``, ``pubblicata_il``; ``ciclo`` loaded with its ente, without
    the heavy payloads) and ``validazione_url`` when the Nucleo has signed a documento di
    validazione (``url_validazione``), else None. Raises Http404 when the ente does not exist or
    has published nothing (a draft cycle does not exist for citizens). Two queries."""
    from validazione.models import DocumentoValidazione  # validazione depends on trasparenza

    ente = _enti_con_pubblicazioni().filter(slug=ente_slug).first()
    if ente is None:
        raise Http404("Nessuna relazione pubblicata per questo ente.")
    firmato = Exists(DocumentoValidazione.objects.filter(
        ciclo_id=OuterRef("ciclo_id"), firmato_il__isnull=False
    ))
    pubblicazioni = list(
        _ultime_pubblicazioni(ente.pk)
        .select_related("ciclo")
        .only("id", "ciclo_id", "versione", "pubblicata_il", "ciclo__anno", "ciclo__dati_dimostrativi",
              "ciclo__ente_id")
        .annotate(validata=firmato)
        .order_by("-ciclo__anno")
    )
    for pub in pubblicazioni:
        pub.ciclo.ente = ente
        pub.validazione_url = url_validazione(pub.ciclo) if pub.validata else None
    return ente, pubblicazioni


def ultima_versione(ciclo_id) -> int | None:
    """The number of a cycle's latest publication."""
    return Pubblicazione.objects.filter(ciclo_id=ciclo_id).aggregate(u=Max("versione"))["u"]


def _ultime_pubblicazioni(ente_id, **filtro_anno):
    """The newest publication of each published cycle of the ente (optionally of some years),
    oldest year first: the rows without their heavy payloads."""
    ultime = (
        Pubblicazione.objects.filter(ciclo_id=OuterRef("ciclo_id"))
        .order_by("-versione").values("pk")[:1]
    )
    return (
        Pubblicazione.objects.filter(
            ciclo__ente_id=ente_id, pk=Subquery(ultime), **{f"ciclo__anno__{k}": v for k, v in filtro_anno.items()}
        )
        .order_by("ciclo__anno")
    )


def andamento_anni_precedenti(ciclo) -> list[dict]:
    """The headline figures of every earlier published year of ``ciclo``'s ente, as their newest
    publication printed them (oldest first): year, version, fingerprint, ente level, the three
    components and the barometro's mean. One query; only those keys of the frozen data are read."""
    righe = _ultime_pubblicazioni(ciclo.ente_id, lt=ciclo.anno).values_list(
        "ciclo__anno", "versione", "impronta", "dati__livello_performance_ente",
        "dati__componenti", "dati__barometro_qualita__media",
    )
    return [
        {
            "anno": anno,
            "versione": versione,
            "impronta": impronta,
            "livello_performance_ente": livello,
            "componenti": {
                chiave: (componenti or {}).get(chiave, {}).get("valore")
                for chiave in ("finanziaria", "obiettivi", "qualita")
            },
            "media_barometro": media,
        }
        for anno, versione, impronta, livello, componenti, media in righe
    ]


def anni_vicini(*, ente_id, anno) -> dict:
    """The published cycles right before and after ``anno`` of the ente, each as ``{"anno":…,
    "codici": set of its objectives' codes}`` (or None): the objective pages link to the same
    code in them. Two queries (the years, then at most two publications' objective lists)."""
    anni = sorted(
        Ciclo.objects.filter(ente_id=ente_id, pubblicazioni__isnull=False)
        .values_list("anno", flat=True).distinct()
    )
    prima = max((a for a in anni if a < anno), default=None)
    dopo = min((a for a in anni if a > anno), default=None)
    vicini = {"precedente": None, "successivo": None}
    cercati = [a for a in (prima, dopo) if a is not None]
    if cercati:
        for a, obiettivi in _ultime_pubblicazioni(ente_id, **{"in": cercati}).values_list(
            "ciclo__anno", "dati__obiettivi"
        ):
            chiave = "precedente" if a == prima else "successivo"
            vicini[chiave] = {"anno": a, "codici": {o["codice"] for o in obiettivi or []}}
    return vicini


def validazione_di(pubblicazione) -> dict | None:
    """What the Relazione's summary says of the Nucleo's validation of this published version:
    the latest signed documento di validazione naming it (``validazione`` app), as plain values,
    or None («in attesa di validazione»). Read when the page is rendered, never frozen in the
    publication (which is fingerprinted before the Nucleo signs)."""
    from validazione.models import DocumentoValidazione  # validazione depends on trasparenza

    documento = (DocumentoValidazione.objects.filter(pubblicazione_id=pubblicazione.pk,
                                                     firmato_il__isnull=False)
                 .order_by("-firmato_il", "-pk").only("esito", "firmato_il", "impronta").first())
    if documento is None:
        return None
    ciclo = pubblicazione.ciclo
    return {
        "esito": documento.esito,
        "esito_etichetta": documento.get_esito_display().lower(),
        "data": documento.firmato_il,
        "impronta": documento.impronta,
        "url": url_validazione(ciclo),
    }


def url_validazione(ciclo) -> str:
    """The public page of the cycle's signed documento di validazione (trasparenza/urls.py)."""
    return reverse("trasparenza:validazione", kwargs={"ente": ciclo.ente.slug, "anno": ciclo.anno})


def validazione_per_dati(ciclo) -> dict | None:
    """The Nucleo's latest signed validation of ``ciclo`` (of an earlier version: a version is
    validated after it is published) for the ``validazione`` key of a new version's data:
    esito, data, impronta, link and the version it validated. None if there is none. Left out
    of the data's fingerprint (``report.impronta``), like the time of publication."""
    from validazione.models import DocumentoValidazione  # validazione depends on trasparenza

    documento = (DocumentoValidazione.objects.filter(ciclo_id=ciclo.pk, firmato_il__isnull=False)
                 .select_related("pubblicazione").order_by("-firmato_il", "-pk").first())
    if documento is None:
        return None
    return {
        "esito": documento.esito,
        "data": timezone.localdate(documento.firmato_il).isoformat(),
        "impronta": documento.impronta,
        "link": url_validazione(ciclo),
        "versione_relazione": documento.pubblicazione.versione,
    }
