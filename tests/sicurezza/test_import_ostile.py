"""Hostile files for the PEG import (``obiettivi.peg.importa.importa_workbook``, the service
behind ``importa_peg`` and the admin's import page): non-UTF-8 text, path-like file names,
SQL-looking strings, absurd numbers, files above PEG_IMPORT_MAX_BYTES. Each is refused with an
Italian message saying what and where (or, for strings, stored verbatim); nothing is written
partially."""

import io

import pytest
from django.test import override_settings

from obiettivi.peg.importa import ciclo_per_importazione, importa_workbook
from obiettivi.models import Area, Obiettivo

pytestmark = pytest.mark.django_db

AREE = "codice;nome;padre\nA1;Area uno;\n"
ALBERO = "codice;titolo;padre;livello\n1;Linea uno;;linea\n1.1;Azione uno;1;azione\n"
TESTA_OBIETTIVI = "codice;titolo;descrizione;area;nodo;tipologia;peso;stato;motivazione;anno_rinvio\n"


def _file(nome, testo):
    contenuto = testo.encode("utf-8") if isinstance(testo, str) else testo
    f = io.BytesIO(contenuto)
    f.name = nome
    return f


@pytest.fixture
def ciclo():
    ciclo, _ = ciclo_per_importazione(ente="ostile", anno=2030, crea=True, nome_ente="Comune O")
    for nome, testo in (("aree.csv", AREE), ("albero.csv", ALBERO)):
        esito = importa_workbook(file=_file(nome, testo), ciclo=ciclo)
        assert esito.ok, esito.righe_report()
    return ciclo


def _obiettivi(ciclo, righe, nome="obiettivi.csv"):
    return importa_workbook(file=_file(nome, TESTA_OBIETTIVI + righe), ciclo=ciclo)


def _messaggi(esito):
    return "\n".join(str(e) for e in esito.errori)


def test_a_non_utf8_csv_is_refused_with_the_byte_position(ciclo):
    esito = importa_workbook(
        file=_file("obiettivi.csv", (TESTA_OBIETTIVI + "O1;Attività;;A1;1.1;;1;attivo;;\n").encode("latin-1")),
        ciclo=ciclo,
    )
    assert not esito.ok
    assert "il file CSV non è in UTF-8 (byte non valido alla posizione" in _messaggi(esito)
    assert not Obiettivo.objects.filter(ciclo=ciclo).exists()


def test_a_binary_file_with_a_workbook_name_is_refused(ciclo):
    esito = importa_workbook(file=_file("peg.xlsx", b"\x00\xff" * 500), ciclo=ciclo)
    assert not esito.ok and "non è un XLSX leggibile" in _messaggi(esito)


@pytest.mark.parametrize("nome", ["../../../../etc/obiettivi.csv", "/tmp/../obiettivi.csv",
                                  "C:\\\\Windows\\\\..\\\\obiettivi.csv"])
def test_a_path_like_file_name_is_only_a_name(ciclo, tmp_path, nome):
    esito = _obiettivi(ciclo, "O1;Obiettivo uno;;A1;1.1;;1;attivo;;\n", nome=nome)
    # the name is used only to tell the format: only its last component is kept
    assert "/" not in esito.file
    if "\\\\" in nome:
        assert not esito.ok  # «C:\\…\\obiettivi.csv» is not a known sheet name: refused
        assert "non è tra quelli del modello" in _messaggi(esito)
    else:
        assert esito.ok, esito.righe_report()
        assert esito.file == "obiettivi.csv"


def test_sql_looking_strings_are_stored_verbatim(ciclo):
    sql = "x'); DROP TABLE obiettivi_obiettivo;-- OR 1=1"
    esito = _obiettivi(ciclo, f'O1;"{sql}";"<script>alert(1)</script>";A1;1.1;;1;attivo;;\n')
    assert esito.ok, esito.righe_report()
    ob = Obiettivo.objects.get(ciclo=ciclo, codice="O1")
    assert ob.titolo == sql and ob.descrizione == "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("peso", "parola"),
    [("-1", "peso"), ("NaN", "peso"), (str(10**30), "peso"), ("1e400", "peso")],
)
def test_absurd_weights_are_refused_and_nothing_is_written(ciclo, peso, parola):
    esito = _obiettivi(ciclo, f"O1;Buono;;A1;1.1;;1;attivo;;\nO2;Assurdo;;A1;1.1;;{peso};attivo;;\n")
    assert not esito.ok
    messaggi = _messaggi(esito)
    assert "riga 3" in messaggi.lower() and parola in messaggi.lower(), messaggi
    assert not Obiettivo.objects.filter(ciclo=ciclo).exists()  # not even the good row


def test_an_absurd_grade_in_the_barometro_is_refused(ciclo):
    testo = ("codice;servizio;area;standard;programmato;rilevato;grado\n"
             f"B1;Anagrafe;A1;Entro 15 giorni;15;8;{10**30}\n")
    esito = importa_workbook(file=_file("barometro.csv", testo), ciclo=ciclo)
    assert not esito.ok and "grado" in _messaggi(esito).lower()
    assert Area.objects.filter(ciclo=ciclo).count() == 1


def test_a_file_above_peg_import_max_bytes_is_refused(ciclo):
    righe = "".join(f"O{i};Obiettivo {i};;A1;1.1;;1;attivo;;\n" for i in range(100))
    with override_settings(PEG_IMPORT_MAX_BYTES=1000):
        esito = _obiettivi(ciclo, righe)
    assert not esito.ok
    assert "1000" in _messaggi(esito) or "1 KB" in _messaggi(esito) or "MB" in _messaggi(esito)
    assert not Obiettivo.objects.filter(ciclo=ciclo).exists()
