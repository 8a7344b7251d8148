"""No personal data on a public URL (issue 16, points 4 and 6): the Seregno demo with its
illustrative schede, whose names, matricole, remarks and some scores carry unique markers, is
published twice (before the schede are definitive, then with the bonuses); an anonymous visitor following every link from ``/`` (pages, versions, PDF, JSON,
CSV, ODS, the art. 20 page) never reads a marker, a person's distinctive score or amount. The
art. 20 page shows the totals and the bands, and no shown figure counts 1–4 people. The
person's own pages and the admin of the schede send an anonymous visitor to the login."""

import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from individuale.models import ObiettivoIndividuale, Persona, PunteggioComportamento, SchedaValutazione
from individuale.queries import premi_ciclo
from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo
from obiettivi.workflow import ciclo_avanza, ciclo_pubblica, ciclo_riapri
from seregno_perf import formati
from tests.sicurezza.crawler import visita
from trasparenza import snapshot
from trasparenza.services import file_pubblicati_scrivi

# Markers: no spaces or hyphens, so that a PDF line break cannot split them.
M_COGNOME = "Zqcognomeschedax"
M_NOME = "Zqnomeschedax"
M_MATRICOLA = "ZQMATRICOLAX"
M_CF = "ZQCFX"
M_OSSERVAZIONI = "Zqosservazionivalutatox"
M_GIUDIZIO = "Zqgiudiziovalutatorex"
M_CONCILIAZIONE = "Zqmotiviconciliazionex"
M_ESITO = "Zqesitoconciliazionex"
M_OBIETTIVO = "Zqobiettivoindividualex"
M_COMMENTO = "Zqcommentocomportamentox"
M_COLLOQUIO = "Zqnotecolloquiox"
MARCATORI = [M_COGNOME, M_NOME, M_MATRICOLA, M_CF, M_OSSERVAZIONI, M_GIUDIZIO, M_CONCILIAZIONE,
             M_ESITO, M_OBIETTIVO, M_COMMENTO, M_COLLOQUIO]
# Distinctive final scores given to three people (each stays in its SMVP band), and part-time
# percentages that make five people's amounts unlike anyone else's.
PUNTEGGI_DISTINTIVI = {0: Decimal("91.37"), 1: Decimal("83.59"), 2: Decimal("72.41")}
PART_TIME_DISTINTIVI = (Decimal("61.11"), Decimal("77.77"), Decimal("88.88"), Decimal("93.33"),
                        Decimal("55.55"))


@pytest.fixture(scope="module")
def scenario(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        with transaction.atomic():
            carica_demo()
            ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)
            schede = list(SchedaValutazione.objects.filter(ciclo=ciclo).select_related("persona")
                          .order_by("persona__matricola"))
            for n, s in enumerate(schede):
                Persona.objects.filter(pk=s.persona_id).update(
                    cognome=f"{M_COGNOME}{n:02d}", nome=f"{M_NOME}{n:02d}",
                    matricola=f"{M_MATRICOLA}{n:02d}", codice_fiscale=f"{M_CF}{n:02d}")
                SchedaValutazione.objects.filter(pk=s.pk).update(
                    osservazioni_valutato=f"{M_OSSERVAZIONI}{n:02d}",
                    commento_valutatore=f"{M_GIUDIZIO}{n:02d}",
                    note_colloquio_intermedio=f"{M_COLLOQUIO}{n:02d}")
                ObiettivoIndividuale.objects.filter(scheda=s).update(
                    descrizione=f"{M_OBIETTIVO}{n:02d}", commento=f"{M_OBIETTIVO}{n:02d}")
                PunteggioComportamento.objects.filter(scheda=s).update(commento=f"{M_COMMENTO}{n:02d}")
            SchedaValutazione.objects.filter(ciclo=ciclo).exclude(conciliazione_richiesta=None).update(
                conciliazione_motivi=M_CONCILIAZIONE, conciliazione_esito=M_ESITO)
            # distinctive scores: the dipendenti's bands as the demo gives them (90–100, 80–90, 70–80)
            dipendenti = [s for s in schede if s.gruppo.codice == "dipendente"]
            per_fascia = {}
            for s in dipendenti:
                per_fascia.setdefault(int(s.punteggio_finale // 10), s)
            distintivi = {}
            for (decina, s), punteggio in zip(sorted(per_fascia.items(), reverse=True),
                                              PUNTEGGI_DISTINTIVI.values()):
                assert decina == int(punteggio // 10), (decina, punteggio)
                SchedaValutazione.objects.filter(pk=s.pk).update(punteggio_finale=punteggio)
                distintivi[s.pk] = punteggio
            for s, part_time in zip(dipendenti[1::4], PART_TIME_DISTINTIVI):
                SchedaValutazione.objects.filter(pk=s.pk).update(part_time=part_time)
            # As art. 14 c. 6 D.Lgs. 150/2009 has it: the Relazione is published (version 1)
            # before the schede are definitive, then again with the bonuses (version 2).
            SchedaValutazione.objects.filter(ciclo=ciclo).update(stato="presa_visione")
            prima = ciclo_pubblica(ciclo=ciclo, utente=None).pubblicazione
            SchedaValutazione.objects.filter(ciclo=ciclo).update(stato="definitiva")
            premi = premi_ciclo(ciclo)
            admin = get_user_model().objects.get(username="admin")
            ciclo_riapri(ciclo=ciclo, utente=admin, motivazione="Pubblicazione dei premi (art. 20)")
            ciclo.refresh_from_db()
            ciclo_avanza(ciclo=ciclo, utente=admin, atto=ciclo.atto_approvazione)
            ciclo.refresh_from_db()
            pubblicazione = ciclo_pubblica(ciclo=ciclo, utente=None).pubblicazione
            assert (prima.versione, pubblicazione.versione) == (1, 2)
            file_pubblicati_scrivi(ciclo=ciclo)  # as after the commit
            pagine, admin = visita(Client())
            # the files of each version are public by URL, though the pages link the current ones
            for versione in (1, 2):
                for nome in ("dati.json", "dati.csv", "dati-rfc4180.csv", "dati.ods", "relazione.pdf"):
                    pagine.update(visita(Client(), f"/seregno/2021/versioni/{versione}/{nome}")[0])
            yield {"pagine": pagine, "admin": admin, "ciclo": ciclo, "schede": schede,
                   "premi": premi, "distintivi": distintivi, "pubblicazione": pubblicazione}
            transaction.set_rollback(True)


def _normalizza(testo):
    return re.sub(r"[\s.,\u00a0\u202f\u00ad]", "", testo).lower()


def _forme(valore: Decimal) -> set[str]:
    """How a figure can be written on a page or in a file: «1.234,56», «1234,56», «1234.56»."""
    valore = Decimal(valore).quantize(Decimal("0.01"))
    return {formati.numero(valore), formati.numero(valore).replace(".", ""), f"{valore:f}"}


pytestmark = pytest.mark.django_db


def test_the_crawl_reaches_the_published_files_and_the_art20_page(scenario):
    pagine = scenario["pagine"]
    assert all(p.stato == 200 for p in pagine.values()), [
        (u, p.stato) for u, p in pagine.items() if p.stato != 200]
    tipi = {p.tipo for p in pagine.values()}
    assert {"text/html", "application/pdf", "application/json", "text/csv",
            "application/vnd.oasis.opendocument.spreadsheet"} <= tipi
    for url in ("/seregno/2021/premi/", "/seregno/2021/relazione.pdf", "/seregno/2021/dati.json",
                "/seregno/2021/dati.csv", "/seregno/2021/dati.ods", "/seregno/2021/versioni/1/",
                "/seregno/2021/versioni/1/dati.json", "/seregno/2021/versioni/1/relazione.pdf",
                "/seregno/2021/versioni/2/"):
        assert url in pagine, url
    # version 1, published before the evaluations were closed, says the bonuses will follow
    v1 = json.loads(pagine["/seregno/2021/versioni/1/dati.json"].testo)["premi"]
    assert v1["disponibili"] is False and v1["stanziato"] is None
    assert "saranno pubblicati quando le valutazioni individuali" in pagine["/seregno/2021/versioni/1/"].testo
    assert "Premi stanziati (€, art. 20 D.Lgs. 33/2013): da — a 165.000,00." in pagine["/seregno/2021/"].testo
    # the art. 20 page is a published file, served without the database
    assert snapshot.file_per_url("/seregno/2021/premi/") is not None


def test_no_marker_name_matricola_remark_or_distinctive_score_appears_anywhere(scenario):
    trovati = []
    for url, pagina in scenario["pagine"].items():
        minuscolo = pagina.testo.lower()
        compatto = _normalizza(pagina.testo)
        for marcatore in MARCATORI:
            if marcatore.lower() in minuscolo or marcatore.lower() in compatto:
                trovati.append((url, marcatore))
        for punteggio in scenario["distintivi"].values():
            for forma in _forme(punteggio):
                if forma in pagina.testo:
                    trovati.append((url, forma))
    assert trovati == []


def test_no_individual_amount_appears_anywhere(scenario):
    """Every amount paid to one person that no shown aggregate equals (a band's average equals
    everyone's amount when they are all equal: that is the band, ≥ 5 people, not a person)."""
    premi = scenario["premi"]
    dati = json.loads(scenario["pagine"]["/seregno/2021/dati.json"].testo)["premi"]
    aggregati = set()
    for t in [*dati["gruppi"], dati["complessivo"]]:
        aggregati |= {Decimal(str(t["distribuito"])), Decimal(str(t["media"]))}
        aggregati |= {Decimal(str(c[k])) for c in t["fasce"] for k in ("importo", "media")
                      if c[k] is not None}
    importi = [q.importo for q in premi.quote]
    singoli = [i for i in importi if importi.count(i) == 1 and i not in aggregati and i >= 100]
    assert len(singoli) >= 5  # part-time, months and distinctive scores make unique amounts
    trovati = [(url, forma) for url, pagina in scenario["pagine"].items()
               for importo in singoli for forma in _forme(importo) if forma in pagina.testo]
    assert trovati == []


def _persone_mostrate(dati):
    if isinstance(dati, dict):
        for chiave, valore in dati.items():
            if chiave == "persone" and valore is not None:
                yield valore
            else:
                yield from _persone_mostrate(valore)
    elif isinstance(dati, list):
        for valore in dati:
            yield from _persone_mostrate(valore)


def test_the_art20_page_shows_totals_and_bands_and_no_cell_of_one_to_four_people(scenario):
    pagine = scenario["pagine"]
    pagina = pagine["/seregno/2021/premi/"].testo
    premi = scenario["premi"]
    assert "Premi: ammontare e distribuzione (art. 20 D.Lgs. 33/2013)" in pagina
    assert f"Ammontare complessivo dei premi stanziati</dt><dd>{formati.euro(premi.stanziato)}" in pagina
    assert f"effettivamente distribuiti</dt><dd>{formati.euro(premi.distribuito)}" in pagina
    assert "da 90 a 100 punti" in pagina and "Indice di Gini" in pagina
    celle = [int(n.replace(".", "")) for n in re.findall(
        r'data-etichetta="Persone" class="numero">([0-9.]+)<', pagina)]
    assert len(celle) >= 10
    assert all(n == 0 or n >= 5 for n in celle), celle
    dati = json.loads(pagine["/seregno/2021/dati.json"].testo)
    persone = list(_persone_mostrate(dati["premi"]))
    assert persone and all(n == 0 or n >= 5 for n in persone), persone
    # the Relazione links the page, and its PDF has the section with the same figures
    assert 'href="/seregno/2021/premi/"' in pagine["/seregno/2021/"].testo
    pdf = pagine["/seregno/2021/relazione.pdf"].testo
    assert "Premi: ammontare e distribuzione" in pdf
    assert formati.euro(premi.distribuito) in pdf


def test_personal_pages_and_the_admin_of_the_schede_send_anonymous_visitors_to_login(scenario):
    client = Client()
    assert not any(url.startswith("/valutazione-individuale/") for url in scenario["pagine"])
    scheda = scenario["schede"][0]
    percorsi = ["/valutazione-individuale/", f"/valutazione-individuale/schede/{scheda.pk}/",
                f"/valutazione-individuale/schede/{scheda.pk}/azioni/firma_presa_visione/"]
    admin = ["/admin/individuale/schedavalutazione/",
             f"/admin/individuale/schedavalutazione/{scheda.pk}/change/",
             f"/admin/individuale/schedavalutazione/{scheda.pk}/history/",
             "/admin/individuale/persona/", f"/admin/individuale/persona/{scheda.persona_id}/change/",
             "/admin/individuale/fondopremi/"]
    for percorso in percorsi + admin:
        for risposta in (client.get(percorso), client.post(percorso, {"motivi": "x"})):
            assert risposta.status_code == 302, (percorso, risposta.status_code)
            assert "login" in risposta["Location"] or "accedi" in risposta["Location"], percorso
            testo = risposta.content.decode().lower()
            assert not any(m.lower() in testo for m in MARCATORI), percorso
    for percorso in admin:
        assert "/admin/login/" in client.get(percorso)["Location"]
