"""Publications: frozen, fingerprinted snapshots of a cycle's Relazione.

A Pubblicazione row and its files are written once by ``trasparenza.services`` and never
changed afterwards; correcting a published report means publishing a new version. The model
enforces it: ``save()`` of an existing row, ``delete()``, and ``update()``/``delete()`` on a
queryset raise ``PubblicazioneImmutabile``.
"""

from django.conf import settings
from django.db import models


class PubblicazioneImmutabile(Exception):
    """A code path tried to change or delete a published snapshot."""

    def __init__(self, azione="modificare"):
        super().__init__(
            f"Una pubblicazione non si può {azione}: per correggere la relazione pubblicare "
            "una nuova versione."
        )


class PubblicazioneQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PubblicazioneImmutabile("modificare")

    def delete(self):
        raise PubblicazioneImmutabile("eliminare")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PubblicazioneImmutabile("modificare")

    def update_or_create(self, *args, **kwargs):
        raise PubblicazioneImmutabile("modificare")

    def _update(self, values):  # what Model.save() and Django's internals call
        raise PubblicazioneImmutabile("modificare")


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

    objects = PubblicazioneQuerySet.as_manager()

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

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PubblicazioneImmutabile("modificare")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PubblicazioneImmutabile("eliminare")


class ContestoCongelato(models.Model):
    """What the Relazione of a locked cycle reads from outside the cycle, frozen with it.

    The ente's name, Scheda servizi and contacts, the acts the cycle cites (with the PEG
    variations), the SMVP's act and the names of the areas' dirigenti are edited outside the
    cycle's lock (an ente has many years, an atto or a user is shared). They are copied here
    when the cycle is locked (``obiettivi.workflow``: approval, or its first publication), the
    report reads this copy while the cycle stays locked, and the copy goes when the cycle is
    reopened. So a change to the ente or to an atto never changes a published report, and a
    new version of a locked cycle needs a reopening.
    """

    ciclo = models.OneToOneField(
        "obiettivi.Ciclo", on_delete=models.CASCADE, primary_key=True,
        related_name="contesto_congelato", verbose_name="ciclo",
    )
    dati = models.JSONField("dati congelati")
    congelato_il = models.DateTimeField("congelato il", auto_now_add=True)

    class Meta:
        verbose_name = "contesto congelato di un ciclo"
        verbose_name_plural = "contesti congelati dei cicli"
        default_permissions = ()  # written only by the workflow, in no admin page or role

    def __str__(self):
        return f"{self.ciclo}: contesto congelato"
