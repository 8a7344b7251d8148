"""The SMVP's rules for people on the SMVP's admin page: pre-filled on a new SMVP, validated as
a whole (Italian messages, nothing written), read-only once a locked cycle uses the SMVP."""

from decimal import Decimal

import pytest
from django.urls import reverse

from individuale import servizi
from individuale.models import Comportamento, FasciaPremio, GruppoRuolo, ObiettivoObbligatorio
from obiettivi.models import Ciclo, Ente
from valutazione.models import Smvp
from valutazione.services import smvp_create_default

from ..ruoli.conftest import dati_della_pagina
from tests.ruoli.incarichi import dai_ruolo

pytestmark = pytest.mark.django_db


@pytest.fixture
def smvp():
    smvp = smvp_create_default(ente=Ente.objects.create(slug="prova", nome="Comune di Prova"))
    return servizi.regole_predefinite_crea(smvp=smvp)


def _url(smvp=None):
    if smvp is None:
        return reverse("admin:valutazione_smvp_add")
    return reverse("admin:valutazione_smvp_change", args=[smvp.pk])


def test_un_nuovo_smvp_nasce_con_le_regole_predefinite(admin_client):
    pagina = admin_client.get(_url())
    html = pagina.content.decode()
    assert 'name="gruppi_ruolo-TOTAL_FORMS" value="3"' in html
    assert 'name="fasce_premio-TOTAL_FORMS" value="5"' in html
    assert 'name="livelli_comportamento-TOTAL_FORMS" value="5"' in html
    dati = dati_della_pagina(pagina)
    dati.update({"nome": "SMVP nuovo", "versione": "1"})
    risposta = admin_client.post(_url(), dati)
    assert risposta.status_code == 302, risposta.context and risposta.context["errors"]
    nuovo = Smvp.objects.get(nome="SMVP nuovo")
    gruppi = {g.codice: g for g in nuovo.gruppi_ruolo.all()}
    assert set(gruppi) == {"dirigente", "eq", "dipendente"}
    assert gruppi["dirigente"].peso_differenziazione == Decimal("10")
    assert gruppi["dirigente"].valutatore == "sindaco" and gruppi["dirigente"].nucleo_vede
    assert [(f.da, f.a, f.quota) for f in nuovo.fasce_premio.all()][-1] == (Decimal("90"), None, Decimal("100"))
    # the behaviours and the mandatory objectives, linked to the groups just saved
    assert nuovo.comportamenti.count() == 5
    assert set(nuovo.obiettivi_obbligatori.get(codice="TEMPESTIVITA-PAGAMENTI")
               .gruppi.values_list("codice", flat=True)) == {"dirigente"}


def test_pesi_di_un_gruppo_che_non_sommano_a_100(admin_client, smvp):
    dati = dati_della_pagina(admin_client.get(_url(smvp)))
    indice = next(k.split("-")[1] for k, v in dati.items()
                  if k.startswith("gruppi_ruolo-") and k.endswith("-codice") and v == "dipendente")
    dati[f"gruppi_ruolo-{indice}-peso_comportamenti"] = "32,5"
    risposta = admin_client.post(_url(smvp), dati)
    assert risposta.status_code == 200
    html = risposta.content.decode()
    assert ("La somma dei pesi delle componenti è 92,5: deve essere 100 (risultati dell&#x27;ente 10, "
            "risultati dell&#x27;area 30, obiettivi individuali 20, comportamenti 32,5, capacità di "
            "valutazione dei collaboratori 0).") in html
    assert GruppoRuolo.objects.get(smvp=smvp, codice="dipendente").peso_comportamenti == Decimal("40")


def test_fasce_del_premio_con_un_vuoto_o_una_quota_che_scende(admin_client, smvp):
    pagina = admin_client.get(_url(smvp))
    dati = dati_della_pagina(pagina)
    indice = next(k.split("-")[1] for k, v in dati.items()
                  if k.startswith("fasce_premio-") and k.endswith("-da") and v in ("60", "60,00"))
    dati[f"fasce_premio-{indice}-da"] = "65"
    dati[f"fasce_premio-{indice}-quota"] = "95"
    html = admin_client.post(_url(smvp), dati).content.decode()
    assert "Fasce del premio: tra 60 e 65 manca una fascia (la precedente finisce a 60, la successiva inizia a 65)." in html
    assert "Fasce del premio: la fascia che inizia a 70 dà il 75 % del premio, meno della precedente (95 %)" in html
    assert not FasciaPremio.objects.filter(smvp=smvp, da=Decimal("65")).exists()


def test_un_comportamento_sceglie_solo_i_gruppi_del_suo_smvp(admin_client, smvp):
    altro = servizi.regole_predefinite_crea(smvp=smvp_create_default(nome="Altro"))
    pagina = admin_client.get(_url(smvp))
    insiemi = {i.formset.prefix: i.formset for i in pagina.context["inline_admin_formsets"]}
    for prefisso in ("comportamenti", "obiettivi_obbligatori"):
        scelte = set(insiemi[prefisso].forms[0].fields["gruppi"].queryset)
        assert scelte == set(smvp.gruppi_ruolo.all())
        assert not scelte & set(altro.gruppi_ruolo.all())


def test_smvp_di_un_ciclo_bloccato_in_sola_lettura(admin_client, smvp):
    from obiettivi.models import Atto

    atto = Atto.objects.create(ente=smvp.ente, organo="Giunta Comunale", numero="1", anno=2022, oggetto="Relazione")
    Ciclo.objects.create(ente=smvp.ente, anno=2021, stato=Ciclo.Stato.APPROVATA, smvp=smvp,
                         atto_approvazione=atto)
    pagina = admin_client.get(_url(smvp))
    assert pagina.status_code == 200
    insiemi = {i.formset.prefix: i for i in pagina.context["inline_admin_formsets"]}
    for prefisso in ("gruppi_ruolo", "comportamenti", "fasce_premio", "obiettivi_obbligatori",
                     "livelli_comportamento"):
        assert not insiemi[prefisso].has_add_permission
        assert not insiemi[prefisso].has_change_permission


def test_il_nucleo_legge_le_regole_il_dirigente_non_le_vede(client, smvp):
    from django.contrib.auth.models import Group, User

    from obiettivi import permessi

    nucleo = User.objects.create_user("nucleo", is_staff=True)
    dai_ruolo(nucleo, permessi.NUCLEO)
    client.force_login(nucleo)
    pagina = client.get(_url(smvp))
    insiemi = {i.formset.prefix: i for i in pagina.context["inline_admin_formsets"]}
    assert not insiemi["gruppi_ruolo"].has_change_permission
    assert "Dirigenti" in pagina.content.decode()
    assert Comportamento.objects.filter(smvp=smvp).count() == 5
    assert ObiettivoObbligatorio.objects.filter(smvp=smvp).count() == 2


def test_duplicare_lo_smvp_copia_le_regole_della_performance_individuale(admin_client, smvp):
    risposta = admin_client.post(reverse("admin:valutazione_smvp_changelist"), {
        "action": "duplica_come_nuova_versione", "_selected_action": [smvp.pk]})
    assert risposta.status_code == 302
    copia = Smvp.objects.exclude(pk=smvp.pk).get(nome=smvp.nome)
    assert copia.versione == smvp.versione + 1
    assert sorted(copia.gruppi_ruolo.values_list("codice", flat=True)) == ["dipendente", "dirigente", "eq"]
    assert copia.fasce_premio.count() == 5 and copia.livelli_comportamento.count() == 5
    c5 = copia.comportamenti.get(codice="C5")
    assert {g.smvp_id for g in c5.gruppi.all()} == {copia.pk}
    assert sorted(c5.gruppi.values_list("codice", flat=True)) == ["dirigente", "eq"]
    obbligatorio = copia.obiettivi_obbligatori.get(codice="TEMPESTIVITA-PAGAMENTI")
    assert [g.smvp_id for g in obbligatorio.gruppi.all()] == [copia.pk]
    assert smvp.gruppi_ruolo.count() == 3  # the original untouched
