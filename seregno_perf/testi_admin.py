"""The admin's Italian where a translation catalog cannot reach.

Most of the admin's wording is in the project's catalog (``locale/it/LC_MESSAGES/django.po``:
grammar, «Cronologia», months in lower case, django-axes and django-simple-history in Italian).
What depends on the data or on a noun's gender lives here:

* ``intestazione(user)``: the site header and title, «Performance — <ente>» for a user who works
  for one ente, «Performance» otherwise (``templates/admin/base_site.html``).
* ``TestoAggiungiMixin``: each inline's «Aggiungi un'altra fase», from the inline's
  ``testo_aggiungi`` (Django builds «Aggiungi un altro %(verbose_name)s» for every noun).
* ``CronologiaItaliana``: the changes listed in an object's «Cronologia» (django-simple-history)
  read «— → 4», «bozza → Inviato al Nucleo», «40,00», «31/12/2021», not «None → 4», raw choice
  values or «[60 chars]».
* ``icona_si_no``: the admin's yes/no icons, whose alternative text (read by screen readers)
  Django writes as «True»/«False»/«None»; ``SeregnoPerfConfig.ready`` puts it in Django's place.
"""

import datetime
import json
from decimal import Decimal

from django.contrib.admin import helpers
from django.templatetags.static import static
from django.utils.html import format_html
from simple_history.template_utils import HistoricalRecordContextHelper, ObjDiffDisplay

from .formati import data, numero

TITOLO = "Performance"


def intestazione(user) -> str:
    """«Performance — Comune di Seregno» when every ente ``user`` sees is one; «Performance»
    for several enti, none, or nobody logged in. One query, cached on the user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return TITOLO
    cache = getattr(user, "_seregno_intestazione", None)
    if cache is None:
        from obiettivi import permessi

        nomi = list(permessi.enti_visibili(user).values_list("nome", flat=True)[:2])
        cache = f"{TITOLO} — {nomi[0]}" if len(nomi) == 1 else TITOLO
        user._seregno_intestazione = cache
    return cache


class _InlineConTestoAggiungi(helpers.InlineAdminFormSet):
    """Django's inline formset wrapper, with the add link's text from the inline."""

    def inline_formset_data(self):
        dati = json.loads(super().inline_formset_data())
        testo = getattr(self.opts, "testo_aggiungi", None)
        if testo:
            dati["options"]["addText"] = testo
        return json.dumps(dati)


class TestoAggiungiMixin:
    """For a ``ModelAdmin``: the «add another» link of each inline reads the inline's
    ``testo_aggiungi`` («Aggiungi un'altra fase», «Aggiungi un altro indicatore»). Without it,
    the project's catalog says «Aggiungi: Fase» (never «Aggiungi un altro Fase»)."""

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        insiemi = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for insieme in insiemi:
            # Same object, same state: only ``inline_formset_data`` changes.
            insieme.__class__ = _InlineConTestoAggiungi
        return insiemi


class _DifferenzaItaliana(ObjDiffDisplay):
    def shortened_str(self, prefix, num_skipped_chars, suffix):
        return f"{prefix}[… {num_skipped_chars} caratteri …]{suffix}"


class CronologiaItaliana(HistoricalRecordContextHelper):
    """How a value reads in the «Cronologia»: a choice by its label, numbers and dates the
    Italian way (``seregno_perf.formati``), nothing as «—», yes/no as «sì»/«no»."""

    def prepare_delta_change_value(self, change, value):
        valore = super().prepare_delta_change_value(change, value)
        campo = self.model._meta.get_field(change.field)
        if valore is None or valore == "":
            return "—"
        if getattr(campo, "choices", None):
            return str(dict(campo.flatchoices).get(valore, valore))
        if isinstance(valore, bool):
            return "sì" if valore else "no"
        if isinstance(valore, Decimal):
            return numero(valore, None)
        if isinstance(valore, (datetime.date, datetime.datetime)):
            return data(valore)
        return valore

    def get_obj_diff_display(self):
        return _DifferenzaItaliana(max_length=self.max_displayed_delta_change_chars)


TESTO_SI_NO = {True: "sì", False: "no", None: "non indicato"}


def icona_si_no(valore):
    """Django's ``admin_list._boolean_icon`` with Italian alternative text."""
    icona = static("admin/img/icon-%s.svg" % {True: "yes", False: "no", None: "unknown"}[valore])
    return format_html('<img src="{}" alt="{}">', icona, TESTO_SI_NO[valore])
