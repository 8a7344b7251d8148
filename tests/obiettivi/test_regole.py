"""``obiettivi.regole``: each rule of the plan's data, on plain values (no database)."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from obiettivi import regole
from obiettivi.models import Fase, Obiettivo

D = Decimal


@pytest.mark.parametrize("carattere", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f",
                                       "\x7f", "\x85", "\x9f"])
def test_un_carattere_di_controllo_e_rifiutato_anche_nei_testi_su_piu_righe(carattere):
    for multiriga in (False, True):
        (messaggio,) = regole.testo(f"ab{carattere}c", multiriga=multiriga)
        assert f"U+{ord(carattere):04X}, carattere 3" in messaggio


@pytest.mark.parametrize("carattere", ["\t", "\n", "\r"])
def test_tabulazione_e_a_capo_solo_nei_testi_su_piu_righe(carattere):
    assert regole.testo(f"a{carattere}b", multiriga=True) == []
    assert regole.testo(f"a{carattere}b") == [
        "Questo testo va scritto su una sola riga: togliere a capo e tabulazioni (carattere 2)."]


def test_testi_italiani_e_simboli_passano():
    assert regole.testo("Perché è già «più» — 1.250,5 € 😀 Ü\u00a0ß") == []


@pytest.mark.parametrize(("codice", "valido"), [
    ("OB1", True), ("LLPP.07", True), ("1.1", True), ("a_b-c", True),
    ("OB 1/2?#", False), ("L 1/x", False), (".OB", False), ("-1", False), ("OB/1", False),
    ("OB#1", False), ("OB?1", False), ("òb", False), ("OB%201", False),
])
def test_formato_dei_codici(codice, valido):
    assert (regole.codice(codice) == []) is valido
    assert (regole.campo(Obiettivo, "codice", codice) == []) is valido


def test_limiti_letti_dai_modelli():
    assert regole.campo(Obiettivo, "titolo", "T" * 500) == []
    assert regole.campo(Obiettivo, "titolo", "T" * 501) == [
        "Assicurati che questo valore non contenga più di 500 caratteri (ne ha 501)."]
    assert regole.campo(Fase, "peso", D("100")) == []
    assert regole.campo(Fase, "peso", D("100.01")) == [
        "Assicurati che questo valore sia minore o uguale a 100."]
    assert regole.campo(Obiettivo, "peso", D("1.255")) == [
        "Assicurati che non vi siano più di 2 cifre decimali."]
    # decimal bounds written the Italian way, years as they are
    assert regole.campo(Obiettivo, "peso", D("0")) == [
        "Assicurati che questo valore sia maggiore o uguale a 0,01."]
    assert regole.campo(Obiettivo, "anno_rinvio", 2101) == [
        "Assicurati che questo valore sia minore o uguale a 2100."]
    oggetto = Obiettivo(peso=D("0"))
    with pytest.raises(ValidationError) as errore:
        oggetto.clean_fields(exclude=[f.name for f in Obiettivo._meta.fields if f.name != "peso"])
    assert errore.value.message_dict == {
        "peso": ["Assicurati che questo valore sia maggiore o uguale a 0,01."]}
    assert regole.campo(Obiettivo, "descrizione", "riga\nriga") == []
    assert regole.campo(Obiettivo, "titolo", "riga\nriga") != []


def test_stati_motivazioni_e_anni():
    assert regole.errori_obiettivo({"stato": "attivo"}) == {}
    assert regole.errori_obiettivo({"stato": "sospeso", "motivazione_stato": "  "}) == {
        "motivazione_stato": ["Per un obiettivo «Sospeso» indicare la motivazione (es. «causa "
                              "COVID-19»)."]}
    assert list(regole.errori_obiettivo({"stato": "non_applicabile"})) == ["motivazione_stato"]
    assert regole.errori_obiettivo({"stato": "rinviato", "anno_rinvio": 2023}) == {}
    assert list(regole.errori_obiettivo({"stato": "rinviato"})) == ["anno_rinvio"]
    assert list(regole.errori_obiettivo({"stato": "attivo", "anno_rinvio": 2023})) == ["anno_rinvio"]


def test_solo_gli_attivi_ricevono_un_grado_nella_scala_dell_smvp():
    assert regole.errori_obiettivo({"stato": "attivo", "grado_proposto": 4}) == {}
    assert regole.errori_obiettivo({"stato": "stralciato", "grado_proposto": 4}) == {
        "grado_proposto": ["Solo gli obiettivi attivi ricevono un grado: svuotare i gradi o "
                           "impostare lo stato «Attivo»."]}
    assert regole.errori_obiettivo({"grado_proposto": 5}, gradi=[1, 2, 3, 4]) == {
        "grado_proposto": ["Il grado 5 non è nella scala dell'SMVP del ciclo (1, 2, 3, 4)."]}
    assert list(regole.errori_obiettivo({"grado_proposto": 4, "grado_validato": 3})) == [
        "motivazione_grado"]
    assert regole.errori_obiettivo({"grado_proposto": 4, "grado_validato": 3,
                                    "motivazione_grado": "Parte non conclusa."}) == {}


def test_invio_validazione_e_rinvio():
    assert list(regole.errori_invio({"stato": "attivo"})) == ["relazione", "grado_proposto"]
    assert regole.errori_invio({"stato": "sospeso", "relazione": "Sospeso."}) == {}
    assert list(regole.errori_validazione({"stato": "attivo"})) == ["grado_validato"]
    assert regole.errori_validazione({"stato": "rinviato"}) == {}
    assert list(regole.errori_rinvio({"commento_nucleo": " "})) == ["commento_nucleo"]
    assert list(regole.errori_rinvio({"commento_nucleo": "Rivedere\x01"})) == ["commento_nucleo"]
    assert regole.errori_rinvio({"commento_nucleo": "Rivedere\nil target"}) == {}


def test_si_no_e_scadenze():
    assert regole.errori_indicatore({"tipo": "si_no", "target": D(1), "consuntivo": D(0)}) == {}
    assert list(regole.errori_indicatore({"tipo": "si_no", "consuntivo": D("0.5")})) == [
        "consuntivo"]
    assert regole.errori_indicatore({"tipo": "alto", "consuntivo": D("0.5")}) == {}
    assert list(regole.errori_indicatore({"tipo": "scadenza"})) == ["data_target"]


def test_fasi_e_date():
    assert regole.errori_fasi([]) == []
    assert regole.errori_fasi([D(100)]) == []
    assert regole.errori_fasi([D("33.33"), D("66.67")]) == []
    assert regole.errori_fasi([D("33.33")] * 3, obiettivo="OB1") == [
        "La somma dei pesi delle fasi dell'obiettivo OB1 è 99,99: deve essere 100."]
    assert regole.errori_fasi([D(600), D(650)]) == [
        "La somma dei pesi delle fasi è 1.250: deve essere 100."]
    uno, due = datetime.date(2021, 2, 1), datetime.date(2021, 1, 31)
    assert regole.errori_fase({"inizio": uno, "fine": uno}) == {}
    assert regole.errori_fase({"inizio": uno, "fine": due}) == {"fine": [
        "La data di fine (31/01/2021) non può precedere la data di inizio (01/02/2021)."]}


def test_scelte_scritte_da_una_persona():
    stati = regole.stati_obiettivo()
    assert regole.scelta("Non applicabile", stati) == ("non_applicabile", [])
    assert regole.scelta(" SOSPESO ", stati) == ("sospeso", [])
    assert regole.scelta("", stati) == (None, [])
    assert regole.scelta("chiuso", stati) == (None, [
        "«chiuso» non è tra i valori ammessi (attivo, stralciato, rinviato, sospeso, "
        "non_applicabile)."])


MODELLI = [m for nome in ("obiettivi", "valutazione") for m in apps.get_app_config(nome).get_models()
           if not m.__name__.startswith("Historical")]
CAMPI_TESTO = [(m, f) for m in MODELLI for f in regole.campi_testo(m)]


@pytest.mark.parametrize(("model", "campo"), CAMPI_TESTO,
                         ids=[f"{m.__name__}.{f.name}" for m, f in CAMPI_TESTO])
def test_ogni_campo_di_testo_rifiuta_i_caratteri_di_controllo_in_full_clean(model, campo):
    """Every model's ``clean_fields`` (what every ModelForm of the admin runs) refuses them."""
    oggetto = model()
    setattr(oggetto, campo.attname, "ab\x01c")
    with pytest.raises(ValidationError) as errore:
        oggetto.clean_fields(exclude=[f.name for f in model._meta.fields if f is not campo])
    messaggi = errore.value.message_dict[campo.name]
    if not campo.choices and not campo.validators[:-1] and campo.get_internal_type() in (
            "CharField", "TextField"):  # a free text: the rule's own message
        assert any("U+0001" in m for m in messaggi), messaggi


def test_ci_sono_campi_di_testo_di_entrambe_le_app():
    assert {m._meta.app_label for m, _ in CAMPI_TESTO} == {"obiettivi", "valutazione"}
    assert len(CAMPI_TESTO) > 40
