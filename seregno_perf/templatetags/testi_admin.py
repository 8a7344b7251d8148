"""Template tags of the admin's wording (``seregno_perf.testi_admin``)."""

from django import template

from seregno_perf.testi_admin import intestazione

register = template.Library()


@register.simple_tag(takes_context=True)
def intestazione_admin(context):
    """The site header and title for the logged-in user: «Performance — Comune di Seregno»."""
    request = context.get("request")
    return intestazione(getattr(request, "user", None))
