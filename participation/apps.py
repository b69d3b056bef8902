from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = _("Beteiligung")

    def ready(self):
        from plans.cache import bump_public_version

        # The public plan list shows whether a consultation is open: invalidate its cache.
        consultation = self.get_model("Consultation")
        post_save.connect(bump_public_version, sender=consultation, dispatch_uid="bump-consultation-save")
        post_delete.connect(bump_public_version, sender=consultation, dispatch_uid="bump-consultation-delete")

        # No orphaned files: an attachment's file goes when its row's deletion commits (purge, cascades).
        from .attachments import delete_file_on_commit

        post_delete.connect(delete_file_on_commit, sender=self.get_model("Attachment"), dispatch_uid="attachment-file")

        from . import moderation

        moderation.register()
