"""The rules (SMVP) and the entered inputs of the evaluation.

The SMVP is data: weights, scales, bands and aggregation rules, versioned and chosen per ciclo.
``valutazione.scoring`` turns plain values built from these rows into results; nothing here
computes a score.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from obiettivi.regole import RegoleMixin


class Smvp(RegoleMixin, models.Model):
    """A version of the Sistema di misurazione e valutazione della performance."""

    class Aggregazione(models.TextChoices):
        PONDERATA = "ponderata", "Media ponderata sui pesi degli obiettivi"
        SEMPLICE = "semplice", "Media semplice"

    ente = models.ForeignKey(
        "obiettivi.Ente", on_delete=models.CASCADE, related_name="smvp",
        null=True, blank=True, help_text="Vuoto: modello disponibile a tutti gli enti.",
    )
    nome = models.CharField("nome", max_length=200)
    versione = models.PositiveSmallIntegerField("versione", default=1)
    atto = models.ForeignKey(
        "obiettivi.Atto", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="smvp", verbose_name="atto di approvazione",
    )
    descrizione = models.TextField("descrizione", blank=True)

    peso_finanziaria = models.DecimalField(
        "peso PFin (%)", max_digits=5, decimal_places=2, default=Decimal("40"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Copertura degli indicatori economico-finanziari.",
    )
    peso_obiettivi = models.DecimalField(
        "peso PObj_Gen (%)", max_digits=5, decimal_places=2, default=Decimal("30"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Contributo degli obiettivi operativi alle azioni strategiche.",
    )
    peso_qualita = models.DecimalField(
        "peso PQua_Gen (%)", max_digits=5, decimal_places=2, default=Decimal("30"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Livello di qualità (barometro) riportato alla scala 1–5.",
    )
    aggregazione_obiettivi = models.CharField(
        "aggregazione degli obiettivi nell'azione", max_length=12,
        choices=Aggregazione.choices, default=Aggregazione.PONDERATA,
    )
    aggregazione_nodi = models.CharField(
        "aggregazione delle azioni nella linea e delle linee nell'ente", max_length=12,
        choices=Aggregazione.choices, default=Aggregazione.SEMPLICE,
        help_text="«Ponderata»: ogni nodo pesa quanto la somma dei pesi dei suoi obiettivi valutati.",
    )
    tetto_raggiungimento = models.DecimalField(
        "tetto del raggiungimento di un indicatore (%)", max_digits=6, decimal_places=2,
        default=Decimal("120"), validators=[MinValueValidator(Decimal("100"))],
    )
    quota_fasi = models.DecimalField(
        "quota delle fasi (%)", max_digits=5, decimal_places=2, default=Decimal("50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Peso delle fasi nel raggiungimento quando un obiettivo ha sia fasi sia indicatori.",
    )

    history = HistoricalRecords(verbose_name="storico SMVP")

    class Meta:
        verbose_name = "sistema di valutazione (SMVP)"
        verbose_name_plural = "sistemi di valutazione (SMVP)"
        ordering = ["nome", "-versione"]
        constraints = [
            models.UniqueConstraint(fields=["ente", "nome", "versione"], name="smvp_versione_unica"),
            models.CheckConstraint(
                condition=Q(peso_finanziaria__gte=0) & Q(peso_obiettivi__gte=0) & Q(peso_qualita__gte=0),
                name="smvp_pesi_non_negativi",
            ),
        ]

    def __str__(self):
        return f"{self.nome} (v{self.versione})"


class LivelloScala(RegoleMixin, models.Model):
    """A level of one of the SMVP's scales, with its label."""

    class Scala(models.TextChoices):
        GRADO = "grado", "Graduazione di obiettivi, azioni e linee (1–5)"
        BAROMETRO = "barometro", "Barometro della qualità (0–3)"

    smvp = models.ForeignKey(Smvp, on_delete=models.CASCADE, related_name="livelli")
    scala = models.CharField("scala", max_length=10, choices=Scala.choices)
    valore = models.PositiveSmallIntegerField("valore")
    etichetta = models.CharField("etichetta", max_length=200)

    history = HistoricalRecords(verbose_name="storico livello di scala")

    class Meta:
        verbose_name = "livello di scala"
        verbose_name_plural = "livelli delle scale"
        ordering = ["smvp", "scala", "valore"]
        constraints = [
            models.UniqueConstraint(fields=["smvp", "scala", "valore"], name="livello_unico"),
        ]

    def __str__(self):
        return f"{self.valore} — {self.etichetta}"


class Fascia(models.Model):
    """A band mapping a measured value to a grade: [da, a) → valore (``a`` empty = no upper end)."""

    class Tipo(models.TextChoices):
        RAGGIUNGIMENTO = "raggiungimento", "% di raggiungimento dell'obiettivo → grado proposto"
        QUALITA = "qualita", "Media del barometro (0–3) → PQua_Gen (1–5)"
        FINANZIARIA = "finanziaria", "% di indicatori finanziari rispettati → PFin (1–5)"

    smvp = models.ForeignKey(Smvp, on_delete=models.CASCADE, related_name="fasce")
    tipo = models.CharField("tipo", max_length=20, choices=Tipo.choices)
    da = models.DecimalField("da (incluso)", max_digits=8, decimal_places=2)
    a = models.DecimalField(
        "a (escluso)", max_digits=8, decimal_places=2, null=True, blank=True,
        help_text="Vuoto per la fascia più alta, che comprende il suo estremo.",
    )
    valore = models.PositiveSmallIntegerField(
        "grado", validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    history = HistoricalRecords(verbose_name="storico fascia")

    class Meta:
        verbose_name = "fascia"
        verbose_name_plural = "fasce"
        ordering = ["smvp", "tipo", "da"]
        constraints = [
            models.UniqueConstraint(fields=["smvp", "tipo", "da"], name="fascia_inizio_unico"),
            models.CheckConstraint(
                condition=Q(a__isnull=True) | Q(a__gt=models.F("da")), name="fascia_a_maggiore_di_da"
            ),
            models.CheckConstraint(
                condition=Q(valore__gte=1) & Q(valore__lte=5), name="fascia_grado_1_5"
            ),
        ]

    def __str__(self):
        fine = "…" if self.a is None else f"{self.a}"
        return f"[{self.da}, {fine}) → {self.valore}"


class StandardBarometro(RegoleMixin, models.Model):
    """A quality standard of a service, graded 0–3 on the barometro."""

    ciclo = models.ForeignKey(
        "obiettivi.Ciclo", on_delete=models.CASCADE, related_name="standard_barometro"
    )
    codice = models.CharField("codice", max_length=30)
    servizio = models.CharField("servizio", max_length=200)
    area = models.ForeignKey(
        "obiettivi.Area", on_delete=models.PROTECT, null=True, blank=True,
        related_name="standard_barometro", verbose_name="area",
    )
    standard = models.CharField("standard", max_length=300)
    programmato = models.CharField("valore programmato", max_length=100, blank=True)
    rilevato = models.CharField("valore rilevato", max_length=100, blank=True)
    grado = models.PositiveSmallIntegerField(
        "grado (0–3)", null=True, blank=True, validators=[MaxValueValidator(3)]
    )

    history = HistoricalRecords(verbose_name="storico standard")

    class Meta:
        verbose_name = "standard del barometro della qualità"
        verbose_name_plural = "barometro della qualità"
        ordering = ["ciclo", "codice"]
        constraints = [
            models.UniqueConstraint(fields=["ciclo", "codice"], name="standard_codice_unico"),
            models.CheckConstraint(
                condition=Q(grado__isnull=True) | Q(grado__lte=3), name="standard_grado_0_3"
            ),
        ]

    def __str__(self):
        return f"{self.codice} {self.servizio}: {self.standard}"


class IndicatoreFinanziario(RegoleMixin, models.Model):
    """An economic-financial indicator; met or not according to its direction."""

    class Direzione(models.TextChoices):
        ALTO = "alto", "Rispettato se il valore è almeno pari al target"
        BASSO = "basso", "Rispettato se il valore non supera il target"

    ciclo = models.ForeignKey(
        "obiettivi.Ciclo", on_delete=models.CASCADE, related_name="indicatori_finanziari"
    )
    codice = models.CharField("codice", max_length=30)
    nome = models.CharField("nome", max_length=300)
    unita = models.CharField("unità di misura", max_length=40, blank=True)
    target = models.DecimalField("target", max_digits=18, decimal_places=4)
    valore = models.DecimalField("valore", max_digits=18, decimal_places=4, null=True, blank=True)
    direzione = models.CharField(
        "direzione", max_length=10, choices=Direzione.choices, default=Direzione.ALTO
    )

    history = HistoricalRecords(verbose_name="storico indicatore finanziario")

    class Meta:
        verbose_name = "indicatore economico-finanziario"
        verbose_name_plural = "indicatori economico-finanziari"
        ordering = ["ciclo", "codice"]
        constraints = [
            models.UniqueConstraint(
                fields=["ciclo", "codice"], name="indicatore_finanziario_codice_unico"
            ),
        ]

    def __str__(self):
        return f"{self.codice} {self.nome}"
