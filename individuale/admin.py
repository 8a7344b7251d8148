"""Admin of performance individuale: persons (HR), schede di valutazione with their objectives
and behaviour scores, funds. The SMVP's individual rules are inlines of the SMVP's page
(``valutazione.admin``).

Personal data (issue 16 point 4): every path of a scheda — list, search, filters, change,
history and delete URLs, autocomplete, export, PDF, actions — reads ``get_queryset``, which is
``permessi.schede_visibili``; a scheda outside it answers 404 (the PDF, a background job, reads
it again in the worker: ``stampa.corpo_stampa``). Scores are not rendered at all
(form, list column, history, export, PDF) where ``permessi.vede_punteggi`` says no. Which
fields each role changes in which state is ``permessi.campi_scheda_modificabili``. The state
moves only through ``individuale.processo`` (the buttons of the change page). Schede are created
only by the action «Crea le schede di valutazione» of the persons' list (``servizi.crea_schede``:
weights, behaviours and mandatory objectives copied from the role group).
"""

import dataclasses

from django import forms as django_forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from lavori import pagine
from lavori import servizi as lavori_servizi
from lavori.models import Lavoro
from obiettivi import permessi
from obiettivi.admin import FiltriDellEnteMixin, NonVisibile404Mixin, ScelteScopateMixin, campi_del_modello
from obiettivi.forms import RegoleFormMixin
from obiettivi.models import Area, Ciclo, Ente, Obiettivo
from seregno_perf import formati
from seregno_perf.campi import CAMPI_ITALIANI
from seregno_perf.tabelle import righe_csv
from seregno_perf.testi_admin import CronologiaItaliana, TestoAggiungiMixin

from . import processo, servizi
from .admin_premi import PaginePremiMixin
from .forms import CreaSchedeForm, ObiettivoIndividualeFormSet, form_livelli
from .models import (
    FondoPremi,
    GruppoRuolo,
    LivelloComportamento,
    ObiettivoIndividuale,
    Persona,
    PunteggioComportamento,
    SchedaValutazione,
)

SCHEDA = "individuale.schedavalutazione"
OBIETTIVO = "individuale.obiettivoindividuale"
COMPORTAMENTO = "individuale.punteggiocomportamento"


class _SchedaCronologia(CronologiaItaliana):
    """The history of a scheda (or of one of its rows) without the score fields the reader may
    not see: the change is not listed at all."""

    def __init__(self, model, historical_record, nascosti):
        super().__init__(model, historical_record)
        self.nascosti = nascosti

    def context_for_delta_changes(self, delta):
        delta = dataclasses.replace(
            delta, changes=[c for c in delta.changes if c.field not in self.nascosti],
            changed_fields=[f for f in delta.changed_fields if f not in self.nascosti])
        return super().context_for_delta_changes(delta)


class _RigheNascosteMixin(NonVisibile404Mixin, ScelteScopateMixin, FiltriDellEnteMixin, TestoAggiungiMixin):
    """An object outside ``get_queryset`` does not exist for the user, on every URL: change,
    delete, history (django-simple-history would otherwise fall back to the object's last
    historical row) — 404, not 403. The history is read-only (no revert, no single version).
    Dropdowns and filters name only rows of the user's enti (``permessi.scopa_scelte``)."""

    formfield_overrides = CAMPI_ITALIANI

    def history_view(self, request, object_id, extra_context=None):
        request._oggetto_cronologia = self.get_object(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """A single past version is not shown (it would carry every field, scores included):
        the history list says what changed, when and by whom."""
        obj = self.get_object(request, unquote(object_id))
        opts = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))

    def revert_disabled(self, request, obj=None):
        return True

    def get_historical_record_context_helper(self, request, historical_record):
        return CronologiaItaliana(self.model, historical_record)


# --- filters: their choices name only what the user may see ------------------------------------

class _FiltroSchede(admin.SimpleListFilter):
    campo = None  # the scheda's field

    def _schede(self, request, model_admin):
        return model_admin.get_queryset(request)

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.campo}_id": self.value()})
        return queryset


class CicloSchedeFilter(_FiltroSchede):
    title = "ciclo"
    parameter_name = campo = "ciclo"

    def lookups(self, request, model_admin):
        cicli = Ciclo.objects.filter(pk__in=self._schede(request, model_admin).values("ciclo_id"))
        return [(str(c.pk), str(c)) for c in cicli.select_related("ente").order_by("ente__nome", "-anno")]


class GruppoSchedeFilter(_FiltroSchede):
    title = "gruppo di ruolo"
    parameter_name = campo = "gruppo"

    def lookups(self, request, model_admin):
        gruppi = GruppoRuolo.objects.filter(pk__in=self._schede(request, model_admin).values("gruppo_id"))
        return [(str(g.pk), g.nome) for g in gruppi.order_by("ordine", "nome")]


class AreaSchedeFilter(_FiltroSchede):
    title = "area"
    parameter_name = campo = "area"

    def lookups(self, request, model_admin):
        aree = Area.objects.filter(pk__in=self._schede(request, model_admin).values("area_id"))
        return [(str(a.pk), f"{a.nome} ({a.ciclo.anno})")
                for a in aree.select_related("ciclo").order_by("-ciclo__anno", "tree_id", "lft")]


# --- the rows of a scheda ---------------------------------------------------------------------

class _RigaSchedaInline(admin.TabularInline):
    """A row of a scheda: editable fields from ``campi_scheda_modificabili`` of the parent
    scheda, score fields left out where the user may not see them."""

    etichetta = None
    formfield_overrides = CAMPI_ITALIANI
    form = type("RigaSchedaForm", (RegoleFormMixin, django_forms.ModelForm), {})
    extra = 0

    def _campi(self, request, obj):
        if obj is None:
            return frozenset()
        return permessi.campi_scheda_modificabili(request.user, obj)[self.etichetta]

    def _nascosti(self, request, obj):
        return permessi.campi_punteggio_nascosti(request.user, obj, self.model)

    def get_fields(self, request, obj=None):
        nascosti = self._nascosti(request, obj)
        return [c for c in super().get_fields(request, obj) if c not in nascosti]

    def get_readonly_fields(self, request, obj=None):
        campi = self._campi(request, obj)
        return [c for c in self.get_fields(request, obj) if c not in campi]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and bool(self._campi(request, obj))


class ObiettivoIndividualeInline(_RigaSchedaInline):
    model = ObiettivoIndividuale
    etichetta = OBIETTIVO
    formset = ObiettivoIndividualeFormSet
    fields = ["descrizione", "obiettivo", "obbligatorio", "peso", "indicatore", "risultato",
              "commento", "ordine"]
    testo_aggiungi = "Aggiungi un altro obiettivo individuale"

    def _assegna(self, request, obj):
        return "peso" in self._campi(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return list({*super().get_readonly_fields(request, obj), "obbligatorio"})

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._assegna(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._assegna(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.controlla_pesi = self._assegna(request, obj)
        return formset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        campo = super().formfield_for_foreignkey(db_field, request, **kwargs)
        scheda = getattr(request, "_scheda_aperta", None)
        if db_field.name == "obiettivo" and campo is not None:
            # the plan's objectives the scheda's can cascade from: its cycle, its area's
            obiettivi = Obiettivo.objects.none()
            if scheda is not None:
                obiettivi = Obiettivo.objects.filter(ciclo_id=scheda.ciclo_id)
                if scheda.area_id:
                    obiettivi = obiettivi.filter(area__in=Area.objects.get_queryset_descendants(
                        Area.objects.filter(pk=scheda.area_id), include_self=True))
            campo.queryset = obiettivi.order_by("codice")
            campo.label_from_instance = lambda o: f"{o.codice} {o.titolo[:80]}"
        return campo


class PunteggioComportamentoInline(_RigaSchedaInline):
    model = PunteggioComportamento
    etichetta = COMPORTAMENTO
    fields = ["comportamento", "livello", "commento"]
    testo_aggiungi = "Aggiungi un altro comportamento"
    verbose_name_plural = "comportamenti e loro valutazione"

    def get_readonly_fields(self, request, obj=None):
        return list({*super().get_readonly_fields(request, obj), "comportamento"})

    def has_add_permission(self, request, obj=None):
        return False  # the group's behaviours, copied when the scheda is created

    def has_delete_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        if obj is not None:
            livelli = LivelloComportamento.objects.filter(smvp_id=obj.gruppo.smvp_id).order_by("valore")
            kwargs["form"] = form_livelli(list(livelli))
        return super().get_formset(request, obj, **kwargs)


# --- schede ------------------------------------------------------------------------------------

@admin.register(SchedaValutazione)
class SchedaValutazioneAdmin(_RigheNascosteMixin, SimpleHistoryAdmin):
    messaggio_404 = "Scheda inesistente o non visibile con il tuo ruolo."
    inlines = [ObiettivoIndividualeInline, PunteggioComportamentoInline]
    change_form_template = "admin/individuale/schedavalutazione/change_form.html"
    list_display = ["persona", "anno", "gruppo", "area", "valutatore", "stato"]
    list_filter = [CicloSchedeFilter, "stato", GruppoSchedeFilter, AreaSchedeFilter]
    list_select_related = ["persona", "ciclo", "gruppo", "area", "valutatore"]
    search_fields = ["persona__cognome", "persona__nome", "persona__matricola"]
    search_help_text = "Cerca per cognome, nome o matricola."
    actions = ["esporta_csv", "stampa_pdf"]
    fieldsets = [
        (None, {"fields": ["persona", "ciclo", "gruppo", "area", "valutatore", "stato"]}),
        ("Servizio nell'anno", {"fields": ["part_time", "mesi_servizio", "mesi_esclusi",
                                           "periodi_esclusi"]}),
        ("Pesi delle componenti (%)", {"fields": ["peso_ente", "peso_area", "peso_obiettivi",
                                                  "peso_comportamenti", "peso_differenziazione"]}),
        ("Valutazione", {"fields": ["punteggio_ente", "punteggio_area", "punteggio_differenziazione",
                                    "punteggio_finale", "commento_valutatore"]}),
        ("Colloqui e firme", {"fields": [
            "data_colloquio_iniziale", "firma_assegnazione", "data_colloquio_intermedio",
            "note_colloquio_intermedio", "data_valutazione", "firma_presa_visione",
            "osservazioni_valutato"]}),
        ("Conciliazione", {"fields": ["conciliazione_richiesta", "conciliazione_motivi",
                                      "conciliazione_esito", "conciliazione_punteggio",
                                      "data_definitiva"]}),
    ]

    # every path: list, search, filters, change/history/delete URLs, autocomplete, actions
    def get_queryset(self, request):
        return permessi.schede_visibili(request.user, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        request._scheda_aperta = obj
        return obj

    def has_add_permission(self, request):
        return False  # «Crea le schede di valutazione», from the persons' list

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or permessi.puo_vedere_scheda(request.user, obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or permessi.puo_modificare_scheda(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        """The Amministratore deletes a scheda created by mistake, while it is a draft."""
        if not (super().has_delete_permission(request, obj) and permessi.is_amministratore(
                request.user, None if obj is None else permessi.ente_di(obj))):
            return False
        return obj is None or (obj.stato == SchedaValutazione.Stato.BOZZA
                               and bool(permessi.campi_scheda_modificabili(request.user, obj)[SCHEDA]))

    # fields
    def _nascosti(self, request, obj):
        return permessi.campi_punteggio_nascosti(request.user, obj, self.model)

    def get_fieldsets(self, request, obj=None):
        nascosti = self._nascosti(request, obj)
        insiemi = []
        for nome, opzioni in super().get_fieldsets(request, obj):
            campi = [c for c in opzioni["fields"] if c not in nascosti]
            if nome == "Pesi delle componenti (%)" and obj is not None and not obj.peso_differenziazione:
                campi = [c for c in campi if c != "peso_differenziazione"]
            if nome == "Valutazione" and obj is not None and not obj.peso_differenziazione:
                campi = [c for c in campi if c != "punteggio_differenziazione"]
            if campi:
                insiemi.append((nome, {**opzioni, "fields": campi}))
        return insiemi

    def get_readonly_fields(self, request, obj=None):
        campi = permessi.campi_scheda_modificabili(request.user, obj)[SCHEDA] if obj else frozenset()
        return [c for c in campi_del_modello(self.model) if c not in campi]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not issubclass(form, RegoleFormMixin):
            form = type(form.__name__, (RegoleFormMixin, form), {})
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        campo = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "valutatore" and campo is not None:
            campo.queryset = campo.queryset.filter(is_active=True, is_staff=True).order_by("username")
        return campo

    # list
    @admin.display(description="anno", ordering="ciclo__anno")
    def anno(self, obj):
        return str(obj.ciclo.anno)

    def get_list_display(self, request):
        """The final score, only in the rows whose scores the user sees (``vede_punteggi``)."""
        utente = request.user

        @admin.display(description="punteggio finale")
        def punteggio(obj):
            if not permessi.vede_punteggi(utente, obj):
                return ""
            return formati.numero(obj.punteggio_finale, 2)

        return [*super().get_list_display(request), punteggio]

    def get_actions(self, request):
        azioni = super().get_actions(request)
        if not permessi.is_amministratore(request.user):
            azioni.pop("delete_selected", None)
        return azioni

    def get_search_results(self, request, queryset, search_term):
        # the autocomplete of another admin reaches here too: always within the visible schede
        queryset = permessi.schede_visibili(request.user, queryset)
        return super().get_search_results(request, queryset, search_term)

    # the change page: process buttons, levels of the scale
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["azioni_processo"] = processo.azioni_possibili(obj, request.user)
            context["torna"] = request.path
            context["vede_punteggi"] = permessi.vede_punteggi(request.user, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        obj._change_reason = "Modifica dalla scheda dell'admin"
        super().save_model(request, obj, form, change)

    # history: readable by whoever sees the scheda, without the scores they may not see
    def get_historical_record_context_helper(self, request, historical_record):
        scheda = getattr(request, "_oggetto_cronologia", None)
        nascosti = self._nascosti(request, scheda) if scheda is not None else \
            frozenset(permessi.CAMPI_PUNTEGGIO[SCHEDA])
        return _SchedaCronologia(self.model, historical_record, nascosti)

    # export and PDF: the visible schede selected, scores only where the user sees them
    @admin.action(description="Esporta in CSV le schede selezionate", permissions=["view"])
    def esporta_csv(self, request, queryset):
        campi = [f for f in self.model._meta.fields]
        punteggi = set(permessi.CAMPI_PUNTEGGIO[SCHEDA])
        righe = [[str(f.verbose_name) for f in campi]]
        for scheda in permessi.schede_visibili(request.user, queryset).select_related(
                "persona", "ciclo__ente", "gruppo", "area", "valutatore"):
            vede = permessi.vede_punteggi(request.user, scheda)
            righe.append([
                "" if (f.name in punteggi and not vede) else _valore_csv(scheda, f) for f in campi
            ])
        risposta = HttpResponse(righe_csv(righe, separatore=";"), content_type="text/csv; charset=utf-8")
        risposta["Content-Disposition"] = 'attachment; filename="schede-di-valutazione.csv"'
        return risposta

    @admin.action(description="Stampa le schede in PDF", permissions=["view"])
    def stampa_pdf(self, request, queryset):
        """Queue the PDF as a background job (``stampa.corpo_stampa``) and open its page: the
        request never renders it, even for one scheda (one road, the same page and download)."""
        righe = list(permessi.schede_visibili(request.user, queryset)
                     .order_by("pk").values_list("pk", "ciclo_id", "ciclo__ente_id"))
        if not righe:
            self.message_user(request, "Nessuna delle schede selezionate è visibile con il tuo ruolo.",
                              messages.WARNING)
            return None
        cicli = {ciclo for _, ciclo, _ in righe}
        enti = {ente for _, _, ente in righe}
        accodato = lavori_servizi.accoda(
            Lavoro.Tipo.STAMPA_SCHEDE, utente=request.user,
            ciclo=Ciclo.objects.get(pk=cicli.pop()) if len(cicli) == 1 else None,
            ente=Ente.objects.get(pk=enti.pop()) if len(enti) == 1 else None,
            parametri={"schede": [pk for pk, _, _ in righe]})
        return HttpResponseRedirect(pagine.url_pagina(accodato.lavoro))


def _valore_csv(scheda, campo):
    valore = getattr(scheda, campo.name)
    if valore is None:
        return ""
    if campo.is_relation:
        return str(valore)
    if getattr(campo, "choices", None):
        return str(dict(campo.flatchoices).get(valore, valore))
    if hasattr(valore, "as_tuple"):
        return formati.numero(valore, None)
    return valore


# --- persons (HR) ------------------------------------------------------------------------------

@admin.register(Persona)
class PersonaAdmin(_RigheNascosteMixin, SimpleHistoryAdmin):
    """The personnel register: the Amministratore (HR) only; for anyone else no person exists
    here (404), nor in the autocomplete (403)."""

    messaggio_404 = "Persona inesistente o non visibile con il tuo ruolo."
    list_display = ["cognome", "nome", "matricola", "ente", "utente", "fittizia"]
    list_filter = ["ente", "fittizia"]
    search_fields = ["cognome", "nome", "matricola", "codice_fiscale"]
    search_help_text = "Cerca per cognome, nome, matricola o codice fiscale."
    list_select_related = ["ente", "utente"]
    actions = ["crea_schede"]
    autocomplete_fields = ["utente"]

    def get_queryset(self, request):
        persone = super().get_queryset(request)
        return permessi.persone_visibili(request.user, persone) if self._hr(request) else persone.none()

    def _hr(self, request):
        return permessi.is_amministratore(request.user)

    def has_module_permission(self, request):
        return self._hr(request) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._hr(request) and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._hr(request) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._hr(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._hr(request) and super().has_delete_permission(request, obj)

    def has_crea_schede_permission(self, request):
        return self._hr(request) and request.user.has_perm("individuale.add_schedavalutazione")

    def get_search_results(self, request, queryset, search_term):
        if not self._hr(request):  # the autocomplete of another admin reaches here too
            queryset = queryset.none()
        return super().get_search_results(request, queryset, search_term)

    @admin.action(description="Crea le schede di valutazione", permissions=["crea_schede"])
    def crea_schede(self, request, queryset):
        persone = list(queryset.order_by("cognome", "nome", "matricola"))
        enti = {p.ente_id for p in persone}
        if "conferma" in request.POST:
            form = CreaSchedeForm(request.POST, enti=enti)
            if form.is_valid():
                return self._crea_schede(request, form.cleaned_data, persone)
        else:
            form = CreaSchedeForm(enti=enti)
        return TemplateResponse(request, "admin/individuale/persona/crea_schede.html", {
            **self.admin_site.each_context(request),
            "title": "Crea le schede di valutazione",
            "opts": self.model._meta,
            "form": form,
            "persone": persone,
            "azione": "crea_schede",
            "selezionati": [str(p.pk) for p in persone],
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        })

    def _crea_schede(self, request, dati, persone):
        ciclo = dati["ciclo"]
        con_scheda = set(SchedaValutazione.objects.filter(ciclo=ciclo, persona__in=persone)
                         .values_list("persona_id", flat=True))
        try:
            with transaction.atomic():
                create = servizi.crea_schede(ciclo, dati["gruppo"], dati["area"], persone,
                                             valutatore=dati["valutatore"])
        except servizi.ErroreSchede as errore:
            self.message_user(request, f"Nessuna scheda creata: {errore}", messages.ERROR)
            return None
        saltate = [p for p in persone if p.pk in con_scheda]
        if create:
            self.message_user(request, f"{formati.quanti(len(create), 'Creata 1 scheda', 'Create {n} schede')} "
                                       f"di valutazione per il ciclo {ciclo}.", messages.SUCCESS)
        if saltate:
            nomi = ", ".join(str(p) for p in saltate)
            testo = formati.quanti(len(saltate), "1 persona aveva già la scheda del ciclo ed è stata saltata",
                                   "{n} persone avevano già la scheda del ciclo e sono state saltate")
            self.message_user(request, f"{testo}: {nomi}.", messages.WARNING)
        return None


# --- funds -------------------------------------------------------------------------------------

@admin.register(FondoPremi)
class FondoPremiAdmin(PaginePremiMixin, _RigheNascosteMixin, SimpleHistoryAdmin):
    """The bonus funds of a cycle: the Amministratore manages them, the Nucleo reads them."""

    list_display = ["nome", "ciclo", "area", "gruppo", "importo_euro"]
    list_filter = ["ciclo"]
    list_select_related = ["ciclo__ente", "area", "gruppo"]
    search_fields = ["nome"]

    def get_queryset(self, request):
        return permessi.filtra_per_area(request.user, super().get_queryset(request), None)

    def has_module_permission(self, request):
        return permessi.vede_tutto(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        ente = None if obj is None else permessi.ente_di(obj)
        return permessi.vede_tutto(request.user, ente) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        ente = None if obj is None else permessi.ente_di(obj)
        return permessi.is_amministratore(request.user, ente) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        ente = None if obj is None else permessi.ente_di(obj)
        return permessi.is_amministratore(request.user, ente) and super().has_delete_permission(request, obj)

    @admin.display(description="importo stanziato", ordering="importo")
    def importo_euro(self, obj):
        return formati.euro(obj.importo)
