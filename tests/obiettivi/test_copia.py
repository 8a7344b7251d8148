"""A new year from the previous one (``obiettivi.services.ciclo_copia``, ``copia_ciclo``, the
admin action): the plan is copied through the tree services, outcomes are left behind, the
source does not change, nothing is written on error."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from obiettivi.demo import carica_demo
from obiettivi.models import Area, Ciclo, Fase, Indicatore, NodoStrategico, Obiettivo
from obiettivi.services import _sposta_anni, ciclo_copia
from trasparenza.report import relazione_dati
from valutazione.models import IndicatoreFinanziario, StandardBarometro

pytestmark = pytest.mark.django_db


@pytest.fixture
def seregno():
    carica_demo()
    return Ciclo.objects.get(ente__slug="seregno", anno=2021)


def _albero(model, ciclo):
    """(code, parent's code, level) in mptt order, and whether the mptt fields are sound."""
    righe = list(model.objects.filter(ciclo=ciclo).order_by("tree_id", "lft")
                 .values_list("codice", "parent__codice", "level", "lft", "rght"))
    return [r[:3] for r in righe], all(lft < rght for *_, lft, rght in righe)


def test_the_plan_is_copied_and_the_outcomes_are_left_behind(seregno):
    Obiettivo.objects.filter(ciclo=seregno, codice="SGP.02").update(stato="stralciato")
    stralciati = set(Obiettivo.objects.filter(ciclo=seregno, stato="stralciato")
                     .values_list("codice", flat=True))
    assert "SGP.02" in stralciati and len(stralciati) > 1  # the demo has its own too
    impronta = relazione_dati(seregno)["impronta"]

    esito = ciclo_copia(da=seregno, anno=2022)
    nuovo = esito.ciclo

    assert (nuovo.anno, nuovo.stato, nuovo.smvp_id) == (2022, "pianificazione", seregno.smvp_id)
    assert set(esito.tralasciati) == stralciati
    for model in (Area, NodoStrategico):
        copia, sana = _albero(model, nuovo)
        assert copia == _albero(model, seregno)[0] and sana
    vecchi = {o.codice: o for o in Obiettivo.objects.filter(ciclo=seregno)}
    nuovi = {o.codice: o for o in Obiettivo.objects.filter(ciclo=nuovo).select_related("area", "nodo")}
    assert nuovi.keys() == vecchi.keys() - stralciati
    assert esito.conteggi["obiettivi"] == len(nuovi) == 102 - len(stralciati)
    for codice, ob in nuovi.items():
        prima = vecchi[codice]
        assert (ob.titolo, ob.peso, ob.tipologia, ob.ordine) == (
            prima.titolo, prima.peso, prima.tipologia, prima.ordine)
        assert (ob.area.codice, ob.nodo.codice) == (prima.area.codice, prima.nodo.codice)
        assert ob.area.ciclo_id == ob.nodo.ciclo_id == nuovo.pk
        assert (ob.stato, ob.stato_rendicontazione, ob.grado_proposto, ob.grado_validato,
                ob.relazione, ob.motivazione_grado) == ("attivo", "bozza", None, None, "", "")
    # a rinviato or sospeso objective starts the new year active
    assert {vecchi[c].stato for c in nuovi} > {"attivo"}

    indicatori = Indicatore.objects.filter(obiettivo__ciclo=nuovo)
    assert indicatori.count() == esito.conteggi["indicatori"] == Indicatore.objects.filter(
        obiettivo__ciclo=seregno).exclude(obiettivo__codice__in=stralciati).count()
    assert not indicatori.exclude(consuntivo=None).exists()
    assert not indicatori.exclude(data_consuntivo=None).exists()
    fasi = Fase.objects.filter(obiettivo__ciclo=nuovo)
    assert fasi.count() == esito.conteggi["fasi"] > 0 and not fasi.exclude(percentuale=0).exists()
    for fase in fasi.exclude(inizio=None).select_related("obiettivo")[:20]:
        prima = Fase.objects.get(obiettivo=vecchi[fase.obiettivo.codice], codice=fase.codice)
        assert fase.inizio == _sposta_anni(prima.inizio, 1) and fase.peso == prima.peso

    standard = StandardBarometro.objects.filter(ciclo=nuovo)
    assert standard.count() == StandardBarometro.objects.filter(ciclo=seregno).count() > 0
    assert not standard.exclude(grado=None).exists() and not standard.exclude(rilevato="").exists()
    assert all(s.area is None or s.area.ciclo_id == nuovo.pk for s in standard.select_related("area"))
    finanziari = IndicatoreFinanziario.objects.filter(ciclo=nuovo)
    assert finanziari.count() == esito.conteggi["indicatori finanziari"] > 0
    assert not finanziari.exclude(valore=None).exists()
    assert nuovo.testi.count() == seregno.testi.count() and nuovo.tabelle.count() == seregno.tabelle.count()
    assert nuovo.risposte_rpct.count() == 0 and nuovo.atti.count() == 0

    # the dirigenti keep their areas; every copied objective has its history entry
    area = Area.objects.get(ciclo=nuovo, slug="lavori-pubblici")
    assert [u.username for u in area.dirigenti.all()] == ["dirigente.lavori-pubblici"]
    assert Obiettivo.history.filter(ciclo_id=nuovo.pk, history_type="+").count() == len(nuovi)
    # the source is untouched
    assert relazione_dati(Ciclo.objects.get(pk=seregno.pk))["impronta"] == impronta


def test_an_existing_year_or_an_earlier_one_is_refused_and_nothing_is_written(seregno):
    ciclo_copia(da=seregno, anno=2022)
    prima = {m: m.objects.count() for m in (Ciclo, Area, NodoStrategico, Obiettivo, Indicatore)}
    with pytest.raises(ValidationError, match="Il ciclo 2022 di Comune di Seregno esiste già"):
        ciclo_copia(da=seregno, anno=2022)
    with pytest.raises(ValidationError, match="2020 non è dopo 2021"):
        ciclo_copia(da=seregno, anno=2020)
    assert {m: m.objects.count() for m in prima} == prima


def test_a_failure_half_way_writes_nothing(seregno, monkeypatch):
    import obiettivi.services as services

    def rotto(*args, **kwargs):
        raise RuntimeError("errore a metà copia")

    monkeypatch.setattr(services, "_copia_riga", rotto)  # after the cycle and its trees
    with pytest.raises(RuntimeError):
        ciclo_copia(da=seregno, anno=2022)
    assert not Ciclo.objects.filter(anno=2022).exists()
    assert not Area.objects.filter(ciclo__anno=2022).exists()


def test_dates_move_by_whole_years():
    assert _sposta_anni(date(2021, 3, 31), 1) == date(2022, 3, 31)
    assert _sposta_anni(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert _sposta_anni(None, 1) is None


def _da_copiare(ciclo):
    return Obiettivo.objects.filter(ciclo=ciclo).exclude(stato="stralciato").count()


def test_command_copies_and_reports_errors_in_italian(seregno, capsys):
    call_command("copia_ciclo", "seregno", "2021", "2022")
    uscita = capsys.readouterr().out
    assert "Creato il ciclo 2022 di Comune di Seregno" in uscita
    assert f"obiettivi: {_da_copiare(seregno)}\n" in uscita and "non copiati: SGP.03" in uscita
    with pytest.raises(CommandError, match="esiste già"):
        call_command("copia_ciclo", "seregno", "2021", "2022")
    with pytest.raises(CommandError, match="Ciclo non trovato: ente «nessuno», anno 2021"):
        call_command("copia_ciclo", "nessuno", "2021", "2022")


def test_admin_action_is_for_the_amministratore_only(seregno, client, django_user_model):
    url = reverse("admin:obiettivi_ciclo_changelist")
    dati = {"action": "copia_anno_successivo", "_selected_action": [seregno.pk]}
    client.force_login(django_user_model.objects.get(username="nucleo"))
    client.post(url, dati)
    assert not Ciclo.objects.filter(anno=2022).exists()
    client.force_login(django_user_model.objects.get(username="admin"))
    risposta = client.post(url, dati, follow=True)
    assert Ciclo.objects.filter(ente=seregno.ente, anno=2022, stato="pianificazione").exists()
    testo = risposta.content.decode()
    assert f"Creato il ciclo 2022 di Comune di Seregno dal 2021: {_da_copiare(seregno)} obiettivi" in testo


def test_rows_are_written_in_batches_not_one_by_one():
    """Only the trees go row by row (through the tree services); objectives, indicators and
    phases, with their history, are written in batches (on SQLite a batch holds fewer rows, as
    a statement takes at most 999 parameters)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from obiettivi.synthetic import genera_ciclo

    misure = {}
    for n in (50, 400):
        ciclo = genera_ciclo(ente_slug=f"copia-{n}", anno=2030, n_obiettivi=n, seme=4)
        with CaptureQueriesContext(connection) as query:
            esito = ciclo_copia(da=ciclo, anno=2031)
        righe = sum(esito.conteggi[k] for k in ("obiettivi", "indicatori", "fasi"))
        misure[n] = (len(query), righe, esito.conteggi["aree"], esito.conteggi["nodi dell'albero"])
    assert misure[50][2:] == misure[400][2:], misure  # same trees: the counts compare
    query_in_piu, righe_in_piu = (misure[400][i] - misure[50][i] for i in (0, 1))
    assert righe_in_piu > 1000 and query_in_piu < righe_in_piu / 20, misure
