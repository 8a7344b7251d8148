# Cycle state «validata» (issue 15): the Nucleo's signed validation of the published Relazione.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('obiettivi', '0008_tipo_atto_scadenza_spiegazione'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ciclo',
            name='stato',
            field=models.CharField(choices=[('pianificazione', 'Pianificazione'), ('monitoraggio', 'Monitoraggio'), ('rendicontazione', 'Rendicontazione'), ('validazione', 'Validazione'), ('approvata', 'Approvata'), ('pubblicata', 'Pubblicata'), ('validata', 'Validata dal Nucleo')], default='pianificazione', max_length=20, verbose_name='stato'),
        ),
        migrations.AlterField(
            model_name='historicalciclo',
            name='stato',
            field=models.CharField(choices=[('pianificazione', 'Pianificazione'), ('monitoraggio', 'Monitoraggio'), ('rendicontazione', 'Rendicontazione'), ('validazione', 'Validazione'), ('approvata', 'Approvata'), ('pubblicata', 'Pubblicata'), ('validata', 'Validata dal Nucleo')], default='pianificazione', max_length=20, verbose_name='stato'),
        ),
        migrations.AlterField(
            model_name='riaperturaciclo',
            name='a_stato',
            field=models.CharField(choices=[('pianificazione', 'Pianificazione'), ('monitoraggio', 'Monitoraggio'), ('rendicontazione', 'Rendicontazione'), ('validazione', 'Validazione'), ('approvata', 'Approvata'), ('pubblicata', 'Pubblicata'), ('validata', 'Validata dal Nucleo')], max_length=20, verbose_name='nuovo stato'),
        ),
        migrations.AlterField(
            model_name='riaperturaciclo',
            name='da_stato',
            field=models.CharField(choices=[('pianificazione', 'Pianificazione'), ('monitoraggio', 'Monitoraggio'), ('rendicontazione', 'Rendicontazione'), ('validazione', 'Validazione'), ('approvata', 'Approvata'), ('pubblicata', 'Pubblicata'), ('validata', 'Validata dal Nucleo')], max_length=20, verbose_name='stato precedente'),
        ),
    ]
