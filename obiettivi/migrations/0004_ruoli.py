"""The three roles (issue 4). Nothing to do here any more (issue 12: one definition).

The groups and their permissions are defined once, in ``obiettivi.permessi``
(``permessi_dei_ruoli``), and written by ``permessi.ruoli_allinea`` after every ``migrate`` and
flush (``post_migrate``, ``obiettivi.apps``): a new database gets them at the end of its first
migrate; a database that applied the former version of this migration is aligned the same way.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("obiettivi", "0003_flusso_revisione"),
        ("valutazione", "0002_flusso_revisione"),
        ("trasparenza", "0001_initial"),
    ]

    operations = []
