"""What an import may not change (``regole.errori_modifica``, applied row by row by
``obiettivi.peg.piano``): outcomes already with the Nucleo, anything from «Validazione» on unless
the cycle was reopened, the plan outside «Pianificazione»; and a dirigente's errors that do not
tell what other areas hold."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from obiettivi import permessi, regole, workflow
from obiettivi.models import Area, Ciclo, Fase, Indicatore, Obiettivo
from obiettivi.peg.importa import importa_workbook
from valutazione.models import StandardBarometro

from .conftest import COMPLETO, INDICATORI
from .test_comando import _connessione_aperta, esegui  # noqa: F401 (a fixture)

R = Obiettivo.StatoRendicontazione
S = Ciclo.Stato
URL = "/admin/obiettivi/ciclo/peg/"
ESTESO = dict(COMPLETO, indicatori=[*INDICATORI, ["O3", "I1", "Atti", "n.", "alto", "5", "2"]])
NUCLEO_O1 = ("l'obiettivo 'O1' è già «Validato dal Nucleo»: i suoi esiti non si sovrascrivono "
             "(per correggerli il Nucleo rinvia l'obiettivo al dirigente)")


@pytest.fixture
def in_rendicontazione(ciclo, workbook):
    """The small PEG in rendicontazione: O1 validated by the Nucleo, O2 sent, O3 a draft."""
    assert importa_workbook(file=workbook(ESTESO), ciclo=ciclo).ok
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=S.RENDICONTAZIONE)
    Obiettivo.objects.filter(ciclo=ciclo, codice="O1").update(
        stato_rendicontazione=R.VALIDATO, relazione="Fatto.", grado_proposto=4, grado_validato=4)
    Obiettivo.objects.filter(ciclo=ciclo, codice="O2").update(stato_rendicontazione=R.INVIATO)
    ciclo.refresh_from_db()
    return ciclo


def _fotografia(ciclo):
    """Every value an import could write, and the history's size."""
    return (
        list(Obiettivo.objects.filter(ciclo=ciclo).order_by("codice").values()),
        list(Indicatore.objects.filter(obiettivo__ciclo=ciclo).order_by("pk").values()),
        list(Fase.objects.filter(obiettivo__ciclo=ciclo).order_by("pk").values()),
        list(StandardBarometro.objects.filter(ciclo=ciclo).values()),
        Obiettivo.history.count() + Indicatore.history.count() + Fase.history.count(),
    )


def _consuntivo_o1(valore="9"):
    return {"indicatori": [["O1", "I1", "Pratiche evase", "n.", "alto", "10", valore]]}


# --- the rule alone ---------------------------------------------------------------------------


def test_the_rule_alone():
    def errori(**kwargs):
        base = {"cosa": "l'indicatore 'O1 / I1'", "modello": "obiettivi.indicatore",
                "obiettivo": "O1", "stato_ciclo": "rendicontazione"}
        return regole.errori_modifica(**{**base, **kwargs})

    assert errori(campi=["consuntivo"], stato_rendicontazione="bozza") == {}
    assert errori(campi=["consuntivo"], stato_rendicontazione="rinviato") == {}
    assert list(errori(campi=["consuntivo"], stato_rendicontazione="inviato")) == ["consuntivo"]
    assert list(errori(campi=["target", "consuntivo"], stato_rendicontazione="bozza")) == ["target"]
    assert errori(campi=["target"], stato_ciclo="pianificazione") == {}
    assert list(errori(nuova=True)) == ["codice"]
    for stato in ("validazione", "approvata", "pubblicata"):
        assert list(errori(campi=["consuntivo"], stato_ciclo=stato)) == ["consuntivo"]
    # reopened into «Validazione»: what is not with the Nucleo may change again
    assert errori(cosa="lo standard 'B1'", modello="valutazione.standardbarometro",
                  obiettivo=None, campi=["rilevato"], stato_ciclo="validazione",
                  riaperto=True) == {}
    assert list(errori(campi=["consuntivo"], stato_ciclo="approvata", riaperto=True)) == ["consuntivo"]


# --- outcomes with the Nucleo -----------------------------------------------------------------


def test_unchanged_reimport_in_rendicontazione_writes_nothing(in_rendicontazione, workbook):
    prima = _fotografia(in_rendicontazione)
    esito = importa_workbook(file=workbook(ESTESO), ciclo=in_rendicontazione)
    assert esito.ok and esito.n_modifiche == 0 and esito.scritto
    assert _fotografia(in_rendicontazione) == prima


def test_a_validated_consuntivo_is_refused_naming_the_objective(in_rendicontazione, workbook):
    prima = _fotografia(in_rendicontazione)
    fogli = {
        "indicatori": [["O1", "I1", "Pratiche evase", "n.", "alto", "10", "9"],
                       ["O2", "I1", "Regolamento", "", "si_no", "sì", "sì"],
                       ["O3", "I1", "Atti", "n.", "alto", "5", "4"]],  # a draft: allowed
        "fasi": [["O1", "F2", "Attuazione", "60", "95", "", ""]],
    }
    esito = importa_workbook(file=workbook(fogli), ciclo=in_rendicontazione)
    assert [str(e) for e in esito.errori] == [
        f"Foglio indicatori, riga 2, colonna consuntivo: {NUCLEO_O1}",
        "Foglio indicatori, riga 3, colonna consuntivo: l'obiettivo 'O2' è già «Inviato al "
        "Nucleo»: i suoi esiti non si sovrascrivono (per correggerli il Nucleo rinvia "
        "l'obiettivo al dirigente)",
        f"Foglio fasi, riga 2, colonna percentuale: {NUCLEO_O1}",
    ]
    assert not esito.scritto and _fotografia(in_rendicontazione) == prima


def test_the_command_refuses_it_with_exit_1(in_rendicontazione, workbook, _connessione_aperta):
    prima = _fotografia(in_rendicontazione)
    codice, _, err = esegui("importa_peg", str(workbook(_consuntivo_o1())), "--ente", "prova",
                            "--anno", "2021")
    assert codice == 1
    assert f"Foglio indicatori, riga 2, colonna consuntivo: {NUCLEO_O1}" in err
    assert _fotografia(in_rendicontazione) == prima


def test_the_admin_preview_refuses_it(in_rendicontazione, workbook, client, django_user_model):
    prima = _fotografia(in_rendicontazione)
    client.force_login(django_user_model.objects.create_superuser("capo", password="x"))
    percorso = workbook(_consuntivo_o1())
    risposta = client.post(URL, {"ciclo": in_rendicontazione.pk, "foglio": "",
                                 "file": SimpleUploadedFile(percorso.name, percorso.read_bytes())})
    testo = risposta.content.decode()
    assert "Foglio indicatori, riga 2, colonna consuntivo: l&#x27;obiettivo &#x27;O1&#x27; è già " \
           "«Validato dal Nucleo»" in testo
    assert "Controllo superato" not in testo and "_conferma" not in testo
    assert _fotografia(in_rendicontazione) == prima


# --- the plan only in «Pianificazione» --------------------------------------------------------


def test_the_plan_changes_only_in_pianificazione(in_rendicontazione, workbook):
    prima = _fotografia(in_rendicontazione)
    obiettivi = [list(r) for r in COMPLETO["obiettivi"]]
    obiettivi[2][1] = "Titolo cambiato"
    obiettivi.append(["O4", "Nuovo", "", "A1", "1.1", "", "1", "attivo", "", ""])
    fogli = {"obiettivi": obiettivi,
             "indicatori": [["O3", "I1", "Atti", "n.", "alto", "6", "2"]]}
    esito = importa_workbook(file=workbook(fogli), ciclo=in_rendicontazione)
    assert [str(e) for e in esito.errori] == [
        "Foglio obiettivi, riga 4, colonna titolo: l'obiettivo 'O3': il piano (titoli, pesi, "
        "target, date previste, aree, albero) si modifica solo in «Pianificazione» (il ciclo è "
        "in «Rendicontazione»)",
        "Foglio obiettivi, riga 5, colonna codice: l'obiettivo 'O4' non esiste nel ciclo: le "
        "righe nuove del piano si aggiungono solo in «Pianificazione» (il ciclo è in "
        "«Rendicontazione»)",
        "Foglio indicatori, riga 2, colonna target: l'indicatore 'O3 / I1': il piano (titoli, "
        "pesi, target, date previste, aree, albero) si modifica solo in «Pianificazione» (il "
        "ciclo è in «Rendicontazione»)",
    ]
    assert _fotografia(in_rendicontazione) == prima

    # The same file in «Pianificazione» goes through.
    Ciclo.objects.filter(pk=in_rendicontazione.pk).update(stato=S.PIANIFICAZIONE)
    in_rendicontazione.refresh_from_db()
    assert importa_workbook(file=workbook(fogli), ciclo=in_rendicontazione).ok


def test_a_draft_outcome_is_still_imported(in_rendicontazione, workbook):
    fogli = {"indicatori": [["O3", "I1", "Atti", "n.", "alto", "5", "4"]]}
    assert importa_workbook(file=workbook(fogli), ciclo=in_rendicontazione).ok
    assert Indicatore.objects.get(obiettivo__codice="O3", codice="I1").consuntivo == 4


# --- «Validazione» and the reopening ----------------------------------------------------------


def test_validazione_refuses_everything_unless_reopened(in_rendicontazione, workbook,
                                                        django_user_model):
    ciclo = in_rendicontazione
    barometro = {"barometro": [["B1", "Anagrafe", "A1", "Appuntamento entro 15 giorni",
                                "15 giorni", "10 giorni", "2"]]}
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=S.VALIDAZIONE)
    ciclo.refresh_from_db()
    prima = _fotografia(ciclo)
    esito = importa_workbook(file=workbook(barometro), ciclo=ciclo)
    messaggio = ("il ciclo è in «Validazione»: lo standard 'B1' non si può più modificare (un "
                 "Amministratore può riaprire il ciclo)")
    assert [str(e) for e in esito.errori] == [
        f"Foglio barometro, riga 2, colonna rilevato: {messaggio}",
        f"Foglio barometro, riga 2, colonna grado: {messaggio}",
    ]
    assert _fotografia(ciclo) == prima

    # Approved, then reopened into «Validazione» by an Amministratore: allowed again.
    Ciclo.objects.filter(pk=ciclo.pk).update(stato=S.APPROVATA)
    amministratore = django_user_model.objects.create_superuser("capo", password="x")
    workflow.ciclo_riapri(ciclo=ciclo, utente=amministratore, stato=S.VALIDAZIONE,
                          motivazione="Rilevazione del barometro da correggere")
    ciclo.refresh_from_db()
    assert workflow.ciclo_riaperto(ciclo)
    esito = importa_workbook(file=workbook(barometro), ciclo=ciclo)
    assert esito.ok, esito.errori
    assert StandardBarometro.objects.get(ciclo=ciclo, codice="B1").rilevato == "10 giorni"
    # …but not the outcomes the Nucleo holds.
    assert [str(e) for e in importa_workbook(file=workbook(_consuntivo_o1()), ciclo=ciclo).errori] == [
        f"Foglio indicatori, riga 2, colonna consuntivo: {NUCLEO_O1}"]


# --- a dirigente learns nothing about other areas ---------------------------------------------


@pytest.fixture
def dirigente(in_rendicontazione, django_user_model):
    user = django_user_model.objects.create_user("dir.a1", password="x", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=permessi.DIRIGENTE)[0])
    Area.objects.get(ciclo=in_rendicontazione, codice="A1").dirigenti.add(user)
    return user


@pytest.mark.parametrize("foglio,riga", [
    ("indicatori", lambda codice: [codice, "I1", "Regolamento", "", "si_no", "sì", "sì"]),
    ("fasi", lambda codice: [codice, "F1", "Unica", "100", "50", "", ""]),
    ("obiettivi", lambda codice: [codice, "Obiettivo", "", "A1", "1.1", "", "1", "attivo", "", ""]),
])
def test_another_areas_code_reads_as_an_unknown_one(in_rendicontazione, dirigente, workbook,
                                                    foglio, riga):
    messaggi = {}
    for codice in ("O2", "ZZ.99"):  # O2 is area A2's; ZZ.99 exists nowhere
        esito = importa_workbook(file=workbook({foglio: [riga(codice)]}),
                                 ciclo=in_rendicontazione, utente=dirigente)
        messaggi[codice] = [str(e).replace(codice, "<codice>") for e in esito.errori]
    assert messaggi["O2"] == messaggi["ZZ.99"]
    assert len(messaggi["O2"]) == 1
    assert "non è tra gli obiettivi delle aree di cui 'dir.a1' è dirigente" in messaggi["O2"][0]
    assert "A2" not in messaggi["O2"][0]
