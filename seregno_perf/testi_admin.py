"""The admin's Italian where a translation catalog cannot reach.

Most of the admin's wording is in the project's catalog (``locale/it/LC_MESSAGES/django.po``:
grammar, «Cronologia», months in lower case, django-axes and django-simple-history in Italian).
What depends on the data or on a noun's gender lives here:

* ``intestazione(user)``: the site header and title, «Performance — <ente>» for a user who works
  for one ente, «Performance» otherwise (``templates/admin/base_site.html``).
* ``TestoAggiungiMixin``: each inline's «Aggiungi un'altra fase», from the inline's
  ``testo_aggiungi`` (Django builds «Aggiungi un altro %(verbose_name)s» for every noun).
"""

import json

from django.contrib.admin import helpers

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
