"""The page of a job in the admin, for every kind but the publication (which has its own under
the cycle, ``obiettivi.admin_pubblicazione``). Added by ``LavoroAdmin.get_urls``, behind
``admin_view``:

* ``lavori/lavoro/<id>/segui/`` — the job: queued, running with its step, done with what it
  produced (the kind's template ``admin/lavori/esito/<tipo>.html`` reads ``lavoro.risultato``),
  failed with the Italian error, or interrupted with «Riprova». ``static/js/lavoro.js`` polls
  ``…/segui/stato/`` and reloads the page when the job ends; without JavaScript the ``Refresh``
  header does.
* ``…/segui/riprova/`` (POST) queues a failed or interrupted job again.
* ``…/file/`` — the file the job produced (private storage), to the user who asked only.

Who follows a job (``puo_seguire``): the user who asked; for kinds that are not personal data
(``Lavoro.PERSONALI``) also the Amministratori of the job's ente and the host.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.urls import path, reverse

from obiettivi import permessi
from seregno_perf import formati

from . import servizi
from .models import Lavoro


def puo_seguire(user, lavoro: Lavoro) -> bool:
    if lavoro.utente_id is not None and lavoro.utente_id == user.pk:
        return True
    if lavoro.tipo in Lavoro.PERSONALI:
        return False
    if lavoro.ente_id is None:
        return permessi.is_host(user)
    return permessi.is_amministratore(user, lavoro.ente_id)


def url_pagina(lavoro: Lavoro) -> str:
    """Where a job is followed: the publication's page under its cycle, the others here."""
    if lavoro.tipo == Lavoro.Tipo.PUBBLICAZIONE:
        return reverse("admin:obiettivi_ciclo_lavoro", args=[lavoro.ciclo_id, lavoro.pk])
    return reverse("admin:lavori_lavoro_segui", args=[lavoro.pk])


def _lavoro(request, lavoro_id) -> Lavoro:
    lavoro = get_object_or_404(Lavoro.objects.select_related("ciclo__ente", "ente", "utente"),
                               pk=lavoro_id)
    if not puo_seguire(request.user, lavoro):
        raise Http404("Lavoro non trovato.")  # others' jobs do not exist for this user
    return lavoro


def _template_esito(lavoro) -> str:
    """The kind's template for what the job produced, if the kind has one."""
    nome = f"admin/lavori/esito/{lavoro.tipo}.html"
    try:
        get_template(nome)
    except TemplateDoesNotExist:
        return ""
    return nome


def pagina(request, lavoro: Lavoro, *, template="admin/lavori/lavoro/segui.html", url_stato: str,
           url_riprova: str, **extra) -> TemplateResponse:
    """A job's page, for every kind (the publication's under its cycle passes its own template,
    which extends this one, and URLs): state, step, what it produced, «Riprova»."""
    stato = servizi.stato_json(lavoro)
    contesto = {
        **admin.site.each_context(request), "title": lavoro.get_tipo_display(),
        "opts": Lavoro._meta, "lavoro": lavoro, "stato": stato,
        "richiesto": formati.data_ora(lavoro.creato_il),
        "puo_riprovare": stato["stato"] in (Lavoro.Stato.FALLITO, Lavoro.Stato.INTERROTTO),
        "url_stato": url_stato, "url_riprova": url_riprova,
        "url_file": (reverse("admin:lavori_lavoro_file", args=[lavoro.pk])
                     if lavoro.file and lavoro.utente_id == request.user.pk else ""),
        "file_scaduto": stato["stato"] == Lavoro.Stato.COMPLETATO and not lavoro.file
        and lavoro.tipo in Lavoro.PERSONALI,
        # what it produced: when done, or when it failed with something to show (NonRiuscito)
        "esito_template": _template_esito(lavoro) if stato["stato"] == Lavoro.Stato.COMPLETATO
        or (stato["stato"] == Lavoro.Stato.FALLITO and lavoro.risultato) else "",
        **extra,
    }
    risposta = TemplateResponse(request, template, contesto)
    if stato["attivo"]:
        risposta["Refresh"] = "5"  # without JavaScript; lavoro.js polls the JSON instead
    return risposta


def stato_risposta(lavoro: Lavoro) -> JsonResponse:
    """The job's state as ``lavoro.js`` polls it, never cached."""
    risposta = JsonResponse(servizi.stato_json(lavoro))
    risposta["Cache-Control"] = "no-store"
    return risposta


def riprova_risposta(request, lavoro: Lavoro):
    """«Riprova» (POST): the job queued again, then its new page (the old one if refused)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        accodato = servizi.riprova(lavoro, utente=request.user)
    except ValidationError as errore:
        messages.error(request, " ".join(errore.messages))
        return HttpResponseRedirect(url_pagina(lavoro))
    return HttpResponseRedirect(url_pagina(accodato.lavoro))


def segui_view(request, lavoro_id):
    lavoro = _lavoro(request, lavoro_id)
    return pagina(request, lavoro,
                  url_stato=reverse("admin:lavori_lavoro_segui_stato", args=[lavoro.pk]),
                  url_riprova=reverse("admin:lavori_lavoro_segui_riprova", args=[lavoro.pk]))


def segui_stato_view(request, lavoro_id):
    return stato_risposta(_lavoro(request, lavoro_id))


def segui_riprova_view(request, lavoro_id):
    return riprova_risposta(request, _lavoro(request, lavoro_id))


def file_view(request, lavoro_id):
    """The produced file, to the user who asked for it only (personal data stay theirs)."""
    lavoro = _lavoro(request, lavoro_id)
    if lavoro.utente_id != request.user.pk:
        raise PermissionDenied("Il file di un lavoro lo scarica solo chi lo ha richiesto.")
    if not lavoro.file or not default_storage.exists(lavoro.file):
        raise Http404("Il file non c'è più: i file dei lavori si tengono 7 giorni. Rilanciare il lavoro.")
    risposta = FileResponse(default_storage.open(lavoro.file, "rb"), as_attachment=True,
                            filename=lavoro.file.rsplit("/", 1)[-1])
    risposta["Cache-Control"] = "private, no-store"
    return risposta


def urls(admin_site):
    vista = admin_site.admin_view
    return [
        path("<int:lavoro_id>/segui/", vista(segui_view), name="lavori_lavoro_segui"),
        path("<int:lavoro_id>/segui/stato/", vista(segui_stato_view), name="lavori_lavoro_segui_stato"),
        path("<int:lavoro_id>/segui/riprova/", vista(segui_riprova_view), name="lavori_lavoro_segui_riprova"),
        path("<int:lavoro_id>/file/", vista(file_view), name="lavori_lavoro_file"),
    ]
