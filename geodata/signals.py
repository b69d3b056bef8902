"""Remove served and exported files when layers or plans are deleted."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from plans.models import Plan

from .models import Layer
from .serving import storage
from .serving.tiles import forget_archives


@receiver(post_delete, sender=Layer)
def remove_layer_files(sender, instance, **kwargs):
    """Delete the layer's GeoJSON, tiles and exports once the deletion is committed."""
    layer_id = instance.pk

    def remove():
        forget_archives(storage.layer_prefix(layer_id))
        storage.remove_prefix(storage.layer_prefix(layer_id))

    transaction.on_commit(remove)


@receiver(post_delete, sender=Plan)
def remove_plan_exports(sender, instance, **kwargs):
    """Delete the cached GeoPackages of a deleted plan."""
    plan_id = instance.pk
    transaction.on_commit(lambda: storage.remove_prefix(storage.plan_export_prefix(plan_id)))
