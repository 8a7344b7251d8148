"""«Calcolo dei premi» in the admin, and the export of the bonuses for payroll (CSV, XLSX).

Only the Amministratore (HR) opens these pages (``obiettivi.permessi.is_amministratore``):
nobody else, whatever their Django permissions (403). They read definitive schede only (scores
shown to HR only once definitive: ``permessi.vede_punteggi``): ``queries.premi_ciclo`` reads
nothing else. The export for payroll is refused until the Nucleo has validated the Relazione
(the cycle is «validata», ``obiettivi.workflow.ciclo_esito_validazione``): bonuses are paid
only after that validation (art. 14 c. 6 D.Lgs. 150/2009). The views are mounted by
``individuale.admin_premi`` (``FondoPremiAdmin.get_urls``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from obiettivi import permessi
from obiettivi.models import Ciclo
from obiettivi.peg.scrittura import FORMATI, scrivi

from .queries import premi_ciclo, righe_premi

FORMATI_ESPORTAZIONE = ("csv", "xlsx")
FOGLIO = "Premi"


def puo_calcolare_premi(user) -> bool:
    """The bonus calculation and its export: the Amministratore (HR) only."""
    return permessi.is_amministratore(user)


def _controlla(request):
    if not puo_calcolare_premi(request.user):
        raise PermissionDenied("Solo l'Amministratore (ufficio del personale) vede il calcolo dei premi.")


def motivo_rifiuto_esportazione(ciclo: Ciclo) -> str:
    """Why the bonuses of ``ciclo`` cannot be exported for payroll yet ("" when they can)."""
    if ciclo.stato == Ciclo.Stato.VALIDATA:
        return ""
    return (
        f"L'esportazione per le paghe non è ancora possibile: il Nucleo di valutazione non ha "
        f"validato la Relazione sulla performance {ciclo.anno} (il ciclo è «{ciclo.get_stato_display()}»). "
        f"I premi si pagano solo dopo la validazione (art. 14 c. 6 D.Lgs. 150/2009): la Relazione va "
        f"pubblicata e il Nucleo deve firmare il documento di validazione con esito positivo "
        f"(«Validazione» → «Documenti di validazione»). Il calcolo qui sotto è provvisorio."
    )


def url_premi(ciclo_id=None) -> str:
    if ciclo_id is None:
        return reverse("admin:individuale_premi_cicli")
    return reverse("admin:individuale_premi", args=[ciclo_id])


def _cicli(user):
    """The cycles of the enti where ``user`` is the Amministratore (HR)."""
    cicli = Ciclo.objects.select_related("ente", "smvp")
    if permessi.is_host(user):
        return cicli
    return cicli.filter(ente__in=sorted(permessi.enti_del_ruolo(user, permessi.AMMINISTRATORE)))


def _ciclo(request, ciclo_id) -> Ciclo:
    return get_object_or_404(_cicli(request.user), pk=ciclo_id)


def cicli_view(request, *, model_admin):
    _controlla(request)
    cicli = _cicli(request.user).order_by("ente__nome", "-anno")
    return TemplateResponse(request, "admin/individuale/premi_cicli.html", {
        **model_admin.admin_site.each_context(request),
        "title": "Calcolo dei premi",
        "cicli": cicli,
        "opts": model_admin.model._meta,
    })


PER_PAGINA = 250  # people per page: the whole calculation is made, the page shows a slice


def _righe(premi, pagina) -> list[tuple]:
    """The people of one page: (quota, the scheda's data, the fund's name), fund by fund."""
    nomi = {f.fondo_id: f.nome for f in premi.fondi}
    return [(q, premi.scheda(q.scheda_id), nomi[q.fondo_id]) for q in pagina.object_list]


def premi_view(request, ciclo_id, *, model_admin):
    _controlla(request)
    ciclo = _ciclo(request, ciclo_id)
    premi = premi_ciclo(ciclo)
    pagina = Paginator(premi.quote, PER_PAGINA).get_page(request.GET.get("pagina"))
    return TemplateResponse(request, "admin/individuale/premi.html", {
        **model_admin.admin_site.each_context(request),
        "title": f"Calcolo dei premi — {ciclo.ente} {ciclo.anno}",
        "ciclo": ciclo,
        "premi": premi,
        "pagina": pagina,
        "righe": _righe(premi, pagina),
        "rifiuto": motivo_rifiuto_esportazione(ciclo),
        "formati": FORMATI_ESPORTAZIONE,
        "opts": model_admin.model._meta,
    })


def esporta(ciclo: Ciclo, formato: str) -> tuple[bytes, str, str]:
    """The payroll file of ``ciclo``: (content, content type, file name). The caller has checked
    the role and ``motivo_rifiuto_esportazione``."""
    if formato not in FORMATI_ESPORTAZIONE:
        raise ValueError(f"Formato «{formato}» non previsto: scegliere CSV o XLSX.")
    righe = righe_premi(ciclo)
    contenuto = scrivi({FOGLIO: righe}, formato, foglio=FOGLIO)
    return contenuto, FORMATI[formato], f"premi-{ciclo.ente.slug}-{ciclo.anno}.{formato}"


def esporta_view(request, ciclo_id, formato, *, model_admin):
    _controlla(request)
    ciclo = _ciclo(request, ciclo_id)
    if formato not in FORMATI_ESPORTAZIONE:
        raise Http404(f"Formato «{formato}» non previsto: scegliere CSV o XLSX.")
    rifiuto = motivo_rifiuto_esportazione(ciclo)
    if rifiuto:
        model_admin.message_user(request, rifiuto, messages.ERROR)
        return redirect(url_premi(ciclo.pk))
    contenuto, tipo, nome = esporta(ciclo, formato)
    risposta = HttpResponse(contenuto, content_type=tipo)
    risposta["Content-Disposition"] = f'attachment; filename="{nome}"'
    risposta["Cache-Control"] = "no-store"
    return risposta
