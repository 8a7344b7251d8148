"""The Content-Security-Policy header: django-csp's middleware, relaxed for the admin only.

Public pages get ``settings.CONTENT_SECURITY_POLICY`` as is (no inline script or style).
Paths under ``CONTENT_SECURITY_POLICY_ADMIN_PREFIX`` also get the additions of
``CONTENT_SECURITY_POLICY_ADMIN_UPDATE``: the Django admin and django-mptt's tree lists write
``style="…"`` attributes.
"""

from django.conf import settings
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
