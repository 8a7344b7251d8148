"""Site-wide middleware: the Content-Security-Policy header (django-csp's, relaxed for the admin
only) and the methods the public site answers (``MetodiPubbliciMiddleware``).

Public pages get ``settings.CONTENT_SECURITY_POLICY`` as is (no inline script or style).
Paths under ``CONTENT_SECURITY_POLICY_ADMIN_PREFIX`` also get the additions of
``CONTENT_SECURITY_POLICY_ADMIN_UPDATE``: the Django admin and django-mptt's tree lists write
``style="…"`` attributes.
"""

from django.conf import settings
from django.http import HttpResponseNotAllowed
from csp.middleware import CSPMiddleware as BaseCSPMiddleware


class CSPMiddleware(BaseCSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        prefisso = getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN_PREFIX", None)
        aggiunte = getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN_UPDATE", None)
        if prefisso and aggiunte and request.path_info.startswith(prefisso):
            update = {k: list(v) for k, v in (parts.update or {}).items()}
            for direttiva, valori in aggiunte.items():
                update.setdefault(direttiva, [])
                update[direttiva] += [v for v in valori if v not in update[direttiva]]
            parts.update = update
        return parts


class MetodiPubbliciMiddleware:
    """The public site (everything outside the admin) is read-only: GET and HEAD only.

    Any other method (OPTIONS, TRACE, POST, PUT, DELETE, …) on a public URL gets ``405 Method
    Not Allowed`` with ``Allow: GET, HEAD`` and no body, before the published files
    (``trasparenza.middleware``) and the views, so both kinds of page answer alike. The admin
    and the person's own pages (``settings.PREFISSI_CON_MODULI``) keep their forms.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") and not request.path_info.startswith(
            settings.PREFISSI_CON_MODULI
        ):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return self.get_response(request)
