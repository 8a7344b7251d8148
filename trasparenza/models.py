"""Publications: frozen, fingerprinted snapshots of a cycle's Relazione.

A Pubblicazione row and its files are written once by ``trasparenza.services`` and never
changed afterwards; correcting a published report means publishing a new version.
"""

from django.conf import settings
from django.db import models


class Pubblicazione(models.Model):
    ciclo = models.ForeignKey(
        "obiettivi.Ciclo", on_delete=models.PROTECT, related_name="pubblicazioni"
    )
    versione = models.PositiveSmallIntegerField("versione")
    pubblicata_il = models.DateTimeField("pubblicata il", auto_now_add=True)
    pubblicata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name="pubblicata da",
    )
    impronta = models.CharField("impronta SHA-256", max_length=64)
    dati = models.JSONField("dati pubblicati")
    html = models.TextField("pagina pubblicata")
    pdf = models.FileField("PDF", upload_to="pubblicazioni/", blank=True)
    pdf_sha256 = models.CharField("impronta SHA-256 del PDF", max_length=64, blank=True)
    modifiche = models.JSONField(
        "modifiche rispetto alla versione precedente", default=list, blank=True
    )
    nota = models.TextField("nota di pubblicazione", blank=True)

    class Meta:
        verbose_name = "pubblicazione"
        verbose_name_plural = "pubblicazioni"
        ordering = ["ciclo", "-versione"]
        get_latest_by = "versione"
        constraints = [
            models.UniqueConstraint(
                fields=["ciclo", "versione"], name="pubblicazione_versione_unica"
            ),
        ]

    def __str__(self):
        return f"{self.ciclo} — versione {self.versione}"
