"""The PEG template's sheets as django-import-export ``Resource``s.

One ``ModelResource`` per sheet maps the sheet's columns to the model's fields (``Field`` with
``column_name``), reads each cell with an Italian widget (numbers through
``seregno_perf.formati.leggi_numero``, dates through ``leggi_data``, choices and yes/no through
``obiettivi.regole``), checks each row through the rule set in ``validate_instance`` (the same
``regole.campo`` limits, control characters and ``errori_*`` rules as the admin's forms), tells
new, changed and unchanged rows apart (``skip_unchanged``) and computes the changed columns for
the preview (the library's ``Diff``, reduced to column names). The same resources export the
template (``Resource.export`` → ``tablib.Dataset``), numbers as numbers.

How ``obiettivi.peg.piano`` runs them: ``import_data(dataset, use_transactions=False)`` — the
library's row pipeline with ``save_instance`` emptied (its ``dry_run`` would save every row and
roll back). Rows are matched against the cycle's rows
loaded once per sheet (`CaricatoreEsistenti`: no query per row). Writing is left to
``obiettivi.peg.scritture``: see docs/import-peg.md for why (history rows, tree services, one
transaction across sheets).

A column missing from the sheet leaves its field as it is (``import_field`` skips it), and a new
row then gets the model's default.
"""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal
from functools import partial

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from import_export.resources import Diff
from import_export.results import RowResult

from seregno_perf import formati
from valutazione.models import IndicatoreFinanziario, StandardBarometro

from .. import regole
from ..models import Area, Fase, Indicatore, NodoStrategico, Obiettivo

# --------------------------------------------------------------------------------------------
# Cells
# --------------------------------------------------------------------------------------------


def testo_cella(valore) -> str:
    """A cell as text: a code typed in a numeric cell ("1.1" read as 1.1) stays "1.1"."""
    if valore is None:
        return ""
    if isinstance(valore, bool):
        return "sì" if valore else "no"
    if isinstance(valore, Decimal):
        if valore == valore.to_integral_value() and abs(valore) < Decimal("1e15"):
            return format(valore.quantize(Decimal(1)), "f")
        return format(valore.normalize(), "f")
    if isinstance(valore, (datetime.date, datetime.datetime)):
        return formati.data(valore)
    return str(valore).strip()


class Testo(widgets.Widget):
    """Text as typed (trimmed); empty → ``vuoto`` ("" for text fields, None for references)."""

    def __init__(self, vuoto=""):
        super().__init__(coerce_to_string=False)
        self.vuoto = vuoto

    def clean(self, value, row=None, **kwargs):
        testo = testo_cella(value)
        return testo if testo else self.vuoto

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class Numero(widgets.Widget):
    """A number the Italian way ("40.000", "1.250,5", "12,5", "12.5", a numeric cell)."""

    def __init__(self, intero=False):
        super().__init__(coerce_to_string=False)
        self.intero = intero

    def clean(self, value, row=None, **kwargs):
        try:
            numero = formati.leggi_numero(value)
        except formati.NumeroNonValido as errore:
            raise ValueError(str(errore)) from None
        if numero is not None and self.intero:
            if numero != numero.to_integral_value():
                raise ValueError(forms.IntegerField.default_error_messages["invalid"])
            return int(numero)
        return numero

    def render(self, value, obj=None, **kwargs):
        return value


class Data(widgets.Widget):
    """dd/mm/yyyy, yyyy-mm-dd or a date cell."""

    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, Decimal):
            raise ValueError(str(formati.DataNonValida(testo_cella(value))))
        try:
            return formati.leggi_data(value)
        except formati.DataNonValida as errore:
            raise ValueError(str(errore)) from None

    def render(self, value, obj=None, **kwargs):
        return value


class Scelta(widgets.Widget):
    """One of ``ammessi`` (accepted spellings, lower case → stored value): ``regole.scelta``."""

    def __init__(self, ammessi, predefinito=None):
        super().__init__(coerce_to_string=False)
        self.ammessi = ammessi
        self.predefinito = predefinito

    def clean(self, value, row=None, **kwargs):
        scelto, errori = regole.scelta(testo_cella(value), self.ammessi() if callable(self.ammessi) else self.ammessi)
        if errori:
            raise ValueError(errori[0])
        return scelto or self.predefinito

    def render(self, value, obj=None, **kwargs):
        return value or ""


def _si_no(value):
    """«sì» / «no» (``regole.SI_NO_TESTO``), or a number read as the admin reads it: a number
    other than 1 and 0 is then refused by ``regole.errori_indicatore``, text by ``formati`` —
    the admin's words for both."""
    testo = testo_cella(value).lower()
    if testo in regole.SI_NO_TESTO:
        return regole.SI_NO_TESTO[testo]
    return Numero().clean(value)


class Misura(widgets.Widget):
    """An indicator's target or actual: a date for «scadenza», yes/no for «si_no», else a
    number. The indicator's type is passed by `IndicatoreRisorsa.import_field`."""

    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, tipo="alto", **kwargs):
        if tipo == "scadenza":
            return Data().clean(value)
        if tipo == "si_no":
            return _si_no(value)
        return Numero().clean(value)

    def render(self, value, obj=None, **kwargs):
        return value


def _copia(instance, memo=None):
    copia = copy.copy(instance)
    copia.__dict__.pop("__deepcopy__", None)
    return copia


def _campo(attributo, colonna, widget, **kwargs):
    return fields.Field(attribute=attributo, column_name=colonna, widget=widget, **kwargs)


# --------------------------------------------------------------------------------------------
# The library's pipeline, fitted to the PEG
# --------------------------------------------------------------------------------------------


class CaricatoreEsistenti(BaseInstanceLoader):
    """The cycle's row with the row's key, from the rows loaded once (``resource.esistenti``)."""

    def get_instance(self, row):
        return self.resource.esistenti.get(self.resource.chiave(row))


class ColonneCambiate(Diff):
    """The library's diff (export values before and after), as the names of the changed
    columns: what the preview lists for an updated row. A new row has nothing to compare: its
    values are not read twice."""

    def __init__(self, resource, instance, new):
        self.new = new
        self.colonne = [f.column_name for f in resource.get_import_fields()]
        self.left = [] if new else self._read_field_values(resource, instance)
        self.right = []

    def compare_with(self, resource, instance):
        if not self.new:
            super().compare_with(resource, instance)

    def as_html(self):
        if self.new:
            return []
        return [colonna for colonna, prima, dopo in zip(self.colonne, self.left, self.right)
                if prima != dopo]


class RigaPeg(RowResult):
    """A row result without the library's ``str(instance)`` (a new indicator has no objective
    yet; the plan names rows by their key)."""

    def add_instance_info(self, instance):
        pass


class RisorsaPeg(resources.ModelResource):
    """Common behaviour of the sheets' resources (see the module docstring).

    Subclasses set ``foglio`` (the sheet), ``chiavi`` (key columns), ``mappa`` (model field →
    column where they differ) and write ``regole_riga``."""

    foglio = ""
    chiavi = ("codice",)
    #: columns that must not be empty when present (their key columns included)
    obbligatorie: tuple[str, ...] = ()
    #: columns a new row needs (absent or empty: "obbligatorio per …")
    per_nuove: tuple[str, ...] = ()
    nuova = ""  # "un'area nuova", …

    class Meta:
        fields = ()
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = False
        use_transactions = False
        instance_loader_class = CaricatoreEsistenti
        store_instance = True

    def __init__(self, *, esistenti=None, **kwargs):
        super().__init__(**kwargs)
        self.esistenti = esistenti if esistenti is not None else {}
        self._riga = {}
        self._nuova = False
        self._campi_import = None

    # --- the template -----------------------------------------------------------------------

    @classmethod
    def colonne(cls) -> tuple[str, ...]:
        return tuple(cls().get_export_headers())

    def colonna_di(self, attributo: str) -> str:
        for f in self.fields.values():
            if f.attribute == attributo:
                return f.column_name
        return self.mappa.get(attributo, attributo)

    mappa: dict = {}

    def chiave(self, row):
        valori = tuple(testo_cella(row.get(c)) for c in self.chiavi)
        if not all(valori):
            return None
        return valori[0] if len(valori) == 1 else valori

    # --- the library's hooks ----------------------------------------------------------------

    def init_instance(self, row=None):
        """A new row's model instance, with the columns' non-model attributes (the codes of
        its area, node, parent, objective; an indicator's measures) set to None."""
        instance = super().init_instance(row)
        for f in self.fields.values():
            if not hasattr(instance, f.attribute):
                setattr(instance, f.attribute, None)
        return instance

    def get_import_fields(self):
        # The library asks for them several times per row: once per resource is enough.
        if self._campi_import is None:
            self._campi_import = super().get_import_fields()
        return self._campi_import

    def get_import_id_fields(self):
        return list(self.chiavi)

    def get_diff_class(self):
        return ColonneCambiate

    def get_row_result_class(self):
        return RigaPeg

    def before_import_row(self, row, **kwargs):
        self._riga = row

    def after_init_instance(self, instance, new, row, **kwargs):
        self._nuova = new
        # The library keeps ``deepcopy(instance)`` as the row's original; a model's field values
        # are immutable (str, Decimal, date, int), so a shallow copy is the same, and ~3x cheaper.
        instance.__deepcopy__ = partial(_copia, instance)

    def import_instance(self, instance, row, **kwargs):
        instance.__dict__.pop("__deepcopy__", None)
        super().import_instance(instance, row, **kwargs)

    def save_instance(self, instance, is_create, row, **kwargs):
        """Nothing is saved row by row: the plan writes every sheet at the end, in one
        transaction, with history and through the tree services (``obiettivi.peg.scritture``)."""

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Cell errors first (the row's other rules would only repeat them), then the rule set."""
        if import_validation_errors:
            raise ValidationError(import_validation_errors)
        errori = {}
        for colonna in self.obbligatorie:
            if colonna in self._riga and self._vuoto(instance, colonna):
                errori.setdefault(self._attributo(colonna), []).append(regole.OBBLIGATORIO)
        if self._nuova:
            for colonna in self.per_nuove:
                if colonna not in self._riga or self._vuoto(instance, colonna):
                    attributo = self._attributo(colonna)
                    if attributo not in errori:
                        errori[attributo] = [f"obbligatorio per {self.nuova}"]
        if not errori:
            errori = self.regole_riga(instance, self._riga)
        if errori:
            raise ValidationError(errori)

    # --- helpers ----------------------------------------------------------------------------

    def _attributo(self, colonna):
        return next(f.attribute for f in self.fields.values() if f.column_name == colonna)

    def _vuoto(self, instance, colonna):
        valore = getattr(instance, self._attributo(colonna), None)
        return valore is None or valore == ""

    def campi_presenti(self, row) -> list[str]:
        """Model fields set from the row's columns (not the references)."""
        model_fields = {f.name for f in self._meta.model._meta.concrete_fields}
        return [f.attribute for f in self.fields.values()
                if f.column_name in row and f.attribute in model_fields]

    def limiti(self, instance, row) -> dict:
        """``regole.campo`` (limits, control characters, code format) on the row's fields."""
        model = self._meta.model
        return regole.errori_campi(model, {a: getattr(instance, a) for a in self.campi_presenti(row)})

    def regole_riga(self, instance, row) -> dict:
        return self.limiti(instance, row)

    def messaggi(self, errore: ValidationError) -> list[tuple[str, str]]:
        """(column, message) of a row's ValidationError, in the template's column order."""
        per_campo = errore.message_dict if hasattr(errore, "error_dict") else {NON_FIELD_ERRORS: errore.messages}
        ordine = {c: i for i, c in enumerate(self.get_export_headers())}
        coppie = []
        for attributo, messaggi in per_campo.items():
            colonna = "" if attributo == NON_FIELD_ERRORS else self.colonna_di(attributo)
            coppie.extend((colonna, m) for m in messaggi)
        return sorted(coppie, key=lambda c: ordine.get(c[0], len(ordine)))


# --------------------------------------------------------------------------------------------
# The sheets
# --------------------------------------------------------------------------------------------


class AreaRisorsa(RisorsaPeg):
    foglio = "aree"
    obbligatorie = ("codice", "nome")
    per_nuove = ("nome",)
    nuova = "un'area nuova"
    mappa = {"padre_codice": "padre"}

    codice = _campo("codice", "codice", Testo())
    nome = _campo("nome", "nome", Testo())
    padre = _campo("padre_codice", "padre", Testo(vuoto=None))

    class Meta(RisorsaPeg.Meta):
        model = Area
        fields = ("codice", "nome", "padre")


class NodoRisorsa(RisorsaPeg):
    foglio = "albero"
    obbligatorie = ("codice", "titolo", "livello")
    per_nuove = ("titolo", "livello")
    nuova = "un nodo nuovo"
    mappa = {"padre_codice": "padre", "livello_nome": "livello"}

    codice = _campo("codice", "codice", Testo())
    titolo = _campo("titolo", "titolo", Testo())
    padre = _campo("padre_codice", "padre", Testo(vuoto=None))
    livello = _campo("livello_nome", "livello", Testo())

    class Meta(RisorsaPeg.Meta):
        model = NodoStrategico
        fields = ("codice", "titolo", "padre", "livello")


def _tipologie():
    return {
        **{v: v for v in Obiettivo.Tipologia.values},
        **{str(etichetta).lower(): v for v, etichetta in Obiettivo.Tipologia.choices},
        "anticorruzione": "ptpct",
    }


DIREZIONI = {
    "alto": "alto", "basso": "basso", "si_no": "si_no", "sì_no": "si_no", "si/no": "si_no",
    "sì/no": "si_no", "scadenza": "scadenza",
}
DIREZIONI_FINANZIARIE = {"alto": "alto", "basso": "basso"}


class ObiettivoRisorsa(RisorsaPeg):
    foglio = "obiettivi"
    obbligatorie = ("codice", "titolo", "area", "nodo")
    per_nuove = ("titolo", "area", "nodo")
    nuova = "un obiettivo nuovo"
    mappa = {"area_codice": "area", "nodo_codice": "nodo", "motivazione_stato": "motivazione"}

    codice = _campo("codice", "codice", Testo())
    titolo = _campo("titolo", "titolo", Testo())
    descrizione = _campo("descrizione", "descrizione", Testo())
    area = _campo("area_codice", "area", Testo(vuoto=None))
    nodo = _campo("nodo_codice", "nodo", Testo(vuoto=None))
    tipologia = _campo("tipologia", "tipologia", Scelta(_tipologie, predefinito="sviluppo"))
    peso = _campo("peso", "peso", Numero(), default=Decimal("1"))
    stato = _campo("stato", "stato", Scelta(regole.stati_obiettivo, predefinito="attivo"))
    motivazione = _campo("motivazione_stato", "motivazione", Testo())
    anno_rinvio = _campo("anno_rinvio", "anno_rinvio", Numero(intero=True))

    class Meta(RisorsaPeg.Meta):
        model = Obiettivo
        fields = ("codice", "titolo", "descrizione", "area", "nodo", "tipologia", "peso", "stato", "motivazione", "anno_rinvio")

    def regole_riga(self, instance, row):
        return regole.unisci(
            self.limiti(instance, row),
            regole.errori_obiettivo({n: getattr(instance, n) for n in Obiettivo.CAMPI_REGOLE}),
        )


class IndicatoreRisorsa(RisorsaPeg):
    foglio = "indicatori"
    chiavi = ("obiettivo", "codice")
    obbligatorie = ("obiettivo", "codice")
    per_nuove = ("nome",)
    nuova = "un indicatore nuovo"
    mappa = {"tipo": "direzione", "data_target": "target", "data_consuntivo": "consuntivo",
             "misura_target": "target", "misura_consuntivo": "consuntivo"}

    obiettivo = _campo("obiettivo_codice", "obiettivo", Testo(vuoto=None))
    codice = _campo("codice", "codice", Testo())
    nome = _campo("nome", "nome", Testo())
    unita = _campo("unita", "unita", Testo())
    direzione = _campo("tipo", "direzione", Scelta(DIREZIONI, predefinito="alto"))
    target = _campo("misura_target", "target", Misura())
    consuntivo = _campo("misura_consuntivo", "consuntivo", Misura())

    class Meta(RisorsaPeg.Meta):
        model = Indicatore
        fields = ("obiettivo", "codice", "nome", "unita", "direzione", "target", "consuntivo")

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        self._tipo_prima = None if new else instance.tipo

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if isinstance(field.widget, Misura):
            kwargs["tipo"] = instance.tipo or "alto"
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def regole_riga(self, instance, row):
        tipo = instance.tipo or "alto"
        data = tipo == "scadenza"
        misure = {}
        for colonna in ("target", "consuntivo"):
            valore = getattr(instance, f"misura_{colonna}", None)
            if colonna not in row and tipo != self._tipo_prima:
                valore = None  # the type changed: a measure of the old type means nothing
            misure[colonna] = valore
        instance.tipo = tipo
        instance.target = None if data else misure["target"]
        instance.consuntivo = None if data else misure["consuntivo"]
        instance.data_target = misure["target"] if data else None
        instance.data_consuntivo = misure["consuntivo"] if data else None
        valori = {n: getattr(instance, n) for n in ("nome", "unita", "tipo")}
        valori.update({n: getattr(instance, n) for n in
                       (("data_target", "data_consuntivo") if data else ("target", "consuntivo"))})
        return regole.unisci(
            regole.errori_campi(Indicatore, valori),
            regole.errori_indicatore({n: getattr(instance, n)
                                      for n in ("tipo", "target", "consuntivo", "data_target")}),
        )

    def dehydrate_target(self, obj):
        return _misura(obj, "target")

    def dehydrate_consuntivo(self, obj):
        return _misura(obj, "consuntivo")


def _misura(indicatore, colonna):
    if indicatore.tipo == "scadenza":
        return getattr(indicatore, f"data_{colonna}")
    valore = getattr(indicatore, colonna)
    if indicatore.tipo == "si_no" and valore is not None:
        return "sì" if valore == 1 else "no"
    return valore


def misura_esistente(indicatore):
    """Loaded indicators carry their measures as the template's columns hold them."""
    for colonna in ("target", "consuntivo"):
        valore = getattr(indicatore, f"data_{colonna}" if indicatore.tipo == "scadenza" else colonna)
        setattr(indicatore, f"misura_{colonna}", valore)
    return indicatore


class FaseRisorsa(RisorsaPeg):
    foglio = "fasi"
    chiavi = ("obiettivo", "codice")
    obbligatorie = ("obiettivo", "codice", "peso")
    per_nuove = ("descrizione", "peso")
    nuova = "una fase nuova"

    obiettivo = _campo("obiettivo_codice", "obiettivo", Testo(vuoto=None))
    codice = _campo("codice", "codice", Testo())
    descrizione = _campo("descrizione", "descrizione", Testo())
    peso = _campo("peso", "peso", Numero())
    percentuale = _campo("percentuale", "percentuale", Numero(), default=Decimal("0"))
    inizio = _campo("inizio", "inizio", Data())
    fine = _campo("fine", "fine", Data())

    class Meta(RisorsaPeg.Meta):
        model = Fase
        fields = ("obiettivo", "codice", "descrizione", "peso", "percentuale", "inizio", "fine")

    def regole_riga(self, instance, row):
        if instance.percentuale is None:
            instance.percentuale = Decimal("0")
        return regole.unisci(
            self.limiti(instance, row),
            regole.errori_fase({"inizio": instance.inizio, "fine": instance.fine}),
        )


class BarometroRisorsa(RisorsaPeg):
    foglio = "barometro"
    obbligatorie = ("codice",)
    per_nuove = ("servizio", "standard")
    nuova = "uno standard nuovo"
    mappa = {"area_codice": "area"}

    codice = _campo("codice", "codice", Testo())
    servizio = _campo("servizio", "servizio", Testo())
    area = _campo("area_codice", "area", Testo(vuoto=None))
    standard = _campo("standard", "standard", Testo())
    programmato = _campo("programmato", "programmato", Testo())
    rilevato = _campo("rilevato", "rilevato", Testo())
    grado = _campo("grado", "grado", Numero(intero=True))

    class Meta(RisorsaPeg.Meta):
        model = StandardBarometro
        fields = ("codice", "servizio", "area", "standard", "programmato", "rilevato", "grado")


class FinanziarioRisorsa(RisorsaPeg):
    foglio = "finanziari"
    obbligatorie = ("codice", "target")
    per_nuove = ("nome", "target")
    nuova = "un indicatore nuovo"

    codice = _campo("codice", "codice", Testo())
    nome = _campo("nome", "nome", Testo())
    target = _campo("target", "target", Numero())
    valore = _campo("valore", "valore", Numero())
    direzione = _campo("direzione", "direzione", Scelta(DIREZIONI_FINANZIARIE, predefinito="alto"))

    class Meta(RisorsaPeg.Meta):
        model = IndicatoreFinanziario
        fields = ("codice", "nome", "target", "valore", "direzione")


#: The template, sheet by sheet, in the order they are read and written.
RISORSE: dict[str, type[RisorsaPeg]] = {
    r.foglio: r for r in (AreaRisorsa, NodoRisorsa, ObiettivoRisorsa, IndicatoreRisorsa,
                          FaseRisorsa, BarometroRisorsa, FinanziarioRisorsa)
}
FOGLI: dict[str, tuple[str, ...]] = {nome: r.colonne() for nome, r in RISORSE.items()}
#: Columns a sheet must have (the others may be left out: the field is then left as it is).
CHIAVI = {nome: r.chiavi for nome, r in RISORSE.items()}
#: Sheets a dirigente may import (which fields of a row they may change: ``permessi``).
FOGLI_DIRIGENTE = ("obiettivi", "indicatori", "fasi", "barometro")
