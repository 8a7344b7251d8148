"""Admin of the plan, in Italian, for the Servizio Programmazione e controlli.

* Trees (Area, NodoStrategico) are shown indented (django-mptt) and saved through
  ``obiettivi.services.area_upsert`` / ``nodo_upsert``, never by the admin's own ``save()``.
* Every dropdown and filter that lists cycles, areas or nodes loads them in one query, and on an
  objective's page only the areas and nodes of that objective's cycle are offered.
* Forms (``obiettivi.forms``) word the model's rules as Italian form errors; decimals accept
  "12,5"; dates are typed and shown as dd/mm/yyyy.
"""

from django.contrib import admin, messages
from django.db import models, transaction
from django.utils.formats import date_format
from mptt.admin import MPTTModelAdmin
from mptt.forms import TreeNodeChoiceField
from simple_history.admin import SimpleHistoryAdmin

from . import forms
from .models import (
    Area, Atto, Ciclo, Ente, Fase, Indicatore, NodoStrategico, Obiettivo, RispostaRPCT,
    TabellaReport, TestoReport, VariazioneObiettivo, VoceScheda,
)
from .services import area_upsert, nodo_upsert

DECIMALI_ITALIANI = {models.DecimalField: {"localize": True}}


def data_breve(valore):
    return date_format(valore, "SHORT_DATE_FORMAT") if valore else "—"


# --- filters --------------------------------------------------------------------------------


class CicloFilter(admin.SimpleListFilter):
    """Filter by cycle: one query for all cycles with their ente (the default filter does one
    query per cycle to print «Ente — anno»)."""

    title = "ciclo"
    parameter_name = "ciclo"
    campo = "ciclo"

    def lookups(self, request, model_admin):
        return [(str(c.pk), str(c)) for c in Ciclo.objects.select_related("ente")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.campo}_id": self.value()})
        return queryset


class CicloDellObiettivoFilter(CicloFilter):
    campo = "obiettivo__ciclo"


class AreaFilter(admin.SimpleListFilter):
    """Filter by area; once a cycle is chosen, only that cycle's areas are listed."""

    title = "area"
    parameter_name = "area"

    def lookups(self, request, model_admin):
        aree = Area.objects.select_related("ciclo__ente").order_by(
            "ciclo__ente__nome", "-ciclo__anno", "tree_id", "lft"
        )
        ciclo = request.GET.get(CicloFilter.parameter_name)
        if ciclo and ciclo.isdigit():
            return [(str(a.pk), f"{'— ' * a.level}{a.nome}") for a in aree.filter(ciclo_id=ciclo)]
        return [(str(a.pk), f"{'— ' * a.level}{a.nome} ({a.ciclo})") for a in aree]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(area_id=self.value())
        return queryset


# --- shared behaviour ---------------------------------------------------------------------


class CicloScopedMixin:
    """Cycles listed with their ente in one query; areas and nodes limited to the edited
    object's cycle (``request._ciclo_id`` is set by ``get_form``, before fields are built)."""

    formfield_overrides = DECIMALI_ITALIANI

    def ciclo_dell_oggetto(self, obj):
        return getattr(obj, "ciclo_id", None)

    def get_form(self, request, obj=None, change=False, **kwargs):
        ciclo_id = self.ciclo_dell_oggetto(obj) if obj is not None else None
        if ciclo_id is None:
            richiesto = request.GET.get("ciclo", "")
            ciclo_id = int(richiesto) if richiesto.isdigit() else None
        request._ciclo_id = ciclo_id
        return super().get_form(request, obj, change=change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ciclo_id = getattr(request, "_ciclo_id", None)
        modello = db_field.remote_field.model
        if modello is Ciclo:
            kwargs["queryset"] = Ciclo.objects.select_related("ente")
        elif modello in (Area, NodoStrategico) and db_field.name not in self.raw_id_fields:
            queryset = modello.objects.order_by("tree_id", "lft")
            if ciclo_id is not None:
                kwargs["queryset"] = queryset.filter(ciclo_id=ciclo_id)
            else:
                # No cycle yet (add page): every cycle's items, labelled with their cycle.
                kwargs["queryset"] = queryset.select_related("ciclo__ente")
                kwargs["form_class"] = EtichettaConCicloChoiceField
            kwargs.setdefault("form_class", TreeNodeChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        campi = list(super().get_readonly_fields(request, obj))
        if obj is not None and "ciclo" in [f.name for f in self.model._meta.fields]:
            # Moving an object to another cycle would orphan its areas, nodes and children.
            campi.append("ciclo")
        return campi


class EtichettaConCicloChoiceField(TreeNodeChoiceField):
    def label_from_instance(self, obj):
        return f"{super().label_from_instance(obj)} ({obj.ciclo})"


# --- ente, ciclo, atti ----------------------------------------------------------------------


class VoceSchedaInline(admin.TabularInline):
    model = VoceScheda
    extra = 1
    fields = ["ordine", "voce", "valore"]


@admin.register(Ente)
class EnteAdmin(admin.ModelAdmin):
    list_display = ["nome", "slug", "codice_istat", "abitanti"]
    search_fields = ["nome", "slug", "codice_istat"]
    prepopulated_fields = {"slug": ["nome"]}
    formfield_overrides = DECIMALI_ITALIANI
    inlines = [VoceSchedaInline]
    fieldsets = [
        (None, {"fields": ["nome", "slug"]}),
        ("Scheda servizi", {"fields": [
            "codice_istat", "codice_catastale", "cap", "prefisso_telefonico", "superficie_kmq",
            "altitudine_m", "abitanti", "abitanti_riferimento", "densita", "latitudine",
            "longitudine", "gemellaggi", "comuni_confinanti",
        ]}),
        ("Contatti", {"fields": [
            "indirizzo", "telefono", "email", "sito_web", "ufficio_referente",
        ]}),
    ]


@admin.register(VoceScheda)
class VoceSchedaAdmin(admin.ModelAdmin):
    list_display = ["voce", "valore", "ente", "ordine"]
    list_filter = ["ente"]
    list_select_related = ["ente"]
    search_fields = ["voce", "valore"]


@admin.register(Ciclo)
class CicloAdmin(CicloScopedMixin, admin.ModelAdmin):
    list_display = ["__str__", "ente", "anno", "stato", "smvp", "dati_dimostrativi"]
    list_filter = ["ente", "stato"]
    list_select_related = ["ente", "smvp"]
    search_fields = ["ente__nome", "=anno"]
    autocomplete_fields = ["atti"]
    fields = [
        "ente", "anno", "stato", "smvp", "atti", "dati_dimostrativi", "nota_dati_dimostrativi",
    ]

    actions = ["pubblica_relazione"]

    def get_readonly_fields(self, request, obj=None):
        return ["ente"] if obj is not None else []

    @admin.action(description="Pubblica la Relazione sulla Performance dei cicli selezionati")
    def pubblica_relazione(self, request, queryset):
        from trasparenza.services import relazione_pubblica

        for ciclo in queryset.select_related("ente"):
            esito = relazione_pubblica(ciclo=ciclo, utente=request.user)
            pub = esito.pubblicazione
            if esito.nuova:
                self.message_user(
                    request,
                    f"{ciclo}: pubblicata la versione {pub.versione} "
                    f"(impronta {pub.impronta[:12]}…).",
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    f"{ciclo}: nessuna modifica rispetto alla versione {pub.versione}, "
                    "nulla da pubblicare.",
                    messages.INFO,
                )


class VariazioneObiettivoInline(admin.TabularInline):
    model = VariazioneObiettivo
    form = forms.VariazioneObiettivoForm
    extra = 1
    autocomplete_fields = ["obiettivo"]
    fields = ["obiettivo", "effetto", "titolo_nell_atto"]
    verbose_name = "obiettivo introdotto o modificato"
    verbose_name_plural = "obiettivi introdotti o modificati da questo atto"


@admin.register(Atto)
class AttoAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organo", "numero", "data_gg_mm_aaaa", "anno", "ente"]
    list_filter = ["organo", "anno", "ente"]
    list_select_related = ["ente"]
    search_fields = ["organo", "numero", "oggetto"]
    inlines = [VariazioneObiettivoInline]
    fields = ["ente", "organo", "numero", "data", "anno", "oggetto", "note"]

    @admin.display(description="data", ordering="data")
    def data_gg_mm_aaaa(self, obj):
        return data_breve(obj.data)


@admin.register(VariazioneObiettivo)
class VariazioneObiettivoAdmin(admin.ModelAdmin):
    form = forms.VariazioneObiettivoForm
    list_display = ["atto", "obiettivo", "effetto"]
    list_filter = ["effetto", "atto__organo", "atto__anno"]
    list_select_related = ["atto", "obiettivo"]
    search_fields = ["obiettivo__codice", "obiettivo__titolo", "atto__numero", "atto__organo"]
    autocomplete_fields = ["atto", "obiettivo"]


# --- trees ----------------------------------------------------------------------------------


class AlberoAdmin(CicloScopedMixin, MPTTModelAdmin):
    """Indented tree; saves go through the tree services."""

    mptt_level_indent = 20
    list_filter = [CicloFilter]
    list_per_page = 500

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("ciclo__ente")

    def upsert(self, obj):  # pragma: no cover - overridden
        raise NotImplementedError

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        rinominato = change and "codice" in form.changed_data
        if rinominato:
            # ``codice`` is the service's key and not a tree field: rename the row first.
            self.model.objects.filter(pk=obj.pk).update(codice=obj.codice)
        salvato = self.upsert(obj)
        if rinominato:
            # Sibling order follows (ordine, codice): let mptt re-sort this one tree.
            salvato.refresh_from_db()
            self.model.objects.partial_rebuild(salvato.tree_id)
            salvato.refresh_from_db()
        obj.pk = salvato.pk
        for campo in ("lft", "rght", "tree_id", "level"):
            setattr(obj, campo, getattr(salvato, campo))
        obj._state.adding = False


@admin.register(Area)
class AreaAdmin(AlberoAdmin):
    form = forms.AreaAdminForm
    list_display = ["nome", "codice", "ciclo", "elenco_dirigenti"]
    list_display_links = ["nome"]
    search_fields = ["nome", "codice", "slug"]
    autocomplete_fields = ["dirigenti"]
    fields = ["ciclo", "parent", "codice", "slug", "nome", "ordine", "dirigenti"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("dirigenti")

    @admin.display(description="dirigenti")
    def elenco_dirigenti(self, obj):
        return ", ".join(d.get_full_name() or d.username for d in obj.dirigenti.all()) or "—"

    def upsert(self, obj):
        return area_upsert(
            ciclo=obj.ciclo, codice=obj.codice, nome=obj.nome, slug=obj.slug,
            parent=obj.parent, ordine=obj.ordine,
        )


@admin.register(NodoStrategico)
class NodoStrategicoAdmin(AlberoAdmin):
    form = forms.NodoStrategicoAdminForm
    list_display = ["titolo", "codice", "livello_nome", "ciclo"]
    list_display_links = ["titolo"]
    search_fields = ["codice", "titolo"]
    fields = [
        "ciclo", "parent", "codice", "titolo", "livello_nome", "valore", "descrizione", "nota",
        "ordine",
    ]

    def upsert(self, obj):
        return nodo_upsert(
            ciclo=obj.ciclo, codice=obj.codice, titolo=obj.titolo,
            livello_nome=obj.livello_nome, parent=obj.parent, valore=obj.valore,
            descrizione=obj.descrizione, nota=obj.nota, ordine=obj.ordine,
        )


# --- objectives, indicators, phases ---------------------------------------------------------


class IndicatoreInline(admin.TabularInline):
    model = Indicatore
    form = forms.IndicatoreAdminForm
    formfield_overrides = DECIMALI_ITALIANI
    extra = 0
    fields = [
        "codice", "nome", "unita", "tipo", "peso", "target", "consuntivo", "data_target",
        "data_consuntivo",
    ]


class FaseInline(admin.TabularInline):
    model = Fase
    form = forms.FaseAdminForm
    formset = forms.FaseInlineFormSet
    formfield_overrides = DECIMALI_ITALIANI
    extra = 0
    fields = ["codice", "descrizione", "peso", "percentuale", "inizio", "fine"]


@admin.register(Obiettivo)
class ObiettivoAdmin(CicloScopedMixin, SimpleHistoryAdmin):
    form = forms.ObiettivoAdminForm
    list_display = [
        "codice", "titolo", "area", "azione", "tipologia", "stato", "grado_proposto",
        "grado_validato",
    ]
    list_display_links = ["codice", "titolo"]
    list_filter = [CicloFilter, AreaFilter, "stato", "tipologia"]
    list_select_related = ["area", "nodo"]
    search_fields = ["codice", "titolo"]
    inlines = [IndicatoreInline, FaseInline]
    fieldsets = [
        (None, {"fields": [
            "ciclo", "codice", "titolo", "descrizione", "area", "nodo", "tipologia", "peso",
            "ordine",
        ]}),
        ("Stato", {"fields": ["stato", "motivazione_stato", "anno_rinvio"]}),
        ("Rendicontazione del dirigente", {"fields": ["relazione", "grado_proposto"]}),
        ("Validazione del Nucleo di valutazione", {"fields": [
            "grado_validato", "motivazione_grado",
        ]}),
    ]

    @admin.display(description="azione strategica", ordering="nodo__codice")
    def azione(self, obj):
        return obj.nodo


@admin.register(Indicatore)
class IndicatoreAdmin(SimpleHistoryAdmin):
    form = forms.IndicatoreAdminForm
    formfield_overrides = DECIMALI_ITALIANI
    list_display = ["codice", "nome", "obiettivo", "tipo", "target", "consuntivo"]
    list_filter = [CicloDellObiettivoFilter, "tipo"]
    list_select_related = ["obiettivo"]
    search_fields = ["codice", "nome", "obiettivo__codice", "obiettivo__titolo"]
    autocomplete_fields = ["obiettivo"]


@admin.register(Fase)
class FaseAdmin(SimpleHistoryAdmin):
    """Phases one by one: the weights of an objective's phases are redistributed on the
    objective's page (the sum must stay 100), so deleting a single phase happens there too."""

    form = forms.FaseAutonomaAdminForm
    formfield_overrides = DECIMALI_ITALIANI
    list_display = ["codice", "descrizione", "obiettivo", "peso", "percentuale", "inizio_", "fine_"]
    list_filter = [CicloDellObiettivoFilter]
    list_select_related = ["obiettivo"]
    search_fields = ["codice", "descrizione", "obiettivo__codice", "obiettivo__titolo"]
    autocomplete_fields = ["obiettivo"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="inizio", ordering="inizio")
    def inizio_(self, obj):
        return data_breve(obj.inizio)

    @admin.display(description="fine", ordering="fine")
    def fine_(self, obj):
        return data_breve(obj.fine)


# --- report sections ------------------------------------------------------------------------


@admin.register(TestoReport)
class TestoReportAdmin(CicloScopedMixin, admin.ModelAdmin):
    list_display = ["__str__", "sezione", "ordine", "ciclo"]
    list_filter = [CicloFilter, "sezione"]
    list_select_related = ["ciclo__ente"]
    search_fields = ["titolo", "testo"]


@admin.register(TabellaReport)
class TabellaReportAdmin(CicloScopedMixin, admin.ModelAdmin):
    form = forms.TabellaReportAdminForm
    list_display = ["titolo", "codice", "sezione", "ordine", "ciclo"]
    list_filter = [CicloFilter, "sezione"]
    list_select_related = ["ciclo__ente"]
    search_fields = ["titolo", "codice"]
    fields = ["ciclo", "sezione", "codice", "ordine", "titolo", "colonne", "righe", "fonte", "note"]


@admin.register(RispostaRPCT)
class RispostaRPCTAdmin(CicloScopedMixin, admin.ModelAdmin):
    list_display = ["codice", "domanda_breve", "ciclo"]
    list_filter = [CicloFilter]
    list_select_related = ["ciclo__ente"]
    search_fields = ["codice", "domanda", "risposta"]

    @admin.display(description="domanda")
    def domanda_breve(self, obj):
        return obj.domanda if len(obj.domanda) <= 90 else f"{obj.domanda[:87]}…"
