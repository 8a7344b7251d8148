from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig


class SeregnoPerfConfig(AppConfig):
    """The project itself as an app: its system checks (``checks.py``), the lockout page, the
    admin's wording (``testi_admin.py``, ``templatetags/``) and the Italian admin of the access
    register (``admin.py``)."""

    name = "seregno_perf"
    verbose_name = "Performance"

    def ready(self):
        from django.contrib.admin.templatetags import admin_list

        from . import checks  # noqa: F401  (registers the checks)
        from .testi_admin import icona_si_no

        # Every yes/no icon of the admin (lists, read-only fields) is drawn by this one function,
        # which every caller looks up in its module at call time: «sì»/«no» for screen readers.
        admin_list._boolean_icon = icona_si_no


class AccessiConfig(AxesAppConfig):
    """django-axes, named in Italian in the admin (its own name is «Axes»)."""

    verbose_name = "Accessi all'amministrazione"
