"""The three roles as Django groups with their model permissions (issue 4).

Row-level rules (own areas, outcome vs review fields, locked cycles) live in
``obiettivi.permessi`` and ``obiettivi.workflow``; these permissions only open the admin pages.
A model added later gets its permissions into the groups with a migration like this one.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APP_DEL_PIANO = ("obiettivi", "valutazione", "trasparenza")

# (app_label, codename) beyond «view» on everything for the Nucleo and «all» for administrators.
DIRIGENTE = [
    ("obiettivi", "view_obiettivo"), ("obiettivi", "change_obiettivo"),
    ("obiettivi", "view_indicatore"), ("obiettivi", "change_indicatore"),
    ("obiettivi", "view_fase"), ("obiettivi", "change_fase"),
    ("valutazione", "view_standardbarometro"), ("valutazione", "change_standardbarometro"),
]
NUCLEO_EXTRA = [("obiettivi", "change_obiettivo")]
AMMINISTRATORE_EXTRA = [("auth", "view_user")]  # choose an area's dirigenti


def _permessi(apps, coppie):
    Permission = apps.get_model("auth", "Permission")
    trovati = []
    for app_label, codename in coppie:
        trovati.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return trovati


def crea_ruoli(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate): create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    del_piano = Permission.objects.filter(content_type__app_label__in=APP_DEL_PIANO)

    amministratore, _ = Group.objects.get_or_create(name="Amministratore")
    amministratore.permissions.set(
        list(del_piano) + _permessi(apps, AMMINISTRATORE_EXTRA)
    )
    nucleo, _ = Group.objects.get_or_create(name="Nucleo di valutazione")
    nucleo.permissions.set(
        list(del_piano.filter(codename__startswith="view_")) + _permessi(apps, NUCLEO_EXTRA)
    )
    dirigente, _ = Group.objects.get_or_create(name="Dirigente")
    dirigente.permissions.set(_permessi(apps, DIRIGENTE))


def elimina_ruoli(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Amministratore", "Nucleo di valutazione", "Dirigente"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("obiettivi", "0003_flusso_revisione"),
        ("valutazione", "0002_flusso_revisione"),
        ("trasparenza", "0001_initial"),
    ]

    operations = [migrations.RunPython(crea_ruoli, elimina_ruoli)]
