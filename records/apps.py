from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Veröffentlichungsnachweis")

    def ready(self):
        from . import receivers

        receivers.connect()
