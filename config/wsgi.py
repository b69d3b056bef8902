"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _freeze_startup_objects() -> None:
    """Load what every request needs, then exempt it from garbage collection.

    After start-up a process holds ≈ 270,000 objects that live as long as it does (modules, URL patterns,
    translation catalogues, GDAL/GEOS bindings). A full collection walks all of them: ≈ 130 ms in which
    no thread of the worker runs — the slowest 1 % of requests under load. `gc.freeze()` moves them to
    the permanent generation, so collections only walk what requests created (docs/performance.md).
    """
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    _patterns = get_resolver().url_patterns  # imports every view module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Plan")  # loads the catalogue
    gc.collect()
    gc.freeze()


_freeze_startup_objects()
