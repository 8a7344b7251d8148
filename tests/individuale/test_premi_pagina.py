"""The admin page «Calcolo dei premi» and the export for payroll: the Amministratore (HR) only;
the export refused until the Nucleo has validated the Relazione; Italian numbers in the CSV;
query counts the same at 50 and 1.000 schede (``premi_ciclo`` and the page)."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from individuale import queries
from individuale.models import FondoPremi
from individuale.synthetic import genera_schede
from obiettivi import permessi
from obiettivi.models import Ciclo

from .dati_calcolo import crea_ciclo
from tests.ruoli.incarichi import dai_ruolo

pytestmark = pytest.mark.django_db
D = Decimal


def _cliente(username, ruolo=None, **campi):
    utente = get_user_model().objects.create_user(username, is_staff=True, **campi)
    if ruolo:
        dai_ruolo(utente, ruolo)
    cliente = Client(HTTP_HOST="127.0.0.1")
    cliente.force_login(utente)
    return cliente


@pytest.fixture
def ciclo():
    ciclo, _ = crea_ciclo()
    genera_schede(ciclo, 30, seme=1)
    return ciclo


def test_pagina_dell_amministratore_con_fondi_persone_e_spiegazioni(ciclo):
    cliente = _cliente("hr", permessi.AMMINISTRATORE)
    risposta = cliente.get(reverse("admin:individuale_premi", args=[ciclo.pk]))
    assert risposta.status_code == 200
    testo = risposta.content.decode()
    premi = queries.premi_ciclo(ciclo)
    fondo = FondoPremi.objects.get(ciclo=ciclo)
    assert f"{fondo.nome}: stanziato 30.000,00 €, distribuito 30.000,00 €" in testo
    primo = premi.quote[0]
    assert premi.scheda(primo.scheda_id).matricola in testo
    assert "Come è calcolato" in testo and "valore del punto" in testo
    assert "Esporta per le paghe (CSV)" in testo and "Esporta per le paghe (XLSX)" in testo
    assert cliente.get(reverse("admin:individuale_premi_cicli")).status_code == 200


@pytest.mark.parametrize("stato", [Ciclo.Stato.PUBBLICATA, Ciclo.Stato.RENDICONTAZIONE])
def test_esportazione_rifiutata_finche_il_nucleo_non_ha_validato(ciclo, stato):
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=stato)
    cliente = _cliente("hr", permessi.AMMINISTRATORE)
    pagina = cliente.get(reverse("admin:individuale_premi", args=[ciclo.pk])).content.decode()
    assert "L&#x27;esportazione per le paghe non è ancora possibile" in pagina
    assert "Esporta per le paghe (CSV)" not in pagina
    risposta = cliente.get(reverse("admin:individuale_premi_esporta", args=[ciclo.pk, "csv"]), follow=True)
    assert risposta.redirect_chain[-1][0] == reverse("admin:individuale_premi", args=[ciclo.pk])
    assert "attachment" not in risposta.get("Content-Disposition", "")
    messaggi = [str(m) for m in risposta.context["messages"]]
    assert any("il Nucleo di valutazione non ha validato la Relazione sulla performance 2021" in m for m in messaggi)


def test_esportazione_csv_e_xlsx(ciclo):
    cliente = _cliente("hr", permessi.AMMINISTRATORE)
    risposta = cliente.get(reverse("admin:individuale_premi_esporta", args=[ciclo.pk, "csv"]))
    assert risposta.status_code == 200 and risposta["Content-Type"] == "text/csv; charset=utf-8"
    assert risposta["Content-Disposition"] == 'attachment; filename="premi-prova-2021.csv"'
    righe = risposta.content.decode("utf-8-sig").splitlines()
    assert righe[0].split(";") == list(queries.INTESTAZIONI_PREMI)
    assert len(righe) == 31
    premi = queries.premi_ciclo(ciclo)
    q = max(premi.quote, key=lambda q: q.importo)
    (riga,) = [r.split(";") for r in righe[1:] if r.startswith(premi.scheda(q.scheda_id).matricola + ";")]
    importo = f"{q.importo:.2f}".replace(".", ",")
    intero, _, decimali = importo.partition(",")
    attesa = (f"{int(intero):,}".replace(",", ".") + "," + decimali).replace(",00", "")
    assert riga[-1] == attesa  # «1.234,5»: Italian, as the other CSVs of the project
    totale = sum(D(r.split(";")[-1].replace(".", "").replace(",", ".")) for r in righe[1:])
    assert totale == D("30000")

    from openpyxl import load_workbook

    risposta = cliente.get(reverse("admin:individuale_premi_esporta", args=[ciclo.pk, "xlsx"]))
    foglio = load_workbook(io.BytesIO(risposta.content))["Premi"]
    valori = list(foglio.iter_rows(values_only=True))
    assert list(valori[0]) == list(queries.INTESTAZIONI_PREMI) and len(valori) == 31
    assert sum(D(str(r[-1])) for r in valori[1:]) == D("30000")
    assert cliente.get(reverse("admin:individuale_premi_esporta", args=[ciclo.pk, "pdf"])).status_code == 404


@pytest.mark.parametrize("ruolo", [permessi.NUCLEO, permessi.DIRIGENTE, None])
def test_nessun_altro_vede_il_calcolo_ne_esporta(ciclo, ruolo):
    cliente = _cliente("altro", ruolo)
    if ruolo is None:  # staff with every permission of the app, but not the Amministratore
        utente = get_user_model().objects.get(username="altro")
        utente.user_permissions.set(Permission.objects.filter(content_type__app_label="individuale"))
    for url in (reverse("admin:individuale_premi_cicli"), reverse("admin:individuale_premi", args=[ciclo.pk]),
                reverse("admin:individuale_premi_esporta", args=[ciclo.pk, "csv"])):
        risposta = cliente.get(url)
        assert risposta.status_code == 403, url
        assert b"Cognome" not in risposta.content and b"Fittizio" not in risposta.content


def test_anonimo_va_al_login(ciclo):
    risposta = Client(HTTP_HOST="127.0.0.1").get(reverse("admin:individuale_premi", args=[ciclo.pk]))
    assert risposta.status_code == 302 and "/login/" in risposta["Location"]


def test_fondo_doppio_rifiutato_dalle_regole(ciclo):
    from django.core.exceptions import ValidationError

    fondo = FondoPremi(ciclo=ciclo, nome="Secondo fondo", importo=D(10))
    with pytest.raises(ValidationError) as errore:
        fondo.full_clean()
    assert "Il ciclo ha già un fondo per lo stesso ambito" in str(errore.value)


# --- query counts, the same at 50 and 1.000 schede --------------------------------------------

@pytest.mark.parametrize("n", [50, 1000])
def test_query_costanti(n, django_assert_num_queries):
    ciclo, _ = crea_ciclo()
    genera_schede(ciclo, n, seme=2)
    ciclo = Ciclo.objects.get(pk=ciclo.pk)
    with django_assert_num_queries(8):
        premi = queries.premi_ciclo(ciclo)
    assert len(premi.quote) == n
    cliente = _cliente("hr", permessi.AMMINISTRATORE)
    url = reverse("admin:individuale_premi", args=[ciclo.pk])
    cliente.get(url)  # the session and the user, once
    with django_assert_num_queries(16):  # session, user, groups, incarichi (issue 17), cycle, premi_ciclo (8), menu (3)
        assert cliente.get(url).status_code == 200
    if n == 1000:  # 250 people a page, the whole calculation behind each
        ultima = cliente.get(url, {"pagina": 4}).content.decode()
        assert "Pagina 4 di 4" in ultima and "« Pagina precedente" in ultima
        assert premi.scheda(premi.quote[-1].scheda_id).matricola in ultima
        assert premi.scheda(premi.quote[0].scheda_id).matricola not in ultima


@pytest.mark.parametrize("stato", [Ciclo.Stato.VALIDATA, Ciclo.Stato.PUBBLICATA])
def test_pagine_in_italiano(ciclo, stato):
    """The admin walk's reader (tests/ruoli/passeggiata.py) on the pages with people, funds and
    the refusal: no English word, no grammar slip."""
    from tests.ruoli.passeggiata import leggi_pagina, problemi

    Ciclo.objects.filter(pk=ciclo.pk).update(stato=stato)
    FondoPremi.objects.create(ciclo=ciclo, nome="Fondo vuoto dei dirigenti", importo=D(10),
                              gruppo=ciclo.smvp.gruppi_ruolo.get(codice="dirigente"), area=None)
    cliente = _cliente("hr", permessi.AMMINISTRATORE)
    for url in (reverse("admin:individuale_premi", args=[ciclo.pk]), reverse("admin:individuale_premi_cicli"),
                reverse("admin:individuale_fondopremi_changelist"), reverse("admin:individuale_fondopremi_add")):
        risposta = cliente.get(url)
        assert risposta.status_code == 200, url
        assert problemi(leggi_pagina(risposta.content.decode())) == [], url


def test_fondo_dall_admin_con_importo_all_italiana_e_regole(ciclo):
    from tests.ruoli.passeggiata import leggi_pagina, problemi

    cliente = _cliente("hr", permessi.AMMINISTRATORE)
    area = ciclo.aree.get(codice="A2")
    url = reverse("admin:individuale_fondopremi_add")
    dati = {"ciclo": ciclo.pk, "nome": "Fondo area due", "area": area.pk, "gruppo": "", "importo": "40.000", "atto": ""}
    risposta = cliente.post(url, dati)
    assert risposta.status_code == 302, risposta.content.decode()[-3000:]
    fondo = FondoPremi.objects.get(nome="Fondo area due")
    assert fondo.importo == D(40000)
    doppio = cliente.post(url, {**dati, "nome": "Doppio", "importo": "1.250,5"})
    assert doppio.status_code == 200
    assert "Il ciclo ha già un fondo per lo stesso ambito: «Fondo area due»" in doppio.content.decode()
    altro, _ = crea_ciclo(slug="altro", anno=2022)
    dai_ruolo(get_user_model().objects.get(username="hr"), permessi.AMMINISTRATORE)  # HR of both enti
    estranea = cliente.post(url, {**dati, "ciclo": altro.pk, "nome": "Estranea"})
    assert "appartiene a un altro ciclo" in estranea.content.decode()
    fondo.importo = D("41000.50")
    fondo.save()
    storia = cliente.get(reverse("admin:individuale_fondopremi_history", args=[fondo.pk]))
    assert storia.status_code == 200 and problemi(leggi_pagina(storia.content.decode())) == []
    elenco = cliente.get(reverse("admin:individuale_fondopremi_changelist")).content.decode()
    assert "41.000,50 €" in elenco
