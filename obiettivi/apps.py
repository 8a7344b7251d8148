from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ObiettiviConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "obiettivi"
    verbose_name = "Pianificazione: enti, cicli, albero e obiettivi"

    def ready(self):
        from .permessi import ruoli_crea

        # The role groups come from migration 0004; after a flush they are re-created here.
        post_migrate.connect(ruoli_crea, sender=self, dispatch_uid="obiettivi_ruoli_crea")
