from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeodataConfig(AppConfig):
    name = "geodata"
    verbose_name = _("Geodaten")

    def ready(self):
        # Load shapely's and pyogrio's bundled GEOS/GDAL before the first database
        # connection: SpatiaLite pulls the system GEOS into the process, and shapely
        # imported after that mixes both libraries and crashes (double free/segfault).
        import pyogrio  # noqa: F401
        import shapely  # noqa: F401
        from django.core.checks import register

        from plans import publication_guards

        from . import signals  # noqa: F401  (file clean-up on delete)
        from .services.validation import validation_publication_guard
        from .transform import check_dhdn_grid, use_system_grids

        # pyproj's wheel has no transformation grids; BETA2007 (DHDN) comes from proj-data.
        use_system_grids()
        register(check_dhdn_grid)
        # Errors in the Prüfbericht of a plan's current version block its publication (unless overridden).
        publication_guards.register(validation_publication_guard)
