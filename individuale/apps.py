from django.apps import AppConfig


class IndividualeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "individuale"
    verbose_name = "Performance individuale: schede, colloqui, premi"
