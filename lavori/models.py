"""A background job as the admin shows it. The Tasks backend keeps its own record (the database
backend's ``DBTaskResult``, or RQ's job in Redis); this one is the same on every backend and
carries what the backend does not: the step, the published version, the Italian error, and the
worker's heartbeat that tells a running job from one whose worker died."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Lavoro(models.Model):
    class Tipo(models.TextChoices):
        PUBBLICAZIONE = "pubblicazione", "Pubblicazione della Relazione"

    class Stato(models.TextChoices):
        IN_CODA = "in_coda", "In coda"
        IN_CORSO = "in_corso", "In corso"
        COMPLETATO = "completato", "Completato"
        FALLITO = "fallito", "Non riuscito"
        INTERROTTO = "interrotto", "Interrotto"

    ATTIVI = (Stato.IN_CODA, Stato.IN_CORSO)

    tipo = models.CharField("tipo", max_length=20, choices=Tipo.choices,
                            default=Tipo.PUBBLICAZIONE)
    ciclo = models.ForeignKey("obiettivi.Ciclo", on_delete=models.CASCADE,
                              related_name="lavori", verbose_name="ciclo")
    utente = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+",
                               verbose_name="richiesto da")
    nota = models.TextField("nota di pubblicazione", blank=True)
    stato = models.CharField("stato", max_length=12, choices=Stato.choices,
                             default=Stato.IN_CODA)
    passo = models.CharField("passo", max_length=100, blank=True)
    esito = models.TextField("esito", blank=True)
    errore = models.TextField("errore", blank=True)
    versione = models.PositiveIntegerField("versione pubblicata", null=True, blank=True)
    id_task = models.CharField("identificativo nella coda", max_length=64, blank=True)
    esecutore = models.CharField("worker", max_length=200, blank=True,
                                 help_text="Host e processo del worker che lo esegue.")
    riprova_di = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="nuovo tentativo di")
    creato_il = models.DateTimeField("richiesto il", auto_now_add=True)
    iniziato_il = models.DateTimeField("iniziato il", null=True, blank=True)
    finito_il = models.DateTimeField("finito il", null=True, blank=True)
    battito = models.DateTimeField("ultimo segnale del worker", null=True, blank=True)

    class Meta:
        verbose_name = "lavoro in background"
        verbose_name_plural = "lavori in background"
        ordering = ["-creato_il", "-pk"]
        constraints = [
            # one publication of a cycle queued or running at a time, on every database
            models.UniqueConstraint(fields=["ciclo", "tipo"], condition=Q(stato__in=["in_coda", "in_corso"]),
                                    name="lavori_uno_attivo_per_ciclo"),
        ]
        indexes = [models.Index(fields=["stato", "creato_il"])]

    def __str__(self):
        return f"{self.get_tipo_display()} {self.ciclo_id} ({self.get_stato_display().lower()})"
