"""What a locked cycle's report reads from outside the cycle, frozen with it (issue 12).

A cycle already locked and published gets the copy from its latest publication: the ente, the
acts and the dirigenti exactly as citizens see them, so that editing them no longer changes its
report. A locked cycle never published gets its copy when it is first published.
"""

import django.db.models.deletion
from django.db import migrations, models

BLOCCATI = ("approvata", "pubblicata")


def congela_dalle_pubblicazioni(apps, schema_editor):
    Ciclo = apps.get_model("obiettivi", "Ciclo")
    Pubblicazione = apps.get_model("trasparenza", "Pubblicazione")
    ContestoCongelato = apps.get_model("trasparenza", "ContestoCongelato")
    for ciclo in Ciclo.objects.filter(stato__in=BLOCCATI):
        ultima = Pubblicazione.objects.filter(ciclo=ciclo).order_by("-versione").first()
        if ultima is None or not ultima.dati.get("ente"):
            continue
        dati = ultima.dati
        ContestoCongelato.objects.create(ciclo=ciclo, dati={
            "ente": dati["ente"],
            "atti": dati.get("atti", []),
            "variazioni_peg": dati.get("variazioni_peg", []),
            "atto_smvp": (dati.get("smvp") or {}).get("atto"),
            "dirigenti": {a["codice"]: a.get("dirigenti", []) for a in dati.get("aree", [])},
        })


class Migration(migrations.Migration):

    dependencies = [
        ('obiettivi', '0006_indice_ordine_obiettivi'),
        ('trasparenza', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='ContestoCongelato',
            fields=[
                ('ciclo', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='contesto_congelato', serialize=False, to='obiettivi.ciclo', verbose_name='ciclo')),
                ('dati', models.JSONField(verbose_name='dati congelati')),
                ('congelato_il', models.DateTimeField(auto_now_add=True, verbose_name='congelato il')),
            ],
            options={
                'verbose_name': 'contesto congelato di un ciclo',
                'verbose_name_plural': 'contesti congelati dei cicli',
                'default_permissions': (),
            },
        ),
        migrations.RunPython(congela_dalle_pubblicazioni, migrations.RunPython.noop),
    ]
