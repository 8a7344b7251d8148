"""The role groups are defined once (``permessi.permessi_dei_ruoli``) and the database matches
that definition exactly, also after someone changed a group or a model gained permissions."""

import pytest
from django.contrib.auth.models import Group, Permission

from obiettivi import permessi

pytestmark = pytest.mark.django_db


def _gruppi_nel_database():
    return {
        g.name: frozenset(g.permissions.values_list("content_type__app_label", "codename"))
        for g in Group.objects.filter(name__in=permessi.RUOLI)
    }


def _definizione():
    tutti = Permission.objects.values_list("content_type__app_label", "codename")
    return permessi.permessi_dei_ruoli(set(tutti))


def test_i_gruppi_nel_database_sono_la_definizione():
    assert _gruppi_nel_database() == _definizione()
    definizione = _definizione()
    assert set(definizione) == set(permessi.RUOLI)
    assert ("obiettivi", "add_obiettivo") not in definizione[permessi.DIRIGENTE]
    assert ("obiettivi", "delete_obiettivo") not in definizione[permessi.NUCLEO]
    assert ("trasparenza", "view_pubblicazione") in definizione[permessi.NUCLEO]
    assert ("valutazione", "change_smvp") in definizione[permessi.AMMINISTRATORE]


def test_un_gruppo_cambiato_a_mano_torna_alla_definizione_dopo_migrate():
    nucleo = Group.objects.get(name=permessi.NUCLEO)
    nucleo.permissions.remove(Permission.objects.get(codename="view_obiettivo"))
    nucleo.permissions.add(Permission.objects.get(codename="delete_obiettivo"))
    Group.objects.filter(name=permessi.DIRIGENTE).delete()
    assert _gruppi_nel_database() != _definizione()

    permessi.ruoli_allinea()  # what post_migrate runs after every migrate

    assert _gruppi_nel_database() == _definizione()


def test_i_permessi_di_un_modello_nuovo_raggiungono_i_ruoli():
    """As a model added by a later migration: its permissions exist, the groups get them."""
    from django.contrib.contenttypes.models import ContentType

    tipo = ContentType.objects.create(app_label="valutazione", model="modellonuovo")
    for azione in ("add", "change", "delete", "view"):
        Permission.objects.create(content_type=tipo, codename=f"{azione}_modellonuovo",
                                  name=f"Can {azione} modello nuovo")
    permessi.ruoli_allinea()
    gruppi = _gruppi_nel_database()
    assert ("valutazione", "delete_modellonuovo") in gruppi[permessi.AMMINISTRATORE]
    assert ("valutazione", "view_modellonuovo") in gruppi[permessi.NUCLEO]
    assert ("valutazione", "change_modellonuovo") not in gruppi[permessi.NUCLEO]
    assert gruppi == _definizione()


def test_puo_esportare_non_esiste_piu_in_permessi():
    assert not hasattr(permessi, "puo_esportare")
