"""The page shown to a client locked out by django-axes (``AXES_LOCKOUT_CALLABLE``)."""

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.shortcuts import render


def accesso_bloccato(request, original_response=None, credentials=None):
    attesa = get_cool_off(request)
    minuti = int(attesa.total_seconds() // 60) if attesa else None
    contesto = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "minuti": minuti,
    }
    return render(
        request, "sicurezza/accesso_bloccato.html", contesto,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
