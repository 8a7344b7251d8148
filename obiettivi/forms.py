"""Forms of the plan's admin: the rules users must see as form errors, in Italian.

The rules themselves live in ``obiettivi.regole`` (one home, shared with the PEG import and the
workflow): each model's ``full_clean()`` checks texts and its rules across fields, so a
ModelForm shows them on its fields. Here only what needs more than the one row: codes unique in
the cycle, area and node of the objective's own cycle, the phases of an objective summing to 100,
the fields a button («Invia», «Valida», «Rinvia») needs, and the lost-update guard. The database
constraints of ``obiettivi.models`` stay the last line of defence. Numbers are typed the Italian
way through ``seregno_perf.campi`` (the admin's ``formfield_overrides``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import F
from mptt.forms import MPTTAdminForm

from . import regole, workflow
from .models import (
    Area, Fase, Indicatore, NodoStrategico, Obiettivo, TabellaReport, VariazioneObiettivo,
)

SEPARATORE_CELLE = ";"


def aggiungi_errori(form, errori: regole.Errori) -> None:
    """Attach the messages of ``obiettivi.regole`` to their fields, or to the whole form when
    the field is not in it (read-only for this user)."""
    for campo, messaggi in errori.items():
        for messaggio in messaggi:
            form.add_error(campo if campo in form.fields else None, messaggio)


def ciclo_id_del_form(form) -> int | None:
    """The cycle the edited object belongs to: the form's field on add, the instance on change."""
    if "ciclo" in form.fields:
        ciclo = form.cleaned_data.get("ciclo")
        return ciclo.pk if ciclo else None
    return form.instance.ciclo_id


def controlla_codice_unico(form, model, ciclo_id) -> None:
    """``codice`` unique in its cycle, also when ``ciclo`` is read-only (Django then skips the
    (ciclo, codice) constraint because one of its fields is not in the form)."""
    codice = form.cleaned_data.get("codice")
    if not codice or ciclo_id is None:
        return
    doppi = model._default_manager.filter(ciclo_id=ciclo_id, codice=codice)
    if form.instance.pk:
        doppi = doppi.exclude(pk=form.instance.pk)
    if doppi.exists():
        form.add_error("codice", f"Il codice «{codice}» è già usato in questo ciclo.")


class RegoleFormMixin(forms.BaseForm):
    """Texts and choices answer with the words of ``obiettivi.regole``, as the PEG import does:
    control characters — NUL included, which Django's own form check would word differently —
    are refused by the model's ``full_clean``; a value outside a list of choices says which
    values are accepted."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for campo in self.fields.values():
            if isinstance(campo, forms.CharField):
                campo.validators = [v for v in campo.validators
                                    if not isinstance(v, ProhibitNullCharactersValidator)]
            if isinstance(campo, forms.ChoiceField) and not isinstance(campo, forms.ModelChoiceField):
                ammessi = [str(valore) for valore, _ in campo.choices if valore != ""]
                campo.error_messages = {**campo.error_messages,
                                        "invalid_choice": regole.messaggio_scelta(ammessi)}

    def _post_clean(self):
        # The model's rules skip the fields this form refused (``regole.RegoleMixin``).
        self.instance._campi_rifiutati = frozenset(self.errors)
        super()._post_clean()


MESSAGGIO_VERSIONE = (
    "Nel frattempo qualcun altro ha salvato l'obiettivo {codice}: le tue modifiche non sono "
    "state salvate per non cancellare le sue. Ricarica la pagina (le modifiche dell'altra persona "
    "sono nello storico), poi inserisci di nuovo le tue."
)


class ControlloVersioneMixin(forms.Form):
    """No lost update: the form carries the objective's ``versione`` read when the page was
    opened; ``clean()`` re-reads it under a row lock (inside the admin's save transaction) and
    refuses a stale form. Saving adds 1 to the version (``Obiettivo.versione`` is not in the
    history: it is bookkeeping, not data)."""

    versione_letta = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        obiettivo = self._obiettivo_della_versione()
        if obiettivo is not None:
            self.fields["versione_letta"].initial = obiettivo.versione

    def _obiettivo_della_versione(self):
        if isinstance(self.instance, Obiettivo):
            return self.instance if self.instance.pk else None
        return self.instance.obiettivo if self.instance.pk else None

    def clean(self):
        cleaned = super().clean()
        obiettivo = self._obiettivo_della_versione()
        if obiettivo is None:
            return cleaned
        letta = cleaned.get("versione_letta")
        attuale = (
            Obiettivo.objects.select_for_update().filter(pk=obiettivo.pk)
            .values_list("versione", flat=True).first()
        )
        if letta is None or attuale is None or letta != attuale:
            raise ValidationError(MESSAGGIO_VERSIONE.format(codice=obiettivo.codice),
                                  code="versione")
        if obiettivo is self.instance:
            self.instance.versione = attuale + 1
        else:
            self._aggiorna_versione = obiettivo.pk
        return cleaned

    def save(self, commit=True):
        salvato = super().save(commit=commit)
        if getattr(self, "_aggiorna_versione", None):
            Obiettivo.objects.filter(pk=self._aggiorna_versione).update(versione=F("versione") + 1)
        return salvato


class ObiettivoAdminForm(RegoleFormMixin, ControlloVersioneMixin, forms.ModelForm):
    """``azione`` is set by the admin from the button pressed («_invia», «_valida», «_rinvia»):
    the fields that action needs are then required, as form errors.

    ``regole`` (the cycle's SMVP as ``valutazione.scoring.Regole``, set by the admin) makes the
    grades a choice among the SMVP's levels with their labels, and lets the form check the
    proposed grade against the one computed from the indicators and phases being saved
    (``obiettivi.regole.errori_scostamento``, computed by ``obiettivi.risultato``). When the
    Nucleo opens a submitted objective, the validated grade starts as the proposed one."""

    azione = None
    regole = None
    utente = None
    CAMPI_GRADO = ("grado_proposto", "grado_validato")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        scala = self.regole.scala_gradi if self.regole is not None else ()
        for nome in self.CAMPI_GRADO:
            if nome in self.fields and scala:
                vecchio = self.fields[nome]
                self.fields[nome] = forms.TypedChoiceField(
                    label=vecchio.label, help_text=vecchio.help_text, required=False,
                    coerce=int, empty_value=None,
                    choices=[("", "—"), *((l.valore, f"{l.valore} — {l.etichetta}") for l in scala)],
                    # the scale's own message, with the typed value in place of the grade
                    error_messages={"invalid_choice": regole.grado(
                        "%(value)s", [l.valore for l in scala])[0]},
                )
        if ("grado_validato" in self.fields and not self.is_bound and self.instance.pk
                and self.instance.grado_validato is None
                and self.instance.stato_rendicontazione == Obiettivo.StatoRendicontazione.INVIATO):
            self.initial["grado_validato"] = self.instance.grado_proposto

    class Meta:
        model = Obiettivo
        fields = "__all__"
        localized_fields = "__all__"

    def valore(self, campo):
        """The submitted value, or the stored one when the field is read-only for this user."""
        if campo in self.fields:
            return self.cleaned_data.get(campo)
        return getattr(self.instance, campo)

    #: The objective's fields the buttons' rules read.
    CAMPI_AZIONE = ("stato", "relazione", "grado_proposto", "grado_validato", "commento_nucleo")

    def clean(self):
        cleaned = super().clean()
        self._controlla_piano(cleaned)
        regola = {"_invia": regole.errori_invio, "_valida": regole.errori_validazione,
                  "_rinvia": regole.errori_rinvio}.get(self.azione)
        if regola is not None:
            aggiungi_errori(self, regola({c: self.valore(c) for c in self.CAMPI_AZIONE}))
        self._controlla_scostamento()
        return cleaned

    def _controlla_scostamento(self):
        """A proposed grade far from the computed one needs a line of explanation: checked when
        the proposed grade is changed or sent («Salva e invia al Nucleo»), on the indicators
        and phases as submitted (their own mistakes are the inlines' errors: then there is
        nothing to compare). Other saves (an Amministratore correcting a target) are not
        blocked by a grade someone else proposed; sending checks it again on the saved values
        (``workflow.errori_invio``)."""
        if (self.regole is None or self.utente is None or "grado_proposto" not in self.fields
                or not self.instance.pk
                or self.cleaned_data.get("grado_proposto") is None
                or ("grado_proposto" not in self.changed_data and self.azione != "_invia")):
            return
        from . import risultato  # reads valutazione.queries (which imports obiettivi.models)

        calcolato, errori = risultato.calcola_dal_modulo(self.instance, self.data, self.utente,
                                                       self.regole)
        if errori:
            return
        aggiungi_errori(self, regole.errori_scostamento(
            self.cleaned_data["grado_proposto"], calcolato.grado, self.valore("spiegazione_grado")))

    def _controlla_piano(self, cleaned):
        """Area and node of the objective's own cycle, code unique in it (the rules of one row
        are the model's, from ``obiettivi.regole``)."""
        ciclo_id = ciclo_id_del_form(self)
        if ciclo_id is None:
            return
        for campo, etichetta in (("area", "L'area"), ("nodo", "L'azione strategica")):
            valore = cleaned.get(campo)
            if valore is not None and valore.ciclo_id != ciclo_id:
                self.add_error(
                    campo if campo in self.fields else None,
                    f"{etichetta} «{valore}» appartiene a un altro ciclo: "
                    "sceglierne una del ciclo dell'obiettivo.",
                )
        controlla_codice_unico(self, Obiettivo, ciclo_id)
        # Grades within the field's own bounds (the model says those) and the SMVP's scale.
        gradi = {c: cleaned.get(c) for c in ("grado_proposto", "grado_validato")
                 if cleaned.get(c) is not None and not regole.campo(Obiettivo, c, cleaned[c])}
        if gradi:
            scala = workflow.gradi_smvp(ciclo_id)
            aggiungi_errori(self, {c: regole.grado(v, scala) for c, v in gradi.items()})


class IndicatoreAdminForm(RegoleFormMixin, forms.ModelForm):
    """Its rules (expected date of a «scadenza», 1 or 0 for «sì / no») are the model's."""

    class Meta:
        model = Indicatore
        fields = "__all__"


class FaseAdminForm(RegoleFormMixin, forms.ModelForm):
    """Its rules (end not before start) are the model's; the sum of the weights is the
    formset's (on the objective's page) or ``FaseAutonomaAdminForm``'s."""

    class Meta:
        model = Fase
        fields = "__all__"


class IndicatoreAutonomoAdminForm(ControlloVersioneMixin, IndicatoreAdminForm):
    """An indicator on its own page: saving it is a change of its objective (version check)."""


class FaseAutonomaAdminForm(ControlloVersioneMixin, FaseAdminForm):
    def clean(self):
        cleaned = super().clean()
        obiettivo = cleaned.get("obiettivo", self.instance.obiettivo if self.instance.pk else None)
        peso = cleaned.get("peso", self.instance.peso if self.instance.pk else None)
        if obiettivo is None or peso is None or "peso" not in self.fields:
            return cleaned
        altre = Fase.objects.filter(obiettivo=obiettivo)
        if self.instance.pk:
            altre = altre.exclude(pk=self.instance.pk)
        pesi = [*altre.values_list("peso", flat=True), peso]
        errori = regole.errori_fasi(pesi, obiettivo=obiettivo.codice)
        if errori:
            raise ValidationError([
                *errori, "Per ridistribuire i pesi modificare le fasi dalla pagina dell'obiettivo."
            ])
        return cleaned


class FaseInlineFormSet(forms.BaseInlineFormSet):
    """The phases of one objective: if there are any, their weights sum to exactly 100."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        pesi = [
            form.cleaned_data["peso"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("peso") is not None
        ]
        errori = regole.errori_fasi(pesi, obiettivo=getattr(self.instance, "codice", "") or "")
        if errori:
            raise ValidationError(errori)


class _AlberoAdminForm(MPTTAdminForm):
    """Area and strategy-tree node: the parent belongs to the same cycle."""

    def clean(self):
        cleaned = super().clean()
        ciclo_id = ciclo_id_del_form(self)
        parent = cleaned.get("parent")
        if parent is not None and ciclo_id is not None and parent.ciclo_id != ciclo_id:
            self.add_error(
                "parent",
                f"«{parent}» appartiene a un altro ciclo: scegliere un elemento dello stesso ciclo.",
            )
        controlla_codice_unico(self, self._meta.model, ciclo_id)
        return cleaned


class AreaAdminForm(_AlberoAdminForm):
    class Meta:
        model = Area
        fields = "__all__"


class NodoStrategicoAdminForm(_AlberoAdminForm):
    class Meta:
        model = NodoStrategico
        fields = "__all__"


class VariazioneObiettivoForm(forms.ModelForm):
    """An objective changed by an atto belongs to a cycle of the atto's ente."""

    class Meta:
        model = VariazioneObiettivo
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        atto = cleaned.get("atto")
        obiettivo = cleaned.get("obiettivo")
        if atto is not None and obiettivo is not None and atto.ente_id != obiettivo.ciclo.ente_id:
            self.add_error(
                "obiettivo",
                f"L'obiettivo {obiettivo.codice} è di un altro ente: un atto può modificare solo "
                "obiettivi del proprio ente.",
            )
        return cleaned


class TabellaReportAdminForm(forms.ModelForm):
    """Columns and rows as plain text (one row per line, cells separated by «;»), as a clerk
    would paste them from a spreadsheet; the model's ``clean()`` checks rows against columns."""

    colonne = forms.CharField(
        label="colonne",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="I titoli delle colonne su una riga, separati da «;». "
        "Es.: Anno; Seregno; Provincia; Lombardia; Italia",
    )
    righe = forms.CharField(
        label="righe",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Una riga della tabella per ogni riga di testo, celle separate da «;», "
        "tante celle quante sono le colonne. Es.: 2019; 24.562; 23.120; 25.012; 21.660",
    )

    class Meta:
        model = TabellaReport
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["colonne"] = f"{SEPARATORE_CELLE} ".join(
                str(c) for c in (self.instance.colonne or [])
            )
            self.initial["righe"] = "\n".join(
                f"{SEPARATORE_CELLE} ".join(str(c) for c in riga) if isinstance(riga, list)
                else str(riga)
                for riga in (self.instance.righe or [])
            )

    @staticmethod
    def _celle(riga: str) -> list[str]:
        return [cella.strip() for cella in riga.split(SEPARATORE_CELLE)]

    def clean_colonne(self):
        return [c for c in self._celle(self.cleaned_data["colonne"].strip()) if c]

    def clean_righe(self):
        testo = self.cleaned_data.get("righe") or ""
        return [self._celle(riga) for riga in testo.splitlines() if riga.strip()]

