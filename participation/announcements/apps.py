from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from participation.signals import period_changed, result_published
from plans.signals import plan_published


class AnnouncementsConfig(AppConfig):
    name = "participation.announcements"
    label = "announcements"
    verbose_name = _("Ankündigungen und Kanäle")

    def ready(self):
        """Connect the receivers of the domain events (models are importable only now)."""
        from participation.models import Consultation
        from plans.models import Plan

        from . import signals

        plan_published.connect(signals.on_plan_published, sender=Plan, dispatch_uid="announcements_plan_published")
        period_changed.connect(
            signals.on_period_changed, sender=Consultation, dispatch_uid="announcements_period_changed"
        )
        result_published.connect(
            signals.on_result_published, sender=Consultation, dispatch_uid="announcements_result_published"
        )
