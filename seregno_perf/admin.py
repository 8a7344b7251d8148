"""The project's own admin pages for third-party models, in Italian: the register of logins
(django-axes) and the permissions of users and groups.

django-axes registers English admin pages (columns «Expiration», «Status», rows described as
«Attempted Access: …»); ``AXES_ENABLE_ADMIN = False`` turns them off and these take their place,
with the same fields, filters and read-only rules. Field and model names are translated in
``locale/it/LC_MESSAGES/django.po``.
"""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.conf import settings as axes_settings
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.http import Http404

from obiettivi import permessi
from obiettivi.models import Incarico

from .formati import data_ora
from .testi_admin import TestoAggiungiMixin


def _quando(momento):
    return data_ora(momento) or "—"


# How a row reads in titles, breadcrumbs and confirmations (django-axes writes it in English).
AccessAttempt.__str__ = lambda self: (
    f"Tentativi di accesso di «{self.username or '—'}» da {self.ip_address or '—'} "
    f"(l'ultimo il {_quando(self.attempt_time)})"
)
AccessLog.__str__ = lambda self: (
    f"Accesso di «{self.username or '—'}» il {_quando(self.attempt_time)} da {self.ip_address or '—'}"
)
AccessFailureLog.__str__ = lambda self: (
    f"Accesso fallito di «{self.username or '—'}» il {_quando(self.attempt_time)} "
    f"da {self.ip_address or '—'}" + (" (bloccato)" if self.locked_out else "")
)


@admin.register(AccessAttempt)
class TentativoAccessoAdmin(AccessAttemptAdmin):
    @admin.display(description="scadenza")
    def expiration(self, obj):
        scadenza = getattr(getattr(obj, "expiration", None), "expires_at", None)
        return _quando(scadenza) if scadenza else "non impostata"

    @admin.display(description="stato")
    def status(self, obj):
        rimasti = axes_settings.AXES_FAILURE_LIMIT - obj.failures_since_start
        if rimasti <= 0:
            return "bloccato"
        return "1 tentativo rimasto" if rimasti == 1 else f"{rimasti} tentativi rimasti"

    @admin.action(description="Elimina i tentativi scaduti")
    def cleanup_expired_attempts(self, request, queryset):
        quanti = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(request, f"Tentativi scaduti eliminati: {quanti}.", messages.SUCCESS)


@admin.register(AccessLog)
class AccessoRiuscitoAdmin(AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessoFallitoAdmin(AccessFailureLogAdmin):
    pass


# --- users and groups: permissions named in Italian ------------------------------------------

# Django stores permission names in English («Can add fase»): the choices say what they allow.
AZIONI_PERMESSO = {"add": "aggiungere", "change": "modificare", "delete": "eliminare",
                   "view": "vedere"}


def descrizione_permesso(permesso) -> str:
    """«Pianificazione: … | fase | può modificare» for Django's four permissions of a model;
    a custom permission keeps its own name."""
    tipo = permesso.content_type
    azione = permesso.codename.split("_", 1)[0]
    if azione in AZIONI_PERMESSO and permesso.codename == f"{azione}_{tipo.model}":
        return f"{tipo.app_labeled_name} | {tipo.name} | può {AZIONI_PERMESSO[azione]}"
    return str(permesso)


class PermessiChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return descrizione_permesso(obj)


class PermessiItalianiMixin:
    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in {"permissions", "user_permissions"}:
            kwargs["form_class"] = PermessiChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.unregister(User)
admin.site.unregister(Group)


class IncaricoInline(TestoAggiungiMixin, admin.TabularInline):
    """The user's incarichi (issue 17): Amministratore or Nucleo di valutazione of an ente. Only
    the host (superuser) writes them; saving keeps the role groups in step
    (``permessi.allinea_gruppi``)."""

    model = Incarico
    fields = ["ente", "ruolo"]
    extra = 0
    testo_aggiungi = "Aggiungi un altro incarico"

    def has_add_permission(self, request, obj=None):
        return permessi.is_host(request.user)

    def has_change_permission(self, request, obj=None):
        return permessi.is_host(request.user)

    def has_delete_permission(self, request, obj=None):
        return permessi.is_host(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


@admin.register(User)
class UtenteAdmin(TestoAggiungiMixin, PermessiItalianiMixin, UserAdmin):
    """The installation's users: the host (superuser) manages all of them with their incarichi;
    an Amministratore reads only the users of their enti (``permessi.scopa_scelte``)."""

    inlines = [IncaricoInline]

    def get_queryset(self, request):
        return permessi.scopa_scelte(request.user, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("Utente inesistente o non visibile con il tuo ruolo.")
        return obj

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        permessi.allinea_gruppi(form.instance)


@admin.register(Group)
class GruppoAdmin(PermessiItalianiMixin, GroupAdmin):
    pass
