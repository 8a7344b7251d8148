from django.apps import AppConfig


class ObiettiviConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "obiettivi"
    verbose_name = "Pianificazione: enti, cicli, albero e obiettivi"
