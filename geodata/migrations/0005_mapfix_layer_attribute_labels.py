from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("geodata", "0004_address_gazetteer"),
    ]

    operations = [
        migrations.AddField(
            model_name="layer",
            name="attribute_labels",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Attributname → angezeigte Bezeichnung, beim Import aus der XPlanung-Tabelle gesetzt",
                verbose_name="Beschriftung der Attribute",
            ),
        ),
    ]
