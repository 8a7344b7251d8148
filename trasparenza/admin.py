from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from obiettivi import permessi
from obiettivi.admin import FiltriDellEnteMixin
from seregno_perf.sola_lettura import SolaLetturaMixin

from .models import Pubblicazione


@admin.register(Pubblicazione)
class PubblicazioneAdmin(FiltriDellEnteMixin, SolaLetturaMixin, admin.ModelAdmin):
    """Publications are frozen: they can be read, never changed or deleted from the admin; each
    user reads those of their enti."""

    def get_queryset(self, request):
        return permessi.filtra_per_area(request.user, super().get_queryset(request), None)

    list_display = ("ciclo", "versione", "pubblicata_il", "pubblicata_da", "impronta_breve", "link")
    list_filter = ("ciclo__ente",)
    list_select_related = ("ciclo__ente", "pubblicata_da")
    search_fields = ("ciclo__ente__nome", "impronta")
    fields = ("ciclo", "versione", "pubblicata_il", "pubblicata_da", "impronta", "pdf",
              "pdf_sha256", "modifiche", "nota")
    readonly_fields = fields

    @admin.display(description="impronta")
    def impronta_breve(self, obj):
        return f"{obj.impronta[:12]}…"

    @admin.display(description="pagina pubblica")
    def link(self, obj):
        url = reverse("trasparenza:relazione_versione", kwargs={
            "ente": obj.ciclo.ente.slug, "anno": obj.ciclo.anno, "versione": obj.versione})
        return format_html('<a href="{}">{}</a>', url, url)
