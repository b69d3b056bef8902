"""Give every plan that has layers a first version (Fassung 1) holding all its layers."""

from django.db import migrations


def first_versions(apps, schema_editor):
    Layer = apps.get_model("geodata", "Layer")
    PlanVersion = apps.get_model("geodata", "PlanVersion")
    plan_ids = Layer.objects.order_by().values_list("plan_id", flat=True).distinct()
    for plan_id in plan_ids:
        if PlanVersion.objects.filter(plan_id=plan_id).exists():
            continue
        layers = list(Layer.objects.filter(plan_id=plan_id).order_by("order", "pk"))
        sources = sorted({layer.source_name for layer in layers if layer.source_name})
        version = PlanVersion.objects.create(
            plan_id=plan_id,
            number=1,
            source_name=(", ".join(sources))[:300],
            note="Bestand bei Einführung der Fassungen",
        )
        version.layers.set(layers)
        Layer.objects.filter(plan_id=plan_id).update(current=True)


class Migration(migrations.Migration):
    dependencies = [("geodata", "0006_plan_versions")]

    operations = [migrations.RunPython(first_versions, migrations.RunPython.noop)]
