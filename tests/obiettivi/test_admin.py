"""The admin: every registered page answers, query counts stay flat, rules show as form errors."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from obiettivi import admin as obiettivi_admin
from obiettivi.models import Area, Ciclo, Fase, Indicatore, NodoStrategico, Obiettivo, TabellaReport
from obiettivi.synthetic import genera_ciclo
from tests.ruoli.incarichi import dai_ruolo

pytestmark = pytest.mark.django_db

REGISTRATI = sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label)

# Measured on synthetic cycles of 100 and 500 objectives, SQLite and PostgreSQL alike:
# changelist 8 (session, user, 2 counts, the page, cycles and areas of the filters, the enti of
# the header «Performance — <ente>»), change page 14 (session, user, objective, the SMVP with its
# bands and levels for the computed result and the grades' labels, indicators, phases, the
# user's groups, indicators and phases as scoring reads them, the cycle's areas, the cycle's
# nodes, the header's enti). Pinned at the measured values.
MAX_QUERY_CHANGELIST = 8
MAX_QUERY_CHANGE = 14


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", None)


@pytest.fixture
def client_admin(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def ciclo():
    return genera_ciclo(ente_slug="sintetico", anno=2030, n_obiettivi=30, seme=1)


def url(model, vista, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{vista}", args=args)


@pytest.mark.parametrize(
    ("model", "model_admin"), REGISTRATI, ids=[m._meta.label for m, _ in REGISTRATI]
)
def test_every_registered_page_answers_for_a_superuser(client_admin, superuser, ciclo, model,
                                                       model_admin):
    risposta = client_admin.get(url(model, "changelist"))
    assert risposta.status_code == 200

    richiesta = RequestFactory().get("/")
    richiesta.user = superuser
    atteso = 200 if model_admin.has_add_permission(richiesta) else 403
    assert client_admin.get(url(model, "add")).status_code == atteso

    primo = model._default_manager.first()
    if primo is not None:
        assert client_admin.get(url(model, "change", primo.pk)).status_code == 200


def contare_query(client, indirizzo):
    with CaptureQueriesContext(connection) as catturate:
        risposta = client.get(indirizzo)
    assert risposta.status_code == 200
    return len(catturate)


def test_obiettivo_pages_query_counts_do_not_grow_with_the_cycle(
    client_admin, django_assert_max_num_queries
):
    piccolo = genera_ciclo(ente_slug="piccolo", anno=2030, n_obiettivi=100, seme=2)
    grande = genera_ciclo(ente_slug="grande", anno=2030, n_obiettivi=500, seme=3)
    # Warm Django's per-process caches (content types) as a running server has them.
    client_admin.get(url(Obiettivo, "change", Obiettivo.objects.filter(ciclo=piccolo).last().pk))
    conteggi = {}
    for c in (piccolo, grande):
        elenco = f"{url(Obiettivo, 'changelist')}?ciclo={c.pk}"
        obiettivo = Obiettivo.objects.filter(ciclo=c, fasi__isnull=False).first()
        conteggi[c.pk] = (
            contare_query(client_admin, elenco),
            contare_query(client_admin, f"{elenco}&area={obiettivo.area_id}&stato=attivo"),
            contare_query(client_admin, url(Obiettivo, "change", obiettivo.pk)),
        )
    assert conteggi[piccolo.pk] == conteggi[grande.pk]

    obiettivo = Obiettivo.objects.filter(ciclo=grande, fasi__isnull=False).first()
    with django_assert_max_num_queries(MAX_QUERY_CHANGELIST):
        risposta = client_admin.get(f"{url(Obiettivo, 'changelist')}?ciclo={grande.pk}")
    assert risposta.context["cl"].result_count == 500
    with django_assert_max_num_queries(MAX_QUERY_CHANGELIST):
        client_admin.get(url(Obiettivo, "changelist"))  # every cycle: 600 objectives
    with django_assert_max_num_queries(MAX_QUERY_CHANGE):
        risposta = client_admin.get(url(Obiettivo, "change", obiettivo.pk))
    assert obiettivo.codice in risposta.content.decode()


def _valore_post(valore):
    if valore is None:
        return ""
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


def test_unchanged_objective_page_saves_and_accepts_italian_decimals(client_admin, ciclo):
    obiettivo = Obiettivo.objects.filter(ciclo=ciclo, fasi__isnull=False).first()
    indirizzo = url(Obiettivo, "change", obiettivo.pk)
    dati = dati_della_pagina(client_admin.get(indirizzo))
    dati["peso"] = "2,5"
    risposta = client_admin.post(indirizzo, dati)
    assert risposta.status_code == 302, risposta.context["errors"] if risposta.context else ""
    obiettivo.refresh_from_db()
    assert obiettivo.peso == Decimal("2.5")
    assert obiettivo.history.count() == 1  # edits through the admin are kept in the history


def _pagina_con_due_fasi(client, ciclo):
    obiettivo = next(
        o for o in Obiettivo.objects.filter(ciclo=ciclo, stato="attivo").prefetch_related("fasi")
        if len(o.fasi.all()) >= 2
    )
    indirizzo = url(Obiettivo, "change", obiettivo.pk)
    return obiettivo, indirizzo, dati_della_pagina(client.get(indirizzo))


def _peso(dati, i):
    return Decimal(dati[f"fasi-{i}-peso"].replace(",", "."))


def test_phase_weights_must_sum_to_100(client_admin, ciclo):
    obiettivo, indirizzo, dati = _pagina_con_due_fasi(client_admin, ciclo)
    prima = sorted(obiettivo.fasi.values_list("codice", "peso"))
    n = int(dati["fasi-TOTAL_FORMS"])
    # With two or more phases summing to 100, the heaviest weighs at least 50.
    grande = max(range(n), key=lambda i: _peso(dati, i))
    altra = (grande + 1) % n
    pesi = {i: _peso(dati, i) for i in range(n)}
    dati[f"fasi-{grande}-peso"] = _valore_post(pesi[grande] - Decimal("10"))
    dati["titolo"] = "Titolo cambiato che non deve essere salvato"

    risposta = client_admin.post(indirizzo, dati)
    assert risposta.status_code == 200
    assert (f"La somma dei pesi delle fasi dell&#x27;obiettivo {obiettivo.codice} è 90: deve essere "
            "100.") in risposta.content.decode()
    obiettivo.refresh_from_db()
    assert obiettivo.titolo != dati["titolo"]
    assert sorted(obiettivo.fasi.values_list("codice", "peso")) == prima

    # Redistributed in Italian decimals ("12,5"), the weights are accepted.
    dati[f"fasi-{grande}-peso"] = _valore_post(pesi[grande] - Decimal("12.5"))
    dati[f"fasi-{altra}-peso"] = _valore_post(pesi[altra] + Decimal("12.5"))
    assert "," in dati[f"fasi-{altra}-peso"]
    risposta = client_admin.post(indirizzo, dati)
    assert risposta.status_code == 302
    assert sum(obiettivo.fasi.values_list("peso", flat=True)) == Decimal("100")
    assert obiettivo.fasi.filter(peso=pesi[altra] + Decimal("12.5")).exists()


@pytest.mark.parametrize(
    ("modifiche", "campo", "messaggio"),
    [
        ({"stato": "sospeso", "motivazione_stato": ""}, "motivazione_stato",
         "Per un obiettivo «Sospeso» indicare la motivazione"),
        ({"stato": "non_applicabile", "motivazione_stato": "  "}, "motivazione_stato",
         "Per un obiettivo «Non applicabile» indicare la motivazione"),
        ({"stato": "rinviato", "anno_rinvio": ""}, "anno_rinvio",
         "Per un obiettivo «Rinviato» indicare l'anno del rinvio."),
        ({"stato": "attivo", "anno_rinvio": "2031"}, "anno_rinvio",
         "L'anno di rinvio si indica solo per gli obiettivi rinviati"),
        ({"stato": "stralciato", "grado_proposto": "3", "grado_validato": ""}, "grado_proposto",
         "Solo gli obiettivi attivi ricevono un grado"),
        ({"grado_proposto": "3", "grado_validato": "4", "motivazione_grado": ""},
         "motivazione_grado", "indicare la motivazione del Nucleo"),
    ],
)
def test_status_and_grade_rules_are_form_errors(client_admin, ciclo, modifiche, campo, messaggio):
    obiettivo = Obiettivo.objects.filter(ciclo=ciclo, stato="attivo").first()
    indirizzo = url(Obiettivo, "change", obiettivo.pk)
    dati = dati_della_pagina(client_admin.get(indirizzo))
    dati.update({"grado_proposto": "", "grado_validato": "", "anno_rinvio": ""})
    dati.update(modifiche)
    risposta = client_admin.post(indirizzo, dati)
    assert risposta.status_code == 200
    errori = risposta.context["adminform"].form.errors
    assert campo in errori and any(messaggio in e for e in errori[campo]), errori
    assert messaggio.replace("'", "&#x27;") in risposta.content.decode()
    stato_prima = obiettivo.stato
    obiettivo.refresh_from_db()
    assert obiettivo.stato == stato_prima and obiettivo.history.count() == 0


def test_indicator_rules_are_form_errors(client_admin, ciclo):
    obiettivo = Obiettivo.objects.filter(ciclo=ciclo, stato="attivo").first()
    indirizzo = url(Obiettivo, "change", obiettivo.pk)
    dati = dati_della_pagina(client_admin.get(indirizzo))
    dati.update({"indicatori-0-tipo": "si_no", "indicatori-0-target": "2",
                 "indicatori-0-data_target": ""})
    risposta = client_admin.post(indirizzo, dati)
    assert risposta.status_code == 200
    assert "scrivere 1 (sì) oppure 0 (no)" in risposta.content.decode()
    dati.update({"indicatori-0-tipo": "scadenza", "indicatori-0-target": ""})
    risposta = client_admin.post(indirizzo, dati)
    assert "indicare la scadenza prevista" in risposta.content.decode()
    assert not Indicatore.history.exists()


def test_area_and_node_are_limited_to_the_objective_cycle(client_admin, ciclo):
    altro = genera_ciclo(ente_slug="altro", anno=2030, n_obiettivi=5, seme=9)
    obiettivo = Obiettivo.objects.filter(ciclo=ciclo).first()
    risposta = client_admin.get(url(Obiettivo, "change", obiettivo.pk))
    form = risposta.context["adminform"].form
    assert set(form.fields["area"].queryset.values_list("ciclo_id", flat=True)) == {ciclo.pk}
    assert set(form.fields["nodo"].queryset.values_list("ciclo_id", flat=True)) == {ciclo.pk}

    # On the add page every cycle is offered: the form refuses a mix.
    area_altrui = Area.objects.filter(ciclo=altro).first()
    nodo = NodoStrategico.objects.filter(ciclo=ciclo).last()
    dati = {
        "ciclo": ciclo.pk, "codice": "NUOVO-1", "titolo": "Nuovo obiettivo", "area": area_altrui.pk,
        "nodo": nodo.pk, "tipologia": "sviluppo", "peso": "1", "stato": "attivo", "ordine": "0",
        "indicatori-TOTAL_FORMS": "0", "indicatori-INITIAL_FORMS": "0",
        "fasi-TOTAL_FORMS": "0", "fasi-INITIAL_FORMS": "0",
    }
    risposta = client_admin.post(url(Obiettivo, "add"), dati)
    assert risposta.status_code == 200
    assert "appartiene a un altro ciclo" in risposta.content.decode()
    assert not Obiettivo.objects.filter(codice="NUOVO-1").exists()

    dati["area"] = Area.objects.filter(ciclo=ciclo).first().pk
    assert client_admin.post(url(Obiettivo, "add"), dati).status_code == 302
    assert Obiettivo.objects.get(codice="NUOVO-1").ciclo == ciclo

    # ?ciclo= on the add page limits the dropdowns too.
    risposta = client_admin.get(f"{url(Obiettivo, 'add')}?ciclo={altro.pk}")
    form = risposta.context["adminform"].form
    assert set(form.fields["area"].queryset.values_list("ciclo_id", flat=True)) == {altro.pk}


def test_tree_saves_go_through_the_services(client_admin, ciclo, monkeypatch):
    chiamate = []
    originale = obiettivi_admin.nodo_upsert

    def spia(**kwargs):
        chiamate.append(kwargs["codice"])
        return originale(**kwargs)

    monkeypatch.setattr(obiettivi_admin, "nodo_upsert", spia)
    linea = NodoStrategico.objects.get(ciclo=ciclo, codice="1")
    dati = {
        "ciclo": ciclo.pk, "parent": linea.pk, "codice": "1.0", "titolo": "Nuova azione",
        "livello_nome": "azione strategica", "ordine": "0",
    }
    assert client_admin.post(url(NodoStrategico, "add"), dati).status_code == 302
    nuovo = NodoStrategico.objects.get(ciclo=ciclo, codice="1.0")
    assert chiamate == ["1.0"] and nuovo.parent == linea

    # Rename and move under another line: still through the service, tree still exact.
    altra_linea = NodoStrategico.objects.get(ciclo=ciclo, codice="2")
    indirizzo = url(NodoStrategico, "change", nuovo.pk)
    dati = dati_della_pagina(client_admin.get(indirizzo))
    dati.update({"codice": "2.0", "parent": altra_linea.pk})
    assert client_admin.post(indirizzo, dati).status_code == 302
    nuovo.refresh_from_db()
    assert (nuovo.codice, nuovo.parent_id) == ("2.0", altra_linea.pk)
    assert chiamate == ["1.0", "2.0"]
    prima = list(NodoStrategico.objects.order_by("pk").values_list("lft", "rght", "level"))
    NodoStrategico.objects.rebuild()
    assert list(NodoStrategico.objects.order_by("pk").values_list("lft", "rght", "level")) == prima

    # A parent from another cycle is refused with a message, nothing written.
    altro = genera_ciclo(ente_slug="altro", anno=2030, n_obiettivi=5, seme=9)
    dati.update({"parent": NodoStrategico.objects.filter(ciclo=altro).first().pk})
    risposta = client_admin.post(indirizzo, dati)
    assert risposta.status_code == 200
    nuovo.refresh_from_db()
    assert nuovo.parent_id == altra_linea.pk


def test_area_tree_save_through_service(client_admin, ciclo):
    padre = Area.objects.get(ciclo=ciclo, codice="LP")
    dati = {"ciclo": ciclo.pk, "parent": padre.pk, "codice": "LP.9", "slug": "lp-nove",
            "nome": "Servizio Strade", "ordine": "9"}
    assert client_admin.post(url(Area, "add"), dati).status_code == 302
    area = Area.objects.get(ciclo=ciclo, codice="LP.9")
    assert area.parent == padre and area.is_leaf_node()
    dati["codice"] = "SG.1"  # already used in this cycle
    risposta = client_admin.post(url(Area, "change", area.pk), dati)
    assert "Il codice «SG.1» è già usato in questo ciclo." in risposta.content.decode()


def test_table_rows_must_be_as_long_as_columns(client_admin, ciclo):
    dati = {
        "ciclo": ciclo.pk, "sezione": "contesto", "codice": "redditi", "ordine": "0",
        "titolo": "Reddito medio", "colonne": "Anno; Seregno; Italia",
        "righe": "2019; 24.562; 21.660\n2020; 24.100", "fonte": "", "note": "",
    }
    risposta = client_admin.post(url(TabellaReport, "add"), dati)
    assert risposta.status_code == 200
    assert "Riga 2: attese 3 celle (una per colonna), trovate 2." in risposta.content.decode()
    assert not TabellaReport.objects.exists()

    dati["righe"] = "2019; 24.562; 21.660\n2020; 24.100; 21.500"
    assert client_admin.post(url(TabellaReport, "add"), dati).status_code == 302
    tabella = TabellaReport.objects.get()
    assert tabella.colonne == ["Anno", "Seregno", "Italia"]
    assert tabella.righe[1] == ["2020", "24.100", "21.500"]
    risposta = client_admin.get(url(TabellaReport, "change", tabella.pk))
    assert "2020; 24.100; 21.500" in risposta.content.decode()


def test_dates_are_shown_and_typed_as_dd_mm_yyyy(client_admin, ciclo):
    obiettivo = Obiettivo.objects.filter(ciclo=ciclo, fasi__isnull=False).first()
    fase = obiettivo.fasi.first()
    risposta = client_admin.get(url(Obiettivo, "change", obiettivo.pk))
    assert fase.inizio.strftime("%d/%m/%Y") in risposta.content.decode()
    assert client_admin.get(url(Fase, "changelist")).content.decode().count(
        fase.inizio.strftime("/%Y")
    ) > 0


def test_single_phase_page_keeps_the_sum(client_admin, ciclo):
    fase = Fase.objects.filter(obiettivo__ciclo=ciclo, peso__lt=100).first()
    indirizzo = url(Fase, "change", fase.pk)
    dati = dati_della_pagina(client_admin.get(indirizzo))
    dati["peso"] = _valore_post(fase.peso + Decimal("5"))
    risposta = client_admin.post(indirizzo, dati)
    assert risposta.status_code == 200
    assert "deve essere 100" in risposta.content.decode()
    fase.refresh_from_db()
    assert fase.peso == Decimal(dati["peso"].replace(",", ".")) - Decimal("5")


def test_cycle_dropdowns_label_every_cycle(client_admin, ciclo):
    risposta = client_admin.get(url(Ciclo, "changelist"))
    assert str(ciclo) in risposta.content.decode()


def test_one_cycle_list_is_ordered_by_the_cycle_order_index(client_admin, ciclo):
    """With ?ciclo=…, the list orders by (ciclo, ordine, codice), the columns of the index
    ``obiettivo_ciclo_ordine``: a page is read off the index, no join to the ente to sort."""
    Obiettivo.objects.filter(ciclo=ciclo, codice__in=list(
        ciclo.obiettivi.order_by("-codice").values_list("codice", flat=True)[:2]
    )).update(ordine=0)
    with CaptureQueriesContext(connection) as catturate:
        risposta = client_admin.get(url(Obiettivo, "changelist") + f"?ciclo={ciclo.pk}")
    assert risposta.status_code == 200
    attesi = list(ciclo.obiettivi.order_by("ordine", "codice").values_list("codice", flat=True))
    assert [o.codice for o in risposta.context["cl"].result_list] == attesi
    pagina = next(q["sql"] for q in catturate.captured_queries
                  if q["sql"].startswith('SELECT "obiettivi_obiettivo"."id"'))
    ordine = pagina[pagina.index("ORDER BY"):]
    assert ordine.startswith(
        'ORDER BY "obiettivi_obiettivo"."ciclo_id" ASC, "obiettivi_obiettivo"."ordine" ASC, '
        '"obiettivi_obiettivo"."codice" ASC'
    ), ordine
    assert any(i.name == "obiettivo_ciclo_ordine" and i.fields == ["ciclo", "ordine", "codice"]
               for i in Obiettivo._meta.indexes)


# The dirigente's and the Nucleo's lists, measured on the same synthetic cycles: session, user,
# the user's and the groups' permissions (2), the user's groups, (dirigente: their areas and
# the sub-areas, 2) the cycles and the areas of the filters, the 2 counts, the page, the enti
# of the header «Performance — <ente>».
MAX_QUERY_CHANGELIST_DIRIGENTE = 13
MAX_QUERY_CHANGELIST_NUCLEO = 12  # + the Nucleo's incarichi (issue 17)


def test_dirigente_and_nucleo_lists_query_counts_do_not_grow(client, django_user_model,
                                                             django_assert_max_num_queries):
    from django.contrib.auth.models import Group

    from obiettivi import permessi

    piccolo = genera_ciclo(ente_slug="piccolo", anno=2030, n_obiettivi=100, seme=2)
    grande = genera_ciclo(ente_slug="grande", anno=2030, n_obiettivi=500, seme=3)
    dirigente = django_user_model.objects.create_user("dirigente", is_staff=True)
    dirigente.groups.add(Group.objects.get(name=permessi.DIRIGENTE))
    nucleo = django_user_model.objects.create_user("nucleo", is_staff=True)
    dai_ruolo(nucleo, permessi.NUCLEO)
    for ciclo in (piccolo, grande):
        for area in Area.objects.filter(ciclo=ciclo, parent__isnull=True)[:2]:
            area.dirigenti.add(dirigente)
    elenco = url(Obiettivo, "changelist")
    conteggi = {}
    for utente in (dirigente, nucleo):
        client.force_login(utente)
        client.get(f"{elenco}?ciclo={piccolo.pk}")  # warm the content types
        conteggi[utente.username] = [
            contare_query(client, f"{elenco}?ciclo={c.pk}&stato_rendicontazione=bozza")
            for c in (piccolo, grande)
        ]
    assert conteggi["dirigente"][0] == conteggi["dirigente"][1]
    assert conteggi["nucleo"][0] == conteggi["nucleo"][1]
    client.force_login(dirigente)
    with django_assert_max_num_queries(MAX_QUERY_CHANGELIST_DIRIGENTE):
        risposta = client.get(f"{elenco}?ciclo={grande.pk}")
    assert risposta.context["cl"].result_count > 50
    client.force_login(nucleo)
    with django_assert_max_num_queries(MAX_QUERY_CHANGELIST_NUCLEO):
        risposta = client.get(f"{elenco}?ciclo={grande.pk}")
    assert risposta.context["cl"].result_count == 500
    with django_assert_max_num_queries(MAX_QUERY_CHANGELIST_NUCLEO):
        client.get(f"{elenco}?ciclo=tutti")  # every cycle: 600 objectives

