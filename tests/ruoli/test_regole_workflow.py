"""The workflow and the admin apply ``obiettivi.regole`` with the cycle's own SMVP scale, and a
text with control characters never reaches the database by the paths that bypass a form."""

import io

import pytest
from django.core.exceptions import ValidationError

from obiettivi import workflow
from obiettivi.peg.importa import importa_workbook
from obiettivi.models import Ciclo, Obiettivo, RiaperturaCiclo
from valutazione.models import LivelloScala
from valutazione.services import smvp_create_default

from .conftest import admin_url, dati_della_pagina

pytestmark = pytest.mark.django_db


@pytest.fixture
def scala_1_4(mondo):
    """The open cycle's SMVP has grades 1–4 only (an ente with a shorter scale)."""
    smvp = smvp_create_default(nome="Scala corta")
    smvp.livelli.filter(scala=LivelloScala.Scala.GRADO, valore=5).delete()
    Ciclo.objects.filter(pk=mondo.aperto.pk).update(smvp=smvp)
    return smvp


def test_il_nucleo_non_valida_un_grado_fuori_dalla_scala_dell_smvp(mondo, scala_1_4):
    with pytest.raises(ValidationError) as errore:
        workflow.obiettivo_valida(obiettivo=mondo.inviato, utente=mondo.nucleo, grado_validato=5,
                                  motivazione_grado="Superato.")
    assert errore.value.messages == [
        "Obiettivo LP.02: Il grado 5 non è nella scala dell'SMVP del ciclo (1, 2, 3, 4)."]
    workflow.obiettivo_valida(obiettivo=mondo.inviato, utente=mondo.nucleo, grado_validato=3,
                              motivazione_grado="Parte non conclusa.")


def test_nell_admin_il_grado_proposto_fuori_scala_e_un_errore_del_campo(client, mondo, scala_1_4):
    client.force_login(mondo.dirigente)
    indirizzo = admin_url(Obiettivo, "change", mondo.proprio.pk)
    dati = dati_della_pagina(client.get(indirizzo))
    dati.update(relazione="Fatto.", grado_proposto="5")
    risposta = client.post(indirizzo, dati)
    assert risposta.status_code == 200
    assert risposta.context["adminform"].form.errors["grado_proposto"] == [
        "Il grado 5 non è nella scala dell'SMVP del ciclo (1, 2, 3, 4)."]
    dati["grado_proposto"] = "4"
    # 4 is two levels above the computed grade: the rule of a far-off grade asks why
    dati["spiegazione_grado"] = "Il collaudo è stato anticipato rispetto al piano."
    assert client.post(indirizzo, dati).status_code == 302


def test_una_riapertura_con_caratteri_di_controllo_e_rifiutata(mondo):
    with pytest.raises(ValidationError, match="U\\+0007"):
        workflow.ciclo_riapri(ciclo=mondo.chiuso, utente=mondo.amministratore,
                              motivazione="Correzione\x07 del target", stato="validazione")
    assert not RiaperturaCiclo.objects.exists()
    assert Ciclo.objects.get(pk=mondo.chiuso.pk).stato == Ciclo.Stato.APPROVATA


def test_un_nul_in_un_csv_importato_non_arriva_al_database(mondo):
    """A NUL imported from CSV was stored on SQLite and published raw in dati.csv."""
    file = io.BytesIO("codice;titolo;descrizione;area;nodo\n"
                      "NUOVO;Nuovo;Prima\x00dopo;A;1\n".encode())
    file.name = "obiettivi.csv"
    esito = importa_workbook(file=file, ciclo=mondo.aperto)
    assert [str(e) for e in esito.errori] == [
        "Foglio obiettivi, riga 2, colonna descrizione: Il testo contiene un carattere di "
        "controllo invisibile (U+0000, carattere 6) che non si può salvare: cancellarlo e "
        "riscrivere il testo."]
    assert not esito.scritto and not Obiettivo.objects.filter(codice="NUOVO").exists()
