"""A role for a test user, as the tests wrote it before issue 17 («add the user to the group»):
the per-ente roles (Amministratore, Nucleo) are given in every ente existing at that moment (the
test's world), through ``permessi.assegna``; the others are just the group."""

from django.contrib.auth.models import Group

from obiettivi import permessi
from obiettivi.models import Ente


def dai_ruolo(utente, ruolo):
    if ruolo in permessi.RUOLI_PER_ENTE:
        enti = list(Ente.objects.all())
        assert enti, "creare l'ente prima dell'utente: i ruoli per ente valgono in un ente"
        for ente in enti:
            permessi.assegna(utente, ente, ruolo)
    else:
        utente.groups.add(Group.objects.get_or_create(name=ruolo)[0])
    permessi.dimentica(utente)
