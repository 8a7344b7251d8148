"""The register of sent e-mails, read-only (written only by ``avvisi.services``)."""

from django.contrib import admin

from obiettivi import permessi
from seregno_perf.sola_lettura import SolaLetturaMixin

from .models import AvvisoInviato


@admin.register(AvvisoInviato)
class AvvisoInviatoAdmin(SolaLetturaMixin, admin.ModelAdmin):
    list_display = ["inviato_il", "tipo", "destinatario", "indirizzo", "oggetto", "ciclo"]
    list_filter = ["tipo"]
    list_select_related = ["destinatario", "ciclo__ente"]
    search_fields = ["oggetto", "indirizzo", "destinatario__username"]
    fields = ["inviato_il", "tipo", "destinatario", "indirizzo", "ciclo", "chiave", "oggetto", "testo"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return permessi.is_amministratore(request.user)

    def has_view_permission(self, request, obj=None):
        return permessi.is_amministratore(request.user)
