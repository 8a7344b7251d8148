"""Admin of the plan, in Italian, for the Servizio Programmazione e controlli.

* Trees (Area, NodoStrategico) are shown indented (django-mptt) and saved through
  ``obiettivi.services.area_upsert`` / ``nodo_upsert``, never by the admin's own ``save()``.
* Every dropdown and filter that lists cycles, areas or nodes loads them in one query, and on an
  objective's page only the areas and nodes of that objective's cycle are offered.
* Forms (``obiettivi.forms``) word the model's rules as Italian form errors; decimals accept
  "12,5"; dates are typed and shown as dd/mm/yyyy.
* Roles (``obiettivi.permessi``): every admin class starts with ``RuoliAdminMixin``, which scopes
  the queryset (list, search, change URL, history, actions, export), the object permissions, the
  editable fields, the dropdowns and the filters. An object outside the user's areas answers 404;
  its history 403. Reverting from the history is disabled: corrections go through the normal
  page, so they follow the same rules and are recorded.
* The review workflow (``obiettivi.workflow``) is driven from the objective's page (buttons
  «Salva e invia al Nucleo», «Salva e valida», «Salva e rinvia al dirigente»), from bulk actions
  that call the same services row by row (so each change is in the history), and from the
  cycle's page («Passa allo stato successivo», «Riapri il ciclo»); towards «Pubblicata» (and the
  list's «Pubblica») through the publication's preview and confirmation
  (``obiettivi.admin_pubblicazione``).
"""

import copy

from django import forms as django_forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from mptt.admin import MPTTModelAdmin
from mptt.forms import TreeNodeChoiceField
from simple_history.admin import SimpleHistoryAdmin

from seregno_perf.campi import CAMPI_ITALIANI
from seregno_perf.tabelle import righe_csv
from seregno_perf.sola_lettura import SolaLetturaMixin
from seregno_perf.testi_admin import CronologiaItaliana, TestoAggiungiMixin
from valutazione import queries as valutazione_queries

from . import admin_pubblicazione, forms, permessi, regole, risultato, services, workflow
from .models import (
    Area, Atto, Ciclo, Ente, Fase, Indicatore, NodoStrategico, Obiettivo, RiaperturaCiclo,
    RispostaRPCT, TabellaReport, TestoReport, VariazioneObiettivo, VoceScheda,
)
from .peg import admin as peg_admin
from .services import area_upsert, nodo_upsert


def _copia_con_get(request, parametri):
    """A copy of ``request`` whose query string is ``parametri`` (to build a list as it was)."""
    copia = copy.copy(request)
    copia.GET = parametri
    return copia


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
        cicli = permessi.scopa_scelte(request.user, Ciclo.objects.select_related("ente"))
        return [(str(c.pk), str(c)) for c in cicli]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.campo}_id": self.value()})
        return queryset


class CicloObiettiviFilter(CicloFilter):
    """The objectives' cycle filter. «Tutti i cicli» is an explicit choice (``ciclo=tutti``),
    so that the list can open on one cycle when no cycle is asked for (the dirigente's open one,
    the latest under review for whoever sees more than one ente)
    (``ObiettivoAdmin.changelist_view``) and still show every cycle when asked."""

    TUTTI = "tutti"

    def choices(self, changelist):
        yield {
            "selected": self.value() in (None, self.TUTTI),
            "query_string": changelist.get_query_string({self.parameter_name: self.TUTTI}),
            "display": "Tutti i cicli",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(ciclo_id=self.value())
        return queryset


class CicloDellObiettivoFilter(CicloFilter):
    campo = "obiettivo__ciclo"


class AreaFilter(admin.SimpleListFilter):
    """Filter by area; once a cycle is chosen, only that cycle's areas are listed."""

    title = "area"
    parameter_name = "area"

    def lookups(self, request, model_admin):
        aree = permessi.scopa_scelte(request.user, Area.objects.select_related("ciclo__ente")).order_by(
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


# --- roles: one mixin scopes every admin path ------------------------------------------------


def campi_del_modello(model):
    """The names of the fields a form of ``model`` can carry."""
    opts = model._meta
    return [f.name for f in opts.fields if f.editable and not f.auto_created] + [
        m.name for m in opts.many_to_many
    ]


def senza_campi(fieldsets, nascosti):
    """``fieldsets`` without the fields in ``nascosti`` (a fieldset left empty goes too)."""
    if not nascosti:
        return fieldsets
    nuovi = []
    for nome, opzioni in fieldsets:
        campi = [c for c in opzioni["fields"] if c not in nascosti]
        if campi:
            nuovi.append((nome, {**opzioni, "fields": campi}))
    return nuovi


class CampiInterniMixin:
    """Internal fields (``permessi.campi_interni``: the «ordine» of objectives, areas…) shown
    only to the role that changes them: out of the form, the page and the list for the others.
    For a ``ModelAdmin`` and for an inline alike."""

    def get_fieldsets(self, request, obj=None):
        nascosti = permessi.campi_interni(request.user, self.model)
        return senza_campi(super().get_fieldsets(request, obj), nascosti)

    def get_list_display(self, request):
        nascosti = permessi.campi_interni(request.user, self.model)
        return [c for c in super().get_list_display(request) if c not in nascosti]


class FiltriDellEnteMixin:
    """The choices of a plain foreign-key filter (``list_filter = ["ente"]``) are only the rows
    the list holds (``RelatedOnlyFieldListFilter``, which reads ``get_queryset``): an ente, a
    cycle of another ente is never named. For every admin of a scoped model."""

    def get_list_filter(self, request):
        filtri = []
        for filtro in super().get_list_filter(request):
            if isinstance(filtro, str) and _relazione(self.model, filtro):
                filtro = (filtro, admin.RelatedOnlyFieldListFilter)
            filtri.append(filtro)
        return filtri


def _relazione(model, percorso):
    """``percorso`` (``"ente"``, ``"ciclo__ente"``) ends on a relation of ``model``."""
    for nome in percorso.split("__"):
        try:
            campo = model._meta.get_field(nome)
        except Exception:
            return False
        if not campo.is_relation:
            return False
        model = campo.related_model
    return True


class ScelteScopateMixin:
    """Dropdowns (foreign keys, many-to-many) offer only what the user may see
    (``permessi.scopa_scelte``): never a row of another ente or of another dirigente's area."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        campo = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if campo is not None and getattr(campo, "queryset", None) is not None:
            campo.queryset = permessi.scopa_scelte(request.user, campo.queryset)
        return campo

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        campo = super().formfield_for_manytomany(db_field, request, **kwargs)
        if campo is not None and getattr(campo, "queryset", None) is not None:
            campo.queryset = permessi.scopa_scelte(request.user, campo.queryset)
        return campo


class NonVisibile404Mixin:
    """A row outside ``get_queryset`` (another ente's, another area's) does not exist for the
    user: its change, delete and history URLs answer 404 — not Django's redirect to the admin's
    home with «does not exist», nor a 403 that would confirm it exists."""

    messaggio_404 = "Elemento inesistente o non visibile con il tuo ruolo."

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(self.messaggio_404)
        return obj


class RuoliAdminMixin(NonVisibile404Mixin, ScelteScopateMixin, FiltriDellEnteMixin, CampiInterniMixin,
                      TestoAggiungiMixin):
    """Who sees and changes what, on every path of one model's admin (see ``obiettivi.permessi``).

    ``percorso_area`` is the lookup from the model to its Area (``None``: the row belongs to no
    area, so only administrators and the Nucleo see it). Internal fields are hidden from the
    roles that cannot change them (``CampiInterniMixin``); inlines say «Aggiungi un'altra fase»
    (``testo_aggiungi``, ``seregno_perf.testi_admin``).
    """

    percorso_area = None
    actions = ["esporta_csv"]
    # numbers typed the Italian way ("40.000", "1.250,5"), stored values shown as "5"
    formfield_overrides = CAMPI_ITALIANI

    # queryset: list, search, filters, change/delete/history URLs, bulk actions, export
    def get_queryset(self, request):
        return permessi.filtra_per_area(request.user, super().get_queryset(request), self.percorso_area)

    # object permissions
    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        return obj is None or permessi.puo_vedere(request.user, obj)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or (
            permessi.puo_vedere(request.user, obj) and permessi.puo_modificare(request.user, obj)
        )

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or permessi.campi_modificabili(request.user, obj) is permessi.TUTTI

    # fields: a role changes only its own
    def get_readonly_fields(self, request, obj=None):
        base = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return base
        campi = permessi.campi_modificabili(request.user, obj)
        if campi is permessi.TUTTI:
            return base
        return base + [n for n in campi_del_modello(self.model) if n not in campi and n not in base]

    def get_fieldsets(self, request, obj=None):
        """The hidden version field (lost-update guard) only where the page can be saved."""
        fieldsets = super().get_fieldsets(request, obj)
        if not issubclass(self.form, forms.ControlloVersioneMixin):
            return fieldsets
        nuovi = [
            (nome, {**opzioni, "fields": [c for c in opzioni["fields"] if c != "versione_letta"]})
            for nome, opzioni in fieldsets
        ]
        if obj is not None and self.has_change_permission(request, obj):
            nuovi[0][1]["fields"].append("versione_letta")
        return nuovi

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        basi = (CicloNonBloccatoMixin, form)
        if not issubclass(form, forms.RegoleFormMixin):
            basi = (CicloNonBloccatoMixin, forms.RegoleFormMixin, form)
        return type(form.__name__, basi, {})


    # history: readable by whoever sees the object; never reverted from there
    def revert_disabled(self, request, obj=None):
        return True

    def get_historical_record_context_helper(self, request, historical_record):
        return CronologiaItaliana(self.model, historical_record)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Il ripristino dallo storico è disattivato.")
        self.get_object(request, unquote(object_id))  # 404 outside the user's areas
        return super().history_form_view(request, object_id, version_id, extra_context)

    # export: what the user sees, nothing more (the action only receives rows of get_queryset)
    @admin.action(description="Esporta in CSV gli elementi selezionati", permissions=["view"])
    def esporta_csv(self, request, queryset):
        campi = [f for f in self.model._meta.fields]
        righe = [[str(f.verbose_name) for f in campi]]
        righe += queryset.values_list(*[f.attname for f in campi])
        risposta = HttpResponse(righe_csv(righe, separatore=";"), content_type="text/csv; charset=utf-8")
        risposta["Content-Disposition"] = f'attachment; filename="{self.model._meta.model_name}.csv"'
        return risposta


class CicloNonBloccatoMixin(django_forms.BaseForm):
    """Nothing is added to, or moved into, a locked cycle (approvata or pubblicata)."""

    def clean(self):
        cleaned = super().clean()
        for nome in ("ciclo", "obiettivo"):
            valore = cleaned.get(nome)
            ciclo = permessi.ciclo_di(valore) if valore is not None else None
            if ciclo is not None and workflow.ciclo_bloccato(ciclo):
                self.add_error(
                    nome,
                    f"Il ciclo {ciclo} è «{ciclo.get_stato_display()}»: i suoi dati non si "
                    "modificano più. Un Amministratore può riaprirlo indicando la motivazione.",
                )
        return cleaned


# --- shared behaviour ---------------------------------------------------------------------


class CicloScopedMixin:
    """Cycles listed with their ente in one query; areas and nodes limited to the edited
    object's cycle (``request._ciclo_id`` is set by ``get_form``, before fields are built)."""

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


class VoceSchedaInline(CampiInterniMixin, admin.TabularInline):
    model = VoceScheda
    extra = 1
    fields = ["ordine", "voce", "valore"]
    testo_aggiungi = "Aggiungi un'altra voce"


@admin.register(Ente)
class EnteAdmin(RuoliAdminMixin, admin.ModelAdmin):
    """An ente's data (its Amministratore changes them); creating and deleting enti is the
    host's (the superuser of the installation, ``docs/enti.md``)."""

    list_display = ["nome", "slug", "codice_istat", "abitanti"]

    def has_add_permission(self, request):
        return permessi.is_host(request.user)

    def has_delete_permission(self, request, obj=None):
        return permessi.is_host(request.user) and super().has_delete_permission(request, obj)

    search_fields = ["nome", "slug", "codice_istat"]
    prepopulated_fields = {"slug": ["nome"]}
    inlines = [VoceSchedaInline]
    fieldsets = [
        (None, {"fields": ["nome", "slug", "provincia"]}),
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
class VoceSchedaAdmin(RuoliAdminMixin, admin.ModelAdmin):
    list_display = ["voce", "valore", "ente", "ordine"]
    list_filter = ["ente"]
    list_select_related = ["ente"]
    search_fields = ["voce", "valore"]


class AvanzamentoCicloForm(django_forms.Form):
    """The next state of a cycle. Towards «Approvata» it asks for the Giunta's deliberation: the
    dropdown lists only the acts ``regole.errori_atto_approvazione`` accepts, with a «+» that
    opens the act's add page in a popup (ente and kind preselected); any other act sent (a
    crafted request, an act created in the popup with another kind) is refused by the same rule,
    naming it."""

    atto = django_forms.ModelChoiceField(
        label="atto della Giunta che approva la Relazione", queryset=Atto.objects.none(),
        required=False,
        help_text="Una deliberazione della Giunta dell'ente, dell'anno del ciclo o successiva.",
    )

    def __init__(self, *args, ciclo, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.ciclo = ciclo
        if workflow.stato_successivo(ciclo) == Ciclo.Stato.APPROVATA:
            campo = self.fields["atto"]
            campo.queryset = Atto.objects.all()  # what is sent is judged by the rule, not by the list
            campo.required = True
            campo.widget.choices = [("", "---------")] + [
                (a.pk, str(a)) for a in atti_approvazione(ciclo)
            ]
            if admin_site is not None:
                campo.widget = AttoApprovazioneWidget(campo.widget, ciclo=ciclo, admin_site=admin_site)
        else:
            del self.fields["atto"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for errore in workflow.errori_avanzamento(self.ciclo, atto=cleaned.get("atto")):
                self.add_error(None, errore)
        return cleaned


def atti_approvazione(ciclo):
    """The acts of the cycle's ente that may approve its Relazione (the rule of
    ``regole.errori_atto_approvazione``, applied to the ente's acts: tens, one query)."""
    return [
        a for a in Atto.objects.filter(ente_id=ciclo.ente_id).order_by("-anno", "-data", "numero")
        if not regole.errori_atto_approvazione(a, ente_id=ciclo.ente_id, anno=ciclo.anno)
    ]


class AttoApprovazioneWidget(RelatedFieldWidgetWrapper):
    """The «+» of a foreign key (the admin's own popup), opening the act's add page with the
    cycle's ente and «Deliberazione della Giunta» already chosen."""

    def __init__(self, widget, *, ciclo, admin_site):
        super().__init__(
            widget, Ciclo._meta.get_field("atto_approvazione").remote_field, admin_site,
            can_add_related=True, can_change_related=False, can_delete_related=False,
            can_view_related=False,
        )
        self.ciclo = ciclo

    def get_context(self, name, value, attrs):
        contesto = super().get_context(name, value, attrs)
        contesto["url_params"] += "&" + urlencode({
            "ente": self.ciclo.ente_id, "tipo": regole.DELIBERA_GIUNTA, "anno": self.ciclo.anno + 1,
        })
        return contesto


class RiaperturaCicloForm(django_forms.Form):
    stato = django_forms.ChoiceField(label="riaprire nello stato")
    motivazione = django_forms.CharField(
        label="motivazione", widget=django_forms.Textarea(attrs={"rows": 3}),
        help_text="Resta nel registro delle riaperture e nello storico del ciclo.",
    )

    def __init__(self, *args, ciclo, **kwargs):
        super().__init__(*args, **kwargs)
        indice = workflow.ORDINE_STATI.index(ciclo.stato)
        self.fields["stato"].choices = [
            (s.value, s.label) for s in workflow.STATI_DI_RIAPERTURA
            if workflow.ORDINE_STATI.index(s) < indice
        ]


@admin.register(Ciclo)
class CicloAdmin(RuoliAdminMixin, CicloScopedMixin, SimpleHistoryAdmin):
    """The cycle's state changes only through ``obiettivi.workflow`` (buttons on its page)."""

    list_display = ["__str__", "ente", "anno", "stato", "smvp", "dati_dimostrativi"]
    list_filter = ["ente", "stato"]
    list_select_related = ["ente", "smvp"]
    search_fields = ["ente__nome", "=anno"]
    autocomplete_fields = ["atti"]
    fields = [
        "ente", "anno", "stato", "passaggi_di_stato", "scadenza_rendicontazione",
        "atto_approvazione", "smvp", "atti", "dati_dimostrativi", "nota_dati_dimostrativi",
    ]

    actions = ["esporta_csv", "pubblica_relazione", "copia_anno_successivo"]

    def get_readonly_fields(self, request, obj=None):
        fissi = ["stato", "passaggi_di_stato", "atto_approvazione"]
        if obj is None:
            return fissi
        campi = super().get_readonly_fields(request, obj)
        return ["ente", *fissi, *[c for c in campi if c not in fissi and c != "ente"]]

    @admin.display(description="cambia stato")
    def passaggi_di_stato(self, obj):
        if obj is None or obj.pk is None:
            return "Il ciclo nasce in «Pianificazione»."
        successivo = workflow.stato_successivo(obj)
        pulsanti = []
        if successivo == Ciclo.Stato.VALIDATA:  # only the Nucleo's signature gets there
            pulsanti.append("In attesa del documento di validazione del Nucleo (lo firma il Nucleo).")
        elif (non_validata := workflow.ultima_non_validazione(obj)) is not None:
            pulsanti.append(format_html("<strong>{}</strong>", non_validata.motivazione))
        if successivo is not None and successivo != Ciclo.Stato.VALIDATA:
            # Towards «Pubblicata» the button opens the publication's preview.
            vista = ("admin:obiettivi_ciclo_pubblica" if successivo == Ciclo.Stato.PUBBLICATA
                     else "admin:obiettivi_ciclo_avanza")
            pulsanti.append(format_html(
                '<a class="button" href="{}">Passa a «{}»</a>',
                reverse(vista, args=[obj.pk]), Ciclo.Stato(successivo).label,
            ))
        elif workflow.puo_pubblicare(obj):
            pulsanti.append(format_html(
                '<a class="button" href="{}">Pubblica</a>',
                reverse("admin:obiettivi_ciclo_pubblica", args=[obj.pk]),
            ))
        if workflow.ORDINE_STATI.index(obj.stato) > workflow.ORDINE_STATI.index(Ciclo.Stato.RENDICONTAZIONE):
            pulsanti.append(format_html(
                '<a class="button" href="{}">Riapri il ciclo</a>',
                reverse("admin:obiettivi_ciclo_riapri", args=[obj.pk]),
            ))
        testo = "Dati bloccati: il ciclo è chiuso. " if workflow.ciclo_bloccato(obj) else ""
        return format_html("{}{}", testo, format_html(" ".join(["{}"] * len(pulsanti)), *pulsanti)) if pulsanti else testo or "—"

    def get_urls(self):
        vista = self.admin_site.admin_view
        return [
            path("<int:ciclo_id>/avanza/", vista(self.avanza_view), name="obiettivi_ciclo_avanza"),
            path("<int:ciclo_id>/riapri/", vista(self.riapri_view), name="obiettivi_ciclo_riapri"),
            *peg_admin.urls(self.admin_site),
            *admin_pubblicazione.urls(self.admin_site),
        ] + super().get_urls()

    def _ciclo_per_transizione(self, request, ciclo_id):
        ciclo = get_object_or_404(permessi.scopa_scelte(request.user, Ciclo.objects.select_related("ente")), pk=ciclo_id)
        if not permessi.is_amministratore(request.user, ciclo.ente_id):
            raise PermissionDenied("Solo un Amministratore dell'ente cambia lo stato di un ciclo.")
        return ciclo

    def _pagina_transizione(self, request, ciclo, form, titolo, pulsante, testo):
        return TemplateResponse(request, "admin/obiettivi/ciclo/transizione.html", {
            **self.admin_site.each_context(request),
            "title": titolo, "ciclo": ciclo, "form": form, "pulsante": pulsante,
            "testo": testo, "opts": self.model._meta, "media": self.media + form.media,
        })

    def avanza_view(self, request, ciclo_id):
        ciclo = self._ciclo_per_transizione(request, ciclo_id)
        successivo = workflow.stato_successivo(ciclo)
        if successivo is None:
            self.message_user(request, f"Il ciclo {ciclo} è già nell'ultimo stato.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:obiettivi_ciclo_change", args=[ciclo.pk]))
        if successivo == Ciclo.Stato.PUBBLICATA:  # publishing goes through its preview
            return HttpResponseRedirect(reverse("admin:obiettivi_ciclo_pubblica", args=[ciclo.pk]))
        form = AvanzamentoCicloForm(request.POST if request.method == "POST" else None, ciclo=ciclo,
                                    admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            try:
                workflow.ciclo_avanza(ciclo=ciclo, utente=request.user, atto=form.cleaned_data.get("atto"))
            except ValidationError as errore:
                for messaggio in errore.messages:
                    form.add_error(None, messaggio)
            else:
                self.message_user(
                    request, f"Il ciclo {ciclo} è ora «{Ciclo.Stato(successivo).label}».",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:obiettivi_ciclo_change", args=[ciclo.pk]))
        etichetta = Ciclo.Stato(successivo).label
        return self._pagina_transizione(
            request, ciclo, form, f"{ciclo}: passaggio a «{etichetta}»", f"Passa a «{etichetta}»",
            f"Stato attuale: «{ciclo.get_stato_display()}». Dopo «Validazione» i dati del ciclo "
            "sono bloccati per tutti.",
        )

    def riapri_view(self, request, ciclo_id):
        ciclo = self._ciclo_per_transizione(request, ciclo_id)
        form = RiaperturaCicloForm(request.POST if request.method == "POST" else None, ciclo=ciclo)
        if request.method == "POST" and form.is_valid():
            try:
                workflow.ciclo_riapri(
                    ciclo=ciclo, utente=request.user, motivazione=form.cleaned_data["motivazione"],
                    stato=form.cleaned_data["stato"],
                )
            except ValidationError as errore:
                for messaggio in errore.messages:
                    form.add_error(None, messaggio)
            else:
                self.message_user(request, f"Il ciclo {ciclo} è stato riaperto.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:obiettivi_ciclo_change", args=[ciclo.pk]))
        return self._pagina_transizione(
            request, ciclo, form, f"{ciclo}: riapertura", "Riapri il ciclo",
            f"Stato attuale: «{ciclo.get_stato_display()}». La riapertura sblocca i dati e resta "
            "registrata con la motivazione.",
        )

    @admin.action(description="Pubblica la Relazione sulla Performance (con anteprima)",
                  permissions=["pubblica"])
    def pubblica_relazione(self, request, queryset):
        """The list's «Pubblica» opens the preview of the one cycle selected (publishing is
        confirmed there, after seeing what changes)."""
        cicli = list(queryset.values_list("pk", flat=True)[:2])
        if len(cicli) != 1:
            self.message_user(request, "Si pubblica un ciclo alla volta: selezionarne uno solo, "
                              "poi confermare dalla pagina dell'anteprima.", messages.ERROR)
            return None
        return HttpResponseRedirect(reverse("admin:obiettivi_ciclo_pubblica", args=cicli))

    def has_pubblica_permission(self, request):
        return permessi.is_amministratore(request.user)

    @admin.action(description="Avvia il ciclo dell'anno successivo copiando il piano",
                  permissions=["copia"])
    def copia_anno_successivo(self, request, queryset):
        for ciclo in queryset.select_related("ente"):
            try:
                esito = services.ciclo_copia(da=ciclo, anno=ciclo.anno + 1, utente=request.user)
            except ValidationError as errore:
                self.message_user(request, f"{ciclo}: {' '.join(errore.messages)}", messages.ERROR)
                continue
            n = esito.conteggi
            nodi = n["nodi dell'albero"]
            self.message_user(
                request,
                f"Creato il ciclo {esito.ciclo.anno} di {ciclo.ente} dal {ciclo.anno}: "
                f"{n['obiettivi']} obiettivi, {n['indicatori']} indicatori, {n['fasi']} fasi, "
                f"{n['aree']} aree, {nodi} nodi; senza esiti né gradi."
                + (f" Stralciati non copiati: {', '.join(esito.tralasciati)}."
                   if esito.tralasciati else ""),
                messages.SUCCESS,
            )

    def has_copia_permission(self, request):
        return permessi.is_amministratore(request.user)


@admin.register(RiaperturaCiclo)
class RiaperturaCicloAdmin(RuoliAdminMixin, SolaLetturaMixin, admin.ModelAdmin):
    """The register of reopened cycles: written only by ``workflow.ciclo_riapri``."""

    list_display = ["ciclo", "quando", "utente", "da_stato", "a_stato", "motivazione"]
    list_filter = [CicloFilter]
    list_select_related = ["ciclo__ente", "utente"]


class VariazioneObiettivoInline(admin.TabularInline):
    # Changes no figure; an Amministratore edits it from the atto's page.
    model = VariazioneObiettivo
    form = forms.VariazioneObiettivoForm
    extra = 1
    autocomplete_fields = ["obiettivo"]
    fields = ["obiettivo", "effetto", "titolo_nell_atto"]
    verbose_name = "obiettivo introdotto o modificato"
    verbose_name_plural = "obiettivi introdotti o modificati da questo atto"
    testo_aggiungi = "Aggiungi un altro obiettivo"


@admin.register(Atto)
class AttoAdmin(RuoliAdminMixin, admin.ModelAdmin):
    """Acts. ``tipo`` says which may approve a Relazione (``regole.errori_atto_approvazione``);
    the cycle's approval page opens the add page in a popup with ``?ente=…&tipo=…`` (Django's
    admin reads them as the initial values)."""

    list_display = ["__str__", "tipo", "organo", "numero", "data_gg_mm_aaaa", "anno", "ente"]
    list_filter = ["tipo", "organo", "anno", "ente"]
    list_select_related = ["ente"]
    search_fields = ["organo", "numero", "oggetto"]
    inlines = [VariazioneObiettivoInline]
    fields = ["ente", "tipo", "organo", "numero", "data", "anno", "oggetto", "note"]

    @admin.display(description="data", ordering="data")
    def data_gg_mm_aaaa(self, obj):
        return data_breve(obj.data)


@admin.register(VariazioneObiettivo)
class VariazioneObiettivoAdmin(RuoliAdminMixin, admin.ModelAdmin):
    percorso_area = "obiettivo__area"
    form = forms.VariazioneObiettivoForm
    list_display = ["atto", "obiettivo", "effetto"]
    list_filter = ["effetto", "atto__organo", "atto__anno"]
    list_select_related = ["atto", "obiettivo"]
    search_fields = ["obiettivo__codice", "obiettivo__titolo", "atto__numero", "atto__organo"]
    autocomplete_fields = ["atto", "obiettivo"]


# --- trees ----------------------------------------------------------------------------------


class AlberoAdmin(RuoliAdminMixin, CicloScopedMixin, MPTTModelAdmin):
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
    percorso_area = "pk"
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


class EsitoInlineMixin(CampiInterniMixin):
    """An objective's indicators or phases on its page: the fields editable by the user's role
    (``permessi.campi_modificabili`` of a child of that objective); rows added or deleted only
    by an Amministratore."""

    def _campi(self, request, obj):
        return permessi.campi_modificabili(request.user, self.model(obiettivo=obj))

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (
            obj is None or self._campi(request, obj) is permessi.TUTTI
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or self._campi(request, obj) is permessi.TUTTI
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        campi = self._campi(request, obj)
        return campi is permessi.TUTTI or bool(campi)

    def get_readonly_fields(self, request, obj=None):
        base = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return base
        campi = self._campi(request, obj)
        if campi is permessi.TUTTI:
            return base
        return base + [n for n in self.fields if n not in campi and n not in base]


class IndicatoreInline(EsitoInlineMixin, admin.TabularInline):
    model = Indicatore
    form = forms.IndicatoreAdminForm
    formfield_overrides = CAMPI_ITALIANI
    extra = 0
    fields = [
        "codice", "nome", "unita", "tipo", "peso", "target", "consuntivo", "data_target",
        "data_consuntivo",
    ]
    testo_aggiungi = "Aggiungi un altro indicatore"


class FaseInline(EsitoInlineMixin, admin.TabularInline):
    model = Fase
    form = forms.FaseAdminForm
    formset = forms.FaseInlineFormSet
    formfield_overrides = CAMPI_ITALIANI
    extra = 0
    fields = ["codice", "descrizione", "peso", "percentuale", "inizio", "fine"]
    testo_aggiungi = "Aggiungi un'altra fase"


AZIONI_OBIETTIVO = ("_invia", "_valida", "_valida_prossimo", "_rinvia")
# The form's fieldsets drawn after the indicators and phases, below the computed result they
# lead to (template ``admin/obiettivi/obiettivo/change_form.html``).
RENDICONTAZIONE = "Rendicontazione del dirigente"
VALIDAZIONE = "Validazione del Nucleo di valutazione"
FIELDSET_DOPO_IL_RISULTATO = (RENDICONTAZIONE, VALIDAZIONE)


@admin.register(Obiettivo)
class ObiettivoAdmin(RuoliAdminMixin, CicloScopedMixin, SimpleHistoryAdmin):
    """Objectives. A dirigente sees those of their areas and changes the outcome; the Nucleo
    changes the review fields; the buttons under the form save and then call the workflow.

    The change page shows, between the phases and the outcome, the result computed from the
    indicators and phases (``obiettivi.risultato``, i.e. ``valutazione.scoring``): from the
    saved values, and — with ``static/js/risultato-obiettivo.js`` — from the values being typed,
    through the JSON view ``risultato_view``. The list opens a dirigente's on their open cycle
    and keeps its filters after saving, after the workflow's buttons and after bulk actions."""

    percorso_area = "area"
    form = forms.ObiettivoAdminForm
    change_form_template = "admin/obiettivi/obiettivo/change_form.html"
    # Seven narrow columns: at 1280 px, with the admin's navigation and the filters open,
    # the status and the grades stay on screen (tests/ruoli/test_browser_modulo.py measures it).
    list_display = [
        "codice", "titolo_breve", "ciclo_breve", "area_breve", "stato_breve", "gradi",
    ]
    list_display_links = ["codice", "titolo_breve"]
    list_filter = [CicloObiettiviFilter, AreaFilter, "stato_rendicontazione", "stato", "tipologia"]
    list_select_related = ["area"]
    search_fields = ["codice", "titolo"]
    inlines = [IndicatoreInline, FaseInline]
    readonly_fields = ["stato_rendicontazione", "stato_del_ciclo"]
    actions = ["esporta_csv", "invia_al_nucleo", "valida_confermando", "delete_selected"]
    fieldsets = [
        (None, {"fields": [
            "ciclo", "stato_del_ciclo", "codice", "titolo", "descrizione", "area", "nodo",
            "tipologia", "peso", "ordine",
        ]}),
        ("Stato", {"fields": ["stato", "motivazione_stato", "anno_rinvio"]}),
        (RENDICONTAZIONE, {"fields": [
            "stato_rendicontazione", "relazione", "grado_proposto", "spiegazione_grado",
        ]}),
        (VALIDAZIONE, {"fields": [
            "grado_validato", "motivazione_grado", "commento_nucleo",
        ]}),
    ]

    def get_queryset(self, request):
        # ChangeList ignores list_select_related once the queryset has a select_related.
        return super().get_queryset(request).select_related("ciclo__ente", "area", "nodo")

    def get_ordering(self, request):
        # The usual list is one cycle's: ordered by the index (ciclo, ordine, codice), a page of
        # it is read from the index instead of sorting every objective of the cycle (with the
        # model's order, "ciclo" means the ente's name and the year, from a join).
        if request.GET.get("ciclo", "").isdigit():
            return ["ciclo_id", "ordine", "codice"]
        return super().get_ordering(request)

    # --- the list: narrow columns, so that status and grades fit in 1280 px ----------------

    @admin.display(description="titolo", ordering="titolo")
    def titolo_breve(self, obj):
        if len(obj.titolo) <= 70:
            return obj.titolo
        return format_html('<span title="{}">{}</span>', obj.titolo,
                           Truncator(obj.titolo).chars(70))

    @admin.display(description="ciclo", ordering="ciclo__anno")
    def ciclo_breve(self, obj):
        return format_html('{}<br><span class="small quiet">{}</span>', str(obj.ciclo.anno),
                           obj.ciclo.ente.nome)

    @admin.display(description="area", ordering="area__nome")
    def area_breve(self, obj):
        return format_html('<span title="{}">{}</span>', obj.area.nome, obj.area.codice)

    @admin.display(description="stato", ordering="stato_rendicontazione")
    def stato_breve(self, obj):
        """Where the reporting stands; for an objective not active, its status first."""
        invio = obj.get_stato_rendicontazione_display()
        if obj.stato == Obiettivo.Stato.ATTIVO:
            return invio
        return format_html('{}<br><span class="small quiet">{}</span>', obj.get_stato_display(),
                           invio)

    @admin.display(description="grado", ordering="grado_validato")
    def gradi(self, obj):
        righe = [(nome, valore) for nome, valore in (
            ("proposto", obj.grado_proposto), ("validato", obj.grado_validato)) if valore is not None]
        if not righe:
            return "—"
        return format_html_join(mark_safe("<br>"), "{} {}", righe)

    @admin.display(description="stato del ciclo")
    def stato_del_ciclo(self, obj):
        if obj is None or obj.ciclo_id is None:
            return "—"
        bloccato = " (dati bloccati)" if workflow.ciclo_bloccato(obj.ciclo) else ""
        return f"{obj.ciclo.get_stato_display()}{bloccato}"

    def changelist_view(self, request, extra_context=None):
        """Without a cycle asked for, the list opens on one cycle (``_ciclo_da_aprire``): a
        dirigente's on the open cycle of their areas; that of whoever sees more than one ente
        (the Nucleo in forma associata, the host) on the latest cycle under review — unfiltered
        it would sort every row of every ente (500.000 for 100 enti × 5 years × 1.000). «Tutti i
        cicli» (``?ciclo=tutti``) shows every cycle."""
        if request.method == "GET" and CicloObiettiviFilter.parameter_name not in request.GET:
            ciclo = self._ciclo_da_aprire(request.user)
            if ciclo is not None:
                parametri = request.GET.copy()
                parametri[CicloObiettiviFilter.parameter_name] = str(ciclo)
                return HttpResponseRedirect(f"{request.path}?{parametri.urlencode()}")
        return super().changelist_view(request, extra_context)

    @staticmethod
    def _ciclo_da_aprire(utente):
        """The id of the cycle the list opens on (None: every cycle, the list is small):

        * who sees more than one ente (``permessi.vede_piu_enti``): the latest cycle of their
          enti in rendicontazione or validazione (else the latest of any state), the first ente
          by name among those of the same year;
        * a dirigente (who sees no ente whole): the latest cycle of their areas not yet closed;
        * the Amministratore and the Nucleo of one ente: none (a few thousand rows)."""
        if permessi.vede_piu_enti(utente):
            in_revisione = Case(When(stato__in=workflow.STATI_REVISIONE, then=Value(0)), default=Value(1))
            cicli = permessi.scopa_scelte(utente, Ciclo.objects.all()).order_by(
                in_revisione, "-anno", "ente__nome", "pk")
        elif not permessi.vede_tutto(utente) and permessi.is_dirigente(utente):
            cicli = permessi.scopa_scelte(
                utente, Ciclo.objects.exclude(stato__in=workflow.STATI_BLOCCATI)).order_by("-anno")
        else:
            return None
        return cicli.values_list("pk", flat=True).first()

    # --- the computed result --------------------------------------------------------------

    def get_urls(self):
        return [
            path("<path:object_id>/risultato/", self.admin_site.admin_view(self.risultato_view),
                 name="obiettivi_obiettivo_risultato"),
        ] + super().get_urls()

    def _regole(self, request, obj):
        """The rules of the objective's SMVP, read once per request (form and page)."""
        cache = getattr(request, "_regole_smvp", None)
        if cache is None or cache[0] != obj.ciclo_id:
            cache = (obj.ciclo_id, valutazione_queries.regole_del_ciclo(obj.ciclo))
            request._regole_smvp = cache
        return cache[1]

    def risultato_view(self, request, object_id):
        """JSON: % achievement and the bands' grade of the values of the change form (POST, the
        whole form with its CSRF token), or of the saved ones (GET). Only for who may see the
        objective (404 outside the user's areas, as the page)."""
        obj = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        smvp = self._regole(request, obj)
        if smvp is None:
            return JsonResponse({"errori": [
                f"Il ciclo {obj.ciclo} non ha un sistema di valutazione (SMVP): il risultato non "
                "si può calcolare."]}, status=400)
        if request.method == "POST":
            calcolato, errori = risultato.calcola_dal_modulo(obj, request.POST, request.user, smvp)
        else:
            calcolato, errori = risultato.calcola_salvato(obj, smvp), []
        if errori:
            return JsonResponse({"errori": errori}, status=400)
        dati = calcolato.come_json()
        if request.method == "POST" and "grado_proposto" in request.POST:
            grado = request.POST.get("grado_proposto", "").strip()
            dati["avvisi"] = [m for ms in regole.errori_scostamento(
                int(grado) if grado.isdigit() else None, calcolato.grado,
                request.POST.get("spiegazione_grado", obj.spiegazione_grado),
            ).values() for m in ms]
        return JsonResponse(dati)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.azione = next((a for a in AZIONI_OBIETTIVO if a in request.POST), None)
        form.regole = self._regole(request, obj) if obj is not None else None
        form.utente = request.user
        return form

    # --- buttons of the change page --------------------------------------------------------

    def _pulsanti(self, request, obj):
        utente = request.user
        puo_salvare = self.has_change_permission(request, obj)
        return {
            "puo_inviare": puo_salvare and permessi.dirige(utente, obj.area)
            and obj.ciclo.stato == Ciclo.Stato.RENDICONTAZIONE
            and obj.stato_rendicontazione in workflow.DA_INVIARE,
            "puo_validare": puo_salvare and permessi.is_nucleo(utente, obj.ciclo.ente_id)
            and not workflow.errori_revisione(obj),
            "puo_rinviare": puo_salvare and permessi.is_nucleo(utente, obj.ciclo.ente_id)
            and not workflow.errori_revisione(obj, rinvio=True),
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["fieldset_dopo"] = FIELDSET_DOPO_IL_RISULTATO
        if obj is not None:
            context.update(self._pulsanti(request, obj))
            smvp = self._regole(request, obj)
            context.update({
                "risultato": risultato.calcola_salvato(obj, smvp) if smvp else None,
                "risultato_url": reverse("admin:obiettivi_obiettivo_risultato", args=[obj.pk]),
                # the figures change with what this user types (else: read-only for them)
                "risultato_modificabile": any(
                    permessi.puo_modificare(request.user, modello(obiettivo=obj))
                    for modello in (Indicatore, Fase)
                ),
            })
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _con_filtri(self, request, indirizzo):
        """``indirizzo`` with the list's filters the page was opened from (``_changelist_filters``)."""
        return add_preserved_filters(
            {"preserved_filters": self.get_preserved_filters(request), "opts": self.opts},
            indirizzo,
        )

    def response_change(self, request, obj):
        azione = next((a for a in AZIONI_OBIETTIVO if a in request.POST), None)
        if azione is None:
            return super().response_change(request, obj)
        try:
            if azione == "_invia":
                workflow.obiettivo_invia(obiettivo=obj, utente=request.user)
                testo = f"Obiettivo {obj.codice} inviato al Nucleo di valutazione."
            elif azione in ("_valida", "_valida_prossimo"):
                workflow.obiettivo_valida(obiettivo=obj, utente=request.user)
                testo = f"Obiettivo {obj.codice} validato."
            else:
                workflow.obiettivo_rinvia(
                    obiettivo=obj, utente=request.user, commento=obj.commento_nucleo
                )
                testo = f"Obiettivo {obj.codice} rinviato al dirigente."
        except ValidationError as errore:
            # Nothing of this save is kept: the page is shown again with the reason.
            transaction.set_rollback(True)
            self.message_user(request, " ".join(errore.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        elenco = self._con_filtri(request, reverse("admin:obiettivi_obiettivo_changelist"))
        if azione == "_valida_prossimo":
            prossimo = self._prossimo_inviato(request, obj)
            if prossimo is not None:
                self.message_user(request, f"{testo} Ecco il prossimo obiettivo inviato al Nucleo.",
                                  messages.SUCCESS)
                return HttpResponseRedirect(self._con_filtri(
                    request, reverse("admin:obiettivi_obiettivo_change", args=[prossimo])))
            testo += " Non ci sono altri obiettivi inviati al Nucleo in questo elenco."
        self.message_user(request, testo, messages.SUCCESS)
        return HttpResponseRedirect(elenco)

    def _prossimo_inviato(self, request, obj):
        """The id of the submitted objective after ``obj`` in the list the page was opened from
        (its filters and order), starting again from the top; None when none is left."""
        richiesta = _copia_con_get(request, QueryDict(request.GET.get("_changelist_filters", "")))
        try:
            elenco = self.get_changelist_instance(richiesta).queryset
        except IncorrectLookupParameters:  # filters no longer valid: the whole list
            richiesta = _copia_con_get(request, QueryDict())
            elenco = self.get_changelist_instance(richiesta).queryset
        ids = list(elenco.filter(
            Q(stato_rendicontazione=Obiettivo.StatoRendicontazione.INVIATO) | Q(pk=obj.pk)
        ).values_list("pk", flat=True))
        if obj.pk not in ids:
            return ids[0] if ids else None
        posizione = ids.index(obj.pk)
        seguenti = ids[posizione + 1:] + ids[:posizione]
        return seguenti[0] if seguenti else None

    def get_deleted_objects(self, objs, request):
        """An objective's phases go with it: the phase admin forbids deleting a single phase
        (the remaining weights would no longer sum to 100), not the whole objective."""
        eliminabili, conteggio, mancanti, protetti = super().get_deleted_objects(objs, request)
        mancanti.discard(Fase._meta.verbose_name)
        return eliminabili, conteggio, mancanti, protetti

    # --- bulk actions: the same services, row by row (each change in the history) ----------

    def _azione_di_massa(self, request, queryset, servizio, fatto):
        riusciti, errori = 0, []
        for obiettivo in queryset.select_related("ciclo", "area"):
            try:
                servizio(obiettivo=obiettivo, utente=request.user)
            except ValidationError as errore:
                errori.extend(errore.messages)
            else:
                riusciti += 1
        if riusciti:
            self.message_user(request, f"{riusciti} obiettivi {fatto}.", messages.SUCCESS)
        for messaggio in errori[:20]:
            self.message_user(request, messaggio, messages.ERROR)
        if len(errori) > 20:
            self.message_user(request, f"… e altri {len(errori) - 20} non riusciti.", messages.ERROR)

    @admin.action(description="Invia al Nucleo gli obiettivi selezionati", permissions=["invio"])
    def invia_al_nucleo(self, request, queryset):
        self._azione_di_massa(request, queryset, workflow.obiettivo_invia, "inviati al Nucleo")

    def has_invio_permission(self, request):
        utente = request.user
        return not utente.is_superuser and permessi.is_dirigente(utente)

    @admin.action(description="Valida gli obiettivi selezionati (senza grado validato: "
                  "conferma il grado proposto)", permissions=["revisione"])
    def valida_confermando(self, request, queryset):
        self._azione_di_massa(request, queryset, workflow.obiettivo_valida, "validati")

    def has_revisione_permission(self, request):
        utente = request.user
        return not utente.is_superuser and permessi.is_nucleo(utente)


@admin.register(Indicatore)
class IndicatoreAdmin(RuoliAdminMixin, SimpleHistoryAdmin):
    percorso_area = "obiettivo__area"
    form = forms.IndicatoreAutonomoAdminForm
    list_display = ["codice", "nome", "obiettivo", "tipo", "target", "consuntivo"]
    list_filter = [CicloDellObiettivoFilter, "tipo"]
    list_select_related = ["obiettivo"]
    search_fields = ["codice", "nome", "obiettivo__codice", "obiettivo__titolo"]
    autocomplete_fields = ["obiettivo"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("obiettivo__ciclo", "obiettivo__area")


@admin.register(Fase)
class FaseAdmin(RuoliAdminMixin, SimpleHistoryAdmin):
    """Phases one by one: the weights of an objective's phases are redistributed on the
    objective's page (the sum must stay 100), so deleting a single phase happens there too."""

    percorso_area = "obiettivo__area"
    form = forms.FaseAutonomaAdminForm
    list_display = ["codice", "descrizione", "obiettivo", "peso", "percentuale", "inizio_", "fine_"]
    list_filter = [CicloDellObiettivoFilter]
    list_select_related = ["obiettivo"]
    search_fields = ["codice", "descrizione", "obiettivo__codice", "obiettivo__titolo"]
    autocomplete_fields = ["obiettivo"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("obiettivo__ciclo", "obiettivo__area")

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
class TestoReportAdmin(RuoliAdminMixin, CicloScopedMixin, admin.ModelAdmin):
    list_display = ["__str__", "sezione", "ordine", "ciclo"]
    list_filter = [CicloFilter, "sezione"]
    list_select_related = ["ciclo__ente"]
    search_fields = ["titolo", "testo"]


@admin.register(TabellaReport)
class TabellaReportAdmin(RuoliAdminMixin, CicloScopedMixin, admin.ModelAdmin):
    form = forms.TabellaReportAdminForm
    list_display = ["titolo", "codice", "sezione", "ordine", "ciclo"]
    list_filter = [CicloFilter, "sezione"]
    list_select_related = ["ciclo__ente"]
    search_fields = ["titolo", "codice"]
    fields = ["ciclo", "sezione", "codice", "ordine", "titolo", "colonne", "righe", "fonte", "note"]


@admin.register(RispostaRPCT)
class RispostaRPCTAdmin(RuoliAdminMixin, CicloScopedMixin, admin.ModelAdmin):
    list_display = ["codice", "domanda_breve", "ciclo"]
    list_filter = [CicloFilter]
    list_select_related = ["ciclo__ente"]
    search_fields = ["codice", "domanda", "risposta"]

    @admin.display(description="domanda")
    def domanda_breve(self, obj):
        return obj.domanda if len(obj.domanda) <= 90 else f"{obj.domanda[:87]}…"
