from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuthoritiesConfig(AppConfig):
    name = "participation.authorities"
    label = "authorities"
    verbose_name = _("Behörden und Träger öffentlicher Belange (§ 4 BauGB)")
