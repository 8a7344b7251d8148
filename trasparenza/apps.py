from django.apps import AppConfig


class TrasparenzaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trasparenza"
    verbose_name = "Trasparenza: pubblicazioni della Relazione"
