"""Fetch every plan that must be online (open consultation, or in force) through its public address; record it."""

from django.core.management.base import BaseCommand

from records.availability import availability_check


class Command(BaseCommand):
    help = "Prüft die Erreichbarkeit der Planseiten und Dokumente über die öffentliche Adresse."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", help="öffentliche Adresse (Vorgabe: PUBLICATION_CHECK_BASE_URL)")

    def handle(self, *args, **options):
        summary = availability_check(base_url=options.get("base_url"))
        self.stdout.write(
            f"{summary.plans} Pläne, {summary.urls} Adressen geprüft: {summary.failed} nicht erreichbar, "
            f"{summary.outages} neue Ausfälle, {summary.restored} wieder erreichbar."
        )
