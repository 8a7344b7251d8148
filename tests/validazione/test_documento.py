"""The Nucleo's documento di validazione on the Seregno demo (published): drafted from the
verifiche, written and signed only by the Nucleo, immutable once signed (for everyone, at the
model), published at /seregno/2021/validazione/ and .pdf (404 before), named in the Relazione's
summary, and moving the cycle to «validata» — or back to «validazione» when «non validata»."""

import datetime
import tempfile
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import TestCase, override_settings

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo, RiaperturaCiclo
from obiettivi.workflow import ciclo_avanza, ciclo_pubblica
from seregno_perf import formati
from trasparenza.models import Pubblicazione
from validazione import services
from validazione.models import DocumentoFirmato, DocumentoValidazione

Esito = DocumentoValidazione.Esito
Stato = Ciclo.Stato
PDF_FINTO = b"%PDF-1.7\n% validazione\n%%EOF\n"


def corpo(risposta) -> str:
    """The body of a page, whether a view rendered it or the published file was served."""
    assert risposta.status_code == 200, risposta.status_code
    if risposta.streaming:
        return b"".join(risposta.streaming_content).decode()
    return risposta.content.decode()


def _pdf_relazione(dati, archivio=True):
    return b"%PDF-1.7\n% " + dati["impronta"].encode() + b"\n%%EOF\n"


class ConDemoPubblicata(TestCase):
    @classmethod
    def setUpTestData(cls):
        carica_demo()
        cls.ciclo = Ciclo.objects.select_related("ente").get(ente__slug="seregno", anno=2021)
        with mock.patch("trasparenza.services.render_pdf", _pdf_relazione):
            cls.pubblicazione = ciclo_pubblica(ciclo=cls.ciclo, utente=None).pubblicazione
        cls.utenti = {u.username: u for u in get_user_model().objects.all()}
        cls.nucleo = cls.utenti["nucleo"]
        cls.admin = cls.utenti["admin"]
        cls.dirigente = next(u for n, u in cls.utenti.items() if n.startswith("dirigente."))

    def setUp(self):
        # the published files of each test in their own folder (the database is rolled back,
        # files are not): pages come from the views until a signature writes them
        self.enterContext(override_settings(PUBBLICAZIONI_ROOT=tempfile.mkdtemp()))

    def bozza(self, **campi):
        documento = services.documento_bozza(DocumentoValidazione(ciclo=self.ciclo))
        documento.ricevuta_il = datetime.date(2022, 6, 20)
        documento.esito = campi.pop("esito", Esito.VALIDATA)
        documento.motivazione = campi.pop("motivazione", "La Relazione è conforme e attendibile.")
        for campo, valore in campi.items():
            setattr(documento, campo, valore)
        documento.save()
        documento.firmatari.add(self.nucleo)
        return documento

    def firma(self, documento, utente=None):
        with mock.patch("validazione.services.render_pdf", lambda d: PDF_FINTO), \
                self.captureOnCommitCallbacks(execute=True):
            return services.documento_firma(documento=documento, utente=utente or self.nucleo)


class TestBozza(ConDemoPubblicata):
    def test_the_draft_comes_from_the_cycle_and_its_verifiche(self):
        documento = services.documento_bozza(DocumentoValidazione(ciclo=self.ciclo))
        self.assertEqual(documento.pubblicazione, self.pubblicazione)
        self.assertEqual(documento.atto_approvazione, self.ciclo.atto_approvazione)
        self.assertIn(self.pubblicazione.impronta, documento.documenti_esaminati)
        self.assertTrue(documento.illustrativo)  # the demo's data are illustrative
        # each criterion starts from the outcome lines of its verifiche
        self.assertIn("5. Variazioni del piano coperte da atti: con rilievi.", documento.scostamenti)
        self.assertIn("SGP.03", documento.scostamenti)
        self.assertIn("14. Apporto dei cittadini e degli utenti: con rilievi.",
                      documento.partecipazione)
        self.assertIn("15. Approvazione della Giunta: superata.", documento.conformita)
        self.assertIn("Nessuna verifica automatica", documento.chiarezza)

    def test_the_nucleo_own_text_is_kept(self):
        documento = DocumentoValidazione(ciclo=self.ciclo, chiarezza="Testo del Nucleo.")
        self.assertEqual(services.documento_bozza(documento).chiarezza, "Testo del Nucleo.")


class TestFirma(ConDemoPubblicata):
    def test_signing_freezes_fingerprints_and_validates_the_cycle(self):
        documento = self.firma(self.bozza())
        documento.refresh_from_db()
        self.assertIsNotNone(documento.firmato_il)
        self.assertEqual(documento.firmato_da, self.nucleo)
        self.assertEqual(len(documento.impronta), 64)
        self.assertEqual(documento.impronta, services.impronta(documento.dati))
        self.assertEqual(documento.dati["relazione"]["impronta"], self.pubblicazione.impronta)
        self.assertEqual(len(documento.verifiche), 15)
        self.assertEqual(documento.dati["verifiche"], documento.verifiche)
        self.assertEqual(documento.pdf.read(), PDF_FINTO)
        self.ciclo.refresh_from_db()
        self.assertEqual(self.ciclo.stato, Stato.VALIDATA)
        self.assertEqual(self.ciclo.history.first().history_user, self.nucleo)

    def test_non_validata_sends_the_cycle_back_with_the_reasons(self):
        self.firma(self.bozza(esito=Esito.NON_VALIDATA,
                              motivazione="Mancano le motivazioni degli obiettivi rinviati."))
        self.ciclo.refresh_from_db()
        self.assertEqual(self.ciclo.stato, Stato.VALIDAZIONE)
        riapertura = RiaperturaCiclo.objects.get(ciclo=self.ciclo)
        self.assertEqual((riapertura.da_stato, riapertura.a_stato, riapertura.utente),
                         (Stato.PUBBLICATA, Stato.VALIDAZIONE, self.nucleo))
        self.assertIn("Mancano le motivazioni degli obiettivi rinviati.", riapertura.motivazione)
        # the reasons stay on the cycle's page for the Amministratore
        self.client.force_login(self.admin)
        pagina = self.client.get(f"/admin/obiettivi/ciclo/{self.ciclo.pk}/change/")
        self.assertContains(pagina, "Relazione non validata dal Nucleo di valutazione: Mancano "
                                    "le motivazioni degli obiettivi rinviati.")

    def test_the_cycle_page_waits_for_the_nucleo(self):
        self.client.force_login(self.admin)
        pagina = self.client.get(f"/admin/obiettivi/ciclo/{self.ciclo.pk}/change/")
        self.assertContains(pagina, "In attesa del documento di validazione del Nucleo")
        self.assertNotContains(pagina, "Passa a «Validata dal Nucleo»")

    def test_only_the_nucleo_signs(self):
        documento = self.bozza()
        for utente in (self.admin, self.dirigente):
            with self.assertRaisesMessage(ValidationError, "Solo il Nucleo di valutazione firma"):
                self.firma(documento, utente)
        documento.refresh_from_db()
        self.assertFalse(documento.firmato)
        self.ciclo.refresh_from_db()
        self.assertEqual(self.ciclo.stato, Stato.PUBBLICATA)

    def test_incomplete_documents_are_refused_naming_the_fields(self):
        documento = self.bozza(esito="", motivazione="", chiarezza="  ")
        documento.firmatari.clear()
        with self.assertRaises(ValidationError) as errore:
            self.firma(documento)
        testo = " ".join(errore.exception.messages)
        for campo in ("Esito:", "Motivazione dell'esito:", "Chiarezza e comprensibilità",
                      "Componenti del Nucleo che firmano:"):
            self.assertIn(campo, testo)
        documento.refresh_from_db()
        self.assertFalse(documento.firmato)

    def test_a_cycle_not_published_cannot_be_validated(self):
        documento = self.bozza()
        Ciclo.objects.filter(pk=self.ciclo.pk).update(stato=Stato.APPROVATA)
        with self.assertRaisesMessage(ValidationError, "si valida dopo la sua pubblicazione"):
            self.firma(documento)

    def test_the_amministratore_cannot_move_the_cycle_to_validata(self):
        with self.assertRaisesMessage(ValidationError, "solo quando il Nucleo di valutazione firma"):
            ciclo_avanza(ciclo=self.ciclo, utente=self.admin)

    def test_republishing_a_validated_cycle_keeps_it_validated(self):
        self.firma(self.bozza())
        with mock.patch("trasparenza.services.render_pdf", _pdf_relazione):
            esito = ciclo_pubblica(ciclo=self.ciclo, utente=None)
        self.assertFalse(esito.nuova)
        self.assertEqual(esito.ciclo.stato, Stato.VALIDATA)


class TestDatiAperti(ConDemoPubblicata):
    def test_a_version_published_after_a_validation_names_it_in_its_data(self):
        import json

        from obiettivi.models import Obiettivo
        from obiettivi.workflow import ciclo_riapri
        from trasparenza.report import impronta

        self.assertIsNone(self.pubblicazione.dati["validazione"])
        documento = self.firma(self.bozza())
        # a correction: reopened, changed, approved again, published as version 2
        ciclo_riapri(ciclo=self.ciclo, utente=self.admin, motivazione="Errore materiale.")
        ob = Obiettivo.objects.filter(ciclo=self.ciclo).order_by("codice").first()
        ob.titolo += " (corretto)"
        ob.save()
        ciclo_avanza(ciclo=self.ciclo, utente=self.admin, atto=self.ciclo.atto_approvazione)
        with mock.patch("trasparenza.services.render_pdf", _pdf_relazione), \
                self.captureOnCommitCallbacks(execute=True):
            v2 = ciclo_avanza(ciclo=self.ciclo, utente=self.admin).pubblicazioni.get(versione=2)
        self.assertEqual(v2.dati["validazione"], {
            "esito": "validata", "data": formati.leggi_data(formati.data(documento.firmato_il))
            .isoformat(), "impronta": documento.impronta, "link": "/seregno/2021/validazione/",
            "versione_relazione": 1,
        })
        self.assertEqual(impronta(v2.dati), v2.impronta)  # not part of the data's fingerprint
        dati = json.loads(corpo(self.client.get("/seregno/2021/dati.json")))
        self.assertEqual(dati["validazione"]["impronta"], documento.impronta)
        # version 2 waits for its own validation
        self.assertIn("In attesa di validazione", corpo(self.client.get("/seregno/2021/")))


class TestImmutabile(ConDemoPubblicata):
    def test_a_signed_document_cannot_be_changed_by_anyone(self):
        documento = self.firma(self.bozza())
        documento.refresh_from_db()
        documento.motivazione = "Cambiata dopo la firma."
        with self.assertRaises(DocumentoFirmato):
            documento.save()
        with self.assertRaises(DocumentoFirmato):
            DocumentoValidazione.objects.filter(pk=documento.pk).update(motivazione="x")
        with self.assertRaises(DocumentoFirmato):
            DocumentoValidazione.objects.filter(pk=documento.pk).delete()
        with self.assertRaises(DocumentoFirmato):
            documento.delete()
        # (each in a savepoint: Django's m2m writes run the signal inside the test's transaction)
        with self.assertRaises(DocumentoFirmato), transaction.atomic():
            documento.firmatari.add(self.admin)
        with self.assertRaises(DocumentoFirmato), transaction.atomic():
            documento.firmatari.clear()
        self.assertEqual(list(documento.firmatari.all()), [self.nucleo])
        self.assertEqual(DocumentoValidazione.objects.get(pk=documento.pk).motivazione,
                         "La Relazione è conforme e attendibile.")

    def test_a_new_document_supersedes_the_signed_one(self):
        primo = self.firma(self.bozza())
        secondo = self.bozza(esito=Esito.CON_OSSERVAZIONI, motivazione="Con un'osservazione.")
        self.assertEqual(secondo.sostituisce, primo)
        self.firma(secondo)
        self.assertEqual(services.validazione_firmata(self.ciclo.pk), secondo)
        self.assertEqual(DocumentoValidazione.objects.filter(firmato_il__isnull=False).count(), 2)
        risposta = self.client.get("/seregno/2021/validazione/")
        self.assertContains(risposta, "Con un&#x27;osservazione.")
        self.assertContains(risposta, primo.impronta)

    def test_a_draft_can_still_be_edited_and_deleted(self):
        documento = self.bozza()
        documento.motivazione = "Corretta."
        documento.save()
        DocumentoValidazione.objects.filter(pk=documento.pk).delete()
        self.assertFalse(DocumentoValidazione.objects.exists())


class TestPubblico(ConDemoPubblicata):
    def test_404_without_a_signed_validation_and_the_summary_waits(self):
        self.bozza(motivazione="ZqbozzaNucleo77")
        self.assertEqual(self.client.get("/seregno/2021/validazione/").status_code, 404)
        self.assertEqual(self.client.get("/seregno/2021/validazione.pdf").status_code, 404)
        relazione = corpo(self.client.get("/seregno/2021/"))
        self.assertIn("In attesa di validazione", relazione)
        self.assertNotIn("ZqbozzaNucleo77", relazione)

    def test_the_signed_document_is_public_and_named_by_the_relazione(self):
        documento = self.firma(self.bozza())
        risposta = self.client.get("/seregno/2021/validazione/")
        self.assertEqual(risposta.status_code, 200)
        self.assertContains(risposta, "Esito: validata")
        self.assertContains(risposta, self.pubblicazione.impronta)
        self.assertContains(risposta, documento.impronta)
        self.assertContains(risposta, "Documento illustrativo")
        pdf = self.client.get("/seregno/2021/validazione.pdf")
        self.assertEqual((pdf.status_code, pdf["Content-Type"]), (200, "application/pdf"))
        self.assertEqual(b"".join(pdf.streaming_content), PDF_FINTO)
        data = formati.data(documento.firmato_il)
        for indirizzo in ("/seregno/2021/", "/seregno/2021/versioni/1/"):
            relazione = corpo(self.client.get(indirizzo))  # the file rewritten at signing
            self.assertIn(f"Validata dal Nucleo di valutazione il {data}</strong>, esito "
                          "«validata»", relazione)
            self.assertIn('href="/seregno/2021/validazione/"', relazione)
            self.assertNotIn("In attesa di validazione", relazione)
        with override_settings(PUBBLICAZIONI_ROOT=tempfile.mkdtemp()):  # no file: the view
            risposta = self.client.get("/seregno/2021/")
            self.assertFalse(risposta.streaming)
            self.assertIn(f"Validata dal Nucleo di valutazione il {data}", corpo(risposta))


class TestPdfA(ConDemoPubblicata):
    def test_the_pdf_is_pdf_a_with_the_fingerprints(self):
        import io
        import subprocess

        from pypdf import PdfReader

        documento = self.bozza()
        with self.captureOnCommitCallbacks(execute=True):
            services.documento_firma(documento=documento, utente=self.nucleo)
        documento.refresh_from_db()
        contenuto = documento.pdf.read()
        lettore = PdfReader(io.BytesIO(contenuto))
        metadati = lettore.xmp_metadata
        self.assertIsNotNone(metadati)
        xmp = lettore.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
        self.assertIn("pdfaid", xmp)
        self.assertIn('pdfaid:part="3"', xmp)  # PDF/A-3u, as the Relazione
        testo = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=contenuto,
                               capture_output=True, check=True).stdout.decode()
        self.assertIn("Validazione della Relazione sulla Performance 2021", testo)
        self.assertIn("Esito: validata", testo)
        compatto = "".join(testo.split())
        self.assertIn(self.pubblicazione.impronta, compatto)
        self.assertIn(documento.impronta, compatto)


class TestPermessi(ConDemoPubblicata):
    def test_permission_matrix_of_the_admin(self):
        documento = self.bozza()
        lista = "/admin/validazione/documentovalidazione/"
        aggiungi = f"{lista}add/?ciclo={self.ciclo.pk}"
        modifica = f"{lista}{documento.pk}/change/"
        firma = f"{lista}{documento.pk}/firma/"
        attese = {
            # user: (list, add, change page, sign page)
            "nucleo": (200, 200, 200, 200),
            "admin": (200, 403, 200, 403),  # reads only (the change page is read-only)
            # a dirigente has no document: its page does not exist for them (404, as every row
            # outside the user's scope, NonVisibile404Mixin)
            self.dirigente.username: (403, 403, 404, 403),
        }
        for nome, codici in attese.items():
            self.client.force_login(self.utenti[nome])
            ottenuti = tuple(self.client.get(u).status_code for u in (lista, aggiungi, modifica, firma))
            self.assertEqual(ottenuti, codici, nome)
            if nome == "admin":
                pagina = self.client.get(modifica).content.decode()
                self.assertNotIn('name="motivazione"', pagina)
                self.assertNotIn("Firma e pubblica", pagina)
        # the Amministratore's POST changes nothing
        self.client.force_login(self.admin)
        self.assertEqual(self.client.post(firma).status_code, 403)
        self.client.post(modifica, {"motivazione": "Dell'Amministratore"})
        documento.refresh_from_db()
        self.assertFalse(documento.firmato)
        self.assertNotEqual(documento.motivazione, "Dell'Amministratore")

    def test_the_add_page_comes_drafted_and_the_nucleo_signs_from_the_admin(self):
        self.client.force_login(self.nucleo)
        pagina = self.client.get(
            f"/admin/validazione/documentovalidazione/add/?ciclo={self.ciclo.pk}").content.decode()
        self.assertIn("5. Variazioni del piano coperte da atti: con rilievi.", pagina)
        documento = self.bozza()
        firma = f"/admin/validazione/documentovalidazione/{documento.pk}/firma/"
        self.assertContains(self.client.get(firma), "Con la firma il documento diventa immutabile")
        with mock.patch("validazione.services.render_pdf", lambda d: PDF_FINTO), \
                self.captureOnCommitCallbacks(execute=True):
            risposta = self.client.post(firma)
        self.assertEqual(risposta.status_code, 302)
        documento.refresh_from_db()
        self.assertTrue(documento.firmato)
        # signed: read-only for the Nucleo too, no signing again
        pagina = self.client.get(f"/admin/validazione/documentovalidazione/{documento.pk}/change/")
        self.assertNotContains(pagina, 'name="motivazione"')
        self.assertContains(self.client.get(firma), "è già firmato")

    def test_a_superuser_only_reads(self):
        documento = self.firma(self.bozza())
        superutente = get_user_model().objects.create_superuser("radice", "r@example.org", "x")
        self.client.force_login(superutente)
        lista = "/admin/validazione/documentovalidazione/"
        self.assertEqual(self.client.get(f"{lista}add/").status_code, 403)
        pagina = self.client.get(f"{lista}{documento.pk}/change/")
        self.assertNotContains(pagina, 'name="motivazione"')
        self.assertEqual(Pubblicazione.objects.count(), 1)
