"""The plan of a performance cycle: ente, ciclo, atti, aree, strategy tree, objectives,
indicators, phases, and the structured data of the report's context sections.

Tree writes (Area, NodoStrategico) go through ``obiettivi.services``; models hold data and
database constraints, not business logic.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from mptt.models import MPTTModel, TreeForeignKey
from simple_history.models import HistoricalRecords

from . import regole
from .regole import RegoleMixin, codice_valido

ZERO = Decimal("0")
HUNDRED = Decimal("100")


class Ente(RegoleMixin, models.Model):
    """A public body. Fields after ``nome`` are its *Scheda servizi*."""

    slug = models.SlugField("identificativo", max_length=60, unique=True)
    nome = models.CharField("nome", max_length=200)
    codice_istat = models.CharField("codice ISTAT", max_length=6, blank=True)
    codice_catastale = models.CharField("codice catastale", max_length=4, blank=True)
    cap = models.CharField("C.A.P.", max_length=10, blank=True)
    prefisso_telefonico = models.CharField("prefisso telefonico", max_length=10, blank=True)
    superficie_kmq = models.DecimalField(
        "superficie (km²)", max_digits=9, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(ZERO)],
    )
    altitudine_m = models.IntegerField("altezza s.l.m. (m)", null=True, blank=True)
    abitanti = models.PositiveIntegerField("abitanti", null=True, blank=True)
    abitanti_riferimento = models.CharField(
        "abitanti: data di riferimento", max_length=60, blank=True,
        help_text="Come indicato nella fonte, es. «al 31.12.2010».",
    )
    densita = models.DecimalField(
        "densità (ab./km²)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    latitudine = models.CharField("latitudine", max_length=40, blank=True)
    longitudine = models.CharField("longitudine", max_length=40, blank=True)
    gemellaggi = models.TextField("gemellaggi", blank=True)
    comuni_confinanti = models.TextField(
        "comuni confinanti", blank=True, help_text="Uno per riga."
    )
    indirizzo = models.CharField("indirizzo", max_length=200, blank=True)
    telefono = models.CharField("telefono", max_length=40, blank=True)
    email = models.EmailField("e-mail", blank=True)
    sito_web = models.CharField("sito web", max_length=200, blank=True)
    ufficio_referente = models.CharField(
        "ufficio referente", max_length=200, blank=True,
        help_text="Es. Servizio Programmazione e controlli.",
    )

    class Meta:
        verbose_name = "ente"
        verbose_name_plural = "enti"
        ordering = ["nome"]
        constraints = [
            models.CheckConstraint(
                condition=Q(superficie_kmq__isnull=True) | Q(superficie_kmq__gte=0),
                name="ente_superficie_non_negativa",
            ),
        ]

    def __str__(self):
        return self.nome

    @property
    def confinanti(self):
        return [line.strip() for line in self.comuni_confinanti.splitlines() if line.strip()]


class VoceScheda(RegoleMixin, models.Model):
    """A free line of the *Scheda servizi* (Stazione ferroviaria: a Seregno, …)."""

    ente = models.ForeignKey(Ente, on_delete=models.CASCADE, related_name="voci_scheda")
    ordine = models.PositiveSmallIntegerField("ordine", default=0)
    voce = models.CharField("voce", max_length=100)
    valore = models.CharField("valore", max_length=200)

    class Meta:
        verbose_name = "voce della scheda servizi"
        verbose_name_plural = "voci della scheda servizi"
        ordering = ["ente", "ordine", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ente", "voce"], name="voce_scheda_unica_per_ente"),
        ]

    def __str__(self):
        return f"{self.voce}: {self.valore}"


class Ciclo(RegoleMixin, models.Model):
    """One performance year of an ente."""

    class Stato(models.TextChoices):
        PIANIFICAZIONE = "pianificazione", "Pianificazione"
        MONITORAGGIO = "monitoraggio", "Monitoraggio"
        RENDICONTAZIONE = "rendicontazione", "Rendicontazione"
        VALIDAZIONE = "validazione", "Validazione"
        APPROVATA = "approvata", "Approvata"
        PUBBLICATA = "pubblicata", "Pubblicata"
        VALIDATA = "validata", "Validata dal Nucleo"

    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, related_name="cicli")
    anno = models.PositiveSmallIntegerField(
        "anno", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    stato = models.CharField(
        "stato", max_length=20, choices=Stato.choices, default=Stato.PIANIFICAZIONE
    )
    smvp = models.ForeignKey(
        "valutazione.Smvp", on_delete=models.PROTECT, null=True, blank=True,
        related_name="cicli", verbose_name="sistema di valutazione (SMVP)",
    )
    dati_dimostrativi = models.BooleanField(
        "dati dimostrativi", default=False,
        help_text="Se attivo, pagine e PDF avvisano che valori e gradi sono illustrativi.",
    )
    nota_dati_dimostrativi = models.TextField("nota sui dati dimostrativi", blank=True)
    atti = models.ManyToManyField(
        "Atto", blank=True, related_name="cicli", verbose_name="atti del ciclo"
    )
    scadenza_rendicontazione = models.DateField(
        "termine della rendicontazione", null=True, blank=True,
        help_text="Data entro cui i dirigenti inviano al Nucleo i risultati dei loro obiettivi.",
    )
    atto_approvazione = models.ForeignKey(
        "Atto", on_delete=models.PROTECT, null=True, blank=True, related_name="cicli_approvati",
        verbose_name="atto di approvazione della Giunta",
        help_text="Obbligatorio per passare allo stato «Approvata» (lo imposta il passaggio di stato).",
    )

    # The state is changed only by ``obiettivi.workflow``; every change is kept here.
    history = HistoricalRecords(verbose_name="storico ciclo")

    class Meta:
        verbose_name = "ciclo"
        verbose_name_plural = "cicli"
        ordering = ["ente__nome", "-anno"]
        constraints = [
            models.UniqueConstraint(fields=["ente", "anno"], name="ciclo_unico_per_ente_anno"),
            models.CheckConstraint(
                condition=Q(anno__gte=2000) & Q(anno__lte=2100), name="ciclo_anno_plausibile"
            ),
        ]

    def __str__(self):
        return f"{self.ente} — {self.anno}"


class RiaperturaCiclo(RegoleMixin, models.Model):
    """An Amministratore reopened a cycle (moved it back to an earlier state), with a reason."""

    ciclo = models.ForeignKey(Ciclo, on_delete=models.CASCADE, related_name="riaperture")
    utente = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name="riaperto da",
    )
    quando = models.DateTimeField("riaperto il", default=timezone.now)
    da_stato = models.CharField("stato precedente", max_length=20, choices=Ciclo.Stato.choices)
    a_stato = models.CharField("nuovo stato", max_length=20, choices=Ciclo.Stato.choices)
    motivazione = models.TextField("motivazione")

    class Meta:
        verbose_name = "riapertura di un ciclo"
        verbose_name_plural = "riaperture dei cicli"
        ordering = ["-quando"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(motivazione=""), name="riapertura_con_motivazione"
            ),
        ]

    def __str__(self):
        return f"{self.ciclo}: da {self.get_da_stato_display()} a {self.get_a_stato_display()}"


class Atto(RegoleMixin, models.Model):
    """A deliberation, decree or law cited by the cycle."""

    ente = models.ForeignKey(Ente, on_delete=models.CASCADE, related_name="atti")
    organo = models.CharField(
        "organo o tipo", max_length=120,
        help_text="Es. Giunta Comunale, Consiglio Comunale, Decreto Legislativo.",
    )
    tipo = models.CharField(
        "tipo di atto", max_length=30, choices=list(regole.TIPI_ATTO.items()), default="",
        help_text="Solo una deliberazione della Giunta può approvare la Relazione.",
    )
    numero = models.CharField("numero", max_length=30)
    data = models.DateField("data", null=True, blank=True)
    anno = models.PositiveSmallIntegerField(
        "anno", help_text="Anno dell'atto, anche quando la data esatta non è nota."
    )
    oggetto = models.TextField("oggetto")
    note = models.TextField("note", blank=True)
    obiettivi = models.ManyToManyField(
        "Obiettivo", through="VariazioneObiettivo", blank=True, related_name="atti",
        verbose_name="obiettivi introdotti o modificati",
    )

    class Meta:
        verbose_name = "atto"
        verbose_name_plural = "atti"
        ordering = ["ente", "-anno", "organo", "numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["ente", "organo", "numero", "anno"], name="atto_unico_per_ente"
            ),
            models.CheckConstraint(
                condition=Q(anno__gte=1800) & Q(anno__lte=2100), name="atto_anno_plausibile"
            ),
        ]

    def save(self, *args, **kwargs):
        if not self.tipo:  # an act created with only its «organo» (demo, import)
            self.tipo = regole.tipo_atto_da_organo(self.organo)
        super().save(*args, **kwargs)

    def __str__(self):
        if self.data:
            return f"{self.organo} n. {self.numero} del {self.data:%d/%m/%Y}"
        return f"{self.organo} n. {self.numero}/{self.anno}"


class Area(RegoleMixin, MPTTModel):
    """An organisational unit of a cycle's organigramma: an area, or a service within one."""

    ciclo = models.ForeignKey(Ciclo, on_delete=models.CASCADE, related_name="aree")
    parent = TreeForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name="area superiore",
    )
    codice = models.CharField("codice", max_length=30)
    slug = models.SlugField(
        "identificativo", max_length=60,
        help_text="Usato negli indirizzi e nei nomi utente dei dirigenti (dirigente.<identificativo>).",
    )
    nome = models.CharField("nome", max_length=200)
    dirigenti = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="aree_dirette",
        verbose_name="dirigenti",
    )
    ordine = models.PositiveSmallIntegerField("ordine", default=0)

    class MPTTMeta:
        order_insertion_by = ["ordine", "codice"]

    class Meta:
        verbose_name = "area"
        verbose_name_plural = "aree"
        constraints = [
            models.UniqueConstraint(fields=["ciclo", "codice"], name="area_codice_unico_per_ciclo"),
            models.UniqueConstraint(fields=["ciclo", "slug"], name="area_slug_unico_per_ciclo"),
        ]

    def __str__(self):
        return self.nome


class NodoStrategico(RegoleMixin, MPTTModel):
    """A node of the strategy tree: linea, azione, missione, programma… (any depth)."""

    ciclo = models.ForeignKey(Ciclo, on_delete=models.CASCADE, related_name="nodi")
    parent = TreeForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name="nodo superiore",
    )
    codice = models.CharField("codice", max_length=30, validators=[codice_valido])
    titolo = models.CharField("titolo", max_length=300)
    livello_nome = models.CharField(
        "livello", max_length=40, help_text="Es. linea strategica, azione strategica."
    )
    descrizione = models.TextField("descrizione", blank=True)
    valore = models.CharField(
        "valore di riferimento", max_length=120, blank=True,
        help_text="Es. «Per una Seregno più partecipata».",
    )
    nota = models.TextField(
        "nota", blank=True, help_text="Es. «NON SONO STATI PREVISTI SPECIFICI OBIETTIVI»."
    )
    ordine = models.PositiveSmallIntegerField("ordine", default=0)

    class MPTTMeta:
        order_insertion_by = ["ordine", "codice"]

    class Meta:
        verbose_name = "nodo dell'albero strategico"
        verbose_name_plural = "albero strategico"
        constraints = [
            models.UniqueConstraint(fields=["ciclo", "codice"], name="nodo_codice_unico_per_ciclo"),
        ]

    def __str__(self):
        return f"{self.codice} {self.titolo}"


class Obiettivo(RegoleMixin, models.Model):
    """An operational objective of a cycle, with its outcome and grades."""

    class Tipologia(models.TextChoices):
        SVILUPPO = "sviluppo", "Sviluppo"
        MANTENIMENTO = "mantenimento", "Mantenimento"
        PTPCT = "ptpct", "PTPCT / anticorruzione"
        TRASVERSALE = "trasversale", "Trasversale"

    class Stato(models.TextChoices):
        ATTIVO = "attivo", "Attivo"
        STRALCIATO = "stralciato", "Stralciato"
        RINVIATO = "rinviato", "Rinviato"
        SOSPESO = "sospeso", "Sospeso"
        NON_APPLICABILE = "non_applicabile", "Non applicabile"

    ciclo = models.ForeignKey(Ciclo, on_delete=models.CASCADE, related_name="obiettivi")
    codice = models.CharField("codice", max_length=30, validators=[codice_valido])
    titolo = models.CharField("titolo", max_length=500)
    descrizione = models.TextField("descrizione", blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="obiettivi", verbose_name="area"
    )
    nodo = models.ForeignKey(
        NodoStrategico, on_delete=models.PROTECT, related_name="obiettivi",
        verbose_name="azione strategica (nodo dell'albero)",
    )
    tipologia = models.CharField(
        "tipologia", max_length=20, choices=Tipologia.choices, default=Tipologia.SVILUPPO
    )
    peso = models.DecimalField(
        "peso", max_digits=7, decimal_places=2, default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Peso dell'obiettivo nell'aggregazione verso l'azione strategica.",
    )
    stato = models.CharField(
        "stato", max_length=20, choices=Stato.choices, default=Stato.ATTIVO
    )
    motivazione_stato = models.TextField(
        "motivazione dello stato", blank=True,
        help_text="Obbligatoria per sospeso e non applicabile (es. «causa COVID-19»).",
    )
    anno_rinvio = models.PositiveSmallIntegerField(
        "rinviato all'anno", null=True, blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
    )
    ordine = models.PositiveIntegerField("ordine", default=0)

    class StatoRendicontazione(models.TextChoices):
        BOZZA = "bozza", "Bozza del dirigente"
        INVIATO = "inviato", "Inviato al Nucleo"
        VALIDATO = "validato", "Validato dal Nucleo"
        RINVIATO = "rinviato", "Rinviato al dirigente"

    stato_rendicontazione = models.CharField(
        "rendicontazione", max_length=10, choices=StatoRendicontazione.choices,
        default=StatoRendicontazione.BOZZA,
        help_text="Cambia solo con «Invia al Nucleo», «Valida» e «Rinvia al dirigente».",
    )
    # Lost-update guard: every save through the admin or a workflow service adds 1; a form
    # read at an older version is refused (``obiettivi.forms.ControlloVersioneMixin``).
    versione = models.PositiveIntegerField("versione", default=0, editable=False)

    # Outcome, entered by the area's dirigente.
    relazione = models.TextField("relazione sintetica del dirigente", blank=True)
    grado_proposto = models.PositiveSmallIntegerField(
        "grado proposto", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    spiegazione_grado = models.TextField(
        "spiegazione del grado proposto", blank=True,
        help_text="Obbligatoria quando il grado proposto si discosta da quello calcolato dagli "
                  "indicatori e dalle fasi. Resta INTERNA: la leggono il Nucleo e l'amministratore.",
    )
    # Review, entered by the Nucleo di valutazione.
    grado_validato = models.PositiveSmallIntegerField(
        "grado validato", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    motivazione_grado = models.TextField(
        "motivazione del Nucleo", blank=True,
        help_text="Obbligatoria quando il grado validato differisce da quello proposto. "
                  "È PUBBLICA: quando il grado cambia, la leggono i cittadini nella pagina "
                  "dell'obiettivo e in «Cosa non è stato raggiunto e perché» (Linee guida DFP "
                  "n. 3/2018). Il grado proposto dal dirigente resta interno.",
    )
    commento_nucleo = models.TextField(
        "commento del Nucleo", blank=True,
        help_text="Obbligatorio quando l'obiettivo è rinviato al dirigente. "
                  "Resta INTERNO: lo leggono solo il dirigente, il Nucleo e l'amministratore, "
                  "mai i cittadini.",
    )

    history = HistoricalRecords(verbose_name="storico obiettivo", excluded_fields=["versione"])

    class Meta:
        verbose_name = "obiettivo operativo"
        verbose_name_plural = "obiettivi operativi"
        ordering = ["ciclo", "ordine", "codice"]
        constraints = [
            models.UniqueConstraint(
                fields=["ciclo", "codice"], name="obiettivo_codice_unico_per_ciclo"
            ),
            models.CheckConstraint(condition=Q(peso__gt=0), name="obiettivo_peso_positivo"),
            models.CheckConstraint(
                condition=~Q(stato="rinviato") | Q(anno_rinvio__isnull=False),
                name="obiettivo_rinviato_con_anno",
            ),
            models.CheckConstraint(
                condition=Q(stato="rinviato") | Q(anno_rinvio__isnull=True),
                name="obiettivo_anno_rinvio_solo_se_rinviato",
            ),
            models.CheckConstraint(
                condition=~Q(stato__in=["sospeso", "non_applicabile"]) | ~Q(motivazione_stato=""),
                name="obiettivo_motivazione_se_sospeso_o_non_applicabile",
            ),
            models.CheckConstraint(
                condition=Q(grado_proposto__isnull=True)
                | (Q(grado_proposto__gte=1) & Q(grado_proposto__lte=5)),
                name="obiettivo_grado_proposto_1_5",
            ),
            models.CheckConstraint(
                condition=Q(grado_validato__isnull=True)
                | (Q(grado_validato__gte=1) & Q(grado_validato__lte=5)),
                name="obiettivo_grado_validato_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["ciclo", "area"], name="obiettivo_ciclo_area"),
            models.Index(fields=["ciclo", "nodo"], name="obiettivo_ciclo_nodo"),
            # a cycle's objectives in their order: the admin list, one page read off the index
            models.Index(fields=["ciclo", "ordine", "codice"], name="obiettivo_ciclo_ordine"),
        ]

    def __str__(self):
        return f"{self.codice} — {self.titolo}"

    CAMPI_REGOLE = ("stato", "motivazione_stato", "anno_rinvio", "grado_proposto",
                    "grado_validato", "motivazione_grado")

    def errori_regole(self):
        return regole.errori_obiettivo({nome: getattr(self, nome) for nome in self.CAMPI_REGOLE})

    @property
    def stato_esteso(self):
        """The status as the report prints it: «Rinviato al 2023», «Sospeso causa COVID-19»."""
        from valutazione.scoring import stato_esteso  # the one wording (pure, no models)

        return stato_esteso(self.stato, anno_rinvio=self.anno_rinvio,
                            motivazione=self.motivazione_stato,
                            etichetta=self.get_stato_display())


class VariazioneObiettivo(RegoleMixin, models.Model):
    """An objective introduced or changed by an atto (e.g. GC 140/2021)."""

    class Effetto(models.TextChoices):
        INTRODOTTO = "introdotto", "Introdotto"
        MODIFICATO = "modificato", "Modificato"

    atto = models.ForeignKey(Atto, on_delete=models.CASCADE, related_name="variazioni")
    obiettivo = models.ForeignKey(Obiettivo, on_delete=models.CASCADE, related_name="variazioni")
    effetto = models.CharField(
        "effetto", max_length=20, choices=Effetto.choices, default=Effetto.MODIFICATO
    )
    titolo_nell_atto = models.CharField(
        "titolo come riportato nell'atto", max_length=500, blank=True
    )

    class Meta:
        verbose_name = "obiettivo introdotto o modificato da un atto"
        verbose_name_plural = "obiettivi introdotti o modificati da atti"
        constraints = [
            models.UniqueConstraint(fields=["atto", "obiettivo"], name="variazione_unica"),
        ]

    def __str__(self):
        return f"{self.atto}: {self.obiettivo.codice} ({self.get_effetto_display()})"


class Indicatore(RegoleMixin, models.Model):
    """A measure of an objective: target and actual, with how to read them."""

    class Tipo(models.TextChoices):
        ALTO = "alto", "Più alto è meglio"
        BASSO = "basso", "Più basso è meglio"
        SI_NO = "si_no", "Sì / no"
        SCADENZA = "scadenza", "Scadenza (data)"

    obiettivo = models.ForeignKey(
        Obiettivo, on_delete=models.CASCADE, related_name="indicatori"
    )
    codice = models.CharField("codice", max_length=30)
    nome = models.CharField("nome", max_length=300)
    unita = models.CharField("unità di misura", max_length=40, blank=True)
    tipo = models.CharField("tipo", max_length=10, choices=Tipo.choices, default=Tipo.ALTO)
    peso = models.DecimalField(
        "peso", max_digits=7, decimal_places=2, default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    target = models.DecimalField(
        "target", max_digits=16, decimal_places=4, null=True, blank=True,
        help_text="Per «sì / no»: 1 = sì, 0 = no.",
    )
    consuntivo = models.DecimalField(
        "consuntivo", max_digits=16, decimal_places=4, null=True, blank=True
    )
    data_target = models.DateField("scadenza prevista", null=True, blank=True)
    data_consuntivo = models.DateField("data di realizzazione", null=True, blank=True)

    history = HistoricalRecords(verbose_name="storico indicatore")

    class Meta:
        verbose_name = "indicatore"
        verbose_name_plural = "indicatori"
        ordering = ["obiettivo", "codice"]
        constraints = [
            models.UniqueConstraint(
                fields=["obiettivo", "codice"], name="indicatore_codice_unico_per_obiettivo"
            ),
            models.CheckConstraint(condition=Q(peso__gt=0), name="indicatore_peso_positivo"),
            models.CheckConstraint(
                condition=~Q(tipo="scadenza") | Q(data_target__isnull=False),
                name="indicatore_scadenza_con_data",
            ),
            models.CheckConstraint(
                condition=~Q(tipo="si_no")
                | (
                    (Q(target__isnull=True) | Q(target__in=[0, 1]))
                    & (Q(consuntivo__isnull=True) | Q(consuntivo__in=[0, 1]))
                ),
                name="indicatore_si_no_0_1",
            ),
        ]

    def __str__(self):
        return f"{self.codice} {self.nome}"

    def errori_regole(self):
        return regole.errori_indicatore({
            nome: getattr(self, nome) for nome in ("tipo", "target", "consuntivo", "data_target")
        })


class Fase(RegoleMixin, models.Model):
    """A phase of an objective; the phases' weights of one objective sum to 100."""

    obiettivo = models.ForeignKey(Obiettivo, on_delete=models.CASCADE, related_name="fasi")
    codice = models.CharField("codice", max_length=30)
    descrizione = models.CharField("descrizione", max_length=300)
    peso = models.DecimalField(
        "peso (%)", max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(HUNDRED)],
    )
    percentuale = models.DecimalField(
        "% realizzata", max_digits=5, decimal_places=2, default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(HUNDRED)],
    )
    inizio = models.DateField("inizio", null=True, blank=True)
    fine = models.DateField("fine", null=True, blank=True)

    history = HistoricalRecords(verbose_name="storico fase")

    class Meta:
        verbose_name = "fase"
        verbose_name_plural = "fasi"
        ordering = ["obiettivo", "codice"]
        constraints = [
            models.UniqueConstraint(
                fields=["obiettivo", "codice"], name="fase_codice_unico_per_obiettivo"
            ),
            models.CheckConstraint(
                condition=Q(peso__gt=0) & Q(peso__lte=100), name="fase_peso_0_100"
            ),
            models.CheckConstraint(
                condition=Q(percentuale__gte=0) & Q(percentuale__lte=100),
                name="fase_percentuale_0_100",
            ),
            models.CheckConstraint(
                condition=Q(inizio__isnull=True) | Q(fine__isnull=True) | Q(fine__gte=models.F("inizio")),
                name="fase_fine_dopo_inizio",
            ),
        ]

    def __str__(self):
        return f"{self.codice} {self.descrizione}"

    def errori_regole(self):
        return regole.errori_fase({"inizio": self.inizio, "fine": self.fine})


class SezioneReport(models.TextChoices):
    PRESENTAZIONE = "presentazione", "Presentazione e quadro normativo"
    CONTESTO = "contesto", "Contesto territoriale"
    POPOLAZIONE = "popolazione", "Popolazione"
    ORGANIGRAMMA = "organigramma", "Organigramma"
    PERSONALE = "personale", "Personale"
    SALUTE_FINANZIARIA = "salute_finanziaria", "Salute finanziaria"
    EVENTI = "eventi", "Strutture, servizi ed eventi"
    PERFORMANCE = "performance", "Livelli di performance conseguiti"
    ANTICORRUZIONE = "anticorruzione", "Prevenzione della corruzione e trasparenza"
    CONTATTI = "contatti", "Contatti"


class TestoReport(RegoleMixin, models.Model):
    """A paragraph block of a report section, edited by the administrators."""

    ciclo = models.ForeignKey(Ciclo, on_delete=models.CASCADE, related_name="testi")
    sezione = models.CharField("sezione", max_length=30, choices=SezioneReport.choices)
    ordine = models.PositiveSmallIntegerField("ordine", default=0)
    titolo = models.CharField("titolo", max_length=200, blank=True)
    testo = models.TextField("testo", help_text="Paragrafi separati da una riga vuota.")

    class Meta:
        verbose_name = "testo della relazione"
        verbose_name_plural = "testi della relazione"
        ordering = ["ciclo", "sezione", "ordine", "id"]

    def __str__(self):
        return self.titolo or f"{self.get_sezione_display()} #{self.ordine}"

    @property
    def paragrafi(self):
        return [p.strip() for p in self.testo.split("\n\n") if p.strip()]


class TabellaReport(RegoleMixin, models.Model):
    """A structured table of a report section (income comparison, flexible contracts…).

    ``colonne`` is a list of column headings; ``righe`` a list of rows, each a list of cell
    texts as long as ``colonne``. Charts are drawn from these tables.
    """

    ciclo = models.ForeignKey(Ciclo, on_delete=models.CASCADE, related_name="tabelle")
    sezione = models.CharField("sezione", max_length=30, choices=SezioneReport.choices)
    codice = models.SlugField("codice", max_length=60)
    ordine = models.PositiveSmallIntegerField("ordine", default=0)
    titolo = models.CharField("titolo", max_length=200)
    colonne = models.JSONField("colonne", default=list)
    righe = models.JSONField("righe", default=list)
    fonte = models.CharField("fonte", max_length=300, blank=True)
    note = models.TextField("note", blank=True)

    class Meta:
        verbose_name = "tabella della relazione"
        verbose_name_plural = "tabelle della relazione"
        ordering = ["ciclo", "sezione", "ordine", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ciclo", "codice"], name="tabella_codice_unico"),
        ]

    def __str__(self):
        return self.titolo

    def errori_regole(self):
        """Control characters in the cells too (they are texts of the report)."""
        errori = {}
        for nome in ("colonne", "righe"):
            valore = getattr(self, nome)
            celle = valore if nome == "colonne" else [
                c for r in (valore if isinstance(valore, list) else []) if isinstance(r, list)
                for c in r]
            for cella in celle if isinstance(celle, list) else []:
                messaggi = regole.testo(cella)
                if messaggi:
                    errori[nome] = messaggi
                    break
        return errori

    def clean(self):
        if not isinstance(self.colonne, list) or not self.colonne:
            raise ValidationError({"colonne": "Indicare almeno una colonna (elenco di titoli)."})
        if not isinstance(self.righe, list):
            raise ValidationError({"righe": "Le righe devono essere un elenco."})
        for numero, riga in enumerate(self.righe, start=1):
            if not isinstance(riga, list) or len(riga) != len(self.colonne):
                raise ValidationError(
                    {
                        "righe": f"Riga {numero}: attese {len(self.colonne)} celle "
                        f"(una per colonna), trovate "
                        f"{len(riga) if isinstance(riga, list) else 'nessuna'}."
                    }
                )


class RispostaRPCT(RegoleMixin, models.Model):
    """An answer of the RPCT's yearly report (questions 1.A–1.D)."""

    ciclo = models.ForeignKey(Ciclo, on_delete=models.CASCADE, related_name="risposte_rpct")
    codice = models.CharField("codice", max_length=10)
    sezione = models.CharField("sezione", max_length=400, blank=True)
    domanda = models.TextField("domanda")
    risposta = models.TextField("risposta")

    class Meta:
        verbose_name = "risposta della relazione RPCT"
        verbose_name_plural = "risposte della relazione RPCT"
        ordering = ["ciclo", "codice"]
        constraints = [
            models.UniqueConstraint(fields=["ciclo", "codice"], name="risposta_rpct_unica"),
        ]

    def __str__(self):
        return f"{self.codice} {self.domanda[:60]}"


class Incarico(models.Model):
    """A user's role in one ente (issue 17): Amministratore of ente A, Nucleo di valutazione
    of A, B and C (a Nucleo «in forma associata»). The Django groups give the model
    permissions (which admin pages open); the incarichi give the *scope*: which enti's rows.
    A dirigente is tied to enti through ``Area.dirigenti`` instead, and a Valutatore through the
    schede they evaluate. Written through ``permessi.assegna`` / ``permessi.revoca``, which keep
    the user's group in step."""

    class Ruolo(models.TextChoices):
        AMMINISTRATORE = "Amministratore", "Amministratore"
        NUCLEO = "Nucleo di valutazione", "Nucleo di valutazione"

    utente = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="incarichi",
        verbose_name="utente",
    )
    ente = models.ForeignKey(Ente, on_delete=models.CASCADE, related_name="incarichi", verbose_name="ente")
    ruolo = models.CharField("ruolo", max_length=30, choices=Ruolo.choices)
    history = HistoricalRecords(verbose_name="storico incarico")

    class Meta:
        verbose_name = "incarico"
        verbose_name_plural = "incarichi"
        ordering = ["ente__nome", "ruolo"]
        constraints = [
            models.UniqueConstraint(fields=["utente", "ente", "ruolo"], name="incarico_unico"),
        ]

    def __str__(self):
        return f"{self.get_ruolo_display()} di {self.ente}"
