"""Italian numbers and dates both ways (`seregno_perf.formati`), and the form field built on it."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seregno_perf import formati
from seregno_perf.campi import DataField, NumeroField, NumeroInput, NumeroInteroField

D = Decimal


@pytest.mark.parametrize("testo, atteso", [
    ("40.000", D("40000")),
    ("1.250,5", D("1250.5")),
    ("12,5", D("12.5")),
    ("-6,4", D("-6.4")),
    ("40000", D("40000")),
    ("12.5", D("12.5")),
    ("40.5", D("40.5")),  # a lone dot not followed by three digits is a decimal point (#22171)
    ("0.500", D("0.5")),  # no Italian writes five hundred as 0.500
    ("1.254.300,00", D("1254300")),
    ("1 250,5", D("1250.5")),
    ("1\u00a0250,5", D("1250.5")),
    ("87,5%", D("87.5")),
    ("90 %", D("90")),
    ("\u22123,2".replace("\u2212", "\u2212"), D("-3.2")),
    ("+7", D("7")),
    (",5", D("0.5")),
    ("  12,5  ", D("12.5")),
    ("", None),
    ("   ", None),
    (None, None),
    (7, D("7")),
    (12.5, D("12.5")),
    (D("3.10"), D("3.10")),
])
def test_leggi_numero(testo, atteso):
    assert formati.leggi_numero(testo) == atteso


@pytest.mark.parametrize("testo", [
    "1,2,3", "1.25.0", "4,5.3", "1,250.5", "1.2.3,4", "12.34.567",
])
def test_ambiguo_rifiutato_con_istruzioni(testo):
    with pytest.raises(formati.NumeroNonValido) as errore:
        formati.leggi_numero(testo)
    messaggio = str(errore.value)
    assert f"«{testo}»" in messaggio
    assert "non si legge in un solo modo" in messaggio
    assert "scrivi 1.250,5: il punto separa le migliaia, la virgola i decimali" in messaggio


@pytest.mark.parametrize("testo", [
    "abc", "1e5", "1 2", "-", ".", "NaN", "inf", "12,5 kg", "€ 5", "1..0", "1,,0",
])
def test_non_numero_rifiutato(testo):
    with pytest.raises(formati.NumeroNonValido, match="scrivi 1.250,5: il punto separa"):
        formati.leggi_numero(testo)


@pytest.mark.parametrize("valore", [True, float("nan"), D("NaN"), D("Infinity"), [1]])
def test_valori_non_numerici_rifiutati(valore):
    with pytest.raises(formati.NumeroNonValido):
        formati.leggi_numero(valore)


@pytest.mark.parametrize("valore, decimali, unita, atteso", [
    (D("1254300"), 2, "€", "1.254.300,00 €"),
    (40000, None, "dosi", "40.000 dosi"),
    (D("90"), 2, "%", "90,00 %"),
    (D("2.3"), 2, "", "2,30"),
    (D("4"), 2, "", "4,00"),
    (D("5.0000"), None, "", "5"),
    (D("12.50"), None, "", "12,5"),
    (D("-0.001"), 2, "", "0,00"),
    (D("-1234.5"), 1, "", "-1.234,5"),
    (D("999.995"), 2, "", "1.000,00"),  # half up
    (D("0.125"), 2, "", "0,13"),
    (D("100"), 0, "", "100"),
    (D("1000"), 0, "", "1.000"),
    (D("123456789.1"), 1, "", "123.456.789,1"),
    (None, 2, "€", "—"),
    ("12,5", 1, "", "12,5"),
])
def test_numero(valore, decimali, unita, atteso):
    assert formati.numero(valore, decimali, unita=unita) == atteso


def test_percentuale_euro_modulo():
    assert formati.percentuale(D("87.5")) == "87,50 %"
    assert formati.euro(D("1254300")) == "1.254.300,00 €"
    assert formati.numero_modulo(D("5.0000")) == "5"
    assert formati.numero_modulo(D("40000.00")) == "40.000"
    assert formati.numero_modulo(D("1250.5000")) == "1.250,5"
    assert formati.numero_modulo(None) == ""


@given(st.decimals(min_value=-10**12, max_value=10**12, places=4, allow_nan=False,
                   allow_infinity=False))
def test_il_modulo_rilegge_cio_che_mostra(valore):
    """What a form shows is read back as the same number (the round trip a user makes when
    saving a page without touching a figure)."""
    assert formati.leggi_numero(formati.numero_modulo(valore)) == valore


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False,
                   allow_infinity=False))
def test_numero_a_due_decimali_rilegge(valore):
    assert formati.leggi_numero(formati.numero(valore)) == valore


def test_date():
    assert formati.data(datetime.date(2021, 12, 31)) == "31/12/2021"
    assert formati.data(None) == ""
    assert formati.leggi_data("31/12/2021") == datetime.date(2021, 12, 31)
    assert formati.leggi_data("2021-02-01") == datetime.date(2021, 2, 1)
    assert formati.leggi_data("") is None
    with pytest.raises(formati.DataNonValida, match="gg/mm/aaaa"):
        formati.leggi_data("31/13/2021")


def test_data_ora_consapevole_in_ora_di_roma(settings):
    settings.TIME_ZONE = "Europe/Rome"
    mezzanotte_utc = datetime.datetime(2021, 12, 31, 23, 30, tzinfo=datetime.timezone.utc)
    assert formati.data(mezzanotte_utc) == "01/01/2022"
    assert formati.data_ora(mezzanotte_utc) == "01/01/2022 alle 00:30"
    assert formati.data_ora(None) == ""


def test_quanti_singolare_plurale_e_migliaia():
    assert formati.quanti(1, "riga", "righe") == "1 riga"
    assert formati.quanti(0, "riga", "righe") == "0 righe"
    assert formati.quanti(1250, "riga scritta", "righe scritte") == "1.250 righe scritte"


# --- the form field -------------------------------------------------------------------------

@pytest.mark.parametrize("testo, atteso", [
    ("40.000", D("40000")), ("1.250,5", D("1250.5")), ("12,5", D("12.5")), ("12.5", D("12.5")),
    ("", None),
])
def test_numero_field(testo, atteso):
    campo = NumeroField(max_digits=14, decimal_places=4, required=False)
    assert campo.clean(testo) == atteso


def test_numero_field_rifiuta_con_il_messaggio_italiano():
    campo = NumeroField(max_digits=14, decimal_places=4)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as errore:
        campo.clean("1,2,3")
    assert "il punto separa le migliaia, la virgola i decimali" in errore.value.messages[0]
    with pytest.raises(ValidationError):  # the model field's decimals still apply
        campo.clean("1,23456")


def test_numero_input_mostra_senza_zeri():
    widget = NumeroInput()
    html = widget.render("consuntivo", D("40000.0000"))
    assert 'value="40.000"' in html and 'inputmode="decimal"' in html and 'type="text"' in html
    assert widget.render("x", "1,2,3").count('value="1,2,3"') == 1  # typed text shown back


def test_numero_intero_field():
    campo = NumeroInteroField(required=False)
    assert campo.clean("40.000") == 40000
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="non è un numero intero"):
        campo.clean("4,5")


def test_data_field_con_il_messaggio_dell_importazione():
    from django.core.exceptions import ValidationError

    campo = DataField(required=False)
    assert campo.clean("31/12/2021") == datetime.date(2021, 12, 31)
    assert campo.clean("2021-12-31") == datetime.date(2021, 12, 31)
    assert campo.clean("") is None
    with pytest.raises(ValidationError) as errore:
        campo.clean("31/02/2021")
    assert errore.value.messages == [str(formati.DataNonValida("31/02/2021"))]


@pytest.mark.parametrize("byte, atteso", [
    (843, "843 byte"), (1536, "1,5 KB"), (5 * 1024 * 1024, "5 MB"),
    (int(12.34 * 1024 * 1024), "12,3 MB"), (3 * 1024 ** 3, "3 GB"), (1_000, "1.000 byte"),
])
def test_dimensione_file(byte, atteso):
    assert formati.dimensione_file(byte) == atteso


def test_data_lunga_in_parole():
    import datetime

    assert formati.data_lunga(datetime.date(2021, 2, 1)) == "1 febbraio 2021"
    assert formati.data_lunga("2021-12-31") == "31 dicembre 2021"
    assert formati.data_lunga(None) == ""
    assert formati.data_lunga("non è una data") == "non è una data"
