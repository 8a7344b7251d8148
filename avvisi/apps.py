from django.apps import AppConfig


class AvvisiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "avvisi"
    verbose_name = "Avvisi per e-mail"
