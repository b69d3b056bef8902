from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from plans.demo import load_demo


class Command(BaseCommand):
    help = "Create or update the demo municipalities (Usingen, Neu-Anspach), plans and staff users. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Allow running in production mode.")

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False) and not options["force"]:
            raise CommandError("Refusing to load demo data in production without --force.")
        result = load_demo()
        for hook in _demo_hooks():
            hook(result)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(result['municipalities'])} municipalities, {len(result['plans'])} plans."
            )
        )
        self.stdout.write(
            "Staff logins: http://127.0.0.1:8000/verwaltung/anmelden/ (the operator 'admin' also reaches /admin/):"
        )
        for username, password, role in result["credentials"]:
            self.stdout.write(f"  {username:<24} {password:<24} {role}")


def _demo_hooks():
    """Return the other apps' demo loaders (each takes the plans result dict)."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    hooks = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if config.name != "plans" and find_spec(config.name) and find_spec(module_name):
            hooks.append(import_module(module_name).load_demo)
    return hooks
