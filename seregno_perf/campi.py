"""Form fields that read and show numbers the Italian way, through `seregno_perf.formati`.

Every admin form and inline gets them from `CAMPI_ITALIANI` (``formfield_overrides``)
or by declaring `NumeroField`: "40.000" is forty thousand, "1.250,5" is 1250.5, and a stored
``Decimal("5.0000")`` is shown as "5". Django's own localized ``DecimalField`` reads "40.000" as 40
while ``USE_THOUSAND_SEPARATOR`` is off (as it must be, or years print as "2.021").
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from . import formati


class NumeroInput(forms.TextInput):
    """A text box (not ``type=number``, which refuses "1.250,5") with the decimal keypad on
    phones; the value is shown as `formati.numero_modulo` writes it."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, str):  # what the person typed, shown back as typed after an error
            return value
        return formati.numero_modulo(value)


class NumeroField(forms.DecimalField):
    """A ``DecimalField`` that reads with `formati.leggi_numero` (the model field's digits,
    decimals and bounds still apply, with Django's Italian messages)."""

    widget = NumeroInput

    def __init__(self, **kwargs):
        kwargs.pop("localize", None)
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            numero = formati.leggi_numero(value)
        except formati.NumeroNonValido as errore:
            raise ValidationError(str(errore), code="invalid") from None
        if numero is None:
            return None
        return numero

    def widget_attrs(self, widget):
        # DecimalField adds step/min/max for number inputs; a text box needs none of them.
        return forms.Field.widget_attrs(self, widget)


class NumeroInteroField(NumeroField):
    """An integer typed the Italian way ("40.000"); refuses decimals."""

    def __init__(self, *, max_digits=None, decimal_places=None, **kwargs):
        super().__init__(max_digits=None, decimal_places=0, **kwargs)

    def to_python(self, value):
        numero = super().to_python(value)
        if numero is None:
            return None
        if numero != numero.to_integral_value():
            raise ValidationError(
                f"«{value}» non è un numero intero: scrivi per esempio 40.000.", code="invalid"
            )
        return numero

    def clean(self, value):
        numero = super().clean(value)
        return None if numero is None else int(numero)


class DataField(forms.DateField):
    """A date read with `formati.leggi_data` ("31/12/2021", also "2021-12-31"): the PEG import
    reads its cells the same way, so both say the same thing about a wrong date."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return formati.leggi_data(value)
        except formati.DataNonValida as errore:
            raise ValidationError(str(errore), code="invalid") from None


#: For ``ModelAdmin.formfield_overrides`` (and inlines): every decimal and date typed the Italian
#: way (the admin keeps its own date widget: Django merges these with its defaults).
CAMPI_ITALIANI = {
    models.DecimalField: {"form_class": NumeroField},
    models.DateField: {"form_class": DataField},
}
