"""The admin page «Verifiche della Relazione» of a cycle: read-only, for the Nucleo and the
Amministratore. The view finds the cycle and checks the role; ``validazione.queries`` computes."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from obiettivi import permessi
from obiettivi.models import Ciclo

from . import verifiche as v
from .queries import cicli, verifiche_ciclo

#: the admin change page of each kind of object an evidence line is about
PAGINE_ADMIN = {
    v.OBIETTIVO: "admin:obiettivi_obiettivo_change",
    v.INDICATORE: "admin:obiettivi_indicatore_change",
    v.FASE: "admin:obiettivi_fase_change",
    v.ATTO: "admin:obiettivi_atto_change",
    v.CICLO: "admin:obiettivi_ciclo_change",
    v.AREA: "admin:obiettivi_area_change",
    v.SMVP: "admin:valutazione_smvp_change",
    v.STANDARD: "admin:valutazione_standardbarometro_change",
    v.FINANZIARIO: "admin:valutazione_indicatorefinanziario_change",
}


def puo_vedere_verifiche(user, ciclo=None) -> bool:
    """The Nucleo and the Amministratore (of ``ciclo``'s ente); never a dirigente as such."""
    return permessi.vede_tutto(user, None if ciclo is None else ciclo.ente_id)


def url_evidenza(evidenza: v.Evidenza) -> str:
    """The admin page of what an evidence line is about ("" when it is about nothing)."""
    nome = PAGINE_ADMIN.get(evidenza.tipo)
    if nome is None or evidenza.id is None:
        return ""
    return reverse(nome, args=[evidenza.id])


def verifiche(request, ciclo_id):
    if not puo_vedere_verifiche(request.user):
        raise PermissionDenied("Le verifiche della Relazione sono del Nucleo di valutazione e "
                               "dell'Amministratore.")
    ciclo = get_object_or_404(permessi.filtra_per_area(request.user, cicli(), None), pk=ciclo_id)
    elenco = verifiche_ciclo(ciclo)
    return TemplateResponse(request, "admin/validazione/verifiche.html", {
        **admin.site.each_context(request),
        "title": f"Verifiche della Relazione {ciclo.anno} — {ciclo.ente}",
        "ciclo": ciclo,
        "verifiche": [
            (verifica, [(e, url_evidenza(e)) for e in verifica.evidenze]) for verifica in elenco
        ],
        "esito": v.esito_complessivo(elenco),
        "riepilogo": v.frase_riepilogo(elenco),
        "ciclo_opts": Ciclo._meta,
        "puo_scrivere": permessi.is_nucleo(request.user, ciclo.ente_id),
    })


# --- The public page and PDF of the signed documento di validazione -------------------------

from django.http import FileResponse, Http404  # noqa: E402
from django.shortcuts import render  # noqa: E402

from .models import DocumentoValidazione  # noqa: E402


def _documento_firmato(ente, anno):
    """The cycle's latest signed document; Http404 while none is signed (a draft never shows)."""
    documento = (DocumentoValidazione.objects.filter(
        ciclo__ente__slug=ente, ciclo__anno=anno, firmato_il__isnull=False,
    ).order_by("-firmato_il", "-pk").first())
    if documento is None:
        raise Http404("Nessun documento di validazione firmato per questa Relazione.")
    return documento


def documento_pubblico(request, ente, anno):
    from .services import contesto_pagina

    documento = _documento_firmato(ente, anno)
    risposta = render(request, "validazione/documento.html", contesto_pagina(documento))
    risposta["Cache-Control"] = "public, max-age=300"
    return risposta


def documento_pubblico_pdf(request, ente, anno):
    documento = _documento_firmato(ente, anno)
    if not documento.pdf:
        raise Http404("PDF non disponibile.")
    risposta = FileResponse(documento.pdf.open("rb"), content_type="application/pdf")
    risposta["Content-Disposition"] = f'inline; filename="{ente}-{anno}-validazione.pdf"'
    risposta["Cache-Control"] = "public, max-age=300"
    return risposta
