from django.apps import AppConfig


class ValutazioneConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "valutazione"
    verbose_name = "Valutazione: SMVP, barometro, indicatori finanziari"
