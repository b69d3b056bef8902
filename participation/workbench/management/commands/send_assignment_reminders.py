from django.core.management.base import BaseCommand

from participation.workbench.reminders import assignment_reminders_send
from plans.rules import SYSTEM


class Command(BaseCommand):
    help = (
        "Remind assignees of open Abwägung assignments ASSIGNMENT_REMINDER_DAYS days before the due date and once "
        "when overdue; each reminder once per due date. Run it daily (systemd timer)."
    )

    def handle(self, *args, **options):
        count = assignment_reminders_send(by=SYSTEM)
        self.stdout.write(f"Reminders queued: {count}.")
