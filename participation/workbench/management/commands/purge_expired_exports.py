"""Delete export files and records older than a day: `manage.py purge_expired_exports` (run it hourly)."""

from django.core.management.base import BaseCommand

from plans.rules import SYSTEM

from ...export_jobs import export_jobs_purge_expired


class Command(BaseCommand):
    help = "Löscht abgelaufene Exporte der Abwägung (Dateien und Aufträge)."

    def handle(self, *args, **options):
        purged = export_jobs_purge_expired(by=SYSTEM)
        self.stdout.write(f"{purged} abgelaufene Exporte gelöscht.")
