"""Italian, and one vocabulary, in the whole admin (issue 14, point 7).

The walk: on the Seregno demo with reporting open, each role (Amministratore, Nucleo, a dirigente)
opens every admin page it can reach — discovered from the registered ``ModelAdmin``s and their
``get_urls`` (``tests/ruoli/passeggiata.py``), so pages added later are walked too — and no page
may show an English word, «Il obiettivo», «un altro fase», a capitalised month mid-sentence or
«seregno_perf». Then the pieces one by one: the catalog (.po = .mo, messages for every model),
the JavaScript catalog, the header, the inlines' add text, the fields hidden from other roles.
"""

import gettext as gettext_module
import json
import re
from datetime import date
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from obiettivi.demo import carica_demo
from obiettivi.models import Ciclo, Ente, Obiettivo
from seregno_perf.testi_admin import TestoAggiungiMixin
from tests.individuale.mondo_admin import schede_per_la_passeggiata
from tests.ruoli.passeggiata import pagine_admin, problemi, leggi_pagina

pytestmark = pytest.mark.django_db
CATALOGHI = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES"
DIRIGENTE = "dirigente.lavori-pubblici"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo once for the module, reporting open (forms editable, inlines with their «add»
    link), one row in each register of logins; rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        ciclo = carica_demo().ciclo
        Ciclo.objects.filter(pk=ciclo.pk).update(
            stato=Ciclo.Stato.RENDICONTAZIONE, atto_approvazione=None)
        schede_per_la_passeggiata(ciclo)  # the pages of performance individuale, with a row each
        # The objectives whose «Cronologia» the walk reads get changes to list: empty → value,
        # a choice, a long text.
        primi = [Obiettivo.objects.order_by("pk").first(),
                 Obiettivo.objects.filter(area__dirigenti__username=DIRIGENTE).order_by("pk").first()]
        for obiettivo in primi:
            obiettivo.grado_validato, obiettivo.relazione = None, ""
            obiettivo.save()
            obiettivo.grado_validato = 4
            obiettivo.stato_rendicontazione = Obiettivo.StatoRendicontazione.INVIATO
            obiettivo.relazione = "Attività concluse nei tempi previsti. " * 6
            obiettivo.save()
        comuni = {"user_agent": "Mozilla/5.0", "ip_address": "10.0.0.7", "username": "nucleo",
                  "http_accept": "text/html", "path_info": "/admin/login/"}
        AccessAttempt.objects.create(**comuni, get_data="", post_data="", failures_since_start=2)
        AccessLog.objects.create(**comuni)
        AccessFailureLog.objects.create(**comuni, locked_out=True)
        yield ciclo
        transaction.set_rollback(True)


def _cliente(username):
    utente = get_user_model().objects.get(username=username)
    cliente = Client()
    cliente.force_login(utente)
    return utente, cliente


def _leggi(risposta):
    return leggi_pagina(risposta.content.decode())


# --- the walk ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username,minimo", [("admin", 90), ("nucleo", 55), (DIRIGENTE, 15)])
def test_ogni_pagina_admin_del_ruolo_e_in_italiano(demo, username, minimo):
    utente, cliente = _cliente(username)
    viste, difetti = [], {}
    for pagina in pagine_admin(utente):
        risposta = cliente.get(pagina.url)
        if risposta.status_code == 302 or "text/html" not in risposta.get("Content-Type", ""):
            continue  # a redirect (to a download) or a file
        # Not this role's page: the refusal is read too («403 Forbidden» was Django's English).
        assert risposta.status_code in (200, 403, 404), f"{pagina}: {risposta.status_code}"
        if risposta.status_code == 200:
            viste.append(pagina.url)
        trovati = problemi(_leggi(risposta))
        if trovati:
            difetti[f"{pagina.descrizione} {pagina.url}"] = sorted(set(trovati))
    assert not difetti, json.dumps(difetti, ensure_ascii=False, indent=1)
    # The walk found the pages: lists, forms, history and custom views of the role.
    assert len(viste) >= minimo, viste
    assert any("/history/" in url for url in viste)


def test_pagina_di_accesso_in_italiano(demo):
    risposta = Client().get(reverse("admin:login"))
    testo = _leggi(risposta)
    assert problemi(testo) == []
    assert "Performance" in testo


def test_pagine_di_errore_in_italiano(demo):
    _, nucleo = _cliente("nucleo")
    vietata = nucleo.get(reverse("admin:obiettivi_ciclo_avanza", args=[demo.pk]))
    assert vietata.status_code == 403
    assert "Accesso non consentito" in _leggi(vietata) and problemi(_leggi(vietata)) == []
    assente = Client().get("/non-esiste/")
    assert assente.status_code == 404
    assert "Pagina non trovata" in _leggi(assente) and problemi(_leggi(assente)) == []


def test_la_passeggiata_trova_inglese_e_errori(demo):
    """The checks of the walk catch what the issue found (a check that cannot fail is none)."""
    html = (
        '<html><head><title>x</title><script>var Search = 1;</script></head><body>'
        '<th class="visually-hidden">Model name</th><p>Access attempts</p>'
        '<p>Il obiettivo operativo «LLPP.07» è stato modificato.</p>'
        '<div data-inline-formset=\'{"options": {"addText": "Aggiungi un altro Fase"}}\'></div>'
        '<p>Modificato il 31 Dicembre 2021</p><a class="historylink">STORIA</a>'
        '<input type="hidden" value="History"><input type="submit" value="Save">'
        '<div id="site-name">seregno_perf</div></body></html>'
    )
    trovati = " ".join(problemi(leggi_pagina(html)))
    for atteso in ("«Model name»", "«Access»", "«attempts»", "«Il obiettivo»", "«un altro Fase»",
                   "«Dicembre»", "«STORIA»", "«Save»", "«seregno_perf»"):
        assert atteso in trovati, (atteso, trovati)
    assert "«Search»" not in trovati and "«History»" not in trovati  # script, hidden input


# --- the catalog -------------------------------------------------------------------------------


def _leggi_po(percorso):
    """A .po file as the catalog gettext builds from its .mo: {msgid: msgstr}, with
    "context\\x04msgid" keys and (msgid, n) keys for plurals; the header and empty
    translations left out."""
    voci, voce, campo = {}, {}, None
    righe = percorso.read_text(encoding="utf-8").splitlines() + [""]

    def chiudi():
        if voce.get("msgid"):
            chiave = voce["msgid"]
            if "msgctxt" in voce:
                chiave = f"{voce['msgctxt']}\x04{chiave}"
            plurali = sorted(k for k in voce if k.startswith("msgstr["))
            if plurali:
                for k in plurali:
                    if voce[k]:
                        voci[(chiave, int(k[7:-1]))] = voce[k]
            elif voce.get("msgstr"):
                voci[chiave] = voce["msgstr"]
        voce.clear()

    for riga in righe:
        riga = riga.strip()
        if not riga or riga.startswith("#"):
            if not riga:
                chiudi()
            continue
        if riga.startswith('"'):
            voce[campo] += json.loads(riga)
            continue
        campo, _, valore = riga.partition(" ")
        if campo == "msgctxt" and voce.get("msgid") is not None and "msgstr" in voce:
            chiudi()
        voce[campo] = json.loads(valore)
    return voci


@pytest.mark.parametrize("dominio", ["django", "djangojs"])
def test_il_mo_compilato_corrisponde_al_po(dominio):
    """The committed .mo says exactly what the .po says: after editing the .po, recompile
    (docs/ARCHITECTURE.md, «Lingua e testi»)."""
    po = _leggi_po(CATALOGHI / f"{dominio}.po")
    with open(CATALOGHI / f"{dominio}.mo", "rb") as file:
        mo = dict(gettext_module.GNUTranslations(file)._catalog)
    mo.pop("", None)
    assert mo == po


NOMI = ["obiettivo operativo", "ente", "area", "fase", "atto", "indicatore", "pubblicazione"]
MESSAGGI_CON_NOME = [
    "The {name} “{obj}” was added successfully.",
    "The {name} “{obj}” was added successfully. You may edit it again below.",
    "The {name} “{obj}” was added successfully. You may add another {name} below.",
    "The {name} “{obj}” was changed successfully.",
    "The {name} “{obj}” was changed successfully. You may edit it again below.",
    "The {name} “{obj}” was changed successfully. You may add another {name} below.",
]


@pytest.mark.parametrize("nome", NOMI)
def test_messaggi_dopo_il_salvataggio_grammaticali_per_ogni_modello(nome):
    with translation.override("it"):
        testi = [translation.gettext(m).format(name=nome, obj="LLPP.07") for m in MESSAGGI_CON_NOME]
        testi.append(translation.gettext("The %(name)s “%(obj)s” was deleted successfully.")
                     % {"name": nome, "obj": "LLPP.07"})
        testi += [translation.gettext(m) % nome for m in ("Select %s to view", "Select %s to change", "View %s")]
        testi.append(translation.gettext("Add another %(model)s") % {"model": nome})
    for testo in testi:
        assert problemi(testo) == [], testo
        assert not re.match(r"(Il|Lo|La) ", testo), testo
    assert testi[3] == f"Modifiche salvate: {nome} «LLPP.07»."


def test_vocabolario_cronologia_e_mesi_minuscoli():
    with translation.override("it"):
        assert translation.gettext("History") == "Cronologia"
        assert date_format(date(2021, 12, 31), "DATE_FORMAT") == "31 dicembre 2021"
        assert date_format(date(2021, 12, 1), "YEAR_MONTH_FORMAT") == "dicembre 2021"  # date_hierarchy
        assert date_format(date(2021, 12, 1), "l j F") == "mercoledì 1 dicembre"


def test_catalogo_javascript_completo_e_mesi_minuscoli(demo):
    """The calendar and the two-column selector read Django's JavaScript catalog: every string of
    Django's admin scripts has its Italian, and months are lower case."""
    _, cliente = _cliente("admin")
    js = cliente.get(reverse("admin:jsi18n")).content.decode()
    catalogo = json.loads(re.search(r"const newcatalog = (\{.*?\});", js, re.S).group(1))
    django_po = Path(admin.__file__).parent / "locale" / "it" / "LC_MESSAGES" / "djangojs.po"
    mancanti = [chiave for chiave in _chiavi(django_po) if chiave not in catalogo]
    assert not mancanti
    assert catalogo["December"] == "dicembre" and catalogo["Sunday"] == "domenica"


def _chiavi(percorso):
    """The catalog key of every entry of a .po, translated or not ("context\x04msgid" with a
    context): the untranslated ones are those the project's catalog must add."""
    chiavi = []
    for blocco in percorso.read_text(encoding="utf-8").split("\n\n"):
        valori = {
            campo: "".join(json.loads(p) for p in re.findall(r'"(?:[^"\\]|\\.)*"', testo))
            for campo, testo in re.findall(r'^(msgid|msgctxt) ((?:".*"\n?)+)', blocco, re.M)
        }
        if valori.get("msgid"):
            contesto = valori.get("msgctxt")
            chiavi.append(f"{contesto}\x04{valori['msgid']}" if contesto else valori["msgid"])
    return chiavi


# --- header, inlines, internal fields ----------------------------------------------------------


def _intestazione(cliente):
    risposta = cliente.get(reverse("admin:index"))
    return re.search(r'<div id="site-name"><a [^>]*>(.*?)</a>', risposta.content.decode()).group(1)


def test_intestazione_con_l_ente_dell_utente(demo):
    _, dirigente = _cliente(DIRIGENTE)
    _, amministratore = _cliente("admin")
    assert _intestazione(dirigente) == "Performance — Comune di Seregno"
    assert _intestazione(amministratore) == "Performance — Comune di Seregno"
    titolo = amministratore.get(reverse("admin:index")).content.decode()
    assert "<title>Scrivania | Performance — Comune di Seregno</title>" in titolo
    Ente.objects.create(slug="monza", nome="Comune di Monza")
    # issue 17: admin stays the Amministratore of Seregno only; the host sees both enti
    assert _intestazione(_cliente("admin")[1]) == "Performance — Comune di Seregno"
    assert _intestazione(_cliente("gestore")[1]) == "Performance"  # two enti: no single name
    assert _intestazione(_cliente(DIRIGENTE)[1]) == "Performance — Comune di Seregno"
    assert "Performance" in _leggi(Client().get(reverse("admin:login")))


def test_ogni_inline_ha_il_suo_testo_aggiungi():
    """Every inline of every registered admin says «Aggiungi un'altra fase», not Django's
    «Aggiungi un altro Fase», and its admin uses it."""
    inline = [(m, i) for m, ma in admin.site._registry.items() for i in ma.inlines]
    assert inline
    for modello, classe in inline:
        testo = getattr(classe, "testo_aggiungi", "")
        assert testo.startswith("Aggiungi "), classe
        assert problemi(testo) == [], (classe, testo)
        assert isinstance(admin.site._registry[modello], TestoAggiungiMixin), modello


def test_la_pagina_dell_obiettivo_dice_aggiungi_un_altra_fase(demo):
    _, cliente = _cliente("admin")
    obiettivo = Obiettivo.objects.filter(ciclo=demo).order_by("pk").first()
    html = cliente.get(reverse("admin:obiettivi_obiettivo_change", args=[obiettivo.pk])).content.decode()
    testo = leggi_pagina(html)  # reads the inlines' data-inline-formset
    assert "Aggiungi un'altra fase" in testo and "Aggiungi un altro indicatore" in testo


@pytest.mark.parametrize("username,vede", [("admin", True), ("nucleo", False), (DIRIGENTE, False)])
def test_ordine_solo_per_chi_lo_modifica(demo, username, vede):
    utente, cliente = _cliente(username)
    obiettivo = Obiettivo.objects.filter(ciclo=demo, area__dirigenti=get_user_model().objects.get(
        username=DIRIGENTE)).order_by("pk").first()
    testo = _leggi(cliente.get(reverse("admin:obiettivi_obiettivo_change", args=[obiettivo.pk])))
    assert ("Ordine:" in testo or "Ordine\n" in testo) is vede
    if username == "nucleo":
        elenco = _leggi(cliente.get(reverse("admin:obiettivi_testoreport_changelist")))
        assert "Ordine" not in elenco.splitlines()


def test_cronologia_con_valori_in_italiano(demo):
    """The «Cronologia» lists changes as people read them: «—» for nothing, a choice by its label,
    a long text shortened in Italian (django-simple-history: «None», «inviato», «[60 chars]»)."""
    _, cliente = _cliente("nucleo")
    obiettivo = Obiettivo.objects.order_by("pk").first()
    testo = _leggi(cliente.get(reverse("admin:obiettivi_obiettivo_history", args=[obiettivo.pk])))
    assert "Grado validato:\n—\n→ 4" in testo or "Grado validato: — → 4" in testo.replace("\n", " ")
    assert "→ Inviato al Nucleo" in testo.replace("\n", " ")
    assert re.search(r"\[… \d+ caratteri …\]", testo)


def _dati_del_modulo(risposta):
    """The change form's fields as the page shows them, ready to be posted back."""
    modulo = risposta.context["adminform"].form
    dati = {}
    for nome, campo in modulo.fields.items():
        valore = modulo[nome].value()
        if valore is not None:
            dati[nome] = valore
    return dati


def test_messaggi_dell_admin_dopo_modifica_ed_eliminazione(demo):
    """The real pages: saving and deleting say «Modifiche salvate: …» and «Eliminazione
    eseguita: …» (Django's Italian said «Il risposta … è stato modificato con successo»)."""
    from obiettivi.models import RispostaRPCT, VoceScheda

    _, cliente = _cliente("admin")
    risposta_rpct = RispostaRPCT.objects.filter(ciclo=demo).order_by("pk").first()
    url = reverse("admin:obiettivi_rispostarpct_change", args=[risposta_rpct.pk])
    dati = _dati_del_modulo(cliente.get(url))
    dati["risposta"] = "Risposta aggiornata."
    pagina = cliente.post(url, dati, follow=True)
    messaggi = [re.sub(r"<[^>]+>", "", str(m)) for m in pagina.context["messages"]]  # a link
    assert messaggi == [f"Modifiche salvate: risposta della relazione RPCT «{risposta_rpct}»."]

    voce = VoceScheda.objects.order_by("pk").first()
    url = reverse("admin:obiettivi_vocescheda_delete", args=[voce.pk])
    conferma = _leggi(cliente.get(url))
    assert "Sì, elimina" in conferma and problemi(conferma) == []
    pagina = cliente.post(url, {"post": "yes"}, follow=True)
    messaggi = [str(m) for m in pagina.context["messages"]]
    assert messaggi == [f"Eliminazione eseguita: voce della scheda servizi «{voce}»."]
