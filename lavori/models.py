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
        IMPORTAZIONE_PEG = "importazione_peg", "Importazione del PEG"
        STAMPA_SCHEDE = "stampa_schede", "Stampa delle schede di valutazione"
        PROMEMORIA = "promemoria", "Invio dei promemoria"

    # kinds of which a cycle has at most one queued or running (the constraint below). Not the
    # PEG import: two dirigenti preview and import their own areas at once, each their own job
    # (its confirmations are serialised per cycle by a lock on the cycle, obiettivi.peg.lavoro).
    UNO_PER_CICLO = (Tipo.PUBBLICAZIONE,)
    # installation kinds (no cycle) of which at most one is queued or running: checked in code
    # by ``servizi.accoda``, no constraint (two started in the same instant would both run, and
    # the second find its work done: its body is idempotent)
    UNO_ALLA_VOLTA = (Tipo.PROMEMORIA,)
    # kinds whose outcome is personal data: only the user who asked follows the job
    PERSONALI = (Tipo.STAMPA_SCHEDE,)

    class Stato(models.TextChoices):
        IN_CODA = "in_coda", "In coda"
        IN_CORSO = "in_corso", "In corso"
        COMPLETATO = "completato", "Completato"
        FALLITO = "fallito", "Non riuscito"
        INTERROTTO = "interrotto", "Interrotto"

    ATTIVI = (Stato.IN_CODA, Stato.IN_CORSO)

    tipo = models.CharField("tipo", max_length=20, choices=Tipo.choices,
                            default=Tipo.PUBBLICAZIONE)
    ciclo = models.ForeignKey("obiettivi.Ciclo", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="lavori", verbose_name="ciclo")
    ente = models.ForeignKey("obiettivi.Ente", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+", verbose_name="ente",
                             help_text="L'ente del lavoro (quello del ciclo); vuoto per un lavoro "
                                       "dell'installazione (i promemoria di tutti gli enti).")
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
    parametri = models.JSONField("parametri", default=dict, blank=True,
                                 help_text="Che cosa il lavoro deve fare (es. il file caricato).")
    risultato = models.JSONField("risultato", default=dict, blank=True,
                                 help_text="Che cosa il lavoro ha prodotto, letto dalla sua pagina.")
    file = models.CharField("file prodotto", max_length=300, blank=True,
                            help_text="Nello storage privato (MEDIA_ROOT, non servito): lo scarica "
                                      "dalla pagina del lavoro solo chi lo ha richiesto.")
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
            models.UniqueConstraint(
                fields=["ciclo", "tipo"],
                condition=Q(stato__in=["in_coda", "in_corso"], tipo__in=["pubblicazione"]),
                name="lavori_uno_attivo_per_ciclo"),
        ]
        indexes = [models.Index(fields=["stato", "creato_il"])]

    def save(self, *args, **kwargs):
        if self.ente_id is None and self.ciclo_id is not None:  # the ente is the cycle's
            self.ente_id = self.ciclo.ente_id
        super().save(*args, **kwargs)

    def __str__(self):
        dove = f" {self.ciclo_id}" if self.ciclo_id else ""
        return f"{self.get_tipo_display()}{dove} ({self.get_stato_display().lower()})"
