"""Who may see and do what: the three roles and the areas a user answers for.

Roles are Django groups (created by a data migration): ``Amministratore`` (Servizio
Programmazione e controlli), ``Dirigente``, ``Nucleo di valutazione``. A superuser counts as an
Amministratore. Every admin path, import and export asks these functions — scoping lives here
and nowhere else.
"""

from .models import Area

AMMINISTRATORE = "Amministratore"
DIRIGENTE = "Dirigente"
NUCLEO = "Nucleo di valutazione"
RUOLI = (AMMINISTRATORE, DIRIGENTE, NUCLEO)


def _gruppi(user):
    cache = getattr(user, "_seregno_gruppi", None)
    if cache is None:
        cache = frozenset(user.groups.values_list("name", flat=True)) if user.is_authenticated else frozenset()
        user._seregno_gruppi = cache
    return cache


def is_amministratore(user):
    return bool(user.is_active and (user.is_superuser or AMMINISTRATORE in _gruppi(user)))


def is_nucleo(user):
    return bool(user.is_active and NUCLEO in _gruppi(user))


def is_dirigente(user):
    return bool(user.is_active and DIRIGENTE in _gruppi(user))


def vede_tutto(user):
    """Amministratori and the Nucleo see every area; a dirigente only their own."""
    return is_amministratore(user) or is_nucleo(user)


def aree_dirette(user):
    """Areas (all cycles) where ``user`` is dirigente, including their sub-areas (services)."""
    dirette = Area.objects.filter(dirigenti=user)
    return Area.objects.get_queryset_descendants(dirette, include_self=True)


def aree_visibili(user):
    """The areas ``user`` may see: all for administrators and the Nucleo, else their own."""
    if vede_tutto(user):
        return Area.objects.all()
    if is_dirigente(user):
        return aree_dirette(user)
    return Area.objects.none()
