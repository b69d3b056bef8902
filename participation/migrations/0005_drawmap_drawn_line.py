import django.contrib.gis.db.models.fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("participation", "0004_authorities_attachments_sections"),
    ]

    operations = [
        migrations.AddField(
            model_name="statement",
            name="drawn_line",
            field=django.contrib.gis.db.models.fields.LineStringField(
                blank=True, null=True, srid=4326, verbose_name="Gezeichnete Linie"
            ),
        ),
    ]
