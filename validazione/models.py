"""The Nucleo's documento di validazione of a published Relazione (D.Lgs. 150/2009, art. 14
c. 4 lett. c; Linee guida DFP n. 3/2018, § 4).

The Nucleo writes it in the admin, drafted from the verifiche (``validazione.bozza``), and signs
it (``validazione.services.documento_firma``): from then on it is immutable. The model enforces
it: ``save()`` of a signed row, ``delete()`` of one, ``update()``/``delete()`` on a queryset
holding one and a change of its signatories raise ``DocumentoFirmato`` — for everyone, a
superuser too. A correction is a new document that ``sostituisce`` the old one; both stay.
"""

from django.conf import settings
from django.db import models
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from simple_history.models import HistoricalRecords


class DocumentoFirmato(Exception):
    """A code path tried to change or delete a signed documento di validazione."""

    def __init__(self, azione="modificare"):
        super().__init__(
            f"Un documento di validazione firmato non si può {azione}: per correggerlo il Nucleo "
            "ne scrive e firma uno nuovo che lo sostituisce."
        )


class DocumentoQuerySet(models.QuerySet):
    def _rifiuta_firmati(self, azione):
        if self.filter(firmato_il__isnull=False).exists():
            raise DocumentoFirmato(azione)

    def update(self, **kwargs):
        self._rifiuta_firmati("modificare")
        return super().update(**kwargs)

    def delete(self):
        self._rifiuta_firmati("eliminare")
        return super().delete()

    def bulk_update(self, objs, fields, batch_size=None):
        self.filter(pk__in=[o.pk for o in objs])._rifiuta_firmati("modificare")
        return super().bulk_update(objs, fields, batch_size=batch_size)


class DocumentoValidazione(models.Model):
    class Esito(models.TextChoices):
        VALIDATA = "validata", "Validata"
        CON_OSSERVAZIONI = "validata_con_osservazioni", "Validata con osservazioni"
        NON_VALIDATA = "non_validata", "Non validata"

    # One finding per criterion of the Linee guida DFP n. 3/2018, § 4: (field, label).
    CRITERI = (
        ("conformita", "Conformità alla legge e alle linee guida"),
        ("attendibilita", "Attendibilità dei dati e delle fonti"),
        ("chiarezza", "Chiarezza e comprensibilità per i cittadini"),
        ("completezza", "Completezza rispetto al Piano"),
        ("scostamenti", "Scostamenti e loro motivazioni"),
        ("indicatori", "Uso degli indicatori"),
        ("partecipazione", "Apporto dei cittadini e degli utenti"),
    )

    ciclo = models.ForeignKey(
        "obiettivi.Ciclo", on_delete=models.PROTECT, related_name="documenti_validazione",
        verbose_name="ciclo",
    )
    pubblicazione = models.ForeignKey(
        "trasparenza.Pubblicazione", on_delete=models.PROTECT, related_name="validazioni",
        verbose_name="versione pubblicata della Relazione",
        help_text="La versione esaminata, con la sua impronta SHA-256.",
    )
    atto_approvazione = models.ForeignKey(
        "obiettivi.Atto", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="atto di approvazione della Relazione",
    )
    ricevuta_il = models.DateField(
        "Relazione ricevuta dal Nucleo il", null=True, blank=True,
    )
    documenti_esaminati = models.TextField("documenti esaminati", blank=True)
    conformita = models.TextField(CRITERI[0][1], blank=True)
    attendibilita = models.TextField(CRITERI[1][1], blank=True)
    chiarezza = models.TextField(CRITERI[2][1], blank=True)
    completezza = models.TextField(CRITERI[3][1], blank=True)
    scostamenti = models.TextField(CRITERI[4][1], blank=True)
    indicatori = models.TextField(CRITERI[5][1], blank=True)
    partecipazione = models.TextField(CRITERI[6][1], blank=True)
    esito = models.CharField("esito", max_length=30, choices=Esito.choices, blank=True)
    motivazione = models.TextField("motivazione dell'esito", blank=True)
    firmatari = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+",
        verbose_name="componenti del Nucleo che firmano",
        limit_choices_to={"groups__name": "Nucleo di valutazione"},
    )
    illustrativo = models.BooleanField(
        "documento illustrativo", default=False,
        help_text="Dati dimostrativi: la pagina e il PDF avvisano che il documento è un esempio.",
    )
    sostituisce = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="sostituito_da",
        verbose_name="sostituisce il documento",
    )
    # Written by the signature only (validazione.services.documento_firma).
    firmato_il = models.DateTimeField("firmato il", null=True, blank=True, editable=False)
    firmato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="firmato da", editable=False,
    )
    dati = models.JSONField("contenuto firmato", null=True, blank=True, editable=False)
    impronta = models.CharField("impronta SHA-256", max_length=64, blank=True, editable=False)
    verifiche = models.JSONField("verifiche alla firma", null=True, blank=True, editable=False)
    pdf = models.FileField("PDF", upload_to="validazioni/", blank=True, editable=False)
    pdf_sha256 = models.CharField(
        "impronta SHA-256 del PDF", max_length=64, blank=True, editable=False
    )

    objects = DocumentoQuerySet.as_manager()
    history = HistoricalRecords(verbose_name="storico documento di validazione",
                                excluded_fields=["dati", "verifiche"])

    class Meta:
        verbose_name = "documento di validazione"
        verbose_name_plural = "documenti di validazione"
        ordering = ["ciclo", "-firmato_il", "-pk"]

    def __str__(self):
        stato = "firmato" if self.firmato else "bozza"
        return f"Validazione della Relazione {self.ciclo} ({stato})"

    @property
    def firmato(self) -> bool:
        return self.firmato_il is not None

    def save(self, *args, **kwargs):
        if not self._state.adding and DocumentoValidazione.objects.filter(
                pk=self.pk, firmato_il__isnull=False).exists():
            raise DocumentoFirmato("modificare")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and DocumentoValidazione.objects.filter(
                pk=self.pk, firmato_il__isnull=False).exists():
            raise DocumentoFirmato("eliminare")
        return super().delete(*args, **kwargs)


@receiver(m2m_changed, sender=DocumentoValidazione.firmatari.through)
def _firmatari_immutabili(sender, instance, action, **kwargs):
    if action.startswith("pre_") and isinstance(instance, DocumentoValidazione) and \
            DocumentoValidazione.objects.filter(pk=instance.pk, firmato_il__isnull=False).exists():
        raise DocumentoFirmato("modificare")
