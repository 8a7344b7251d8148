"""No leak: an anonymous visitor following every link from ``/`` (pages, versions, PDF, JSON,
CSV) never reads draft cycles, edits made after publication, internal fields (the Nucleo's
comment when it sends an objective back, a dirigente's report on a grade not yet validated,
proposed grades overridden by the Nucleo) or history rows. Each of those carries a unique
marker; none may appear anywhere. The Nucleo's reason for a grade other than the proposed one
is public (Linee guida DFP n. 3/2018, issue 13): it is read on the objective's page and in
«Cosa non è stato raggiunto e perché»."""

import json
import re

import pytest
from django.db import transaction
from django.test import Client

from obiettivi.demo import carica_demo
from obiettivi import models as om
from obiettivi.models import Area, Ciclo, Ente, Indicatore, NodoStrategico, Obiettivo
from obiettivi.synthetic import genera_ciclo
from obiettivi.workflow import ciclo_pubblica
from tests.sicurezza.crawler import visita
from trasparenza import snapshot
from trasparenza.services import file_pubblicati_scrivi

# Markers: no spaces or hyphens, so that a PDF line break cannot split them.
M_MOTIVAZIONE = "Zqmotivazionenucleo41"
M_RELAZIONE_NON_VALIDATA = "Zqrelazionenonvalidata42"
M_STORICO = "Zqstoricotitolo43"
M_DOPO = "Zqtitolodopopubblicazione44"
M_TESTO_DOPO = "Zqtestodopopubblicazione45"
M_NODO_DOPO = "Zqnododopopubblicazione46"
M_AREA_DOPO = "Zqareadopopubblicazione47"
M_ENTE_BOZZA = "Zqentebozza48"
M_BOZZA = "Zqobiettivobozza49"
M_SEREGNO_BOZZA = "Zqseregnobozza2022x50"
M_COMMENTO = "Zqcommentonucleo51"
M_VALIDAZIONE_BOZZA = "Zqvalidazionebozza52"
MARCATORI = [M_VALIDAZIONE_BOZZA, M_COMMENTO, M_RELAZIONE_NON_VALIDATA, M_STORICO, M_DOPO, M_TESTO_DOPO,
             M_NODO_DOPO, M_AREA_DOPO, M_ENTE_BOZZA, M_BOZZA, M_SEREGNO_BOZZA]
# Figures that exist only in drafts or in edits after publication.
CIFRA_DOPO = 9731864
CIFRA_BOZZA = 8642097


def _attivi(ciclo):
    return Obiettivo.objects.filter(ciclo=ciclo, stato="attivo").order_by("codice")


SCRIPT_STATICO = r'<script src="/static/js/[-a-z]+(?:\.[0-9a-f]{12})?\.js" defer></script>'


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker):
    """The demo published once, with internal fields set before and edits made after; two
    draft cycles. Rolled back at the end."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            carica_demo()
            ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
            attivi = list(_attivi(ciclo).exclude(grado_validato=None)[:4])

            # internal fields, present at publication time
            sovrascritto = attivi[0]
            sovrascritto.grado_proposto = 1 if sovrascritto.grado_validato != 1 else 2
            sovrascritto.motivazione_grado = f"Il Nucleo ritiene {M_MOTIVAZIONE} il grado proposto."
            # the comment of an earlier sending back stays internal
            sovrascritto.commento_nucleo = f"Rinviato: manca un allegato {M_COMMENTO}."
            sovrascritto.save()
            solo_proposto = attivi[1]
            solo_proposto.grado_validato = None
            solo_proposto.grado_proposto = 3
            solo_proposto.motivazione_grado = ""
            solo_proposto.relazione = f"Bozza del dirigente {M_RELAZIONE_NON_VALIDATA}."
            solo_proposto.save()
            # a history row with a marker; the current title is the original one
            storico = attivi[2]
            originale = storico.titolo
            storico.titolo = f"Titolo provvisorio {M_STORICO}"
            storico.save()
            storico.titolo = originale
            storico.save()
            assert storico.history.filter(titolo__contains=M_STORICO).exists()

            pubblicazione = ciclo_pubblica(ciclo=ciclo, utente=None).pubblicazione
            # as after the commit: the published files on disk, served without the database
            file_pubblicati_scrivi(ciclo=ciclo)

            # the Nucleo's draft documento di validazione (never signed): nothing of it is public
            from validazione.models import DocumentoValidazione
            from validazione.services import documento_bozza

            bozza_validazione = documento_bozza(DocumentoValidazione(ciclo=ciclo))
            bozza_validazione.motivazione = f"Esito ancora da decidere {M_VALIDAZIONE_BOZZA}."
            bozza_validazione.chiarezza = f"Giudizio provvisorio {M_VALIDAZIONE_BOZZA}."
            bozza_validazione.esito = DocumentoValidazione.Esito.NON_VALIDATA
            bozza_validazione.save()

            # edits after publication, not published
            modificato = attivi[3]
            modificato.titolo = f"Titolo cambiato {M_DOPO}"
            modificato.save()
            indicatore = Indicatore.objects.filter(obiettivo__ciclo=ciclo, tipo="alto").first()
            indicatore.consuntivo = CIFRA_DOPO
            indicatore.save()
            testo = om.TestoReport.objects.filter(ciclo=ciclo).first()
            testo.testo += f"\n\nParagrafo aggiunto {M_TESTO_DOPO}."
            testo.save()
            nodo = NodoStrategico.objects.filter(ciclo=ciclo).first()
            nodo.titolo = f"{nodo.titolo} {M_NODO_DOPO}"
            nodo.save()
            area = Area.objects.filter(ciclo=ciclo).first()
            area.nome = f"{area.nome} {M_AREA_DOPO}"
            area.save()

            # draft cycles: another ente, and Seregno's next year
            for slug, anno, marcatore, seme in (("fugabozza", 2022, M_BOZZA, 11),
                                                ("seregno", 2022, M_SEREGNO_BOZZA, 12)):
                bozza = genera_ciclo(ente_slug=slug, anno=anno, n_obiettivi=6, seme=seme)
                for ob in Obiettivo.objects.filter(ciclo=bozza):
                    ob.titolo = f"{marcatore} {ob.codice}"
                    ob.save()
                NodoStrategico.objects.filter(ciclo=bozza).update(titolo=marcatore)
                Indicatore.objects.filter(obiettivo__ciclo=bozza, tipo__in=["alto", "basso"]).update(
                    consuntivo=CIFRA_BOZZA
                )
                om.TestoReport.objects.create(ciclo=bozza, sezione="presentazione", testo=marcatore)
            Ente.objects.filter(slug="fugabozza").update(nome=f"Comune di {M_ENTE_BOZZA}")

            pagine, admin = visita(Client())
            yield {
                "pagine": pagine, "admin": admin, "ciclo": ciclo, "pubblicazione": pubblicazione,
                "sovrascritto": sovrascritto, "solo_proposto": solo_proposto,
            }
            transaction.set_rollback(True)


def _normalizza(testo):
    return re.sub(r"[\s.,\u00a0\u202f\u00ad]", "", testo).lower()


@pytest.mark.django_db
def test_the_crawl_reaches_every_kind_of_public_file(scenario):
    pagine = scenario["pagine"]
    assert all(p.stato == 200 for p in pagine.values()), [
        (u, p.stato) for u, p in pagine.items() if p.stato != 200
    ]
    tipi = {p.tipo for p in pagine.values()}
    assert {"text/html", "application/pdf", "application/json", "text/csv"} <= tipi
    ciclo = scenario["ciclo"]
    for ob in Obiettivo.objects.filter(ciclo=ciclo):
        assert f"/seregno/2021/obiettivi/{ob.codice}/" in pagine
    assert "/seregno/2021/relazione.pdf" in pagine and "/seregno/2021/dati.csv" in pagine
    # the report and its data were served from the published files, not from the database
    assert snapshot.file_per_url("/seregno/2021/dati.json") is not None
    assert snapshot.file_per_url("/seregno/2021/versioni/1/") is not None
    # public HTML is inline-free (the strict CSP would block it anyway); the one script is a
    # static file of our own (the search box of the objectives' list)
    for url, pagina in pagine.items():
        if pagina.tipo == "text/html":
            testo = re.sub(SCRIPT_STATICO, "", pagina.testo)
            assert not re.search(r"<script|<style|\sstyle=", testo, re.I), url


@pytest.mark.django_db
def test_no_marker_or_draft_figure_appears_anywhere(scenario):
    trovati = []
    for url, pagina in scenario["pagine"].items():
        minuscolo = pagina.testo.lower()
        compatto = _normalizza(pagina.testo)
        for marcatore in MARCATORI:
            if marcatore.lower() in minuscolo or marcatore.lower() in compatto:
                trovati.append((url, marcatore))
        for cifra in (CIFRA_DOPO, CIFRA_BOZZA):
            if str(cifra) in compatto:
                trovati.append((url, cifra))
    assert trovati == []


@pytest.mark.django_db
def test_drafts_answer_404_and_the_admin_asks_for_login(scenario):
    client = Client()
    for percorso in ("/fugabozza/2022/", "/fugabozza/2022/dati.json", "/fugabozza/2022/relazione.pdf",
                     "/seregno/2022/", "/seregno/2022/dati.csv", "/seregno/2021/versioni/2/",
                     "/seregno/2021/validazione/", "/seregno/2021/validazione.pdf"):
        assert client.get(percorso).status_code == 404, percorso
    assert "/fugabozza/" not in "".join(scenario["pagine"])
    for percorso in scenario["admin"] | {"/admin/", "/admin/obiettivi/obiettivo/"}:
        risposta = client.get(percorso)
        assert risposta.status_code == 302 and "/admin/login/" in risposta["Location"], percorso


@pytest.mark.django_db
def test_a_grade_overridden_by_the_nucleo_shows_only_the_validated_one(scenario):
    pagine = scenario["pagine"]
    ob = scenario["sovrascritto"]
    dati = json.loads(pagine["/seregno/2021/dati.json"].testo)
    voce = next(o for o in dati["obiettivi"] if o["codice"] == ob.codice)
    assert (voce["grado"], voce["fonte_grado"]) == (ob.grado_validato, "validato")

    def chiavi(valore):
        if isinstance(valore, dict):
            for k, v in valore.items():
                yield k
                yield from chiavi(v)
        elif isinstance(valore, list):
            for v in valore:
                yield from chiavi(v)

    interne = {k for k in chiavi(dati) if "proposto" in k or "motivazione_grado" in k}
    assert interne == set()
    assert "proposto" not in pagine["/seregno/2021/dati.csv"].testo.splitlines()[1].lower()
    pagina = pagine[f"/seregno/2021/obiettivi/{ob.codice}/"].testo
    # the outcome label (report data «esito») and the explanation name only the validated grade
    assert f"<strong>{ob.grado_validato} — " in pagina
    assert f"<strong>{ob.grado_proposto} — " not in pagina
    assert f"grado validato dal Nucleo: {ob.grado_validato}" in pagina
    # the Nucleo's reason for the change is public: on the objective's page and in the report
    assert M_MOTIVAZIONE in pagina
    assert M_MOTIVAZIONE in pagine["/seregno/2021/"].testo
    assert [o["codice"] for o in dati["non_raggiunti"]["modificati_dal_nucleo"]] == [ob.codice]
    # the one only proposed is published as provisional, without the dirigente's draft report
    provvisorio = pagine[f"/seregno/2021/obiettivi/{scenario['solo_proposto'].codice}/"].testo
    assert "(proposto, in attesa di validazione)" in provvisorio
