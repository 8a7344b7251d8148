"""Forms of the valutazione admin: the SMVP and its inlines validate the rules as a whole.

Numbers are typed the Italian way through ``seregno_perf.campi`` (the admin's
``formfield_overrides``). The checks themselves live in ``valutazione.scoring`` (``valida_pesi``, ``valida_parametri``,
``valida_scala``, ``valida_fasce``) and work on plain values; here we only collect the submitted
rows and turn the messages into form errors. The admin saves nothing unless the form and every
formset are valid (and its change view runs in one transaction).
"""

from collections import defaultdict
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from obiettivi.forms import RegoleFormMixin

from . import scoring
from .models import IndicatoreFinanziario, LivelloScala, Smvp, StandardBarometro
from .services import BAROMETRO_SEREGNO, FASCE_DEFAULT, GRADI_SEREGNO


class SmvpForm(forms.ModelForm):
    class Meta:
        model = Smvp
        fields = "__all__"

    def clean(self):
        dati = super().clean()
        pesi = [dati.get(n) for n in ("peso_finanziaria", "peso_obiettivi", "peso_qualita")]
        if all(p is not None for p in pesi):
            for messaggio in scoring.valida_pesi(*pesi):
                self.add_error(None, messaggio)
        for messaggio in scoring.valida_parametri(
            dati.get("tetto_raggiungimento"), dati.get("quota_fasi")
        ):
            self.add_error(None, messaggio)
        return dati


class PrecompilatoInlineForm(RegoleFormMixin, forms.ModelForm):
    """A new row pre-filled with a default counts as entered even if left unchanged."""

    def has_changed(self):
        if self.instance.pk is None and self.initial:
            return True
        return super().has_changed()


class _RigheSmvpFormSet(BaseInlineFormSet):
    """Rows of an SMVP inline that will exist after saving (deleted and empty rows excluded)."""

    def righe(self):
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            yield form.cleaned_data


class LivelloScalaFormSet(_RigheSmvpFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        per_scala = defaultdict(list)
        for riga in self.righe():
            per_scala[riga["scala"]].append(
                scoring.DatiLivello(valore=riga["valore"], etichetta=riga.get("etichetta") or "")
            )
        messaggi = []
        for scala in scoring.VALORI_SCALA:
            messaggi += scoring.valida_scala(scala, per_scala.get(scala, []))
        if messaggi:
            raise ValidationError(messaggi)


class FasciaFormSet(_RigheSmvpFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        per_tipo = defaultdict(list)
        for riga in self.righe():
            per_tipo[riga["tipo"]].append(
                scoring.DatiFascia(da=riga["da"], a=riga.get("a"), valore=riga["valore"])
            )
        messaggi = []
        for tipo in scoring.TIPI_FASCE:
            messaggi += scoring.valida_fasce(tipo, per_tipo.get(tipo, []))
        if messaggi:
            raise ValidationError(messaggi)


def livelli_iniziali():
    """Seregno's scales, to pre-fill a new SMVP."""
    return [{"scala": LivelloScala.Scala.GRADO, "valore": v, "etichetta": e} for v, e in GRADI_SEREGNO] + [
        {"scala": LivelloScala.Scala.BAROMETRO, "valore": v, "etichetta": e}
        for v, e in BAROMETRO_SEREGNO
    ]


def fasce_iniziali():
    """The default bands, to pre-fill a new SMVP."""
    return [
        {"tipo": tipo, "da": Decimal(da), "a": None if a is None else Decimal(a), "valore": v}
        for tipo, fasce in FASCE_DEFAULT.items()
        for da, a, v in fasce
    ]


class StandardBarometroForm(forms.ModelForm):
    class Meta:
        model = StandardBarometro
        fields = "__all__"

    def clean(self):
        dati = super().clean()
        ciclo, area = dati.get("ciclo"), dati.get("area")
        if ciclo and area and area.ciclo_id != ciclo.pk:
            self.add_error("area", f"L'area «{area}» appartiene a un altro ciclo, non a {ciclo}.")
        return dati


class IndicatoreFinanziarioForm(forms.ModelForm):
    class Meta:
        model = IndicatoreFinanziario
        fields = "__all__"


__all__ = [
    "FasciaFormSet",
    "IndicatoreFinanziarioForm",
    "LivelloScalaFormSet",
    "PrecompilatoInlineForm",
    "SmvpForm",
    "StandardBarometroForm",
    "fasce_iniziali",
    "livelli_iniziali",
]
