from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ObiettiviConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "obiettivi"
    verbose_name = "Pianificazione: enti, cicli, albero e obiettivi"

    def ready(self):
        from .permessi import ruoli_allinea

        # The role groups, as ``permessi`` defines them, after every migrate and flush.
        post_migrate.connect(ruoli_allinea, sender=self, dispatch_uid="obiettivi_ruoli_allinea")
