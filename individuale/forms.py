"""Forms of the individuale admin: the bulk creation of schede, the rows of a scheda, the bonus
bands of the SMVP.

Rules across rows are worded once: the weights of the individual objectives and the mandatory
minimum (``models.errori_obiettivi_scheda``), the bands' intervals
(``valutazione.scoring.valida_intervalli``, the same rule as the SMVP's own bands). Nothing is
saved unless the form and every formset are valid (the admin's change view runs in one
transaction).
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from obiettivi import regole
from obiettivi.forms import RegoleFormMixin
from obiettivi.models import Area, Ciclo
from seregno_perf import formati
from valutazione import scoring

from . import servizi
from .models import GruppoRuolo, errori_obiettivi_scheda


# --- bulk creation ---------------------------------------------------------------------------

class CreaSchedeForm(forms.Form):
    """The choices of «Crea le schede di valutazione» (Persona changelist action)."""

    ciclo = forms.ModelChoiceField(Ciclo.objects.none(), label="ciclo")
    gruppo = forms.ModelChoiceField(GruppoRuolo.objects.none(), label="gruppo di ruolo")
    area = forms.ModelChoiceField(Area.objects.none(), label="area", required=False,
                                  help_text="Vuoto per chi non appartiene a un'area (es. il Segretario).")
    valutatore = forms.ModelChoiceField(
        get_user_model().objects.none(), label="valutatore", required=False,
        help_text="Vuoto: il dirigente dell'area. Per i gruppi valutati dal Sindaco o dal "
                  "Segretario indicare chi valuta.",
    )

    def __init__(self, *args, enti, **kwargs):
        super().__init__(*args, **kwargs)
        cicli = Ciclo.objects.filter(ente__in=enti, smvp__isnull=False).select_related("ente")
        self.fields["ciclo"].queryset = cicli.order_by("ente__nome", "-anno")
        self.fields["gruppo"].queryset = GruppoRuolo.objects.filter(
            smvp__cicli__in=cicli).distinct().select_related("smvp").order_by("smvp", "ordine")
        self.fields["gruppo"].label_from_instance = lambda g: f"{g.nome} ({g.smvp})"
        self.fields["area"].queryset = Area.objects.filter(ciclo__in=cicli).select_related("ciclo__ente")
        self.fields["area"].label_from_instance = lambda a: f"{a.nome} ({a.ciclo})"
        self.fields["valutatore"].queryset = get_user_model().objects.filter(
            is_active=True, is_staff=True).order_by("username")

    def clean(self):
        dati = super().clean()
        ciclo, gruppo, area = dati.get("ciclo"), dati.get("gruppo"), dati.get("area")
        if not ciclo or not gruppo:
            return dati
        if gruppo.smvp_id != ciclo.smvp_id:
            self.add_error("gruppo", f"Il gruppo «{gruppo.nome}» non appartiene al sistema di "
                                     f"valutazione del ciclo {ciclo}.")
        if area is not None and area.ciclo_id != ciclo.pk:
            self.add_error("area", f"L'area «{area.nome}» appartiene a un altro ciclo, non a {ciclo}.")
        if dati.get("valutatore") is None and not self.errors:
            if gruppo.valutatore != GruppoRuolo.Valutatore.DIRIGENTE_AREA:
                self.add_error("valutatore", f"Il gruppo «{gruppo.nome}» è valutato da: "
                                             f"{gruppo.get_valutatore_display()}. Indicare chi valuta.")
            elif servizi.dirigente_dell_area(area) is None:
                dove = f"l'area «{area.nome}» non ha un dirigente" if area else "non è indicata l'area"
                self.add_error("valutatore", f"Non si sa chi valuta: {dove}. Indicare il valutatore.")
        return dati


# --- the rows of a scheda --------------------------------------------------------------------

class ObiettivoIndividualeFormSet(BaseInlineFormSet):
    """The individual objectives of a scheda: while they are being assigned (``controlla_pesi``,
    set by the admin when the weights are editable) their weights sum to 100, each mandatory
    objective keeps at least its minimum and none is removed."""

    controlla_pesi = False

    def clean(self):
        super().clean()
        if any(self.errors) or not self.controlla_pesi or not self.has_changed():
            return  # only when the objectives are being changed (another field may be saved alone)
        righe, tolti = [], []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                if form.instance.pk is not None:
                    righe.append((form.instance.peso, form.instance.obbligatorio))
                continue
            obbligatorio = form.instance.obbligatorio if form.instance.pk else None
            if self.can_delete and self._should_delete_form(form):
                if obbligatorio is not None:
                    tolti.append(obbligatorio)
                continue
            righe.append((form.cleaned_data.get("peso", form.instance.peso), obbligatorio))
        messaggi = [f"L'obiettivo obbligatorio «{o.codice}» ({o.riferimento or 'obbligo di legge'}) "
                    "non si può togliere dalla scheda." for o in tolti]
        messaggi += errori_obiettivi_scheda(self.instance, righe)
        if messaggi:
            raise ValidationError(messaggi)


def form_livelli(livelli):
    """The form of a behaviour score whose «livello» is one of the SMVP's scale (``livelli``:
    LivelloComportamento rows)."""
    scelte = [("", "—")] + [(l.valore, f"{l.valore} — {l.etichetta}") for l in livelli]
    errore = regole.messaggio_scelta([str(l.valore) for l in livelli])

    class PunteggioComportamentoForm(RegoleFormMixin, forms.ModelForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if "livello" in self.fields:
                self.fields["livello"] = forms.TypedChoiceField(
                    label="livello", choices=scelte, coerce=int, required=False, empty_value=None,
                    error_messages={"invalid_choice": errore})

    return PunteggioComportamentoForm


# --- the SMVP's bonus bands ------------------------------------------------------------------

class FasciaPremioFormSet(BaseInlineFormSet):
    """The bonus bands of an SMVP, if it has any: the intervals' rule of the SMVP's own bands
    (``scoring.valida_intervalli``) and quotas never decreasing as the score grows."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        righe = [
            f.cleaned_data for f in self.forms
            if getattr(f, "cleaned_data", None) and not (self.can_delete and self._should_delete_form(f))
            and f.cleaned_data.get("da") is not None
        ]
        fasce = [scoring.DatiFascia(da=r["da"], a=r.get("a"), valore=r.get("quota")) for r in righe]
        if not fasce:
            return  # an SMVP without individual performance (no bands at all) is fine
        nome = "Fasce del premio"
        messaggi = scoring.valida_intervalli(nome, fasce, esito="una quota del premio")
        ordinate = sorted(fasce, key=lambda f: f.da)
        for prec, f in zip(ordinate, ordinate[1:]):
            if f.valore is not None and prec.valore is not None and f.valore < prec.valore:
                messaggi.append(
                    f"{nome}: la fascia che inizia a {formati.numero(f.da, None)} dà il "
                    f"{formati.percentuale(f.valore, None)} del premio, meno della precedente "
                    f"({formati.percentuale(prec.valore, None)}): la quota non può scendere al "
                    "crescere del punteggio.")
        if messaggi:
            raise ValidationError(messaggi)
