"""The one CSV writer (``seregno_perf.tabelle``) with its formula guard, as used by the admin's
«Esporta in CSV» (obiettivi and valutazione), the PEG export and dati.csv."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from obiettivi.models import Obiettivo
from seregno_perf.tabelle import csv_bytes, righe_csv

FORMULE = ['=HYPERLINK("http://x.invalid","clic")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe_numbers_do_not():
    testo = righe_csv([[f, Decimal("-6.4"), -3, None, "normale"] for f in FORMULE],
                      separatore=";")
    righe = list(csv.reader(io.StringIO(testo), delimiter=";"))
    assert [r[0] for r in righe] == ["'" + f for f in FORMULE]
    assert {tuple(r[1:]) for r in righe} == {("-6.4", "-3", "", "normale")}
    assert csv_bytes([["a"]], bom=True) == "\ufeffa\r\n".encode()


@pytest.mark.django_db
def test_admin_esporta_csv_guards_formulas(client, django_user_model):
    from obiettivi.synthetic import genera_ciclo

    ciclo = genera_ciclo(ente_slug="csv", anno=2030, n_obiettivi=2, seme=1)
    obiettivo = Obiettivo.objects.filter(ciclo=ciclo).first()
    Obiettivo.objects.filter(pk=obiettivo.pk).update(titolo='=HYPERLINK("http://x.invalid")',
                                                      descrizione="-2+3")
    client.force_login(django_user_model.objects.create_superuser("capo", password="x"))
    risposta = client.post(reverse("admin:obiettivi_obiettivo_changelist"),
                           {"action": "esporta_csv", "_selected_action": [obiettivo.pk]})
    assert risposta.status_code == 200
    testa, riga = csv.reader(io.StringIO(risposta.content.decode()), delimiter=";")
    valori = dict(zip(testa, riga))
    assert valori["titolo"] == '\'=HYPERLINK("http://x.invalid")'
    assert valori["descrizione"] == "'-2+3"
    assert riga[0] == str(obiettivo.pk)


@pytest.mark.django_db
def test_valutazione_admin_esporta_csv_uses_the_same_writer(client, django_user_model):
    from valutazione.models import Smvp
    from valutazione.services import smvp_create_default
    from obiettivi.models import Ente

    smvp = smvp_create_default(ente=Ente.objects.create(slug="e", nome="E"))
    Smvp.objects.filter(pk=smvp.pk).update(nome="@SUM(A1)")
    client.force_login(django_user_model.objects.create_superuser("capo", password="x"))
    risposta = client.post(reverse("admin:valutazione_smvp_changelist"),
                           {"action": "esporta_csv", "_selected_action": [smvp.pk]})
    assert risposta.status_code == 200
    assert ";'@SUM(A1);" in risposta.content.decode()
