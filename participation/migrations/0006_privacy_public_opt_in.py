from django.db import migrations, models


def opt_in_earlier_statements(apps, schema_editor):
    """Keep earlier statements visible: they were sent under a notice that announced publication by pseudonym."""
    Statement = apps.get_model("participation", "Statement")
    Statement.objects.filter(models.Q(privacy_consent=True) | models.Q(is_official=True)).update(public_opt_in=True)


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0005_drawmap_drawn_line"),
    ]

    operations = [
        migrations.AddField(
            model_name="statement",
            name="public_opt_in",
            field=models.BooleanField(default=False, verbose_name="Öffentliche Anzeige mit Kürzel erlaubt"),
        ),
        migrations.AlterField(
            model_name="statement",
            name="privacy_consent",
            field=models.BooleanField(default=False, verbose_name="Datenschutzhinweise zur Kenntnis genommen"),
        ),
        migrations.RunPython(opt_in_earlier_statements, migrations.RunPython.noop, elidable=True),
    ]
