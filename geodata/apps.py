from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeodataConfig(AppConfig):
    name = "geodata"
    verbose_name = _("Geodaten")

    def ready(self):
        from . import signals  # noqa: F401  (file clean-up on delete)
