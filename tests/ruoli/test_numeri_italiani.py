"""Numbers typed in the admin are read the Italian way (issue 12, point 1): a dirigente on a cycle
in rendicontazione types an indicator's consuntivo on the objective's page, with its inlines.

"40.000" is forty thousand (Django's localized field, with USE_THOUSAND_SEPARATOR off, saved 40
with a success message), "1.250,5" is 1250.5 (Django refused it), "1,2,3" is refused with a
message that says how to write it and nothing is saved; stored values come back without
trailing zeros.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from obiettivi.models import Fase, Indicatore
from valutazione.models import IndicatoreFinanziario

from .conftest import admin_url, dati_della_pagina

pytestmark = pytest.mark.django_db

COME_SCRIVERE = "scrivi 1.250,5: il punto separa le migliaia, la virgola i decimali"


def _pagina(client, mondo):
    client.force_login(mondo.dirigente)
    indirizzo = admin_url(type(mondo.proprio), "change", mondo.proprio.pk)
    return indirizzo, dati_della_pagina(client.get(indirizzo))


def _consuntivo(mondo):
    return Indicatore.objects.get(obiettivo=mondo.proprio).consuntivo


@pytest.mark.parametrize(("scritto", "letto"), [
    ("40.000", Decimal("40000")),
    ("1.250,5", Decimal("1250.5")),
    ("12,5", Decimal("12.5")),
    ("-6,4", Decimal("-6.4")),
    ("40000", Decimal("40000")),
    ("12.5", Decimal("12.5")),
    ("40.5", Decimal("40.5")),
])
def test_il_consuntivo_si_legge_all_italiana(client, mondo, scritto, letto):
    indirizzo, dati = _pagina(client, mondo)
    dati["indicatori-0-consuntivo"] = scritto
    risposta = client.post(indirizzo, dati)
    assert risposta.status_code == 302, risposta.context["errors"] if risposta.context else ""
    assert _consuntivo(mondo) == letto


@pytest.mark.parametrize("scritto", ["1,2,3", "1.25.0", "4,5.3"])
def test_un_numero_ambiguo_e_rifiutato_e_nulla_cambia(client, mondo, scritto):
    prima = _consuntivo(mondo)
    indirizzo, dati = _pagina(client, mondo)
    dati["indicatori-0-consuntivo"] = scritto
    dati["relazione"] = "Questa relazione non deve essere salvata."
    risposta = client.post(indirizzo, dati)
    assert risposta.status_code == 200
    (formset,) = [i.formset for i in risposta.context["inline_admin_formsets"]
                  if i.formset.prefix == "indicatori"]
    assert formset.errors[0]["consuntivo"] == [
        f"«{scritto}» non si legge in un solo modo; {COME_SCRIVERE}."]
    assert _consuntivo(mondo) == prima
    mondo.proprio.refresh_from_db()
    assert mondo.proprio.relazione == ""


def test_i_valori_salvati_si_mostrano_senza_zeri_in_coda(client, mondo):
    Indicatore.objects.filter(obiettivo=mondo.proprio).update(consuntivo=Decimal("40000.0000"))
    Fase.objects.filter(obiettivo=mondo.proprio).update(percentuale=Decimal("87.50"))
    client.force_login(mondo.dirigente)
    risposta = client.get(admin_url(type(mondo.proprio), "change", mondo.proprio.pk))
    html = risposta.content.decode()
    assert 'name="indicatori-0-consuntivo" value="40.000"' in html
    assert 'name="fasi-0-percentuale" value="87,5"' in html
    assert "40000,0000" not in html and "87,50" not in html


def test_la_percentuale_di_una_fase_si_legge_all_italiana(client, mondo):
    indirizzo, dati = _pagina(client, mondo)
    dati["fasi-0-percentuale"] = "87,5"
    assert client.post(indirizzo, dati).status_code == 302
    assert Fase.objects.get(obiettivo=mondo.proprio).percentuale == Decimal("87.5")


def test_un_indicatore_finanziario_nell_admin_della_valutazione(client, mondo):
    """The valutazione admin reads numbers the same way (its own forms, same fields)."""
    indicatore = mondo.finanziari["proprio"]
    client.force_login(mondo.amministratore)
    indirizzo = reverse("admin:valutazione_indicatorefinanziario_change", args=[indicatore.pk])
    dati = dati_della_pagina(client.get(indirizzo))
    dati.update(target="1.254.300,5", valore="40.000")
    assert client.post(indirizzo, dati).status_code == 302
    indicatore = IndicatoreFinanziario.objects.get(pk=indicatore.pk)
    assert (indicatore.target, indicatore.valore) == (Decimal("1254300.5"), Decimal("40000"))
