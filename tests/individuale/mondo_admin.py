"""A small world for the admin and access tests of performance individuale.

The role world of ``tests/ruoli/conftest.py`` (cycle 2021 in rendicontazione, areas A «Lavori
pubblici» of ``dirigente.lavori-pubblici`` and B «Servizi alla persona» of ``dirigente.persona``,
Nucleo, Amministratore) plus: the default SMVP with the individual rules of
``individuale.predefiniti``, a Sindaco who evaluates the dirigenti (group «Valutatore»), a staff
user without admin rights, and persons with their schede:

* ``rossi`` and ``bianchi``: staff of area A (evaluated by dirigente.lavori-pubblici);
  ``rossi`` has a login (``mondo.impiegato``, not staff);
* ``verdi``: staff of area B (evaluated by dirigente.persona);
* ``lavori``: dirigente.lavori-pubblici's own scheda (group dirigenti, evaluated by the Sindaco,
  seen by the Nucleo);
* ``persona_dir``: dirigente.persona's scheda.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from individuale import servizi
from individuale.models import Persona
from obiettivi import permessi
from valutazione.services import smvp_create_default

from ..ruoli.conftest import costruisci_mondo


def costruisci_mondo_individuale():
    mondo = costruisci_mondo()
    smvp = smvp_create_default(ente=mondo.ente)
    servizi.regole_predefinite_crea(smvp=smvp)
    mondo.aperto.smvp = smvp
    mondo.aperto.save(update_fields=["smvp"])
    mondo.smvp = smvp
    mondo.gruppi = {g.codice: g for g in smvp.gruppi_ruolo.all()}
    utenti = get_user_model().objects
    mondo.sindaco = utenti.create_user("sindaco", is_staff=True)
    mondo.sindaco.groups.add(Group.objects.get(name=permessi.VALUTATORE))
    mondo.impiegato = utenti.create_user("mario.rossi", is_staff=False)
    mondo.superutente = utenti.create_superuser("radice", email="")

    def persona(cognome, matricola, utente=None):
        return Persona.objects.create(ente=mondo.ente, cognome=cognome, nome="Prova",
                                      matricola=matricola, utente=utente)

    mondo.p_rossi = persona("Rossi", "M001", mondo.impiegato)
    mondo.p_bianchi = persona("Bianchi", "M002")
    mondo.p_verdi = persona("Verdi", "M003")
    mondo.p_lavori = persona("Lavori", "D001", mondo.dirigente)
    mondo.p_persona_dir = persona("Persone", "D002", mondo.altro_dirigente)
    dipendenti = mondo.gruppi["dipendente"]
    dirigenti = mondo.gruppi["dirigente"]
    mondo.rossi, mondo.bianchi = servizi.crea_schede(
        mondo.aperto, dipendenti, mondo.area_a, [mondo.p_rossi, mondo.p_bianchi])
    # crea_schede orders by surname: Bianchi first
    mondo.rossi, mondo.bianchi = (mondo.bianchi, mondo.rossi) if mondo.rossi.persona_id == mondo.p_bianchi.pk \
        else (mondo.rossi, mondo.bianchi)
    (mondo.verdi,) = servizi.crea_schede(mondo.aperto, dipendenti, mondo.area_b, [mondo.p_verdi])
    (mondo.lavori,) = servizi.crea_schede(mondo.aperto, dirigenti, mondo.area_a, [mondo.p_lavori],
                                          valutatore=mondo.sindaco)
    (mondo.persona_dir,) = servizi.crea_schede(mondo.aperto, dirigenti, mondo.area_b,
                                               [mondo.p_persona_dir], valutatore=mondo.sindaco)
    return mondo


def mondo_del_modulo(django_db_setup, django_db_blocker):
    """Build the world once per test module, inside a transaction rolled back at the end (as
    ``tests/ruoli/conftest.py``); use with ``pytest.fixture(scope="module")``."""
    from django.db import transaction

    with django_db_blocker.unblock():
        blocco = transaction.atomic()
        blocco.__enter__()
        try:
            yield costruisci_mondo_individuale()
        finally:
            transaction.set_rollback(True)
            blocco.__exit__(None, None, None)


def rinfresca(mondo):
    """Each test sees the world as built (its own savepoint rolled back the writes) and the
    per-user caches of ``obiettivi.permessi`` emptied."""
    for obj in vars(mondo).values():
        oggetti = obj.values() if isinstance(obj, dict) else [obj]
        for o in oggetti:
            if hasattr(o, "refresh_from_db"):
                o.refresh_from_db()
            for cache in ("_seregno_gruppi", "_seregno_aree", "_seregno_intestazione"):
                if hasattr(o, cache):
                    delattr(o, cache)
    return mondo


def schede_per_la_passeggiata(ciclo, dirigente="dirigente.lavori-pubblici"):
    """Schede in the Seregno demo for the admin's walk (``tests/ruoli/test_admin_italiano.py``):
    the SMVP's default individual rules, two (fictitious) staff of ``dirigente``'s area and the
    dirigente's own scheda, evaluated by the demo's ``admin``. Idempotent, so it adds nothing
    the demo already has."""
    from obiettivi.models import Area

    utenti = get_user_model().objects
    servizi.regole_predefinite_crea(smvp=ciclo.smvp)
    gruppi = {g.codice: g for g in ciclo.smvp.gruppi_ruolo.all()}
    area = Area.objects.filter(ciclo=ciclo, dirigenti__username=dirigente).first()
    utente = utenti.get(username=dirigente)

    def persona(cognome, matricola, utente=None):
        # the demo (individuale.demo) already has the dirigente's person, with its scheda
        gia = Persona.objects.filter(ente=ciclo.ente, utente=utente).first() if utente else None
        if gia is not None:
            return gia
        return Persona.objects.get_or_create(
            ente=ciclo.ente, matricola=matricola,
            defaults={"cognome": cognome, "nome": "Passeggiata", "utente": utente, "fittizia": True})[0]

    personale = [persona("Rossi", "PASS-001"), persona("Bianchi", "PASS-002")]
    servizi.crea_schede(ciclo, gruppi["dipendente"], area, personale)
    servizi.crea_schede(ciclo, gruppi["dirigente"], area, [persona("Lavori", "PASS-D01", utente)],
                        valutatore=utenti.get(username="admin"))
