"""Admin of the valutazione app: SMVP (with its scales and bands), barometro, financial
indicators, and the read-only «Risultati calcolati» page of each ciclo.

The SMVP is validated as a whole (``valutazione.forms``: weights in the form, scales and bands
in the inline formsets); the admin writes nothing unless everything is valid, inside the change
view's transaction.

Roles: the same ``obiettivi.admin.RuoliAdminMixin`` as the plan. A dirigente sees the barometro
standards of their areas and fills in the measured value («valore rilevato») during
rendicontazione; the Nucleo sees everything read-only; an SMVP used by a locked cycle (approvata,
pubblicata) cannot be changed — duplicate it as a new version. The «Risultati calcolati» pages
aggregate every area, so a dirigente (who sees only their own) is not shown them.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from simple_history.admin import SimpleHistoryAdmin

from seregno_perf.campi import CAMPI_ITALIANI

from individuale import predefiniti as individuale_predefiniti
from individuale import servizi as individuale_servizi
from individuale.forms import FasciaPremioFormSet
from individuale.models import (
    Comportamento,
    FasciaPremio,
    GruppoRuolo,
    LivelloComportamento,
    ObiettivoObbligatorio,
)
from obiettivi import permessi
from obiettivi.admin import AreaFilter, CicloFilter, RuoliAdminMixin
from obiettivi.models import Ciclo

from . import scoring
from .forms import (
    FasciaFormSet,
    IndicatoreFinanziarioForm,
    LivelloScalaFormSet,
    PrecompilatoInlineForm,
    SmvpForm,
    StandardBarometroForm,
    fasce_iniziali,
    livelli_iniziali,
)
from .models import Fascia, IndicatoreFinanziario, LivelloScala, Smvp, StandardBarometro
from .queries import CicloSenzaSmvp, risultati_ciclo
from .services import smvp_duplica

CHANGE_LIST_CON_RISULTATI = "admin/valutazione/change_list_risultati.html"


class _PrecompilaNuovoSmvp:
    """On the add page, pre-fill the inline with Seregno's defaults (editable before saving)."""

    iniziali = staticmethod(list)

    def get_extra(self, request, obj=None, **kwargs):
        return len(self.iniziali()) if obj is None else 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is None:
            iniziali = self.iniziali()

            class Precompilato(formset):
                def __init__(self, *args, **kw):
                    kw.setdefault("initial", iniziali)
                    super().__init__(*args, **kw)

            return Precompilato
        return formset


class _SmvpBloccatoInline:
    """Scales and bands of an SMVP used by a locked cycle are read-only like the SMVP."""

    def _modificabile(self, request, obj):
        return obj is None or permessi.puo_modificare(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._modificabile(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._modificabile(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._modificabile(request, obj)


class _InlineDelloSmvp(_SmvpBloccatoInline):
    """A row of the SMVP's page: numbers typed the Italian way, the rules' messages of
    ``obiettivi.regole``, read-only once a locked cycle uses the SMVP."""

    formfield_overrides = CAMPI_ITALIANI
    form = PrecompilatoInlineForm


class LivelloScalaInline(_InlineDelloSmvp, _PrecompilaNuovoSmvp, admin.TabularInline):
    model = LivelloScala
    formset = LivelloScalaFormSet
    iniziali = staticmethod(livelli_iniziali)
    fields = ["scala", "valore", "etichetta"]
    testo_aggiungi = "Aggiungi un altro livello"


class FasciaInline(_InlineDelloSmvp, _PrecompilaNuovoSmvp, admin.TabularInline):
    model = Fascia
    formset = FasciaFormSet
    iniziali = staticmethod(fasce_iniziali)
    fields = ["tipo", "da", "a", "valore"]
    testo_aggiungi = "Aggiungi un'altra fascia"


# --- performance individuale: the SMVP's rules for people (issue 16) --------------------------
#
# Role groups, the behaviours' scale and the bonus bands are pre-filled on a new SMVP from
# ``individuale.predefiniti``; the behaviours and the mandatory objectives, which name the role
# groups, are added from the same defaults when the new SMVP is saved (``save_related``).

def _gruppi_iniziali():
    return [dict(g) for g in individuale_predefiniti.GRUPPI]


def _scala_comportamenti_iniziale():
    return [{"valore": v, "etichetta": e} for v, e in individuale_predefiniti.SCALA_COMPORTAMENTI]


def _fasce_premio_iniziali():
    return [{"da": da, "a": a, "quota": q} for da, a, q in individuale_predefiniti.FASCE_PREMIO]


class GruppoRuoloInline(_InlineDelloSmvp, _PrecompilaNuovoSmvp, admin.StackedInline):
    model = GruppoRuolo
    iniziali = staticmethod(_gruppi_iniziali)
    fields = [
        ("codice", "nome", "ordine"),
        ("peso_ente", "peso_area", "peso_obiettivi", "peso_comportamenti", "peso_differenziazione"),
        ("valutatore", "nucleo_vede", "giorni_conciliazione"),
        ("quota_maggiorazione", "maggiorazione", "parametro"),
    ]
    verbose_name_plural = "gruppi di ruolo della performance individuale (i cinque pesi sommano a 100)"
    testo_aggiungi = "Aggiungi un altro gruppo di ruolo"


class _ConGruppiDelloSmvp:
    """The «gruppi di ruolo» of a row are chosen among the groups of the same SMVP."""

    def get_formset(self, request, obj=None, **kwargs):
        request._smvp_aperto = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        smvp = getattr(request, "_smvp_aperto", None)
        kwargs["queryset"] = GruppoRuolo.objects.filter(smvp=smvp) if smvp else GruppoRuolo.objects.none()
        from django.forms import CheckboxSelectMultiple

        kwargs["widget"] = CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ComportamentoInline(_InlineDelloSmvp, _ConGruppiDelloSmvp, admin.TabularInline):
    model = Comportamento
    fields = ["codice", "nome", "descrizione", "peso", "gruppi", "ordine"]
    extra = 0
    verbose_name_plural = "comportamenti della performance individuale"
    testo_aggiungi = "Aggiungi un altro comportamento"


class LivelloComportamentoInline(_InlineDelloSmvp, _PrecompilaNuovoSmvp, admin.TabularInline):
    model = LivelloComportamento
    iniziali = staticmethod(_scala_comportamenti_iniziale)
    fields = ["valore", "etichetta", "descrizione"]
    testo_aggiungi = "Aggiungi un altro livello"


class FasciaPremioInline(_InlineDelloSmvp, _PrecompilaNuovoSmvp, admin.TabularInline):
    model = FasciaPremio
    formset = FasciaPremioFormSet
    iniziali = staticmethod(_fasce_premio_iniziali)
    fields = ["da", "a", "quota"]
    testo_aggiungi = "Aggiungi un'altra fascia del premio"


class ObiettivoObbligatorioInline(_InlineDelloSmvp, _ConGruppiDelloSmvp, admin.StackedInline):
    model = ObiettivoObbligatorio
    fields = [("codice", "riferimento"), "descrizione", ("peso_minimo", "base_peso"), "gruppi"]
    extra = 0
    testo_aggiungi = "Aggiungi un altro obiettivo obbligatorio"


INLINE_INDIVIDUALE = [GruppoRuoloInline, LivelloComportamentoInline, ComportamentoInline,
                      FasciaPremioInline, ObiettivoObbligatorioInline]


@admin.register(Smvp)
class SmvpAdmin(RuoliAdminMixin, SimpleHistoryAdmin):
    form = SmvpForm
    inlines = [LivelloScalaInline, FasciaInline, *INLINE_INDIVIDUALE]
    change_list_template = CHANGE_LIST_CON_RISULTATI
    list_display = [
        "nome", "versione", "ente", "peso_finanziaria", "peso_obiettivi", "peso_qualita",
        "aggregazione_obiettivi", "aggregazione_nodi", "numero_cicli",
    ]
    list_filter = ["ente"]
    search_fields = ["nome", "descrizione"]
    list_select_related = ["ente", "atto"]
    actions = ["esporta_csv", "duplica_come_nuova_versione"]
    fieldsets = [
        (None, {"fields": ["ente", "nome", "versione", "atto", "descrizione"]}),
        (
            "Livello di performance di ente: (PFin × peso) + (PObj_Gen × peso) + (PQua_Gen × peso)",
            {
                "fields": ["peso_finanziaria", "peso_obiettivi", "peso_qualita"],
                "description": "I tre pesi devono sommare a 100.",
            },
        ),
        (
            "Obiettivi e albero",
            {
                "fields": [
                    "aggregazione_obiettivi", "aggregazione_nodi", "tetto_raggiungimento",
                    "quota_fasi",
                ],
                "description": "Regole spiegate con esempi nella nota metodologica (docs/scoring.md).",
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_n_cicli=Count("cicli"))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:  # a new SMVP: the default behaviours and mandatory objectives
            individuale_servizi.regole_predefinite_crea(smvp=form.instance, solo_legati_ai_gruppi=True)

    @admin.display(description="cicli che lo usano", ordering="_n_cicli")
    def numero_cicli(self, obj):
        return obj._n_cicli

    @admin.action(description="Duplica come nuova versione (con scale, fasce e regole della performance individuale)",
                  permissions=["add"])
    def duplica_come_nuova_versione(self, request, queryset):
        for smvp in queryset:
            with transaction.atomic():
                copia = smvp_duplica(smvp=smvp)
                individuale_servizi.regole_copia(da=smvp, a=copia)
            self.message_user(request, f"Creato «{copia}» come copia di «{smvp}».", messages.SUCCESS)

    def get_urls(self):
        vista = self.admin_site.admin_view
        return [
            path("risultati/", vista(self.risultati_cicli_view), name="valutazione_risultati_cicli"),
            path("risultati/<int:ciclo_id>/", vista(self.risultati_view), name="valutazione_risultati"),
        ] + super().get_urls()

    # --- «Risultati calcolati» (read-only) -------------------------------------------------

    def _puo_vedere_risultati(self, request):
        utente = request.user
        if not permessi.vede_tutto(utente):  # a dirigente as such, or nobody's role
            return False
        return any(
            utente.has_perm(p)
            for p in (
                "valutazione.view_smvp", "valutazione.view_indicatorefinanziario",
                "valutazione.view_standardbarometro", "obiettivi.view_obiettivo",
            )
        )

    def risultati_cicli_view(self, request):
        if not self._puo_vedere_risultati(request):
            raise _permesso_negato()
        cicli = permessi.filtra_per_area(request.user, Ciclo.objects.select_related("ente", "smvp"), None
                                         ).order_by("ente__nome", "-anno")
        return TemplateResponse(request, "admin/valutazione/risultati_cicli.html", {
            **self.admin_site.each_context(request),
            "title": "Risultati calcolati",
            "cicli": cicli,
            "opts": self.model._meta,
        })

    def risultati_view(self, request, ciclo_id):
        if not self._puo_vedere_risultati(request):
            raise _permesso_negato()
        ciclo = get_object_or_404(
            permessi.filtra_per_area(request.user, Ciclo.objects.select_related("ente", "smvp"), None), pk=ciclo_id)
        try:
            risultati = risultati_ciclo(ciclo)
        except CicloSenzaSmvp as errore:
            self.message_user(request, str(errore), messages.ERROR)
            return redirect("admin:valutazione_risultati_cicli")
        return TemplateResponse(request, "admin/valutazione/risultati.html", {
            **self.admin_site.each_context(request),
            "title": f"Risultati calcolati — {ciclo.ente} {ciclo.anno}",
            "ciclo": ciclo,
            "r": risultati,
            "opts": self.model._meta,
        })


def _permesso_negato():
    return PermissionDenied("Non hai i permessi per vedere i risultati calcolati.")


@admin.register(StandardBarometro)
class StandardBarometroAdmin(RuoliAdminMixin, SimpleHistoryAdmin):
    percorso_area = "area"
    form = StandardBarometroForm
    change_list_template = CHANGE_LIST_CON_RISULTATI
    list_display = ["codice", "servizio", "standard", "area", "programmato", "rilevato", "grado", "ciclo"]
    list_filter = [CicloFilter, AreaFilter, "grado"]
    search_fields = ["codice", "servizio", "standard"]
    list_select_related = ["ciclo__ente", "area"]
    ordering = ["ciclo", "codice"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("ciclo__ente", "area")


@admin.register(IndicatoreFinanziario)
class IndicatoreFinanziarioAdmin(RuoliAdminMixin, SimpleHistoryAdmin):
    form = IndicatoreFinanziarioForm
    change_list_template = CHANGE_LIST_CON_RISULTATI
    list_display = ["codice", "nome", "unita", "target", "valore", "direzione", "rispettato", "ciclo"]
    list_filter = [CicloFilter, "direzione"]
    search_fields = ["codice", "nome"]
    list_select_related = ["ciclo__ente"]
    ordering = ["ciclo", "codice"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("ciclo__ente")

    @admin.display(description="rispettato", boolean=True)
    def rispettato(self, obj):
        return scoring.indicatore_finanziario_rispettato(obj.valore, obj.target, obj.direzione)


def url_risultati(ciclo_id=None):
    """The admin URL of the «Risultati calcolati» page (of a ciclo, or the list of cicli)."""
    if ciclo_id is None:
        return reverse("admin:valutazione_risultati_cicli")
    return reverse("admin:valutazione_risultati", args=[ciclo_id])

