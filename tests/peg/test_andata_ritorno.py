"""Export → import into another year reproduces the same data (the Seregno demo); the filled
template is the demo; the results export carries grades and computed figures."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from obiettivi.demo import carica_demo
from obiettivi.peg.esporta import dati_risultati, dati_workbook, esporta_workbook
from obiettivi.peg.importa import ciclo_per_importazione, importa_workbook, leggi_file
from obiettivi.peg.risorse import FOGLI
from obiettivi.models import Area, Obiettivo
from valutazione.queries import risultati_ciclo

pytestmark = pytest.mark.django_db
MODELLI = Path(settings.BASE_DIR) / "fixtures" / "peg"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once for the module, inside a transaction rolled back at its end (each
    test runs in a savepoint of it): nothing leaks into other modules."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield carica_demo().ciclo
        transaction.set_rollback(True)


@pytest.mark.parametrize("formato,anno", [("xlsx", 2022), ("ods", 2023)])
def test_andata_e_ritorno_su_seregno(demo, tmp_path, formato, anno, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        contenuto = esporta_workbook(ciclo=demo, formato=formato)
    file = tmp_path / f"seregno.{formato}"
    file.write_bytes(contenuto)
    nuovo, _ = ciclo_per_importazione(ente="seregno", anno=anno, crea=True)
    esito = importa_workbook(file=file, ciclo=nuovo)
    assert esito.ok, esito.errori[:5]
    assert esito.conteggi["obiettivi"].creati == 102
    assert dati_workbook(ciclo=nuovo) == dati_workbook(ciclo=demo)
    # Beyond the template: the same slugs (usernames, addresses), order and tree shape.
    campi = ("codice", "slug", "ordine", "level", "parent__codice")
    assert list(Area.objects.filter(ciclo=nuovo).order_by("tree_id", "lft").values_list(*campi)) == \
        list(Area.objects.filter(ciclo=demo).order_by("tree_id", "lft").values_list(*campi))
    assert Obiettivo.history.filter(ciclo=nuovo).count() == 102
    assert importa_workbook(file=file, ciclo=nuovo).n_modifiche == 0


def test_modelli_vuoto_e_compilato(demo):
    for estensione in ("xlsx", "ods"):
        vuoto = leggi_file(MODELLI / f"modello_vuoto.{estensione}")
        assert {n: tuple(f.headers) for n, f in vuoto.items()} == FOGLI
        assert not any(f.height for f in vuoto.values())
        compilato = leggi_file(MODELLI / f"modello_compilato.{estensione}")
        # The filled template is the demo's export: regenerate it with
        # `esporta_peg fixtures/peg/modello_compilato.xlsx --ente seregno --anno 2021`.
        assert {n: f.height for n, f in compilato.items()} == {
            n: len(r) - 1 for n, r in dati_workbook(ciclo=demo).items()}
    nuovo, _ = ciclo_per_importazione(ente="altro", anno=2024, crea=True)
    assert importa_workbook(file=MODELLI / "modello_compilato.xlsx", ciclo=nuovo).ok


def test_esportazione_dei_risultati(demo):
    fogli = dati_risultati(ciclo=demo)
    r = risultati_ciclo(demo)
    intestazioni = fogli["obiettivi"][0]
    righe = {riga[0]: dict(zip(intestazioni, riga)) for riga in fogli["obiettivi"][1:]}
    assert len(righe) == 102
    sgp01 = Obiettivo.objects.get(ciclo=demo, codice="SGP.01")
    assert (righe["SGP.01"]["grado_proposto"], righe["SGP.01"]["grado_validato"]) == (
        sgp01.grado_proposto, sgp01.grado_validato)
    assert righe["SGP.01"]["raggiungimento"] == r.obiettivo(sgp01.pk).raggiungimento.percentuale
    assert righe["SGP.03"]["stato"] == "stralciato" and righe["SGP.03"]["grado"] is None
    livello = fogli["ente"][-1]
    assert livello[:2] == ["Livello", "Livello di performance di ente"]
    assert livello[3] == r.ente.valore == 4
    assert [c[0] for c in fogli["ente"][1:-1]] == ["PFin", "PObj_Gen", "PQua_Gen"]
