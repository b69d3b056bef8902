"""Remove served and exported files when layers or plans are deleted."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from plans.models import Plan

from .models import Layer
from .services.downloads import plan_downloads_queue
from .serving import storage
from .serving.tiles import forget_archives


@receiver(post_delete, sender=Layer)
def remove_layer_files(sender, instance, **kwargs):
    """Delete the layer's GeoJSON, tiles and exports once the deletion is committed; rebuild the plan's GeoPackage."""
    layer_id, plan_id = instance.pk, instance.plan_id

    def remove():
        forget_archives(storage.layer_prefix(layer_id))
        storage.remove_prefix(storage.layer_prefix(layer_id))
        plan_downloads_queue(plan_id=plan_id)  # skipped if the plan itself was deleted

    transaction.on_commit(remove)


@receiver(post_delete, sender=Plan)
def remove_plan_exports(sender, instance, **kwargs):
    """Delete the cached GeoPackages of a deleted plan."""
    plan_id = instance.pk
    transaction.on_commit(lambda: storage.remove_prefix(storage.plan_export_prefix(plan_id)))
