"""The Nucleo's documento di validazione in the admin.

Only the Nucleo di valutazione of the cycle's ente adds, edits (while a draft) and signs; the
Amministratore (and the host superuser) only reads; a dirigente sees nothing. Everything — list,
pages, dropdowns, signing — is limited to the user's enti (``permessi.filtra_per_area``); another
ente's document answers 404 (``NonVisibile404Mixin``). A signed document is read-only
for everyone (the model refuses the write too: ``validazione.models``). A new document opened
from a cycle (``?ciclo=<id>``, the link on the verifiche page) comes drafted from the verifiche
(``services.documento_bozza``); so does one saved with empty findings.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from obiettivi import permessi
from obiettivi.admin import NonVisibile404Mixin
from obiettivi.models import Ciclo
from trasparenza.queries import url_validazione

from . import services
from .models import DocumentoValidazione


def _scrive(user, obj=None) -> bool:
    """Only the Nucleo (of ``obj``'s ente) writes (the host superuser only reads, and is asked
    first so the admin's menu costs no query for it)."""
    if user.is_superuser:
        return False
    return permessi.is_nucleo(user, None if obj is None else permessi.ente_di(obj))


@admin.register(DocumentoValidazione)
class DocumentoValidazioneAdmin(NonVisibile404Mixin, admin.ModelAdmin):
    list_display = ("ciclo", "pubblicazione", "esito", "stato_firma", "firmato_il")
    list_filter = ("esito",)
    list_select_related = ("ciclo__ente", "pubblicazione__ciclo__ente")
    readonly_fields = ("firmato_il", "firmato_da", "impronta", "pdf_sha256")
    fieldsets = (
        ("La Relazione esaminata", {"fields": (
            "ciclo", "pubblicazione", "atto_approvazione", "ricevuta_il", "documenti_esaminati",
            "sostituisce", "illustrativo")}),
        ("Il giudizio, criterio per criterio", {
            "description": "Ogni giudizio parte dall'esito delle verifiche che lo riguardano: "
                           "correggerlo e completarlo prima di firmare.",
            "fields": tuple(campo for campo, _ in DocumentoValidazione.CRITERI)}),
        ("Esito e firma", {"fields": (
            "esito", "motivazione", "firmatari", "firmato_il", "firmato_da", "impronta",
            "pdf_sha256")}),
    )

    @admin.display(description="firma")
    def stato_firma(self, obj):
        return "Firmato" if obj.firmato else "Bozza"

    # --- who may do what (the rows' rules; obiettivi.permessi gives the model permissions) --

    def get_queryset(self, request):
        return permessi.filtra_per_area(request.user, super().get_queryset(request), None)

    def has_module_permission(self, request):
        return permessi.vede_tutto(request.user)

    def has_view_permission(self, request, obj=None):
        return permessi.vede_tutto(request.user, None if obj is None else permessi.ente_di(obj))

    def has_add_permission(self, request):
        return _scrive(request.user)

    def has_change_permission(self, request, obj=None):
        return _scrive(request.user, obj) and (obj is None or not obj.firmato)

    def has_delete_permission(self, request, obj=None):
        return _scrive(request.user, obj) and (obj is None or not obj.firmato)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "pubblicazione":
            kwargs["queryset"] = db_field.related_model.objects.select_related("ciclo__ente").defer(
                "dati", "html")
        elif db_field.name == "sostituisce":
            kwargs["queryset"] = DocumentoValidazione.objects.filter(
                firmato_il__isnull=False).select_related("ciclo__ente")
        campo = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if campo is not None:
            campo.queryset = permessi.scopa_scelte(request.user, campo.queryset)
        return campo

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        campo = super().formfield_for_manytomany(db_field, request, **kwargs)
        if campo is not None:
            campo.queryset = permessi.scopa_scelte(request.user, campo.queryset)
        return campo

    # --- the draft -------------------------------------------------------------------------

    def get_changeform_initial_data(self, request):
        iniziali = super().get_changeform_initial_data(request)
        ciclo_id = request.GET.get("ciclo")
        if ciclo_id and ciclo_id.isdigit() and permessi.filtra_per_area(
                request.user, Ciclo.objects.filter(pk=ciclo_id), None).exists():
            bozza = services.documento_bozza(DocumentoValidazione(ciclo_id=int(ciclo_id)))
            iniziali.update({
                campo: getattr(bozza, campo) for campo in (
                    "documenti_esaminati", "illustrativo",
                    *(c for c, _ in DocumentoValidazione.CRITERI))
            })
            iniziali.update({campo: getattr(bozza, f"{campo}_id") for campo in (
                "ciclo", "pubblicazione", "atto_approvazione", "sostituisce")})
        return iniziali

    def save_model(self, request, obj, form, change):
        if obj.ciclo_id is not None:
            services.documento_bozza(obj)  # what the Nucleo left empty comes from the verifiche
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    # --- signing ---------------------------------------------------------------------------

    def get_urls(self):
        return [
            path("<int:documento_id>/firma/", self.admin_site.admin_view(self.firma_view),
                 name="validazione_documentovalidazione_firma"),
            *super().get_urls(),
        ]

    def firma_view(self, request, documento_id):
        if not _scrive(request.user):
            raise PermissionDenied("Solo il Nucleo di valutazione firma il documento di validazione.")
        documento = get_object_or_404(
            self.get_queryset(request).select_related("ciclo__ente", "pubblicazione"), pk=documento_id)
        if not _scrive(request.user, documento):
            raise PermissionDenied("Solo il Nucleo di valutazione firma il documento di validazione.")
        pagina = reverse("admin:validazione_documentovalidazione_change", args=[documento.pk])
        errori = services.errori_firma(documento, request.user)
        if request.method == "POST" and not errori:
            try:
                services.documento_firma(documento=documento, utente=request.user)
            except ValidationError as errore:
                errori = errore.messages
            else:
                ciclo = Ciclo.objects.select_related("ente").get(pk=documento.ciclo_id)
                self.message_user(
                    request,
                    f"Documento firmato e pubblicato: {url_validazione(ciclo)}. "
                    f"Il ciclo è ora «{ciclo.get_stato_display()}».",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(pagina)
        return TemplateResponse(request, "admin/validazione/documentovalidazione/firma.html", {
            **self.admin_site.each_context(request),
            "title": f"Firma e pubblica: {documento}",
            "documento": documento, "errori": errori, "pagina": pagina,
            "opts": self.model._meta,
        })
