from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class SeregnoPerfConfig(AppConfig):
    """The project itself as an app: its system checks (``checks.py``), the lockout page, the
    admin's wording (``testi_admin.py``, ``templatetags/``) and the Italian admin of the access
    register (``admin.py``)."""

    name = "seregno_perf"
    verbose_name = "Performance"

    def ready(self):
        from . import checks  # noqa: F401  (registers the checks)


class AccessiConfig(AxesAppConfig):
    """django-axes, named in Italian in the admin (its own name is «Axes»)."""

    verbose_name = "Accessi all'amministrazione"
