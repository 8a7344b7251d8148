"""Forms of the plan's admin: the rules users must see as form errors, in Italian.

The database constraints of ``obiettivi.models`` stay the last line of defence; these forms word
the same rules for the people who fill them in (status reasons, postponement year, yes/no values,
phases summing to 100, area and node of the objective's own cycle), so nobody meets an
``IntegrityError``. Decimal fields accept Italian input ("12,5").
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Sum
from mptt.forms import MPTTAdminForm

from .models import (
    Area, Fase, Indicatore, NodoStrategico, Obiettivo, TabellaReport, VariazioneObiettivo,
)

CENTO = Decimal("100")
SEPARATORE_CELLE = ";"


def numero_it(valore: Decimal) -> str:
    """``Decimal('92.50')`` → ``'92,5'``; ``Decimal('90.00')`` → ``'90'`` (for messages)."""
    testo = format(Decimal(valore).quantize(Decimal("0.01")), "f")
    if "." in testo:
        testo = testo.rstrip("0").rstrip(".")
    return testo.replace(".", ",")


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


class ObiettivoAdminForm(ControlloVersioneMixin, forms.ModelForm):
    """``azione`` is set by the admin from the button pressed («_invia», «_valida», «_rinvia»):
    the fields that action needs are then required, as form errors."""

    azione = None

    class Meta:
        model = Obiettivo
        fields = "__all__"
        localized_fields = "__all__"

    def valore(self, campo):
        """The submitted value, or the stored one when the field is read-only for this user."""
        if campo in self.fields:
            return self.cleaned_data.get(campo)
        return getattr(self.instance, campo)

    def clean(self):
        cleaned = super().clean()
        self._controlla_piano(cleaned)
        self._controlla_azione()
        return cleaned

    def _controlla_azione(self):
        attivo = self.valore("stato") == Obiettivo.Stato.ATTIVO
        richiesti = {
            "_invia": [("relazione", "Per inviare al Nucleo scrivere la relazione sintetica.", True),
                       ("grado_proposto", "Per inviare al Nucleo indicare il grado proposto.", attivo)],
            "_valida": [("grado_validato", "Per validare indicare il grado validato.", attivo)],
            "_rinvia": [("commento_nucleo",
                         "Per rinviare al dirigente scrivere nel commento che cosa va corretto.",
                         True)],
        }.get(self.azione, [])
        for campo, messaggio, obbligatorio in richiesti:
            valore = self.valore(campo)
            if obbligatorio and (valore is None or (isinstance(valore, str) and not valore.strip())):
                if campo in self.fields:
                    self.add_error(campo, messaggio)
                else:
                    self.add_error(None, messaggio)

    def _controlla_piano(self, cleaned):
        ciclo_id = ciclo_id_del_form(self)
        if ciclo_id is not None:
            for campo, etichetta in (("area", "L'area"), ("nodo", "L'azione strategica")):
                valore = cleaned.get(campo)
                if valore is not None and valore.ciclo_id != ciclo_id:
                    self._errore(
                        campo,
                        f"{etichetta} «{valore}» appartiene a un altro ciclo: "
                        "sceglierne una del ciclo dell'obiettivo.",
                    )
            controlla_codice_unico(self, Obiettivo, ciclo_id)

        stato = self.valore("stato") or self.instance.stato
        motivazione = (self.valore("motivazione_stato") or "").strip()
        anno_rinvio = self.valore("anno_rinvio")
        if stato in (Obiettivo.Stato.SOSPESO, Obiettivo.Stato.NON_APPLICABILE) and not motivazione:
            etichetta = Obiettivo.Stato(stato).label
            self._errore(
                "motivazione_stato",
                f"Per un obiettivo «{etichetta}» indicare la motivazione (es. «causa COVID-19»).",
            )
        if stato == Obiettivo.Stato.RINVIATO and anno_rinvio is None:
            self._errore("anno_rinvio", "Per un obiettivo «Rinviato» indicare l'anno del rinvio.")
        if stato != Obiettivo.Stato.RINVIATO and anno_rinvio is not None:
            self._errore(
                "anno_rinvio",
                "L'anno di rinvio si indica solo per gli obiettivi rinviati: svuotare il campo "
                "o impostare lo stato «Rinviato».",
            )

        proposto, validato = self.valore("grado_proposto"), self.valore("grado_validato")
        if stato and stato != Obiettivo.Stato.ATTIVO and (proposto or validato):
            self._errore(
                "grado_proposto" if proposto else "grado_validato",
                "Solo gli obiettivi attivi ricevono un grado: svuotare i gradi o impostare lo "
                "stato «Attivo».",
            )
        if (validato is not None and validato != proposto
                and not (self.valore("motivazione_grado") or "").strip()):
            self._errore(
                "motivazione_grado",
                "Il grado validato differisce da quello proposto: indicare la motivazione del "
                "Nucleo.",
            )

    def _errore(self, campo, messaggio):
        """An error on ``campo``, or on the whole form when ``campo`` is read-only here."""
        self.add_error(campo if campo in self.fields else None, messaggio)


class IndicatoreAdminForm(forms.ModelForm):
    class Meta:
        model = Indicatore
        fields = "__all__"
        localized_fields = "__all__"

    def clean(self):
        cleaned = super().clean()

        def valore_di(campo):  # read-only fields (a dirigente's page) keep the stored value
            return cleaned.get(campo) if campo in self.fields else getattr(self.instance, campo)

        tipo = valore_di("tipo")
        if (tipo == Indicatore.Tipo.SCADENZA and not valore_di("data_target")
                and "data_target" in self.fields):
            self.add_error(
                "data_target", "Per un indicatore «Scadenza (data)» indicare la scadenza prevista."
            )
        if tipo == Indicatore.Tipo.SI_NO:
            for campo in ("target", "consuntivo"):
                valore = cleaned.get(campo)
                if campo in self.fields and valore is not None and valore not in (Decimal(0), Decimal(1)):
                    self.add_error(
                        campo, "Per un indicatore «Sì / no» scrivere 1 (sì) oppure 0 (no)."
                    )
        return cleaned


class FaseAdminForm(forms.ModelForm):
    """A phase edited on its own page: the objective's phases must still sum to 100."""

    class Meta:
        model = Fase
        fields = "__all__"
        localized_fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        inizio, fine = cleaned.get("inizio"), cleaned.get("fine")
        if inizio and fine and fine < inizio:
            self.add_error("fine", "La data di fine non può precedere la data di inizio.")
        return cleaned


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
        somma = (altre.aggregate(s=Sum("peso"))["s"] or Decimal(0)) + peso
        if somma != CENTO:
            raise ValidationError(
                f"Con questa fase la somma dei pesi delle fasi dell'obiettivo {obiettivo.codice} "
                f"è {numero_it(somma)}: deve essere 100. Per ridistribuire i pesi modificare le "
                "fasi dalla pagina dell'obiettivo."
            )
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
        somma = sum(pesi, Decimal(0))
        if pesi and somma != CENTO:
            raise ValidationError(
                f"La somma dei pesi delle fasi è {numero_it(somma)}: deve essere 100."
            )


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

