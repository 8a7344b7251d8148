"""The register of sent e-mails, read-only (written only by ``avvisi.services``), and the
host's «Invia ora i promemoria dovuti» (``invia-promemoria/``, behind ``admin_view``): the page
says what will happen, its POST queues the installation's reminders job
(``services.accoda_promemoria``, one at a time) and answers at once with the job's page. The
reminders are the installation's, every ente's: an Amministratore of an ente does not start
them (403) — cron does, every hour."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from lavori import servizi
from lavori.models import Lavoro
from lavori.pagine import url_pagina
from obiettivi import permessi
from seregno_perf import formati
from seregno_perf.sola_lettura import SolaLetturaMixin

from .models import AvvisoInviato
from .services import accoda_promemoria


@admin.register(AvvisoInviato)
class AvvisoInviatoAdmin(SolaLetturaMixin, admin.ModelAdmin):
    list_display = ["inviato_il", "tipo", "destinatario", "indirizzo", "oggetto", "ciclo"]
    list_filter = ["tipo"]
    list_select_related = ["destinatario", "ciclo__ente"]
    search_fields = ["oggetto", "indirizzo", "destinatario__username"]
    fields = ["inviato_il", "tipo", "destinatario", "indirizzo", "ciclo", "chiave", "oggetto", "testo"]
    readonly_fields = fields
    change_list_template = "admin/avvisi/avvisoinviato/change_list.html"

    def get_queryset(self, request):
        """The messages about the user's enti only (``permessi.PERCORSI_ENTE``); those about no
        cycle (the Nucleo's daily summary, which may cover several enti) are the host's."""
        return permessi.scopa_scelte(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return permessi.is_amministratore(request.user)

    def has_view_permission(self, request, obj=None):
        return permessi.is_amministratore(request.user)

    def get_urls(self):
        return [path("invia-promemoria/", self.admin_site.admin_view(self.invia_promemoria_view),
                     name="avvisi_avvisoinviato_invia_promemoria"),
                *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "puo_inviare_promemoria": permessi.is_host(request.user)}
        return super().changelist_view(request, extra_context)

    def invia_promemoria_view(self, request):
        if not permessi.is_host(request.user):
            raise PermissionDenied("I promemoria sono di tutti gli enti: li avvia solo chi gestisce "
                                   "l'installazione (ogni ora li invia comunque il server).")
        if request.method == "POST":
            accodato = accoda_promemoria(utente=request.user)
            if not accodato.nuovo:
                messages.info(request, "Un invio dei promemoria era già in coda o in corso: "
                                       "eccolo, non ne è stato aggiunto un altro.")
            return HttpResponseRedirect(url_pagina(accodato.lavoro))
        contesto = {
            **self.admin_site.each_context(request), "opts": self.opts,
            "title": "Invia ora i promemoria dovuti", "oggi": formati.data(timezone.localdate()),
        }
        attivo = Lavoro.objects.filter(tipo=Lavoro.Tipo.PROMEMORIA, stato__in=Lavoro.ATTIVI).first()
        if attivo is not None and not servizi.worker_morto(attivo):  # GET writes nothing
            contesto.update(attivo=attivo, url_attivo=url_pagina(attivo))
        return TemplateResponse(request, "admin/avvisi/avvisoinviato/invia_promemoria.html", contesto)
