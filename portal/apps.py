from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Public pages that compose plans, geodata and participation: the plan map, plan page and open-data API.

    The apps below stay independent of each other's upper layers; this thin app may read all of
    them (see docs/architecture.md).
    """

    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        from . import page_invalidation

        page_invalidation.connect()
