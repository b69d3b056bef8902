from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "participation.announcements"
    label = "announcements"
    verbose_name = _("Ankündigungen und Kanäle")

    def ready(self):
        from django.db.models.signals import post_save, pre_save

        from plans.models import Plan

        from . import signals

        pre_save.connect(signals.remember_plan_status, sender=Plan, dispatch_uid="announcements_plan_pre_save")
        post_save.connect(signals.plan_saved, sender=Plan, dispatch_uid="announcements_plan_post_save")
