from django.core.management.base import BaseCommand, CommandError

from participation.services import attachment_orphans_purge
from plans.rules import SYSTEM


class Command(BaseCommand):
    help = "Delete attachment files that no statement refers to (left by a process that died before its commit)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than-hours", type=int, default=24, dest="hours", help="Only files older than this (default 24)"
        )

    def handle(self, *args, **options):
        if options["hours"] < 1:
            raise CommandError("--older-than-hours must be at least 1.")
        count = attachment_orphans_purge(by=SYSTEM, older_than_hours=options["hours"])
        self.stdout.write(f"Orphaned attachment files deleted: {count}.")
