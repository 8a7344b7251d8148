"""A small world for the role tests: one open cycle (rendicontazione) with two areas, one locked
cycle (approvata), and the three roles. Built with the ORM in a few dozen rows, once per test
module inside a transaction that is rolled back at the end; each test runs in its own savepoint
(pytest-django's ``db``), so tests may write freely."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse

from obiettivi import permessi
from obiettivi.models import (
    Atto, Ciclo, Ente, Fase, Indicatore, Obiettivo, TestoReport,
)
from obiettivi.services import area_upsert, nodo_upsert
from valutazione.models import IndicatoreFinanziario, StandardBarometro

R = Obiettivo.StatoRendicontazione


def _utente(username, ruolo, *enti):
    """A user with ``ruolo``: per-ente roles (Amministratore, Nucleo) in each of ``enti``."""
    user = get_user_model().objects.create_user(username, is_staff=True)
    if ruolo in permessi.RUOLI_PER_ENTE:
        for ente in enti:
            permessi.assegna(user, ente, ruolo)
    else:
        user.groups.add(Group.objects.get(name=ruolo))
    return user


def _obiettivo(ciclo, area, nodo, codice, **campi):
    ob = Obiettivo.objects.create(
        ciclo=ciclo, area=area, nodo=nodo, codice=codice, titolo=f"Obiettivo {codice}", **campi
    )
    Indicatore.objects.create(obiettivo=ob, codice=f"{codice}-I", nome="Pratiche evase",
                              target=Decimal("100"), consuntivo=Decimal("80"))
    Fase.objects.create(obiettivo=ob, codice=f"{codice}-F", descrizione="Unica fase",
                        peso=Decimal("100"), percentuale=Decimal("50"),
                        inizio=date(2021, 1, 1), fine=date(2021, 12, 31))
    return ob


@pytest.fixture(scope="module")
def _mondo_del_modulo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        blocco = transaction.atomic()
        blocco.__enter__()
        try:
            yield costruisci_mondo()
        finally:
            transaction.set_rollback(True)
            blocco.__exit__(None, None, None)


@pytest.fixture
def mondo(_mondo_del_modulo, db):
    for obj in vars(_mondo_del_modulo).values():
        if hasattr(obj, "refresh_from_db"):
            obj.refresh_from_db()
            permessi.dimentica(obj)  # obiettivi.permessi's per-user caches
    return _mondo_del_modulo


def costruisci_mondo():
    ente = Ente.objects.create(slug="prova", nome="Comune di Prova")
    giunta = Atto.objects.create(ente=ente, organo="Giunta Comunale", numero="77", anno=2022,
                                 oggetto="Approvazione della Relazione sulla Performance")
    aperto = Ciclo.objects.create(ente=ente, anno=2021, stato=Ciclo.Stato.RENDICONTAZIONE)
    chiuso = Ciclo.objects.create(ente=ente, anno=2020, stato=Ciclo.Stato.APPROVATA,
                                  atto_approvazione=giunta)
    mondo = SimpleNamespace(ente=ente, giunta=giunta, aperto=aperto, chiuso=chiuso)

    area_a = area_upsert(ciclo=aperto, codice="A", nome="Area Lavori pubblici", slug="lavori-pubblici")
    area_b = area_upsert(ciclo=aperto, codice="B", nome="Area Servizi alla persona", slug="persona")
    area_c = area_upsert(ciclo=chiuso, codice="A", nome="Area Lavori pubblici", slug="lavori-pubblici")
    nodo = nodo_upsert(ciclo=aperto, codice="1", titolo="Linea", livello_nome="linea strategica")
    nodo_c = nodo_upsert(ciclo=chiuso, codice="1", titolo="Linea", livello_nome="linea strategica")

    mondo.dirigente = _utente("dirigente.lavori-pubblici", permessi.DIRIGENTE)
    mondo.altro_dirigente = _utente("dirigente.persona", permessi.DIRIGENTE)
    mondo.nucleo = _utente("nucleo", permessi.NUCLEO, ente)
    mondo.amministratore = _utente("programmazione", permessi.AMMINISTRATORE, ente)
    area_a.dirigenti.add(mondo.dirigente)
    area_c.dirigenti.add(mondo.dirigente)
    area_b.dirigenti.add(mondo.altro_dirigente)
    mondo.area_a, mondo.area_b, mondo.area_c = area_a, area_b, area_c

    mondo.proprio = _obiettivo(aperto, area_a, nodo, "LP.01", relazione="", grado_proposto=None)
    mondo.altrui = _obiettivo(aperto, area_b, nodo, "SP.01")
    mondo.inviato = _obiettivo(aperto, area_a, nodo, "LP.02", relazione="Fatto.",
                               grado_proposto=4, stato_rendicontazione=R.INVIATO)
    mondo.bloccato = _obiettivo(chiuso, area_c, nodo_c, "LP.01", relazione="Fatto.",
                                grado_proposto=4, grado_validato=4,
                                stato_rendicontazione=R.VALIDATO)
    standard = {}
    for nome, ciclo, area in (("proprio", aperto, area_a), ("altrui", aperto, area_b),
                              ("bloccato", chiuso, area_c)):
        standard[nome] = StandardBarometro.objects.create(
            ciclo=ciclo, codice=f"S-{nome}", servizio="Anagrafe", standard="Tempi di rilascio",
            area=area, programmato="3 giorni", rilevato="2 giorni", grado=3,
        )
    mondo.standard = standard
    mondo.finanziari = {
        "proprio": IndicatoreFinanziario.objects.create(ciclo=aperto, codice="F1", nome="Autonomia",
                                                        target=10, valore=12),
        "bloccato": IndicatoreFinanziario.objects.create(ciclo=chiuso, codice="F1", nome="Autonomia",
                                                         target=10, valore=12),
    }
    mondo.testi = {
        "proprio": TestoReport.objects.create(ciclo=aperto, sezione="presentazione", testo="Testo."),
        "bloccato": TestoReport.objects.create(ciclo=chiuso, sezione="presentazione", testo="Testo."),
    }
    return mondo


def admin_url(model, vista, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{vista}", args=args)


def _valore_post(valore):
    if valore is None:
        return ""
    if isinstance(valore, (list, tuple)):  # many-to-many
        return [str(v) for v in valore] or None
    if isinstance(valore, bool):
        return "on" if valore else None
    if isinstance(valore, date):
        return valore.strftime("%d/%m/%Y")
    if isinstance(valore, Decimal):
        return format(valore, "f").replace(".", ",")
    return str(valore)


def _aggiungi_form(dati, form):
    for nome in form.fields:
        valore = _valore_post(form[nome].value())
        if valore is not None:
            dati[form.add_prefix(nome)] = valore


def dati_della_pagina(risposta):
    """The POST a browser would send back unchanged from an admin change page."""
    dati = {}
    _aggiungi_form(dati, risposta.context["adminform"].form)
    for inline in risposta.context["inline_admin_formsets"]:
        formset = inline.formset
        _aggiungi_form(dati, formset.management_form)
        for form in formset.forms:
            _aggiungi_form(dati, form)
    return dati


# --- a second ente (issue 17): the roles walled to their enti --------------------------------

def costruisci_secondo_ente(mondo):
    """Ente B («Comune di Altrove») beside the world's ente A, with one of each scoped row,
    and the users of the enti matrix: the Nucleo of A and B (in forma associata), the host.

    Each ente also has, in its open cycle, two schede in «bozza» — a dirigente's (the Nucleo
    sees it: ``GruppoRuolo.nucleo_vede``; evaluated by the ente's Sindaco) and a staff
    member's (the Nucleo does not see it; in A evaluated by the dirigente of area A) — and a
    draft documento di validazione."""
    from individuale.models import FondoPremi, Persona
    from valutazione.services import smvp_create_default

    altro = Ente.objects.create(slug="altrove", nome="Comune di Altrove")
    atto_b = Atto.objects.create(ente=altro, organo="Giunta Comunale", numero="5", anno=2021,
                                 oggetto="Approvazione del piano di Altrove")
    smvp_a = smvp_create_default(ente=mondo.ente, nome="SMVP di Prova")
    smvp_b = smvp_create_default(ente=altro, nome="SMVP di Altrove")
    ciclo_b = Ciclo.objects.create(ente=altro, anno=2021, stato=Ciclo.Stato.RENDICONTAZIONE, smvp=smvp_b)
    area_b = area_upsert(ciclo=ciclo_b, codice="T", nome="Area Tecnica di Altrove", slug="tecnica-altrove")
    nodo_b = nodo_upsert(ciclo=ciclo_b, codice="1", titolo="Linea di Altrove", livello_nome="linea strategica")
    ob_b = _obiettivo(ciclo_b, area_b, nodo_b, "AL.01")
    b = SimpleNamespace(
        ente=altro, atto=atto_b, smvp=smvp_b, ciclo=ciclo_b, area=area_b, obiettivo=ob_b,
        indicatore=Indicatore.objects.get(obiettivo=ob_b), fase=Fase.objects.get(obiettivo=ob_b),
        standard=StandardBarometro.objects.create(
            ciclo=ciclo_b, codice="S-altrove", servizio="Anagrafe", standard="Tempi di Altrove",
            area=area_b, programmato="3 giorni", rilevato="2 giorni", grado=3),
        finanziario=IndicatoreFinanziario.objects.create(ciclo=ciclo_b, codice="F1", nome="Autonomia di Altrove",
                                                         target=10, valore=12),
        testo=TestoReport.objects.create(ciclo=ciclo_b, sezione="presentazione", testo="Testo di Altrove."),
        persona=Persona.objects.create(ente=altro, cognome="Altrovesi", nome="Bruna", matricola="B1"),
        fondo=FondoPremi.objects.create(ciclo=ciclo_b, nome="Fondo di Altrove", importo=Decimal("1000")),
    )
    a = SimpleNamespace(
        ente=mondo.ente, atto=mondo.giunta, smvp=smvp_a, ciclo=mondo.aperto, area=mondo.area_a,
        obiettivo=mondo.proprio, indicatore=Indicatore.objects.get(obiettivo=mondo.proprio),
        fase=Fase.objects.get(obiettivo=mondo.proprio), standard=mondo.standard["proprio"],
        finanziario=mondo.finanziari["proprio"], testo=mondo.testi["proprio"],
        persona=Persona.objects.create(ente=mondo.ente, cognome="Provesi", nome="Anna", matricola="A1"),
        fondo=FondoPremi.objects.create(ciclo=mondo.aperto, nome="Fondo di Prova", importo=Decimal("1000")),
    )
    mondo.aperto.smvp = smvp_a
    mondo.aperto.save(update_fields=["smvp"])
    for ente, ciclo, area in ((a, mondo.aperto, mondo.area_a), (b, ciclo_b, area_b)):
        _schede_e_documento(ente, ciclo, area)
    utenti = SimpleNamespace(
        amministratore_a=mondo.amministratore,
        nucleo_a=mondo.nucleo,
        nucleo_ab=_utente("nucleo.associato", permessi.NUCLEO, mondo.ente, altro),
        dirigente_a=mondo.dirigente,
        host=get_user_model().objects.create_superuser("gestore", is_staff=True),
    )
    return SimpleNamespace(a=a, b=b, utenti=utenti)


def _schede_e_documento(ns, ciclo, area):
    """The schede, an individual objective and the draft documento di validazione of the
    ente ``ns`` (A or B of ``costruisci_secondo_ente``), in ``ciclo``."""
    from individuale import servizi
    from individuale.models import Persona
    from trasparenza.models import Pubblicazione
    from validazione.models import DocumentoValidazione

    servizi.regole_predefinite_crea(smvp=ciclo.smvp)
    gruppi = {g.codice: g for g in ciclo.smvp.gruppi_ruolo.all()}
    nome = ns.ente.nome.removeprefix("Comune di ")
    sindaco = _utente(f"sindaco.{ns.ente.slug}", permessi.VALUTATORE)
    dirigente = Persona.objects.create(ente=ns.ente, cognome=f"{nome}dirigenti", nome="Dario",
                                       matricola=f"{ns.ente.slug}-D")
    impiegata = Persona.objects.create(ente=ns.ente, cognome=f"{nome}impiegati", nome="Paola",
                                       matricola=f"{ns.ente.slug}-P")
    (ns.scheda,) = servizi.crea_schede(ciclo, gruppi["dirigente"], area, [dirigente], valutatore=sindaco)
    valuta = None if area.dirigenti.exists() else sindaco  # A: the dirigente of the area
    (ns.scheda_personale,) = servizi.crea_schede(ciclo, gruppi["dipendente"], area, [impiegata],
                                                 valutatore=valuta)
    ns.obiettivo_individuale = ns.scheda.obiettivi.order_by("pk").first()
    versione = Pubblicazione.objects.create(ciclo=ciclo, versione=1, impronta="0" * 64, dati={}, html="")
    ns.documento = DocumentoValidazione.objects.create(ciclo=ciclo, pubblicazione=versione)


@pytest.fixture(scope="module")
def _due_enti_del_modulo(_mondo_del_modulo, django_db_blocker):
    with django_db_blocker.unblock():  # inside the module's transaction, rolled back with it
        yield costruisci_secondo_ente(_mondo_del_modulo)


@pytest.fixture
def due_enti(mondo, _due_enti_del_modulo):
    for gruppo in (_due_enti_del_modulo.a, _due_enti_del_modulo.b, _due_enti_del_modulo.utenti):
        for obj in vars(gruppo).values():
            obj.refresh_from_db()
            permessi.dimentica(obj)
    return _due_enti_del_modulo
