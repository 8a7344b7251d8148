"""The register of the e-mails sent by ``invia_promemoria``: one row per message, so that each
reminder goes out once (``tipo``, ``destinatario``, ``chiave`` is unique)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AvvisoInviato(models.Model):
    class Tipo(models.TextChoices):
        APERTURA = "apertura", "Apertura della rendicontazione"
        SCADENZA_7 = "scadenza_7", "Promemoria a 7 giorni dal termine"
        SCADENZA_1 = "scadenza_1", "Promemoria a 1 giorno dal termine"
        RINVIO = "rinvio", "Obiettivo rinviato dal Nucleo"
        INVII_NUCLEO = "invii_nucleo", "Riepilogo giornaliero degli invii al Nucleo"
        TUTTI_VALIDATI = "tutti_validati", "Tutti gli obiettivi validati"

    tipo = models.CharField("tipo", max_length=20, choices=Tipo.choices)
    destinatario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="avvisi_ricevuti",
        verbose_name="destinatario",
    )
    # What the message is about, unique per kind and recipient: "ciclo:12", "storico:345",
    # "giorno:2022-03-24"…
    chiave = models.CharField("evento", max_length=100)
    ciclo = models.ForeignKey(
        "obiettivi.Ciclo", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name="ciclo",
    )
    indirizzo = models.EmailField("indirizzo")
    oggetto = models.CharField("oggetto", max_length=200)
    testo = models.TextField("testo")
    inviato_il = models.DateTimeField("inviato il", default=timezone.now)

    class Meta:
        verbose_name = "avviso inviato"
        verbose_name_plural = "avvisi inviati"
        ordering = ["-inviato_il", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tipo", "destinatario", "chiave"], name="avviso_inviato_una_volta"
            ),
        ]
        indexes = [models.Index(fields=["destinatario", "-inviato_il"], name="avviso_destinatario")]

    def __str__(self):
        return f"{self.get_tipo_display()} a {self.indirizzo}"
