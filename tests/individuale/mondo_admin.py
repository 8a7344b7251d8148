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
