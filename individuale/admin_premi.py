"""The admin of the bonus funds (``FondoPremi``) and, from its ``get_urls``, the page «Calcolo
dei premi» with the export for payroll (``individuale.premi``). The Amministratore (HR) only:
funds are not personal data, the calculation is. Imported by ``individuale.admin``."""

from functools import partial

from django.contrib import admin
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from obiettivi.forms import RegoleFormMixin
from seregno_perf import formati
from seregno_perf.campi import CAMPI_ITALIANI
from seregno_perf.testi_admin import CronologiaItaliana

from . import premi
from .models import FondoPremi


@admin.register(FondoPremi)
class FondoPremiAdmin(SimpleHistoryAdmin):
    list_display = ["nome", "ciclo", "area", "gruppo", "stanziato"]
    list_filter = ["ciclo"]
    list_select_related = ["ciclo__ente", "area", "gruppo"]
    search_fields = ["nome"]
    fields = ["ciclo", "nome", "area", "gruppo", "importo", "atto"]
    formfield_overrides = CAMPI_ITALIANI
    change_list_template = "admin/individuale/change_list_fondi.html"

    @admin.display(description="importo stanziato", ordering="importo")
    def stanziato(self, obj):
        return formati.euro(obj.importo)

    # the Amministratore (HR) only, whatever the Django permissions
    def has_module_permission(self, request):
        return premi.puo_calcolare_premi(request.user)

    def has_view_permission(self, request, obj=None):
        return premi.puo_calcolare_premi(request.user)

    has_add_permission = has_module_permission

    def has_change_permission(self, request, obj=None):
        return premi.puo_calcolare_premi(request.user)

    has_delete_permission = has_change_permission

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (RegoleFormMixin, form), {})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        campo = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "ciclo":
            campo.queryset = campo.queryset.select_related("ente")
        elif db_field.name == "area":
            campo.queryset = campo.queryset.select_related("ciclo__ente")
            campo.label_from_instance = lambda a: f"{a.nome} ({a.ciclo.ente} {a.ciclo.anno})"
        elif db_field.name == "gruppo":
            campo.queryset = campo.queryset.select_related("smvp")
            campo.label_from_instance = lambda g: f"{g.nome} ({g.smvp})"
        return campo

    # history: readable, never reverted from there
    def revert_disabled(self, request, obj=None):
        return True

    def get_historical_record_context_helper(self, request, historical_record):
        return CronologiaItaliana(self.model, historical_record)

    def get_urls(self):
        vista = self.admin_site.admin_view
        return [
            path("calcolo/", vista(partial(premi.cicli_view, model_admin=self)),
                 name="individuale_premi_cicli"),
            path("calcolo/<int:ciclo_id>/", vista(partial(premi.premi_view, model_admin=self)),
                 name="individuale_premi"),
            path("calcolo/<int:ciclo_id>/esporta/<str:formato>/",
                 vista(partial(premi.esporta_view, model_admin=self)), name="individuale_premi_esporta"),
        ] + super().get_urls()
