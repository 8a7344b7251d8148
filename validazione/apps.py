from django.apps import AppConfig


class ValidazioneConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "validazione"
    verbose_name = "Validazione della Relazione da parte del Nucleo"
