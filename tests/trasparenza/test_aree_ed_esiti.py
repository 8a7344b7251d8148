"""Issue 12, what citizens read: results per area identified by the area's code, one label per
outcome printed alike everywhere, Italian numbers with thousands and units (page and PDF)."""

import html
import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.test import Client
from pypdf import PdfReader

from obiettivi.demo import carica_demo
from obiettivi.models import Area, Ciclo, Indicatore, Obiettivo
from obiettivi.workflow import ciclo_pubblica

URL = "/seregno/2021/"
OMONIME = ("LLPP", "SP")  # two areas of the demo, given the same name below


@pytest.fixture(scope="module")
def pubblicata(django_db_setup, django_db_blocker):
    """The demo with two areas both called «Servizi», one objective only proposed and an
    indicator of 40.000 doses, published once per module (real PDF), rolled back at the end."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            carica_demo()
            ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
            Area.objects.filter(ciclo=ciclo, codice__in=OMONIME).update(nome="Servizi")
            proposto = (Obiettivo.objects.filter(ciclo=ciclo, stato="attivo", area__codice="SP")
                        .order_by("codice").first())
            Obiettivo.objects.filter(pk=proposto.pk).update(grado_validato=None, grado_proposto=2)
            indicatore = (Indicatore.objects.filter(obiettivo__ciclo=ciclo, obiettivo__stato="attivo")
                          .order_by("obiettivo__codice", "codice").first())
            Indicatore.objects.filter(pk=indicatore.pk).update(
                tipo="alto", target=Decimal("40000"), consuntivo=Decimal("38500"), unita="dosi",
            )
            pub = ciclo_pubblica(ciclo=ciclo, utente=None).pubblicazione
            yield {"pub": pub, "proposto": proposto.codice, "indicatore": indicatore.pk,
                   "obiettivo_indicatore": indicatore.obiettivo.codice}
            transaction.set_rollback(True)


def _testo_pdf(pub):
    with pub.pdf.open("rb") as fh:
        lettore = PdfReader(io.BytesIO(fh.read()))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in lettore.pages))


def _media_attesa(obiettivi):
    """Σ(grado × peso) / Σ pesi of the counted objectives, 2 places half up (docs/scoring.md)."""
    contati = [o for o in obiettivi if o["conteggiato"]]
    somma = sum(Decimal(str(o["grado"])) * Decimal(str(o["peso"])) for o in contati)
    pesi = sum(Decimal(str(o["peso"])) for o in contati)
    return (somma / pesi).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _it(valore):
    return f"{valore:.2f}".replace(".", ",")


@pytest.mark.django_db
def test_two_areas_with_the_same_name_keep_their_own_results(pubblicata):
    """Before: results were grouped by area name — two identical «Servizi» rows, one mean of both."""
    dati = Client().get(URL + "dati.json").json()
    righe = {r["area_codice"]: r for r in dati["risultati_aree"] if r["area"] == "Servizi"}
    assert sorted(righe) == sorted(OMONIME)
    medie = {}
    for codice, riga in righe.items():
        suoi = [o for o in dati["obiettivi"] if o["area_codice"] == codice]
        assert riga["n_obiettivi"] == len(suoi) > 0
        assert riga["n_valutati"] == sum(1 for o in suoi if o["conteggiato"])
        medie[codice] = _media_attesa(suoi)
        assert Decimal(str(riga["media"])) == medie[codice]
        assert riga["esito"] == _it(medie[codice])
    assert len(set(medie.values())) == 2  # the two areas really differ
    for linea in dati["linee"]:
        assert len({c["area_codice"] for c in linea["contributi_aree"]}) == len(linea["contributi_aree"])

    # the page (chart's table twin) and the PDF: one row per area, with its own mean
    pagina = html.unescape(Client().get(URL).content.decode())
    pdf = _testo_pdf(pubblicata["pub"])
    for codice in OMONIME:
        riga = f"Servizi ({codice})</th><td class=\"numero\">{_it(medie[codice])}</td>"
        assert riga in pagina
        assert f"Servizi ({codice}) {_it(medie[codice])}" in pdf
    # and each area's page its own figure
    for area in dati["aree"]:
        if area["codice"] in OMONIME:
            testo = Client().get(f"{URL}aree/{area['slug']}/").content.decode()
            assert f"Grado medio: <strong>{_it(medie[area['codice']])}</strong>" in testo


@pytest.mark.django_db
def test_one_label_per_outcome_printed_alike_everywhere(pubblicata):
    """Before: the same outcome read «3 — label» in the report, «grado 3» on the linea's page
    and lost «(proposto, …)» on the area's page."""
    client = Client()
    dati = client.get(URL + "dati.json").json()
    per_codice = {o["codice"]: o for o in dati["obiettivi"]}
    rinviato = next(o for o in dati["obiettivi"] if o["stato"] == "rinviato")
    validato = next(o for o in dati["obiettivi"] if o["fonte_grado"] == "validato")
    proposto = per_codice[pubblicata["proposto"]]
    assert rinviato["esito"] == "Rinviato al 2023"
    assert validato["esito"] == f"{validato['grado']} — {validato['grado_etichetta']}"
    assert proposto["esito"] == (
        f"2 — {proposto['grado_etichetta']} (proposto, in attesa di validazione)"
    )
    relazione = html.unescape(client.get(URL).content.decode())
    pdf = _testo_pdf(pubblicata["pub"])
    aree = {a["codice"]: a["slug"] for a in dati["aree"]}
    for ob in (rinviato, validato, proposto):
        pagine = {
            "relazione": relazione,
            "obiettivo": client.get(f"{URL}obiettivi/{ob['codice']}/").content.decode(),
            "linea": client.get(f"{URL}linee/{ob['linea']}/").content.decode(),
            "area": client.get(f"{URL}aree/{aree[ob['area_codice']]}/").content.decode(),
        }
        for nome, testo in pagine.items():
            assert ob["esito"] in html.unescape(testo), (ob["codice"], nome)
        assert re.sub(r"\s+", "", ob["esito"]) in re.sub(r"\s+", "", pdf), ob["codice"]
    # linee and azioni: their grade or «non valutabile», the same text in the report and page
    for linea in dati["linee"]:
        pagina = client.get(f"{URL}linee/{linea['codice']}/").content.decode()
        assert f"Grado: <strong>{linea['esito']}</strong>" in pagina
        assert f"Grado: <strong>{linea['esito']}</strong>" in relazione
        for azione in linea["azioni"]:
            assert f"Grado: <strong>{azione['esito']}</strong>" in pagina


@pytest.mark.django_db
def test_numbers_have_thousands_and_units_and_dates_are_italian(pubblicata):
    client = Client()
    ob = client.get(f"{URL}obiettivi/{pubblicata['obiettivo_indicatore']}/").content.decode()
    assert ">40.000 dosi<" in ob and ">38.500 dosi<" in ob
    assert "consuntivo 38.500 dosi / target 40.000 dosi × 100 = 96,25%" in ob
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", ob)  # no ISO dates on the page
    relazione = client.get(URL).content.decode()
    assert "<dd>43.163 (al 31.12.2010)</dd>" in relazione  # inhabitants, grouped
    # the financial indicator of the seed: an amount in euro, with its cents and its unit
    assert '<td data-etichetta="Valore" class="numero">1.254.300,00 €</td>' in relazione
    assert "valore 1.254.300,00 € ≥ target 0,00 €" in relazione
    dati = client.get(URL + "dati.json").json()
    ob, fase = next((o, f) for o in dati["obiettivi"] for f in o["fasi"] if f["fine"])
    anno, mese, giorno = fase["fine"].split("-")
    assert f"{giorno}/{mese}/{anno}" in client.get(f"{URL}obiettivi/{ob['codice']}/").content.decode()


@pytest.mark.django_db
def test_pages_of_a_publication_made_before_esito_and_area_codes(pubblicata):
    """Pages of an older version are rendered again when the files are rewritten: its data get
    the same labels from the same functions (presenter._completa)."""
    import copy

    from trasparenza import pagine

    pub = pubblicata["pub"]
    vecchi = copy.deepcopy(pub.dati)
    for ob in vecchi["obiettivi"]:
        del ob["esito"]
    for linea in vecchi["linee"]:
        del linea["esito"]
        for azione in linea["azioni"]:
            del azione["esito"]
    vecchi["risultati_aree"] = [
        {k: v for k, v in r.items() if k not in ("area_codice", "esito")}
        for r in vecchi["risultati_aree"] if r["area_codice"] not in OMONIME  # one per name then
    ]
    dettagli = pagine.Dettagli(vecchi, pub)
    attuali = {o["codice"]: o for o in pub.dati["obiettivi"]}
    proposto = attuali[pubblicata["proposto"]]
    assert proposto["esito"] in html.unescape(dettagli.obiettivo(proposto["codice"]))
    area = next(a for a in vecchi["aree"] if a["codice"] == "EF")
    riga = next(r for r in pub.dati["risultati_aree"] if r["area_codice"] == "EF")
    assert f"Grado medio: <strong>{riga['esito']}</strong>" in dettagli.area(area["slug"])
