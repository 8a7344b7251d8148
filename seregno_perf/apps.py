from django.apps import AppConfig


class SeregnoPerfConfig(AppConfig):
    """The project itself as an app: its system checks (``checks.py``) and the lockout page."""

    name = "seregno_perf"
    verbose_name = "seregno_perf"

    def ready(self):
        from . import checks  # noqa: F401  (registers the checks)
