"""System checks of the project: refuse to run in production with the demo users.

``carica_demo`` creates ``admin``, ``nucleo`` and ``dirigente.<area>`` with the password
``demo``. With ``DEBUG=0`` any of those accounts whose password still *is* ``demo`` (checked
against its hash, not guessed from the name) is an error: ``manage.py check``, ``migrate`` and
``check --deploy`` fail until the password is changed or the account deleted.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError

PASSWORD_DEMO = "demo"
NOMI_DEMO = ("admin", "nucleo")
PREFISSO_DEMO = "dirigente."


def utenti_demo_attivi():
    """Usernames of the demo accounts whose password is still the demo one (sorted)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password
    from django.db.models import Q

    User = get_user_model()
    candidati = User.objects.filter(
        Q(username__in=NOMI_DEMO) | Q(username__startswith=PREFISSO_DEMO)
    ).values_list("username", "password")
    # hashers.check_password, not User.check_password: a check must never rewrite a hash.
    return sorted(nome for nome, hash_ in candidati if check_password(PASSWORD_DEMO, hash_))


@register(Tags.security)
def check_utenti_demo(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    try:
        nomi = utenti_demo_attivi()
    except DatabaseError:
        # No database yet (before the first migrate): there are no users to refuse.
        return []
    if not nomi:
        return []
    return [
        Error(
            "Utenti dimostrativi con la password «demo» in produzione: " + ", ".join(nomi) + ".",
            hint="Cambiare la password (manage.py changepassword NOME) o eliminare l'utente; "
            "in produzione non si esegue carica_demo.",
            id="seregno_perf.E001",
        )
    ]
