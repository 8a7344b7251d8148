"""Admin pages: preview then confirm, errors shown, export and templates, roles."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from obiettivi import permessi
from obiettivi.peg.importa import leggi_file
from obiettivi.models import Area, Obiettivo

from .conftest import COMPLETO

pytestmark = pytest.mark.django_db
URL = "/admin/obiettivi/ciclo/peg/"


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("capo", password="x"))
    return client


def _carica(client, ciclo, percorso, **extra):
    file = SimpleUploadedFile(percorso.name, percorso.read_bytes())
    return client.post(URL, {"ciclo": ciclo.pk, "file": file, "foglio": "", **extra})


def test_anteprima_poi_conferma(admin_client, ciclo, workbook):
    assert reverse("admin:obiettivi_peg_importa") == URL
    pagina = admin_client.get(URL)
    assert pagina.status_code == 200 and "Importa il PEG" in pagina.content.decode()

    anteprima = _carica(admin_client, ciclo, workbook())
    testo = anteprima.content.decode()
    assert anteprima.status_code == 200
    assert "Anteprima: peg.xlsx nel ciclo prova — 2021" in testo
    assert '<tr><th scope="row">obiettivi</th><td>3</td><td>0</td><td>0</td></tr>' in testo
    assert "<td>O1 / F2</td><td>da creare</td>" in testo
    assert not Obiettivo.objects.exists()
    # «Conferma» above the list of changes and below it: a long preview needs no scrolling
    assert testo.count('name="_conferma"') == 2
    assert testo.index('name="_conferma"') < testo.index('id="modifiche-importazione"')

    token = anteprima.context["token"]
    conferma = admin_client.post(URL, {"_conferma": "1", "token": token})
    assert conferma.status_code == 302
    assert Obiettivo.objects.filter(ciclo=ciclo).count() == 3
    assert Obiettivo.history.filter(codice="O1").get().history_user.username == "capo"
    # The stored file is gone; the same token cannot write twice.
    di_nuovo = admin_client.post(URL, {"_conferma": "1", "token": token}, follow=True)
    assert "Anteprima scaduta o già confermata" in di_nuovo.content.decode()

    stesso = _carica(admin_client, ciclo, workbook())
    assert "peg.xlsx: nessuna modifica" in stesso.content.decode()
    assert stesso.context["token"] == ""


def test_errori_in_pagina_e_nessuna_conferma(admin_client, ciclo, workbook):
    fogli = dict(COMPLETO, fasi=[["O1", "F1", "Analisi", "X", "100", "", ""]])
    risposta = _carica(admin_client, ciclo, workbook(fogli))
    testo = risposta.content.decode()
    assert "peg.xlsx: 1 errore" in testo
    assert "<li>Foglio fasi, riga 2, colonna peso: «X» non è un numero; scrivi 1.250,5" in testo
    assert "_conferma" not in testo
    assert not Obiettivo.objects.exists()


def test_dirigente_vede_l_errore_dell_altra_area(client, ciclo, workbook, django_user_model, tmp_path):
    from obiettivi.peg.importa import importa_workbook

    importa_workbook(file=workbook(), ciclo=ciclo)
    ciclo.stato = "rendicontazione"
    ciclo.save()
    dirigente = django_user_model.objects.create_user("dir.a1", password="x", is_staff=True)
    dirigente.groups.add(Group.objects.get_or_create(name=permessi.DIRIGENTE)[0])
    Area.objects.get(ciclo=ciclo, codice="A1").dirigenti.add(dirigente)
    client.force_login(dirigente)
    file = workbook({"fasi": [["O2", "F1", "Unica", "100", "50", "", ""]]}, nome="fasi.xlsx")
    testo = _carica(client, ciclo, file).content.decode()
    assert ("Foglio fasi, riga 2, colonna obiettivo: l&#x27;obiettivo &#x27;O2&#x27; non è tra gli "
            "obiettivi delle aree di cui &#x27;dir.a1&#x27; è dirigente") in testo
    # The export carries only their areas.
    risposta = client.get(reverse("admin:obiettivi_peg_esporta"),
                          {"ciclo": ciclo.pk, "contenuto": "dati", "formato": "xlsx"})
    assert risposta.status_code == 200
    esportato = tmp_path / "esportato.xlsx"
    esportato.write_bytes(risposta.content)
    fogli = leggi_file(esportato)
    assert [r[0] for r in fogli["obiettivi"]] == ["O1", "O3"]


def test_esportazioni_e_modelli(admin_client, ciclo, workbook, tmp_path):
    from obiettivi.peg.importa import importa_workbook

    importa_workbook(file=workbook(), ciclo=ciclo)
    esporta = reverse("admin:obiettivi_peg_esporta")
    for contenuto, formato, nome in (("dati", "ods", "peg_prova_2021.ods"),
                                     ("risultati", "xlsx", "risultati_prova_2021.xlsx")):
        risposta = admin_client.get(esporta, {"ciclo": ciclo.pk, "contenuto": contenuto, "formato": formato})
        assert risposta.status_code == 200
        assert risposta["Content-Disposition"] == f'attachment; filename="{nome}"'
        file = tmp_path / nome
        file.write_bytes(risposta.content)
        if contenuto == "dati":
            assert leggi_file(file)["obiettivi"].height == 3
    modello = admin_client.get(reverse("admin:obiettivi_peg_modello", args=["modello_vuoto.xlsx"]))
    assert modello.status_code == 200 and modello["Content-Disposition"].startswith("attachment")
    assert admin_client.get(reverse("admin:obiettivi_peg_modello", args=["settings.py"])).status_code == 404
    indice = admin_client.get(reverse("admin:app_list", args=["obiettivi"]))
    assert URL in indice.content.decode()


def test_senza_ruolo_vietato(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("ospite", password="x", is_staff=True))
    assert client.get(URL).status_code == 403
    assert client.get(reverse("admin:obiettivi_peg_esporta")).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to the admin login


def test_a_flood_of_errors_shows_the_first_hundred_and_the_count(admin_client, ciclo, tmp_path, settings):
    settings.PEG_IMPORT_RIGHE_SINCRONE = 10_000  # in the request (the job's page: test_lavoro.py)
    righe = "".join(f"O{i};Obiettivo {i};;A1;1.1;;X;attivo;;\n" for i in range(3000))
    file = tmp_path / "obiettivi.csv"
    file.write_text("codice;titolo;descrizione;area;nodo;tipologia;peso;stato;motivazione;"
                    "anno_rinvio\n" + righe, encoding="utf-8")
    risposta = _carica(admin_client, ciclo, file)
    testo = risposta.content.decode()
    assert "obiettivi.csv: 3000 errori" in testo
    assert testo.count("<li>Foglio obiettivi, riga") == 100
    assert "… e altri 2900 errori: sono mostrati i primi 100." in testo
    assert len(risposta.content) < 100_000
