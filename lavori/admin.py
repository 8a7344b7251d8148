"""The jobs in the admin: a read-only register (the services write the rows), each row linking
to its job's page (a publication's under its cycle, ``obiettivi.admin_pubblicazione``; the other
kinds' in ``pagine``: state, step, what it produced, «Riprova»). Only Amministratori see the
register, scoped to their enti; whoever asks for a job follows it from its page. Of a personal
job (``Lavoro.PERSONALI``: the schede's PDF) the others read only kind, cycle, state, who asked
and when: no step, outcome or link. The backend's own register (``django_tasks_db``'s task
results, in English) is not shown: this one speaks for it."""

from django.contrib import admin
from django.utils.html import format_html

from obiettivi import permessi
from obiettivi.admin import FiltriDellEnteMixin
from seregno_perf import formati
from seregno_perf.sola_lettura import SolaLetturaMixin

from . import pagine, servizi
from .models import Lavoro

try:
    from django_tasks_db.models import DBTaskResult

    admin.site.unregister(DBTaskResult)
except (ImportError, admin.exceptions.NotRegistered):
    pass


@admin.register(Lavoro)
class LavoroAdmin(FiltriDellEnteMixin, SolaLetturaMixin, admin.ModelAdmin):
    list_display = ("creato", "tipo", "ciclo", "stato_mostrato", "utente")
    list_filter = ("stato", "tipo", "ente")
    list_select_related = ("ciclo__ente", "ente", "utente")
    fields = ("tipo", "ente", "ciclo", "utente", "nota", "stato", "passo", "esito", "errore", "versione",
              "creato_il", "iniziato_il", "finito_il", "battito", "esecutore", "id_task",
              "riprova_di")
    readonly_fields = fields
    PERSONALI_NASCOSTI = ("nota", "passo", "esito", "errore")  # of a job the user does not follow
    list_per_page = 50

    def get_queryset(self, request):
        """The jobs of the user's enti only (``permessi.PERCORSI_ENTE``)."""
        return permessi.scopa_scelte(request.user, super().get_queryset(request))

    def has_module_permission(self, request):
        return permessi.is_amministratore(request.user)

    def has_view_permission(self, request, obj=None):
        return permessi.is_amministratore(request.user)

    @admin.display(description="richiesto il", ordering="creato_il")
    def creato(self, obj):
        return formati.data_ora(obj.creato_il)

    @admin.display(description="stato")
    def stato_mostrato(self, obj):
        return Lavoro.Stato(servizi.stato_effettivo(obj)).label

    def get_list_display(self, request):
        """The step and the link to the job's page only for whoever follows the job
        (``pagine.puo_seguire``): of a personal job (``Lavoro.PERSONALI``, the schede's PDF)
        the others read kind, state and who asked, nothing of what it prints."""
        utente = request.user

        @admin.display(description="passo")
        def passo_mostrato(obj):
            if not pagine.puo_seguire(utente, obj) or servizi.stato_effettivo(obj) != Lavoro.Stato.IN_CORSO:
                return formati.VUOTO
            return obj.passo

        @admin.display(description="dettaglio")
        def pagina(obj):
            if not pagine.puo_seguire(utente, obj):
                return formati.VUOTO
            return format_html('<a href="{}">Apri</a>', pagine.url_pagina(obj))

        campi = list(super().get_list_display(request))
        return [*campi[:-1], passo_mostrato, campi[-1], pagina]

    def get_fields(self, request, obj=None):
        """A personal job's own words (step, outcome, error, note) only to its requester."""
        campi = super().get_fields(request, obj)
        if obj is not None and not pagine.puo_seguire(request.user, obj):
            return [c for c in campi if c not in self.PERSONALI_NASCOSTI]
        return campi

    def get_urls(self):
        return pagine.urls(self.admin_site) + super().get_urls()
