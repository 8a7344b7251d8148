"""The Seregno 2021 demo: the document's counts, illustrative outcomes that reproduce the
published figures, idempotent reloads, demo users, and clean failures on a broken fixture."""

import json
import shutil
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO
from unittest.mock import patch

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from obiettivi import permessi
from obiettivi.demo import CARTELLA_DEMO, ErroreDatiDemo, carica_demo, carica_demo_successivo
from obiettivi.models import (
    Area,
    Atto,
    Ciclo,
    Ente,
    Fase,
    Indicatore,
    NodoStrategico,
    Obiettivo,
    RispostaRPCT,
    TabellaReport,
    VariazioneObiettivo,
    VoceScheda,
)
from obiettivi.models import TestoReport as _TestoReport  # not "Test*": pytest would collect it
from valutazione.models import Fascia, IndicatoreFinanziario, StandardBarometro
from valutazione.queries import risultati_ciclo

VELOCE = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])

# Counts published by the document (seed notes: "Objectives per area / per azione / per status").
PER_AREA = {"SGP": 20, "EF": 13, "LLPP": 23, "SC": 13, "TER": 11, "SP": 22}
PER_AZIONE = {"1.1": 16, "1.2": 7, "1.3": 2, "1.4": 7, "1.5": 5, "2.1": 30, "2.3": 3,
              "3.1": 26, "3.2": 3, "4.1": 3}
PER_STATO = {"attivo": 98, "stralciato": 1, "rinviato": 1, "sospeso": 1, "non_applicabile": 1}


def fotografia():
    """Every demo table as comparable values (no ids), to prove a reload changes nothing."""
    User = get_user_model()
    return {
        "enti": list(Ente.objects.order_by("slug").values_list("slug", "nome", "abitanti", "densita")),
        "voci": list(VoceScheda.objects.order_by("ordine").values_list("voce", "valore", "ordine")),
        "atti": list(Atto.objects.order_by("organo", "numero").values_list("organo", "numero", "anno", "data", "oggetto", "note")),
        "cicli": list(Ciclo.objects.values_list("anno", "stato", "smvp_id", "dati_dimostrativi", "nota_dati_dimostrativi")),
        "atti_ciclo": sorted(Ciclo.atti.through.objects.values_list("ciclo_id", "atto_id")),
        "nodi": list(NodoStrategico.objects.order_by("codice").values_list("codice", "titolo", "parent__codice", "tree_id", "lft", "rght", "level", "nota")),
        "aree": list(Area.objects.order_by("codice").values_list("codice", "slug", "nome", "lft", "rght", "tree_id")),
        "obiettivi": list(Obiettivo.objects.order_by("codice").values_list(
            "codice", "titolo", "area__codice", "nodo__codice", "tipologia", "stato", "motivazione_stato",
            "anno_rinvio", "peso", "grado_proposto", "grado_validato", "relazione", "ordine")),
        "fasi": list(Fase.objects.order_by("obiettivo__codice", "codice").values_list("obiettivo__codice", "codice", "peso", "percentuale", "inizio", "fine")),
        "indicatori": list(Indicatore.objects.order_by("obiettivo__codice", "codice").values_list("obiettivo__codice", "codice", "target", "consuntivo")),
        "variazioni": sorted(VariazioneObiettivo.objects.values_list("atto__numero", "obiettivo__codice", "effetto", "titolo_nell_atto")),
        "barometro": list(StandardBarometro.objects.order_by("codice").values_list("codice", "grado", "area__codice")),
        "finanziari": list(IndicatoreFinanziario.objects.order_by("codice").values_list("codice", "target", "valore", "direzione")),
        "testi": list(_TestoReport.objects.order_by("sezione", "ordine").values_list("sezione", "ordine", "titolo", "testo")),
        "tabelle": list(TabellaReport.objects.order_by("codice").values_list("codice", "colonne", "righe")),
        "rpct": list(RispostaRPCT.objects.order_by("codice").values_list("codice", "risposta")),
        "utenti": list(User.objects.order_by("username").values_list("username", "is_staff", "is_superuser", "password")),
        "dirigenti": sorted(Area.dirigenti.through.objects.values_list("area__codice", "user__username")),
        "storico_obiettivi": Obiettivo.history.count(),
        "storico_fasi": Fase.history.count(),
    }


@VELOCE
class DemoCaricata(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.riepilogo = carica_demo()
        cls.ciclo = Ciclo.objects.get(ente__slug="seregno", anno=2021)

    def obiettivi(self):
        return Obiettivo.objects.filter(ciclo=self.ciclo)

    # --- the document's data ----------------------------------------------------------------

    def test_obiettivi_per_area_azione_stato(self):
        assert self.obiettivi().count() == 102
        assert Counter(self.obiettivi().values_list("area__codice", flat=True)) == PER_AREA
        assert Counter(self.obiettivi().values_list("nodo__codice", flat=True)) == PER_AZIONE
        assert Counter(self.obiettivi().values_list("stato", flat=True)) == PER_STATO

    def test_codici_per_area_in_ordine_di_documento(self):
        righe = list(self.obiettivi().order_by("ordine").values_list("ordine", "codice", "area__codice"))
        assert [r[0] for r in righe] == list(range(1, 103))
        visti = Counter()
        for _, codice, area in righe:
            visti[area] += 1
            assert codice == f"{area}.{visti[area]:02d}"

    def test_stati_non_attivi(self):
        ob = {o.codice: o for o in self.obiettivi().exclude(stato="attivo")}
        assert ob["SGP.03"].stato == "stralciato"
        assert (ob["LLPP.15"].titolo, ob["LLPP.15"].anno_rinvio) == ("NUOVA SALA CONSILIARE", 2023)
        assert ob["LLPP.15"].stato_esteso == "Rinviato al 2023"
        assert (ob["SC.11"].stato, ob["SC.11"].motivazione_stato) == ("sospeso", "causa COVID-19")
        assert ob["SGP.20"].stato == "non_applicabile"
        assert ob["SGP.20"].motivazione_stato.startswith("Non si sono generalmente verificate")
        for o in ob.values():
            assert (o.grado_proposto, o.grado_validato, o.relazione) == (None, None, "")
            assert not o.fasi.exists() and not o.indicatori.exists()

    def test_albero_strategico(self):
        nodi = NodoStrategico.objects.filter(ciclo=self.ciclo)
        linee = nodi.filter(livello_nome="linea strategica", parent=None)
        azioni = nodi.filter(livello_nome="azione strategica")
        assert linee.count() == 4 and azioni.count() == 11
        assert all(a.parent.livello_nome == "linea strategica" for a in azioni.select_related("parent"))
        assert linee.get(codice="4").titolo == "SCELGO SEREGNO: OLTRE IL TERRITORIO"
        assert azioni.get(codice="4.1").titolo.endswith("Seregno oltre i propri confini")
        vuota = azioni.get(codice="2.2")
        assert vuota.nota == "NON SONO STATI PREVISTI SPECIFICI OBIETTIVI"
        assert not vuota.obiettivi.exists()
        assert list(linee.order_by("tree_id").values_list("codice", flat=True)) == ["1", "2", "3", "4"]

    def test_aree(self):
        aree = dict(Area.objects.filter(ciclo=self.ciclo).values_list("codice", "slug"))
        assert aree == {
            "SGP": "segreteria-programmazione", "EF": "economico-finanziaria",
            "LLPP": "lavori-pubblici", "SC": "servizi-citta", "TER": "territorio",
            "SP": "servizi-persona",
        }

    def test_atti_e_variazioni(self):
        gc96 = Atto.objects.get(organo="Giunta Comunale", numero="96", anno=2021)
        gc140 = Atto.objects.get(organo="Giunta Comunale", numero="140", anno=2021)
        introdotti = VariazioneObiettivo.objects.filter(atto=gc96, effetto="introdotto")
        assert introdotti.count() == 102
        modificati = VariazioneObiettivo.objects.filter(atto=gc140)
        assert modificati.count() == 47
        assert set(modificati.values_list("effetto", flat=True)) == {"modificato"}
        assert all(modificati.values_list("titolo_nell_atto", flat=True))
        assert "ACCORDO QUADRO" in gc140.note
        assert modificati.get(obiettivo__codice="LLPP.06").titolo_nell_atto.endswith("VIA MACALLE")
        # every act is the cycle's, except the (illustrative) Giunta act approving the Relazione
        approvazione = self.ciclo.atto_approvazione
        assert (approvazione.tipo, approvazione.data) == ("delibera_giunta", date(2022, 6, 28))
        assert "dimostrativo" in approvazione.note
        assert set(self.ciclo.atti.all()) == set(
            Atto.objects.filter(ente=self.ciclo.ente).exclude(pk=approvazione.pk))
        assert self.ciclo.atti.count() == 12
        assert self.ciclo.smvp.atto == Atto.objects.get(numero="175", anno=2012)
        assert (self.ciclo.smvp.peso_finanziaria, self.ciclo.smvp.peso_obiettivi,
                self.ciclo.smvp.peso_qualita) == (Decimal("40"), Decimal("30"), Decimal("30"))

    def test_ciclo_dimostrativo(self):
        assert self.ciclo.dati_dimostrativi and self.ciclo.stato == "approvata"
        assert "2,30" in self.ciclo.nota_dati_dimostrativi
        assert "4,00" in self.ciclo.nota_dati_dimostrativi

    def test_ente_e_scheda_servizi(self):
        ente = self.ciclo.ente
        assert (ente.superficie_kmq, ente.altitudine_m, ente.abitanti, ente.densita) == (
            Decimal("13.01"), 222, 43163, Decimal("3317.68"))
        assert (ente.cap, ente.codice_istat, ente.codice_catastale, ente.prefisso_telefonico) == (
            "20831", "015208", "I625", "0362")
        assert ente.abitanti_riferimento == "al 31.12.2010"
        assert len(ente.confinanti) == 9 and ente.confinanti[0] == "Albiate"
        assert ente.email == "info.controllo@seregno.info"
        voci = list(ente.voci_scheda.values_list("voce", flat=True))
        assert voci[0] == "Stazione ferroviaria" and voci[-1] == "Corte d'Appello" and len(voci) == 10

    def test_testi_tabelle_rpct(self):
        sezioni = set(_TestoReport.objects.filter(ciclo=self.ciclo).values_list("sezione", flat=True))
        assert sezioni >= {"presentazione", "contesto", "organigramma", "performance",
                           "anticorruzione", "contatti"}
        for tabella in TabellaReport.objects.filter(ciclo=self.ciclo):
            tabella.clean()  # every row has one cell per column
        personale = TabellaReport.objects.get(ciclo=self.ciclo, codice="personale-flessibile")
        testo = json.dumps(personale.righe, ensure_ascii=False)
        assert "Contrato" not in testo and " pe il " not in testo and "PTCO" not in testo
        assert sum(int(r[0]) for r in personale.righe) == 48
        redditi = TabellaReport.objects.get(ciclo=self.ciclo, codice="confronto-redditi")
        assert redditi.sezione == "contesto" and [r[0] for r in redditi.righe][0] == "Seregno"
        risposte = RispostaRPCT.objects.filter(ciclo=self.ciclo)
        assert list(risposte.values_list("codice", flat=True)) == ["1.A", "1.B", "1.C", "1.D"]
        tutto = " ".join(risposte.values_list("risposta", flat=True))
        for refuso in ("intepreta", "qesto", "utiluizzo", "porre la basi"):
            assert refuso not in tutto

    # --- illustrative outcomes ------------------------------------------------------------

    def test_media_4_in_ogni_azione(self):
        gradi = defaultdict(list)
        for o in self.obiettivi().filter(stato="attivo"):
            assert o.grado_proposto == o.grado_validato and 1 <= o.grado_validato <= 5
            assert o.peso == Decimal("1") and o.relazione
            gradi[o.nodo.codice].append(Decimal(o.grado_validato))
        assert sum(len(g) for g in gradi.values()) == 98
        for azione, valori in gradi.items():
            assert sum(valori) / len(valori) == Decimal("4"), azione
        assert len({g for valori in gradi.values() for g in valori}) > 1  # not all 4s

    def test_fasi_sommano_a_100_e_rientrano_nella_fascia(self):
        fasce = list(Fascia.objects.filter(smvp=self.ciclo.smvp, tipo="raggiungimento"))
        smvp = self.ciclo.smvp
        for o in self.obiettivi().filter(stato="attivo").prefetch_related("fasi", "indicatori"):
            fasi, indicatori = list(o.fasi.all()), list(o.indicatori.all())
            assert fasi or indicatori, o.codice
            assert 1 <= len(fasi) <= 3 or (not fasi and o.grado_validato == 5), o.codice
            perc = []
            if fasi:
                assert sum(f.peso for f in fasi) == Decimal("100"), o.codice
                perc.append((sum(f.peso * f.percentuale for f in fasi) / 100, smvp.quota_fasi))
            if indicatori:
                (ind,) = indicatori
                assert ind.tipo == "alto" and ind.consuntivo >= ind.target * Decimal("1.1")
                valore = min(ind.consuntivo / ind.target * 100, smvp.tetto_raggiungimento)
                perc.append((valore, 100 - smvp.quota_fasi))
            totale = (perc[0][0] if len(perc) == 1
                      else sum(v * q for v, q in perc) / 100)
            (fascia,) = [f for f in fasce if f.da <= totale and (f.a is None or totale < f.a)]
            assert fascia.valore == o.grado_validato, (o.codice, totale)

    def test_barometro_e_indicatori_finanziari(self):
        gradi = list(StandardBarometro.objects.filter(ciclo=self.ciclo).values_list("grado", flat=True))
        assert len(gradi) == 10
        assert Decimal(sum(gradi)) / len(gradi) == Decimal("2.30")
        rispettati = [
            (i.valore >= i.target) if i.direzione == "alto" else (i.valore <= i.target)
            for i in IndicatoreFinanziario.objects.filter(ciclo=self.ciclo)
        ]
        assert (len(rispettati), sum(rispettati)) == (10, 9)

    def test_il_motore_riproduce_le_cifre_pubblicate(self):
        r = risultati_ciclo(self.ciclo)
        assert r.barometro.media == Decimal("2.30")
        assert r.ente.valore == Decimal("4.00")
        assert r.pobj.valore == Decimal("4.00")
        for o in r.obiettivi:
            if o.attivo:
                assert o.grado_calcolato == o.grado_validato, o.codice

    # --- users ----------------------------------------------------------------------------

    def test_utenti_dimostrativi(self):
        User = get_user_model()
        admin, nucleo = User.objects.get(username="admin"), User.objects.get(username="nucleo")
        # issue 17: admin is the Amministratore of Seregno only; the host is «gestore»
        assert not admin.is_superuser and admin.is_staff and admin.check_password("demo")
        assert permessi.is_amministratore(admin, self.ciclo.ente_id)
        assert User.objects.get(username="gestore").is_superuser
        assert nucleo.is_staff and not nucleo.is_superuser and nucleo.check_password("demo")
        for area in Area.objects.filter(ciclo=self.ciclo):
            dirigente = User.objects.get(username=f"dirigente.{area.slug}")
            assert dirigente.is_staff and not dirigente.is_superuser
            assert dirigente.check_password("demo")
            assert list(area.dirigenti.all()) == [dirigente]
        assert [u.username for u in self.riepilogo.utenti][:2] == ["admin", "nucleo"]
        assert len(self.riepilogo.utenti) == 11  # + gestore, sindaco and dipendente.demo

    # --- idempotency ----------------------------------------------------------------------

    def test_ricaricare_non_cambia_nulla(self):
        prima = fotografia()
        with CaptureQueriesContext(connection) as query:
            riepilogo = carica_demo()
        assert riepilogo.modifiche == 0
        assert fotografia() == prima
        scritture = [q["sql"] for q in query.captured_queries
                     if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        assert scritture == []
        assert len(query.captured_queries) <= 60  # bulk reads per table, not one per row

    def test_ricaricare_ripristina_i_valori_modificati(self):
        o = Obiettivo.objects.get(ciclo=self.ciclo, codice="LLPP.07")
        Obiettivo.objects.filter(pk=o.pk).update(titolo="modificato", grado_validato=5)
        Fase.objects.filter(obiettivo=o).delete()
        riepilogo = carica_demo()
        assert riepilogo.conteggi["Obiettivi operativi"].aggiornati == 1
        o.refresh_from_db()
        assert o.titolo == "DEMOLIZIONE EDIFICIO EX CLINICA SANTA MARIA" and o.grado_validato == 2
        assert o.fasi.count() == 3
        assert Obiettivo.objects.filter(ciclo=self.ciclo).count() == 102

    def test_comando(self):
        out = StringIO()
        with patch("trasparenza.services.render_pdf", lambda dati, archivio=True: b"%PDF-1.7\n"):
            call_command("carica_demo", stdout=out)
        testo = out.getvalue()
        assert "nulla è cambiato" in testo
        # and the illustrative 2022, for the years side by side (issue 13)
        assert ("Relazione 2021 pubblicata. Ciclo 2022 dimostrativo creato dal 2021 con esiti "
                "illustrativi. Relazione 2022 pubblicata.") in testo
        for username in ("admin", "nucleo", "dirigente.lavori-pubblici", "dirigente.servizi-persona"):
            assert username in testo
        assert testo.count("demo\n") == 20  # 11 of Seregno, 9 of the Comune di Esempio


@VELOCE
@pytest.mark.django_db
def test_dati_errati_nulla_scritto(tmp_path):
    cartella = tmp_path / "demo"
    shutil.copytree(CARTELLA_DEMO, cartella)
    percorso = cartella / "obiettivi.json"
    obiettivi = json.loads(percorso.read_text(encoding="utf-8"))
    obiettivi[50]["area"] = "XYZ"
    percorso.write_text(json.dumps(obiettivi, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ErroreDatiDemo) as exc:
        carica_demo(cartella=cartella)
    messaggio = str(exc.value)
    assert "obiettivi.json" in messaggio and obiettivi[50]["codice"] in messaggio and "XYZ" in messaggio
    assert not Ente.objects.exists() and not Obiettivo.objects.exists()
    assert not get_user_model().objects.exists()


@VELOCE
@pytest.mark.django_db
def test_json_non_valido(tmp_path):
    cartella = tmp_path / "demo"
    shutil.copytree(CARTELLA_DEMO, cartella)
    (cartella / "barometro.json").write_text("[{", encoding="utf-8")
    with pytest.raises(ErroreDatiDemo, match="barometro.json non è JSON valido"):
        carica_demo(cartella=cartella)
    assert not Ente.objects.exists()


@VELOCE
@pytest.mark.django_db
def test_vincolo_del_database_violato(tmp_path):
    cartella = tmp_path / "demo"
    shutil.copytree(CARTELLA_DEMO, cartella)
    percorso = cartella / "obiettivi.json"
    obiettivi = json.loads(percorso.read_text(encoding="utf-8"))
    rinviato = next(o for o in obiettivi if o["stato"] == "rinviato")
    rinviato["anno_rinvio"] = None
    percorso.write_text(json.dumps(obiettivi, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ErroreDatiDemo, match=rinviato["codice"]):
        carica_demo(cartella=cartella)
    assert not Obiettivo.objects.exists() and not Ente.objects.exists()


@VELOCE
@pytest.mark.django_db
def test_comando_errore_in_italiano(tmp_path, monkeypatch):
    from django.core.management.base import CommandError

    import obiettivi.demo as demo

    monkeypatch.setattr(demo, "CARTELLA_DEMO", tmp_path / "mancante")
    with pytest.raises(CommandError, match="manca il file"):
        call_command("carica_demo", stdout=StringIO())


@VELOCE
@pytest.mark.django_db
def test_seregno_2022_illustrativo_pubblicato_e_idempotente(monkeypatch):
    """carica_demo_successivo: 2021 published first, 2022 copied from it with fixed illustrative
    outcomes, marked as such, published with the trend of both years; a second run writes
    nothing; 2021 keeps its published figures (2,30 and 4,00)."""
    monkeypatch.setattr("trasparenza.services.render_pdf", lambda dati, archivio=True: b"%PDF-1.7\n")
    carica_demo()
    primo = carica_demo_successivo()
    assert (primo.creato, primo.pubblicato, primo.pubblicato_2021) == (True, True, True)
    c22 = primo.ciclo
    assert (c22.anno, c22.stato, c22.dati_dimostrativi) == (2022, "pubblicata", True)
    assert "illustrativi" in c22.nota_dati_dimostrativi
    ob = Obiettivo.objects.filter(ciclo=c22)
    assert ob.count() == 101  # the struck SGP.03 is not copied
    assert not ob.filter(grado_validato__isnull=True).exists()
    gradi = dict(ob.values_list("codice", "grado_validato"))
    c21 = Ciclo.objects.get(ente=c22.ente, anno=2021)
    r21 = risultati_ciclo(c21)
    assert (r21.barometro.media, r21.ente.valore) == (Decimal("2.30"), Decimal("4.00"))
    dati = c22.pubblicazioni.get().dati
    assert [a["anno"] for a in dati["andamento"]] == [2021, 2022]
    assert dati["andamento"][0]["livello_performance_ente"] == 4.0

    prima = fotografia()
    storici = Obiettivo.history.count()
    secondo = carica_demo_successivo()
    assert (secondo.creato, secondo.pubblicato, secondo.pubblicato_2021) == (False, False, False)
    assert fotografia() == prima and Obiettivo.history.count() == storici
    assert c22.pubblicazioni.count() == 1 and c21.pubblicazioni.count() == 1
    assert dict(ob.values_list("codice", "grado_validato")) == gradi
