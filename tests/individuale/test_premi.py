"""queries.premi_ciclo: each definitive scheda paid by the most specific fund that covers it, the
schede no fund covers listed, only definitive schede read; righe_premi for payroll."""

from decimal import Decimal

import pytest

from individuale import queries
from valutazione.scoring import arrotonda
from individuale.models import FondoPremi, ObiettivoIndividuale, PunteggioComportamento, SchedaValutazione

from .dati_calcolo import crea_ciclo, crea_scheda, gruppi_del_ciclo

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def ciclo_con_fondi():
    ciclo, aree = crea_ciclo()
    g = gruppi_del_ciclo(ciclo)
    fondi = {
        "ente": FondoPremi.objects.create(ciclo=ciclo, nome="Fondo dell'ente", importo=D("1000.00")),
        "uno": FondoPremi.objects.create(ciclo=ciclo, nome="Fondo area uno", area=aree["a1"], importo=D("999.99")),
        "dirigenti": FondoPremi.objects.create(ciclo=ciclo, nome="Fondo dirigenti", gruppo=g["dirigente"],
                                               importo=D("5000.00")),
        "due_eq": FondoPremi.objects.create(ciclo=ciclo, nome="Fondo EQ area due", area=aree["a2"],
                                            gruppo=g["eq"], importo=D("300.00")),
    }
    return ciclo, aree, g, fondi


def test_ogni_scheda_al_fondo_piu_specifico(ciclo_con_fondi):
    ciclo, aree, g, fondi = ciclo_con_fondi
    s = {
        "servizio_dip": crea_scheda(ciclo, g["dipendente"], aree["s11"], 85, "001"),  # area uno (service)
        "uno_dir": crea_scheda(ciclo, g["dirigente"], aree["a1"], 95, "002"),  # group beats area
        "due_eq": crea_scheda(ciclo, g["eq"], aree["a2"], 75, "003"),  # area + group
        "due_dip": crea_scheda(ciclo, g["dipendente"], aree["a2"], 65, "004"),  # ente-wide
        "senza_area": crea_scheda(ciclo, g["eq"], None, 90, "005"),  # ente-wide
    }
    bozza = crea_scheda(ciclo, g["dipendente"], aree["a2"], 99, "006")
    SchedaValutazione.objects.filter(pk=bozza.pk).update(stato=SchedaValutazione.Stato.PRESA_VISIONE)

    premi = queries.premi_ciclo(ciclo)
    fondo_di = {q.scheda_id: q.fondo_id for q in premi.quote}
    assert fondo_di == {
        s["servizio_dip"].pk: fondi["uno"].pk, s["uno_dir"].pk: fondi["dirigenti"].pk,
        s["due_eq"].pk: fondi["due_eq"].pk, s["due_dip"].pk: fondi["ente"].pk,
        s["senza_area"].pk: fondi["ente"].pk,
    }
    assert bozza.pk not in premi.schede  # only definitive schede are read
    for r in premi.fondi:
        assert r.distribuito == r.stanziato  # each fund is paid out to the cent
    assert premi.stanziato == premi.distribuito == D("7299.99")


def test_schede_scoperte_e_fondo_senza_valutati_positivamente(ciclo_con_fondi):
    ciclo, aree, g, fondi = ciclo_con_fondi
    FondoPremi.objects.filter(pk=fondi["ente"].pk).delete()
    scoperta = crea_scheda(ciclo, g["dipendente"], aree["a2"], 90, "010")
    bassa = crea_scheda(ciclo, g["eq"], aree["a2"], 40, "011")
    premi = queries.premi_ciclo(ciclo)
    assert [s.scheda_id for s in premi.scoperte] == [scoperta.pk]
    (eq,) = [r for r in premi.fondi if r.fondo_id == fondi["due_eq"].pk]
    assert eq.distribuito == 0 and eq.quote[0].scheda_id == bassa.pk
    assert "Nessuna persona è valutata positivamente" in eq.spiegazione.note[0]
    vuoto = [r for r in premi.fondi if r.fondo_id == fondi["uno"].pk][0]
    assert vuoto.quote == () and vuoto.distribuito == 0


def test_punteggio_finale_registrato_o_calcolato_e_parti_organizzativa_e_individuale(ciclo_con_fondi):
    ciclo, aree, g, fondi = ciclo_con_fondi
    dip = g["dipendente"]  # weights 10 / 30 / 20 / 40 / 0 (individuale.predefiniti)
    assert [dip.peso_ente, dip.peso_area, dip.peso_obiettivi, dip.peso_comportamenti] == [10, 30, 20, 40]
    ente = queries.punteggi_organizzativi(ciclo)["ente"]
    assert ente is not None
    # Not recorded: computed now, area uno's live score 95 (4,75 × 20).
    calcolata = crea_scheda(ciclo, dip, aree["a1"], None, "020")
    ObiettivoIndividuale.objects.create(scheda=calcolata, descrizione="Pratiche", peso=D(100), risultato=D(80))
    for c in dip.comportamenti.all():
        PunteggioComportamento.objects.create(scheda=calcolata, comportamento=c, livello=4)
    # After a conciliazione: final score 70 recorded, area figure recorded 50.
    conciliata = crea_scheda(ciclo, dip, aree["a1"], 70, "021", punteggio_area=D(50))
    premi = queries.premi_ciclo(ciclo)
    a = premi.scheda(calcolata.pk)
    # (10 × ente + 30 × 95 + 20 × 80 + 40 × 80) / 100; organisational part (10 × ente + 30 × 95) / 100
    organizzativo = arrotonda((10 * ente + 30 * 95) / D(100))
    assert a.punteggio == arrotonda((10 * ente + 30 * 95 + 20 * 80 + 40 * 80) / D(100))
    assert a.punteggio_organizzativo == organizzativo
    assert a.punteggio_individuale == a.punteggio - organizzativo == D("48.00")
    assert "calcolato ora" in a.fonte_punteggio
    b = premi.scheda(conciliata.pk)
    assert b.punteggio == D(70) and b.punteggio_organizzativo == arrotonda((10 * ente + 30 * 50) / D(100))
    assert b.punteggio_individuale == 70 - b.punteggio_organizzativo

    righe = queries.righe_premi(ciclo)
    assert righe[0] == list(queries.INTESTAZIONI_PREMI)
    (riga,) = [r for r in righe[1:] if r[0] == "020"]
    assert riga[1:6] == ["CF020", "Cognome 020", "Nome", "Area uno", "Dipendenti"]
    assert riga[6] == "Fondo area uno" and riga[9:12] == [organizzativo, D("48.00"), a.punteggio]
    assert sum(r[-1] for r in righe[1:]) == D("999.99")


def test_risultato_scheda_usa_i_punteggi_registrati_altrimenti_quelli_del_ciclo(
        ciclo_con_fondi, django_assert_max_num_queries):
    ciclo, aree, g, _ = ciclo_con_fondi
    scheda = crea_scheda(ciclo, g["dirigente"], aree["s11"], None, "030", punteggio_ente=D(77))
    with django_assert_max_num_queries(13):
        r = queries.risultato_scheda(scheda)
    per = {c.codice: c for c in r.componenti}
    assert per["ente"].punteggio == D(77) and "Registrato nella scheda" in per["ente"].spiegazione.note[0]
    assert per["area"].punteggio == D("95.00") and "Calcolato ora" in per["area"].spiegazione.note[0]
    assert not r.completa and "nessun obiettivo individuale assegnato" in r.mancanti
    scheda.punteggio_area = D(60)
    with django_assert_max_num_queries(3):
        queries.risultato_scheda(scheda)


def test_ciclo_senza_smvp_nessun_premio(ciclo_con_fondi):
    ciclo, aree, g, fondi = ciclo_con_fondi
    crea_scheda(ciclo, g["dipendente"], aree["a2"], 90, "040")
    ciclo.smvp = None
    ciclo.save(update_fields=["smvp"])
    premi = queries.premi_ciclo(ciclo)
    assert premi.senza_regole and premi.distribuito == 0 and len(premi.quote) == 1
    assert premi.quote[0].importo == 0 and premi.quote[0].fascia == ""
