"""The act that approves the Relazione: a Giunta deliberation of the cycle's ente, dated within
or after the cycle's year (``regole.errori_atto_approvazione``), checked by the approval page and
by ``workflow.ciclo_avanza``; the page lists only such acts and creates one in a popup."""

import datetime
import html
import json
import re

import pytest
from django.core.exceptions import ValidationError

from obiettivi import regole, workflow
from obiettivi.models import Atto, Ciclo, Ente, Obiettivo

S = Ciclo.Stato
R = Obiettivo.StatoRendicontazione


@pytest.fixture
def in_validazione(mondo):
    """The open cycle (2021) with every objective validated: only the act is missing."""
    ciclo = mondo.aperto
    Obiettivo.objects.filter(ciclo=ciclo).update(stato_rendicontazione=R.VALIDATO, grado_validato=3)
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=S.VALIDAZIONE)
    ciclo.refresh_from_db()
    return ciclo


def _atti_sbagliati(mondo):
    altro = Ente.objects.create(slug="altro", nome="Comune di Altrove")
    return {
        "legge": Atto.objects.create(ente=mondo.ente, organo="Legge", numero="190", anno=2012,
                                     oggetto="Disposizioni anticorruzione"),
        "altro ente": Atto.objects.create(ente=altro, organo="Giunta Comunale", numero="12",
                                          anno=2022, oggetto="Relazione di un altro comune"),
        "prima dell'anno": Atto.objects.create(
            ente=mondo.ente, organo="Giunta Comunale", numero="150", anno=2020,
            data=datetime.date(2020, 12, 15), oggetto="Approvazione del PEG 2021"),
    }


MESSAGGI = {
    "legge": "L'atto «Legge n. 190/2012» non è una deliberazione della Giunta (tipo: «Legge o "
             "decreto legislativo»): la Relazione si approva solo con una deliberazione della Giunta.",
    "altro ente": "L'atto «Giunta Comunale n. 12/2022» è di un altro ente: la Relazione si approva "
                  "con una deliberazione della Giunta dello stesso ente del ciclo.",
    "prima dell'anno": "L'atto «Giunta Comunale n. 150 del 15/12/2020» è del 15/12/2020, prima "
                       "dell'anno del ciclo: la Relazione 2021 si approva con un atto del 2021 o "
                       "successivo.",
}


def test_the_rule_alone():
    giunta = Atto(ente_id=1, organo="Giunta Comunale", numero="9", anno=2022,
                  tipo=regole.DELIBERA_GIUNTA)
    assert regole.errori_atto_approvazione(giunta, ente_id=1, anno=2021) == []
    assert regole.errori_atto_approvazione(giunta, ente_id=1, anno=2022) == []
    # the date, when known, counts over the year
    giunta.data = datetime.date(2020, 3, 1)
    assert "prima dell'anno del ciclo" in regole.errori_atto_approvazione(giunta, ente_id=1, anno=2021)[0]
    assert regole.errori_atto_approvazione(None, ente_id=1, anno=2021) == [
        "Per approvare indicare l'atto della Giunta che approva la Relazione."]
    consiglio = Atto(ente_id=2, organo="Consiglio Comunale", numero="1", anno=2019,
                     tipo="delibera_consiglio")
    assert len(regole.errori_atto_approvazione(consiglio, ente_id=1, anno=2021)) == 3


@pytest.mark.parametrize("caso", list(MESSAGGI))
def test_workflow_refuses_a_wrong_act_and_changes_nothing(mondo, in_validazione, caso):
    atto = _atti_sbagliati(mondo)[caso]
    with pytest.raises(ValidationError) as errore:
        workflow.ciclo_avanza(ciclo=in_validazione, utente=mondo.amministratore, atto=atto)
    assert MESSAGGI[caso] in errore.value.messages
    assert all(m.startswith(f"L'atto «{atto}»") for m in errore.value.messages)
    in_validazione.refresh_from_db()
    assert (in_validazione.stato, in_validazione.atto_approvazione) == (S.VALIDAZIONE, None)
    assert not in_validazione.atti.filter(pk=atto.pk).exists()


@pytest.mark.parametrize("caso", list(MESSAGGI))
def test_the_page_refuses_a_wrong_act_in_italian(mondo, in_validazione, client, caso):
    atto = _atti_sbagliati(mondo)[caso]
    client.force_login(mondo.amministratore)
    indirizzo = f"/admin/obiettivi/ciclo/{in_validazione.pk}/avanza/"
    risposta = client.post(indirizzo, {"atto": atto.pk})
    assert risposta.status_code == 200
    assert MESSAGGI[caso] in html.unescape(risposta.content.decode())
    in_validazione.refresh_from_db()
    assert in_validazione.stato == S.VALIDAZIONE


def test_the_dropdown_lists_only_eligible_acts(mondo, in_validazione, client):
    sbagliati = _atti_sbagliati(mondo)
    client.force_login(mondo.amministratore)
    risposta = client.get(f"/admin/obiettivi/ciclo/{in_validazione.pk}/avanza/")
    opzioni = dict(risposta.context["form"].fields["atto"].widget.choices)
    assert mondo.giunta.pk in opzioni
    assert not {a.pk for a in sbagliati.values()} & set(opzioni)


def test_a_new_delibera_from_the_popup_then_approve(mondo, in_validazione, client):
    """The «+» opens the act's add page (ente and kind preselected); saving it answers the
    admin's popup response with the new act, which then approves the cycle."""
    client.force_login(mondo.amministratore)
    indirizzo = f"/admin/obiettivi/ciclo/{in_validazione.pk}/avanza/"
    pagina = client.get(indirizzo).content.decode()
    assert "admin/js/admin/RelatedObjectLookups.js" in pagina
    link = re.search(r'<a class="related-widget-wrapper-link add-related" id="add_id_atto"\s+'
                     r'data-popup="yes"\s+href="([^"]+)"', pagina)
    assert link, "manca il «+» per aggiungere un atto"
    aggiungi = html.unescape(link.group(1))
    assert aggiungi.startswith("/admin/obiettivi/atto/add/?")
    assert "_popup=1" in aggiungi and f"ente={mondo.ente.pk}" in aggiungi
    assert f"tipo={regole.DELIBERA_GIUNTA}" in aggiungi

    popup = client.get(aggiungi)
    form = popup.context["adminform"].form
    assert str(form["ente"].value()) == str(mondo.ente.pk)
    assert form["tipo"].value() == regole.DELIBERA_GIUNTA

    risposta = client.post(aggiungi, {
        "ente": mondo.ente.pk, "tipo": regole.DELIBERA_GIUNTA, "organo": "Giunta Comunale",
        "numero": "41", "data": "28/04/2022", "anno": "2022",
        "oggetto": "Approvazione della Relazione sulla Performance 2021", "note": "",
        "variazioni-TOTAL_FORMS": "0", "variazioni-INITIAL_FORMS": "0",
        "_popup": "1", "_to_field": "id",
    })
    assert risposta.status_code == 200, risposta.content.decode()[:2000]
    assert "data-popup-response" in risposta.content.decode()
    nuovo = Atto.objects.get(ente=mondo.ente, numero="41")
    dati = json.loads(html.unescape(
        re.search(r'data-popup-response="([^"]+)"', risposta.content.decode()).group(1)))
    assert dati["value"] == str(nuovo.pk) and dati["obj"] == str(nuovo)

    opzioni = dict(client.get(indirizzo).context["form"].fields["atto"].widget.choices)
    assert nuovo.pk in opzioni
    assert client.post(indirizzo, {"atto": nuovo.pk}).status_code == 302
    in_validazione.refresh_from_db()
    assert (in_validazione.stato, in_validazione.atto_approvazione) == (S.APPROVATA, nuovo)


def test_atto_admin_shows_and_filters_the_kind(mondo, client):
    client.force_login(mondo.amministratore)
    _atti_sbagliati(mondo)
    pagina = client.get("/admin/obiettivi/atto/?tipo=legge").content.decode()
    assert "Legge n. 190/2012" in pagina and "Giunta Comunale n. 77/2022" not in pagina
    assert "Legge o decreto legislativo" in pagina
