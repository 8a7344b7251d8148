"""Performance individuale (D.Lgs. 150/2009 artt. 9 e 19; Linee guida DFP n. 2/2017 e n. 5/2019;
CCNL Funzioni Locali 2019–2021 art. 81): the SMVP's rules for people, the schede and the funds.

Three layers, as for the organisational half:

* **Rules as SMVP data** (``GruppoRuolo``, ``Comportamento``, ``LivelloComportamento``,
  ``FasciaPremio``, ``ObiettivoObbligatorio``), hanging from ``valutazione.Smvp`` and read-only
  once a cycle using that SMVP is locked.
* **Schede** (``Persona``, ``SchedaValutazione`` with ``ObiettivoIndividuale`` and
  ``PunteggioComportamento``), one per person per cycle. The weights are copied from the role
  group when the scheda is created, so a later change of the SMVP never changes a scheda.
* **Funds** (``FondoPremi``): the money of a cycle, ente-wide or per area and/or role group.

Nothing here computes: ``individuale.calcolo`` (pure) turns plain values into scores and
bonuses; ``individuale.processo`` moves a scheda through its states; who sees what is in
``obiettivi.permessi``. Individual data are personal data (GDPR): no model here is ever read by
a public view; the art. 20 aggregates are computed by ``individuale.calcolo`` and published
with the Relazione.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from obiettivi.regole import RegoleMixin
from seregno_perf import formati

ZERO = Decimal("0")
CENTO = Decimal("100")
PERCENTUALE = [MinValueValidator(ZERO), MaxValueValidator(CENTO)]

# The five components of a scheda, as (weight field, name for people).
COMPONENTI = (
    ("peso_ente", "risultati dell'ente"),
    ("peso_area", "risultati dell'area"),
    ("peso_obiettivi", "obiettivi individuali"),
    ("peso_comportamenti", "comportamenti"),
    ("peso_differenziazione", "capacità di valutazione dei collaboratori"),
)


def errori_pesi_componenti(oggetto) -> dict[str, list[str]]:
    """The five weights of a role group or a scheda sum to 100 (one message, on the first
    weight, with each weight written the Italian way)."""
    pesi = [(nome, getattr(oggetto, campo)) for campo, nome in COMPONENTI]
    if any(p is None for _, p in pesi):
        return {}
    somma = sum((p for _, p in pesi), ZERO)
    if somma == CENTO:
        return {}
    dettaglio = ", ".join(f"{nome} {formati.numero(p, None)}" for nome, p in pesi)
    return {"peso_ente": [f"La somma dei pesi delle componenti è {formati.numero(somma, None)}: "
                          f"deve essere 100 ({dettaglio})."]}


def errori_obiettivi_scheda(scheda, righe) -> list[str]:
    """The individual objectives of ``scheda``: ``righe`` are (peso, ObiettivoObbligatorio or
    None) of the rows that will exist. Their weights sum to 100 (when there is any), and each
    mandatory objective weighs at least its minimum — of the individual-objectives component,
    or of the scheda's total (``peso × peso_obiettivi / 100``) when ``base_peso`` is «totale».
    Used by the scheda's admin formset and by ``individuale.processo`` before a step."""
    righe = [(p, o) for p, o in righe if p is not None]
    if not righe:
        return []
    messaggi = []
    somma = sum((p for p, _ in righe), ZERO)
    if somma != CENTO:
        messaggi.append(f"La somma dei pesi degli obiettivi individuali è "
                        f"{formati.numero(somma, None)}: deve essere 100.")
    for peso, obbligatorio in righe:
        if obbligatorio is None or not obbligatorio.peso_minimo:
            continue
        minimo = formati.numero(obbligatorio.peso_minimo, None)
        if obbligatorio.base_peso == "totale":
            sul_totale = peso * scheda.peso_obiettivi / CENTO
            if sul_totale < obbligatorio.peso_minimo:
                messaggi.append(
                    f"L'obiettivo obbligatorio «{obbligatorio.codice}» pesa "
                    f"{formati.numero(sul_totale, None)} % del punteggio totale: deve pesare "
                    f"almeno {minimo} % ({obbligatorio.riferimento or 'obbligo di legge'}).")
        elif peso < obbligatorio.peso_minimo:
            messaggi.append(
                f"L'obiettivo obbligatorio «{obbligatorio.codice}» pesa "
                f"{formati.numero(peso, None)} % degli obiettivi individuali: deve pesare almeno "
                f"{minimo} % ({obbligatorio.riferimento or 'obbligo di legge'}).")
    return messaggi


def _percentuale(nome, default=ZERO, **kwargs):
    return models.DecimalField(
        nome, max_digits=5, decimal_places=2, default=default, validators=PERCENTUALE, **kwargs
    )


# --- rules (SMVP data) ---------------------------------------------------------------------------

class GruppoRuolo(RegoleMixin, models.Model):
    """A role group of the SMVP (dirigente, elevata qualificazione, dipendente…) with the weights
    of the components of its schede, summing to 100."""

    class Valutatore(models.TextChoices):
        DIRIGENTE_AREA = "dirigente_area", "Il dirigente dell'area"
        SINDACO = "sindaco", "Il Sindaco, su proposta del Nucleo di valutazione"
        SEGRETARIO = "segretario", "Il Segretario generale, su proposta del Nucleo di valutazione"

    smvp = models.ForeignKey("valutazione.Smvp", on_delete=models.CASCADE, related_name="gruppi_ruolo")
    codice = models.SlugField("codice", max_length=30, help_text="Es. dirigente, eq, dipendente.")
    nome = models.CharField("nome", max_length=200)
    ordine = models.PositiveSmallIntegerField("ordine", default=0)
    peso_ente = _percentuale("peso dei risultati dell'ente (%)")
    peso_area = _percentuale("peso dei risultati dell'area (%)")
    peso_obiettivi = _percentuale("peso degli obiettivi individuali (%)")
    peso_comportamenti = _percentuale("peso dei comportamenti (%)")
    peso_differenziazione = _percentuale(
        "peso della capacità di valutazione dei collaboratori (%)",
        help_text="Solo per i dirigenti (art. 9 c. 1 lett. d D.Lgs. 150/2009): dimostrata da una "
                  "significativa differenziazione dei giudizi.",
    )
    valutatore = models.CharField(
        "chi valuta", max_length=20, choices=Valutatore.choices, default=Valutatore.DIRIGENTE_AREA
    )
    nucleo_vede = models.BooleanField(
        "il Nucleo vede le schede", default=False,
        help_text="Attivo per i dirigenti: il Nucleo propone la loro valutazione.",
    )
    giorni_conciliazione = models.PositiveSmallIntegerField(
        "giorni per chiedere la conciliazione", default=15,
        help_text="Dalla presa visione della valutazione (Linee guida DFP n. 2/2017).",
    )
    quota_maggiorazione = _percentuale(
        "quota del personale con la maggiorazione (%)", default=Decimal("10"),
        help_text="Art. 81 CCNL Funzioni Locali 2019–2021: percentuale massima del personale del "
                  "gruppo, con le valutazioni più alte, che riceve la maggiorazione del premio.",
    )
    maggiorazione = models.DecimalField(
        "maggiorazione del premio (% del premio medio)", max_digits=6, decimal_places=2,
        default=Decimal("30"), validators=[MinValueValidator(ZERO)],
        help_text="Almeno il 30 % del valore medio pro capite dei premi del personale valutato "
                  "positivamente (art. 81 CCNL).",
    )
    parametro = models.DecimalField(
        "parametro del gruppo", max_digits=6, decimal_places=2, default=Decimal("1"),
        validators=[MinValueValidator(ZERO)],
        help_text="Moltiplica i punti di ogni persona del gruppo quando un fondo è comune a più gruppi.",
    )

    history = HistoricalRecords(verbose_name="storico gruppo di ruolo")

    class Meta:
        verbose_name = "gruppo di ruolo"
        verbose_name_plural = "gruppi di ruolo"
        ordering = ["smvp", "ordine", "codice"]
        constraints = [
            models.UniqueConstraint(fields=["smvp", "codice"], name="gruppo_ruolo_codice_unico"),
            models.CheckConstraint(
                condition=Q(peso_ente__gte=0) & Q(peso_area__gte=0) & Q(peso_obiettivi__gte=0)
                & Q(peso_comportamenti__gte=0) & Q(peso_differenziazione__gte=0),
                name="gruppo_ruolo_pesi_non_negativi",
            ),
        ]

    def __str__(self):
        return self.nome

    def errori_regole(self):
        return errori_pesi_componenti(self)

    @property
    def somma_pesi(self):
        return (self.peso_ente + self.peso_area + self.peso_obiettivi + self.peso_comportamenti
                + self.peso_differenziazione)


class Comportamento(RegoleMixin, models.Model):
    """A behaviour of the SMVP's dictionary, with the role groups it applies to."""

    smvp = models.ForeignKey("valutazione.Smvp", on_delete=models.CASCADE, related_name="comportamenti")
    codice = models.CharField("codice", max_length=30)
    nome = models.CharField("nome", max_length=200)
    descrizione = models.TextField("descrizione", blank=True)
    peso = models.DecimalField(
        "peso", max_digits=5, decimal_places=2, default=Decimal("1"),
        validators=[MinValueValidator(ZERO)],
        help_text="Peso relativo tra i comportamenti di una scheda.",
    )
    gruppi = models.ManyToManyField(GruppoRuolo, related_name="comportamenti", verbose_name="gruppi di ruolo")
    ordine = models.PositiveSmallIntegerField("ordine", default=0)

    history = HistoricalRecords(verbose_name="storico comportamento")

    class Meta:
        verbose_name = "comportamento"
        verbose_name_plural = "comportamenti"
        ordering = ["smvp", "ordine", "codice"]
        constraints = [
            models.UniqueConstraint(fields=["smvp", "codice"], name="comportamento_codice_unico"),
        ]

    def __str__(self):
        return f"{self.codice} {self.nome}"


class LivelloComportamento(RegoleMixin, models.Model):
    """A level of the behaviours' scale (e.g. 1 «inadeguato» … 5 «eccellente»); a level is worth
    ``valore / valore massimo × 100`` points."""

    smvp = models.ForeignKey("valutazione.Smvp", on_delete=models.CASCADE, related_name="livelli_comportamento")
    valore = models.PositiveSmallIntegerField("valore", validators=[MinValueValidator(1)])
    etichetta = models.CharField("etichetta", max_length=200)
    descrizione = models.TextField("descrizione", blank=True)

    history = HistoricalRecords(verbose_name="storico livello dei comportamenti")

    class Meta:
        verbose_name = "livello della scala dei comportamenti"
        verbose_name_plural = "scala dei comportamenti"
        ordering = ["smvp", "valore"]
        constraints = [
            models.UniqueConstraint(fields=["smvp", "valore"], name="livello_comportamento_unico"),
        ]

    def __str__(self):
        return f"{self.valore} — {self.etichetta}"


class FasciaPremio(models.Model):
    """Final score → share of the bonus: [da, a) → quota % (``a`` empty = up to 100 included)."""

    smvp = models.ForeignKey("valutazione.Smvp", on_delete=models.CASCADE, related_name="fasce_premio")
    da = models.DecimalField("punteggio da (incluso)", max_digits=5, decimal_places=2, validators=PERCENTUALE)
    a = models.DecimalField(
        "punteggio a (escluso)", max_digits=5, decimal_places=2, null=True, blank=True,
        validators=PERCENTUALE, help_text="Vuoto per la fascia più alta, che comprende 100.",
    )
    quota = _percentuale("quota del premio (%)")

    history = HistoricalRecords(verbose_name="storico fascia del premio")

    class Meta:
        verbose_name = "fascia del premio"
        verbose_name_plural = "fasce del premio"
        ordering = ["smvp", "da"]
        constraints = [
            models.UniqueConstraint(fields=["smvp", "da"], name="fascia_premio_inizio_unico"),
            models.CheckConstraint(
                condition=Q(a__isnull=True) | Q(a__gt=F("da")), name="fascia_premio_a_maggiore_di_da"
            ),
        ]

    def __str__(self):
        fine = "100" if self.a is None else f"{self.a}"
        return f"[{self.da}, {fine}) → {self.quota} %"


class ObiettivoObbligatorio(RegoleMixin, models.Model):
    """An objective the law adds to every scheda of some role groups (e.g. the timeliness of
    payments for dirigenti, DL 13/2023 art. 4-bis; 40 hours of training, Direttiva 14/1/2025);
    copied into each new scheda of those groups as an ``ObiettivoIndividuale``."""

    smvp = models.ForeignKey("valutazione.Smvp", on_delete=models.CASCADE, related_name="obiettivi_obbligatori")
    codice = models.CharField("codice", max_length=30)
    descrizione = models.TextField("descrizione")
    riferimento = models.CharField("riferimento normativo", max_length=300, blank=True)
    gruppi = models.ManyToManyField(GruppoRuolo, related_name="obiettivi_obbligatori", verbose_name="gruppi di ruolo")
    peso_minimo = _percentuale(
        "peso minimo (%)",
        help_text="Peso minimo nella scheda (es. 30 per la tempestività dei pagamenti: almeno il "
                  "30 % della retribuzione di risultato).",
    )
    base_peso = models.CharField(
        "il peso minimo si riferisce a", max_length=20, default="totale",
        choices=[("totale", "il punteggio totale della scheda"),
                 ("obiettivi", "la componente degli obiettivi individuali")],
    )

    history = HistoricalRecords(verbose_name="storico obiettivo obbligatorio")

    class Meta:
        verbose_name = "obiettivo obbligatorio per legge"
        verbose_name_plural = "obiettivi obbligatori per legge"
        ordering = ["smvp", "codice"]
        constraints = [
            models.UniqueConstraint(fields=["smvp", "codice"], name="obiettivo_obbligatorio_codice_unico"),
        ]

    def __str__(self):
        return f"{self.codice} {self.descrizione[:60]}"


# --- people and schede ----------------------------------------------------------------------------

class Persona(RegoleMixin, models.Model):
    """A person evaluated by an ente: with a login (``utente``) or without (a record kept by HR)."""

    ente = models.ForeignKey("obiettivi.Ente", on_delete=models.PROTECT, related_name="persone")
    cognome = models.CharField("cognome", max_length=100)
    nome = models.CharField("nome", max_length=100)
    matricola = models.CharField("matricola", max_length=30)
    codice_fiscale = models.CharField("codice fiscale", max_length=16, blank=True)
    utente = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="persone", verbose_name="utente",
        help_text="L'utente con cui la persona accede per vedere e firmare la propria scheda.",
    )
    fittizia = models.BooleanField(
        "persona fittizia (dati dimostrativi)", default=False,
        help_text="Nomi e numeri inventati, per la dimostrazione.",
    )

    history = HistoricalRecords(verbose_name="storico persona")

    class Meta:
        verbose_name = "persona"
        verbose_name_plural = "persone"
        ordering = ["ente", "cognome", "nome", "matricola"]
        constraints = [
            models.UniqueConstraint(fields=["ente", "matricola"], name="persona_matricola_unica_per_ente"),
            models.UniqueConstraint(
                fields=["ente", "utente"], condition=Q(utente__isnull=False),
                name="persona_utente_unico_per_ente",
            ),
        ]

    def __str__(self):
        return f"{self.cognome} {self.nome} ({self.matricola})"


class SchedaValutazione(RegoleMixin, models.Model):
    """The evaluation of one person in one cycle.

    The state is changed only by ``individuale.processo``; every change is kept in the history.
    Scores are computed by ``individuale.calcolo``; the fields ``punteggio_*`` keep the figures
    of the evaluation when it is made (the organisational ones filled automatically from
    ``valutazione.scoring``), and ``punteggio_finale`` once the scheda is definitive.
    """

    class Stato(models.TextChoices):
        BOZZA = "bozza", "Bozza"
        COLLOQUIO_INIZIALE = "colloquio_iniziale", "Colloquio iniziale: obiettivi assegnati"
        COLLOQUIO_INTERMEDIO = "colloquio_intermedio", "Colloquio intermedio"
        VALUTAZIONE = "valutazione", "Valutazione"
        PRESA_VISIONE = "presa_visione", "Presa visione"
        CONCILIAZIONE = "conciliazione", "Conciliazione"
        DEFINITIVA = "definitiva", "Definitiva"

    ciclo = models.ForeignKey("obiettivi.Ciclo", on_delete=models.PROTECT, related_name="schede")
    persona = models.ForeignKey(Persona, on_delete=models.PROTECT, related_name="schede")
    gruppo = models.ForeignKey(GruppoRuolo, on_delete=models.PROTECT, related_name="schede",
                               verbose_name="gruppo di ruolo")
    area = models.ForeignKey(
        "obiettivi.Area", on_delete=models.PROTECT, null=True, blank=True, related_name="schede",
        verbose_name="area", help_text="Vuoto per chi non appartiene a un'area (es. il Segretario).",
    )
    valutatore = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="schede_da_valutare", verbose_name="valutatore",
    )
    stato = models.CharField("stato", max_length=30, choices=Stato.choices, default=Stato.BOZZA)

    part_time = models.DecimalField(
        "percentuale di part-time", max_digits=5, decimal_places=2, default=CENTO,
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(CENTO)],
        help_text="100 per il tempo pieno.",
    )
    mesi_servizio = models.DecimalField(
        "mesi di servizio nell'anno", max_digits=4, decimal_places=2, default=Decimal("12"),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("12"))],
    )
    mesi_esclusi = models.DecimalField(
        "mesi esclusi dalla valutazione (art. 9 c. 3)", max_digits=4, decimal_places=2, default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("12"))],
        help_text="Congedi di maternità, paternità e parentali: non riducono il premio, che li "
                  "conta come servizio.",
    )
    periodi_esclusi = models.TextField("periodi esclusi: descrizione", blank=True)

    # Weights, copied from the role group when the scheda is created.
    peso_ente = _percentuale("peso dei risultati dell'ente (%)")
    peso_area = _percentuale("peso dei risultati dell'area (%)")
    peso_obiettivi = _percentuale("peso degli obiettivi individuali (%)")
    peso_comportamenti = _percentuale("peso dei comportamenti (%)")
    peso_differenziazione = _percentuale("peso della capacità di valutazione dei collaboratori (%)")

    # Scores 0–100 of the components, kept when evaluated.
    punteggio_ente = models.DecimalField("punteggio dei risultati dell'ente", max_digits=5,
                                         decimal_places=2, null=True, blank=True, validators=PERCENTUALE)
    punteggio_area = models.DecimalField("punteggio dei risultati dell'area", max_digits=5,
                                         decimal_places=2, null=True, blank=True, validators=PERCENTUALE)
    punteggio_differenziazione = models.DecimalField(
        "punteggio della capacità di valutazione", max_digits=5, decimal_places=2, null=True,
        blank=True, validators=PERCENTUALE,
    )
    punteggio_finale = models.DecimalField("punteggio finale", max_digits=5, decimal_places=2,
                                           null=True, blank=True, validators=PERCENTUALE)
    commento_valutatore = models.TextField("giudizio del valutatore", blank=True)

    # The process: dates of each step.
    data_colloquio_iniziale = models.DateField("data del colloquio iniziale", null=True, blank=True)
    firma_assegnazione = models.DateTimeField("firma per presa visione degli obiettivi", null=True, blank=True)
    data_colloquio_intermedio = models.DateField("data del colloquio intermedio", null=True, blank=True)
    note_colloquio_intermedio = models.TextField("note del colloquio intermedio", blank=True)
    data_valutazione = models.DateField("data della valutazione", null=True, blank=True)
    firma_presa_visione = models.DateTimeField("firma per presa visione della valutazione", null=True, blank=True)
    osservazioni_valutato = models.TextField("osservazioni della persona valutata", blank=True)
    conciliazione_richiesta = models.DateTimeField("conciliazione chiesta il", null=True, blank=True)
    conciliazione_motivi = models.TextField("motivi della richiesta di conciliazione", blank=True)
    conciliazione_esito = models.TextField("esito della conciliazione e sue ragioni", blank=True)
    conciliazione_punteggio = models.DecimalField(
        "punteggio dopo la conciliazione", max_digits=5, decimal_places=2, null=True, blank=True,
        validators=PERCENTUALE,
    )
    data_definitiva = models.DateTimeField("definitiva dal", null=True, blank=True)

    history = HistoricalRecords(verbose_name="storico scheda di valutazione")

    class Meta:
        verbose_name = "scheda di valutazione"
        verbose_name_plural = "schede di valutazione"
        ordering = ["ciclo", "persona__cognome", "persona__nome"]
        constraints = [
            models.UniqueConstraint(fields=["ciclo", "persona"], name="scheda_unica_per_persona_ciclo"),
            models.CheckConstraint(
                condition=Q(part_time__gt=0) & Q(part_time__lte=100), name="scheda_part_time_1_100"
            ),
            models.CheckConstraint(
                condition=Q(mesi_servizio__gte=0) & Q(mesi_servizio__lte=12),
                name="scheda_mesi_servizio_0_12",
            ),
        ]
        indexes = [
            models.Index(fields=["ciclo", "stato"], name="scheda_ciclo_stato"),
            models.Index(fields=["ciclo", "area"], name="scheda_ciclo_area"),
        ]

    def errori_regole(self):
        return errori_pesi_componenti(self)

    def __str__(self):
        return f"{self.persona} — {self.ciclo.anno}"


class ObiettivoIndividuale(RegoleMixin, models.Model):
    """An individual objective of a scheda, linked to the plan's objective it cascades from."""

    scheda = models.ForeignKey(SchedaValutazione, on_delete=models.CASCADE, related_name="obiettivi")
    descrizione = models.TextField("descrizione")
    obiettivo = models.ForeignKey(
        "obiettivi.Obiettivo", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="obiettivi_individuali", verbose_name="obiettivo del Piano",
    )
    obbligatorio = models.ForeignKey(
        ObiettivoObbligatorio, on_delete=models.PROTECT, null=True, blank=True,
        related_name="obiettivi_individuali", verbose_name="obbligatorio per legge",
    )
    peso = _percentuale("peso (%)", help_text="I pesi degli obiettivi di una scheda sommano a 100.")
    indicatore = models.CharField("indicatore e target", max_length=300, blank=True)
    risultato = models.DecimalField(
        "grado di raggiungimento (%)", max_digits=5, decimal_places=2, null=True, blank=True,
        validators=PERCENTUALE,
    )
    commento = models.TextField("commento", blank=True)
    ordine = models.PositiveSmallIntegerField("ordine", default=0)

    history = HistoricalRecords(verbose_name="storico obiettivo individuale")

    class Meta:
        verbose_name = "obiettivo individuale"
        verbose_name_plural = "obiettivi individuali"
        ordering = ["scheda", "ordine", "id"]

    def __str__(self):
        return self.descrizione[:80]


class PunteggioComportamento(RegoleMixin, models.Model):
    """The score of one behaviour in a scheda (a level of the SMVP's scale) with its comment."""

    scheda = models.ForeignKey(SchedaValutazione, on_delete=models.CASCADE, related_name="comportamenti")
    comportamento = models.ForeignKey(Comportamento, on_delete=models.PROTECT, related_name="punteggi")
    livello = models.PositiveSmallIntegerField("livello", null=True, blank=True)
    commento = models.TextField("commento", blank=True)

    history = HistoricalRecords(verbose_name="storico punteggio di comportamento")

    class Meta:
        verbose_name = "punteggio di comportamento"
        verbose_name_plural = "punteggi dei comportamenti"
        ordering = ["scheda", "comportamento__ordine", "comportamento__codice"]
        constraints = [
            models.UniqueConstraint(fields=["scheda", "comportamento"], name="punteggio_comportamento_unico"),
        ]

    def __str__(self):
        return f"{self.comportamento.nome}: {self.livello or '—'}"


# --- funds -------------------------------------------------------------------------------------

class FondoPremi(RegoleMixin, models.Model):
    """The bonus money of a cycle: ente-wide, or for an area (and its services) and/or a role
    group. A scheda is paid from the most specific fund that covers it (area and group, then
    group, then area, then ente-wide); ``individuale.calcolo`` shares each fund among its
    schede. Two funds of a cycle never have the same scope (``errori_regole``)."""

    ciclo = models.ForeignKey("obiettivi.Ciclo", on_delete=models.PROTECT, related_name="fondi_premi")
    nome = models.CharField("nome", max_length=200)
    area = models.ForeignKey("obiettivi.Area", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="fondi_premi", verbose_name="area",
                             help_text="Vuoto: tutte le aree.")
    gruppo = models.ForeignKey(GruppoRuolo, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="fondi", verbose_name="gruppo di ruolo",
                               help_text="Vuoto: tutti i gruppi.")
    importo = models.DecimalField("importo stanziato (€)", max_digits=12, decimal_places=2,
                                  validators=[MinValueValidator(ZERO)])
    atto = models.ForeignKey("obiettivi.Atto", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="fondi_premi", verbose_name="atto di costituzione")

    history = HistoricalRecords(verbose_name="storico fondo")

    class Meta:
        verbose_name = "fondo per i premi"
        verbose_name_plural = "fondi per i premi"
        ordering = ["ciclo", "nome"]
        constraints = [
            models.CheckConstraint(condition=Q(importo__gte=0), name="fondo_importo_non_negativo"),
        ]

    def errori_regole(self):
        """The fund's area belongs to its cycle, its group to the cycle's SMVP, and no other fund
        of the cycle has the same scope (area and group)."""
        if self.ciclo_id is None:
            return {}
        errori = {}
        if self.area_id is not None and self.area.ciclo_id != self.ciclo_id:
            errori["area"] = [f"L'area «{self.area}» appartiene a un altro ciclo."]
        if self.gruppo_id is not None and self.gruppo.smvp_id != self.ciclo.smvp_id:
            errori["gruppo"] = [f"Il gruppo «{self.gruppo}» non appartiene al sistema di valutazione "
                                "del ciclo."]
        altro = (FondoPremi.objects.filter(ciclo_id=self.ciclo_id, area_id=self.area_id,
                                           gruppo_id=self.gruppo_id).exclude(pk=self.pk).first())
        if altro is not None:
            errori["nome"] = [f"Il ciclo ha già un fondo per lo stesso ambito: «{altro.nome}». "
                              "Modificare quello o cambiare area o gruppo di ruolo."]
        return errori

    def __str__(self):
        return self.nome
