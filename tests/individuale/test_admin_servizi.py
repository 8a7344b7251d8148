"""The SMVP's default rules and the schede created in bulk (``individuale.servizi``)."""

from decimal import Decimal

import pytest

from individuale import predefiniti, servizi
from individuale.models import ObiettivoIndividuale, PunteggioComportamento, SchedaValutazione

from .mondo_admin import costruisci_mondo_individuale

pytestmark = pytest.mark.django_db


@pytest.fixture
def mondo():
    return costruisci_mondo_individuale()


def test_le_regole_predefinite_sono_quelle_di_predefiniti_e_si_creano_una_volta(mondo):
    smvp = mondo.smvp
    servizi.regole_predefinite_crea(smvp=smvp)  # again: nothing doubled
    gruppi = {g.codice: g for g in smvp.gruppi_ruolo.all()}
    assert set(gruppi) == {"dirigente", "eq", "dipendente"}
    for g in gruppi.values():
        assert g.somma_pesi == Decimal("100")
    assert gruppi["dirigente"].peso_differenziazione == Decimal("10")
    assert gruppi["dirigente"].nucleo_vede and gruppi["dirigente"].valutatore == "sindaco"
    assert list(smvp.livelli_comportamento.values_list("valore", flat=True)) == [1, 2, 3, 4, 5]
    assert [(f.da, f.a, f.quota) for f in smvp.fasce_premio.all()] == [
        (Decimal(da), None if a is None else Decimal(a), Decimal(q))
        for da, a, q in predefiniti.FASCE_PREMIO]
    assert smvp.comportamenti.count() == len(predefiniti.COMPORTAMENTI)
    tempestivita = smvp.obiettivi_obbligatori.get(codice="TEMPESTIVITA-PAGAMENTI")
    assert list(tempestivita.gruppi.values_list("codice", flat=True)) == ["dirigente"]
    formazione = smvp.obiettivi_obbligatori.get(codice="FORMAZIONE-40-ORE")
    assert formazione.gruppi.count() == 3


def test_crea_schede_copia_pesi_comportamenti_e_obiettivi_obbligatori(mondo):
    scheda = mondo.lavori
    gruppo = mondo.gruppi["dirigente"]
    assert scheda.valutatore == mondo.sindaco
    assert (scheda.peso_ente, scheda.peso_area, scheda.peso_obiettivi, scheda.peso_comportamenti,
            scheda.peso_differenziazione) == (20, 30, 20, 20, 10)
    assert PunteggioComportamento.objects.filter(scheda=scheda).count() == gruppo.comportamenti.count() == 5
    obbligatori = ObiettivoIndividuale.objects.filter(scheda=scheda).order_by("ordine")
    assert [(o.obbligatorio.codice, o.peso) for o in obbligatori] == [
        ("FORMAZIONE-40-ORE", Decimal("10")), ("TEMPESTIVITA-PAGAMENTI", Decimal("30"))]
    # staff: evaluated by the area's dirigente, 3 behaviours, one mandatory objective
    assert mondo.rossi.valutatore == mondo.dirigente
    assert mondo.rossi.comportamenti.count() == 3
    assert mondo.rossi.obiettivi.count() == 1
    assert mondo.rossi.history.count() == 1


def test_crea_schede_salta_chi_ha_gia_la_scheda(mondo):
    nuove = servizi.crea_schede(mondo.aperto, mondo.gruppi["dipendente"], mondo.area_a,
                                [mondo.p_rossi, mondo.p_bianchi])
    assert nuove == []
    assert SchedaValutazione.objects.filter(ciclo=mondo.aperto).count() == 5


def test_crea_schede_rifiuta_senza_valutatore_e_non_scrive_nulla(mondo):
    from individuale.models import Persona

    nuova = Persona.objects.create(ente=mondo.ente, cognome="Neri", nome="Prova", matricola="M9")
    with pytest.raises(servizi.ErroreSchede, match="indicare chi valuta"):
        servizi.crea_schede(mondo.aperto, mondo.gruppi["dirigente"], mondo.area_a, [nuova])
    with pytest.raises(servizi.ErroreSchede, match="non può valutare sé stesso"):
        servizi.crea_schede(mondo.aperto, mondo.gruppi["dipendente"], mondo.area_a,
                            [nuova, mondo.p_lavori])
    assert not SchedaValutazione.objects.filter(persona=nuova).exists()


def test_peso_iniziale_di_un_minimo_sul_totale(mondo):
    obbligatorio = mondo.smvp.obiettivi_obbligatori.get(codice="TEMPESTIVITA-PAGAMENTI")
    obbligatorio.base_peso = "totale"
    gruppo = mondo.gruppi["eq"]  # obiettivi 30 % of the total
    assert servizi.peso_iniziale(obbligatorio, gruppo) == Decimal("100")
    gruppo.peso_obiettivi = Decimal("60")
    assert servizi.peso_iniziale(obbligatorio, gruppo) == Decimal("50")
