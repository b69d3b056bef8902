from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Pläne und Kommunen")

    def ready(self):
        from .cache import bump_public_version

        # Cache invalidation is the loose coupling signals are for (docs/adr/0006-domain-event-signals.md).
        for model_name in ("Municipality", "Plan", "Document", "StageChange"):
            model = self.get_model(model_name)
            post_save.connect(bump_public_version, sender=model, dispatch_uid=f"bump-{model_name}-save")
            post_delete.connect(bump_public_version, sender=model, dispatch_uid=f"bump-{model_name}-delete")
