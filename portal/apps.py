from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Public pages that compose plans, geodata and participation: the plan map, plan page and open-data API.

    The apps below stay independent of each other's upper layers; this thin app may read all of
    them (see docs/architecture.md).
    """

    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from participation.feedback import register_invalid_form_renderer

        from . import page_invalidation
        from .statement_form_page import render_plan_page_with_form

        page_invalidation.connect()
        register_invalid_form_renderer(render_plan_page_with_form)
