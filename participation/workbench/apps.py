from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    name = "participation.workbench"
    label = "workbench"
    verbose_name = _("Abwägung und Berichte")

    def ready(self):
        # Load shapely's and pyogrio's bundled GEOS/GDAL before the first SpatiaLite connection:
        # mod_spatialite pulls the system libgeos_c into the global symbol scope, and an
        # extension loaded after it binds to those older symbols (GeoPackage export then fails
        # with "WKB output dimension must be 2 or 3" and the process aborts with a double free).
        import pyogrio  # noqa: F401
        import shapely  # noqa: F401
        from django.contrib.auth.signals import user_logged_in

        from .access import remember_reviewer

        user_logged_in.connect(remember_reviewer, dispatch_uid="workbench-remember-reviewer")
