"""Every database constraint of obiettivi/models.py rejects bad data, on SQLite and PostgreSQL.

Each case writes one row twice: first with valid values (it must be accepted, then rolled
back), then with the one value the constraint forbids (IntegrityError). So a case fails if the
constraint is missing and also if the "bad" row were rejected for another reason.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from obiettivi.models import (
    Incarico,
    Area,
    Atto,
    Ciclo,
    Ente,
    Fase,
    Indicatore,
    NodoStrategico,
    Obiettivo,
    RiaperturaCiclo,
    RispostaRPCT,
    TabellaReport,
    VariazioneObiettivo,
    VoceScheda,
)
from obiettivi.services import area_upsert, nodo_upsert


@pytest.fixture
def base(db):
    ente = Ente.objects.create(slug="prova", nome="Comune di Prova")
    ciclo = Ciclo.objects.create(ente=ente, anno=2021)
    area = area_upsert(ciclo=ciclo, codice="A", nome="Area A", slug="area-a")
    nodo = nodo_upsert(ciclo=ciclo, codice="1", titolo="Linea", livello_nome="linea strategica")
    obiettivo = Obiettivo.objects.create(ciclo=ciclo, codice="A.01", titolo="Obiettivo", area=area, nodo=nodo)
    atto = Atto.objects.create(ente=ente, organo="Giunta Comunale", numero="1", anno=2021, oggetto="Prova")
    return SimpleNamespace(ente=ente, ciclo=ciclo, area=area, nodo=nodo, obiettivo=obiettivo, atto=atto)


def obiettivo(b, **campi):
    valori = {"ciclo": b.ciclo, "codice": "A.02", "titolo": "Altro", "area": b.area, "nodo": b.nodo}
    return Obiettivo.objects.create(**{**valori, **campi})


def indicatore(b, **campi):
    return Indicatore.objects.create(**{"obiettivo": b.obiettivo, "codice": "I1", "nome": "Ind", **campi})


def fase(b, **campi):
    return Fase.objects.create(
        **{"obiettivo": b.obiettivo, "codice": "F1", "descrizione": "Fase", "peso": Decimal("100"), **campi}
    )


def utente():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get_or_create(username="amministratore")[0]


def tabella(b, codice):
    return TabellaReport.objects.create(ciclo=b.ciclo, sezione="contesto", codice=codice, titolo="T",
                                        colonne=["a"], righe=[["1"]])


# name → write(b, cattivo): the write with valid values (cattivo=False) or the forbidden one.
CASI = {
    "ente_superficie_non_negativa": lambda b, cattivo: Ente.objects.create(
        slug="altro", nome="Altro", superficie_kmq=Decimal("-1") if cattivo else Decimal("1")),
    "ente_provincia_sigla_due_lettere": lambda b, cattivo: Ente.objects.create(
        slug="altro", nome="Altro", provincia="M" if cattivo else "MB"),
    "voce_scheda_unica_per_ente": lambda b, cattivo: [
        VoceScheda.objects.create(ente=b.ente, voce="Porto", valore="a Genova"),
        VoceScheda.objects.create(ente=b.ente, voce="Porto" if cattivo else "Aeroporto", valore="x"),
    ],
    "ciclo_unico_per_ente_anno": lambda b, cattivo: Ciclo.objects.create(
        ente=b.ente, anno=2021 if cattivo else 2022),
    "ciclo_anno_plausibile": lambda b, cattivo: Ciclo.objects.create(
        ente=b.ente, anno=1999 if cattivo else 2000),
    "atto_unico_per_ente": lambda b, cattivo: Atto.objects.create(
        ente=b.ente, organo="Giunta Comunale", numero="1" if cattivo else "2", anno=2021, oggetto="X"),
    "atto_anno_plausibile": lambda b, cattivo: Atto.objects.create(
        ente=b.ente, organo="Legge", numero="9", anno=1799 if cattivo else 1800, oggetto="X"),
    "area_codice_unico_per_ciclo": lambda b, cattivo: Area.objects.create(
        ciclo=b.ciclo, codice="A" if cattivo else "B", slug="area-b", nome="Area B"),
    "area_slug_unico_per_ciclo": lambda b, cattivo: area_upsert(
        ciclo=b.ciclo, codice="B", nome="Area B", slug="area-a" if cattivo else "area-b"),
    "nodo_codice_unico_per_ciclo": lambda b, cattivo: NodoStrategico.objects.create(
        ciclo=b.ciclo, codice="1" if cattivo else "2", titolo="Linea", livello_nome="linea strategica"),
    "obiettivo_codice_unico_per_ciclo": lambda b, cattivo: obiettivo(
        b, codice="A.01" if cattivo else "A.02"),
    "obiettivo_peso_positivo": lambda b, cattivo: obiettivo(
        b, peso=Decimal("0") if cattivo else Decimal("0.01")),
    "obiettivo_rinviato_con_anno": lambda b, cattivo: obiettivo(
        b, stato="rinviato", anno_rinvio=None if cattivo else 2023),
    "obiettivo_anno_rinvio_solo_se_rinviato": lambda b, cattivo: obiettivo(
        b, stato="attivo", anno_rinvio=2023 if cattivo else None),
    "obiettivo_motivazione_se_sospeso_o_non_applicabile": lambda b, cattivo: obiettivo(
        b, stato="sospeso", motivazione_stato="" if cattivo else "causa COVID-19"),
    "obiettivo_grado_proposto_1_5": lambda b, cattivo: obiettivo(
        b, grado_proposto=6 if cattivo else 5),
    "obiettivo_grado_validato_1_5": lambda b, cattivo: obiettivo(
        b, grado_validato=6 if cattivo else 5),
    "variazione_unica": lambda b, cattivo: [
        VariazioneObiettivo.objects.create(atto=b.atto, obiettivo=b.obiettivo, effetto="introdotto"),
        VariazioneObiettivo.objects.create(
            atto=b.atto, obiettivo=b.obiettivo if cattivo else obiettivo(b), effetto="modificato"),
    ],
    "indicatore_codice_unico_per_obiettivo": lambda b, cattivo: [
        indicatore(b), indicatore(b, codice="I1" if cattivo else "I2"),
    ],
    "indicatore_peso_positivo": lambda b, cattivo: indicatore(
        b, peso=Decimal("-1") if cattivo else Decimal("0.5")),
    "indicatore_scadenza_con_data": lambda b, cattivo: indicatore(
        b, tipo="scadenza", data_target=None if cattivo else datetime.date(2021, 12, 31)),
    "indicatore_si_no_0_1": lambda b, cattivo: indicatore(
        b, tipo="si_no", target=Decimal("1"), consuntivo=Decimal("2") if cattivo else Decimal("0")),
    "fase_codice_unico_per_obiettivo": lambda b, cattivo: [
        fase(b, peso=Decimal("50")), fase(b, codice="F1" if cattivo else "F2", peso=Decimal("50")),
    ],
    "fase_peso_0_100": lambda b, cattivo: fase(b, peso=Decimal("100.01") if cattivo else Decimal("100")),
    "fase_percentuale_0_100": lambda b, cattivo: fase(
        b, percentuale=Decimal("100.5") if cattivo else Decimal("100")),
    "fase_fine_dopo_inizio": lambda b, cattivo: fase(
        b, inizio=datetime.date(2021, 6, 1),
        fine=datetime.date(2021, 5, 31) if cattivo else datetime.date(2021, 6, 1)),
    "tabella_codice_unico": lambda b, cattivo: [
        tabella(b, "redditi"), tabella(b, "redditi" if cattivo else "personale"),
    ],
    "riapertura_con_motivazione": lambda b, cattivo: RiaperturaCiclo.objects.create(
        ciclo=b.ciclo, utente=utente(), da_stato="approvata", a_stato="validazione",
        motivazione="" if cattivo else "Errore materiale nel grado di LP.01"),
    "incarico_unico": lambda b, cattivo: [
        Incarico.objects.create(utente=utente(), ente=b.ente, ruolo=Incarico.Ruolo.NUCLEO),
        Incarico.objects.create(utente=utente(), ente=b.ente, ruolo=Incarico.Ruolo.NUCLEO if cattivo
                                else Incarico.Ruolo.AMMINISTRATORE),
    ],
    "risposta_rpct_unica": lambda b, cattivo: [
        RispostaRPCT.objects.create(ciclo=b.ciclo, codice="1.A", domanda="D", risposta="R"),
        RispostaRPCT.objects.create(ciclo=b.ciclo, codice="1.A" if cattivo else "1.B", domanda="D",
                                    risposta="R"),
    ],
}


def vincoli():
    """name → (model, constraint) for every constraint declared on the obiettivi models."""
    return {
        c.name: (model, c)
        for model in apps.get_app_config("obiettivi").get_models()
        for c in model._meta.constraints
    }


def test_ogni_vincolo_ha_un_caso():
    assert set(CASI) == set(vincoli())


@pytest.mark.parametrize("nome", sorted(CASI))
def test_vincolo_rifiuta_dati_errati(base, nome):
    model, vincolo = vincoli()[nome]
    with transaction.atomic():
        CASI[nome](base, False)  # valid values: accepted…
        transaction.set_rollback(True)  # …and undone

    with pytest.raises(IntegrityError) as exc:
        with transaction.atomic():
            CASI[nome](base, True)

    messaggio = str(exc.value)
    if nome in messaggio:  # PostgreSQL names every constraint; SQLite names CHECK constraints
        return
    # SQLite reports a UNIQUE violation by its columns: "UNIQUE constraint failed: t.a, t.b".
    colonne = [model._meta.get_field(f).column for f in vincolo.fields]
    assert "UNIQUE constraint failed" in messaggio, messaggio
    assert all(f"{model._meta.db_table}.{c}" in messaggio for c in colonne), messaggio
