from django.core.management.base import BaseCommand

from participation.authorities.services import invitation_reminders_send
from plans.rules import SYSTEM


class Command(BaseCommand):
    help = (
        "Remind invited authorities that have not answered and whose deadline is within "
        "AUTHORITY_REMINDER_DAYS days; each invitation is reminded once. Run it daily (systemd timer)."
    )

    def handle(self, *args, **options):
        count = invitation_reminders_send(by=SYSTEM)
        self.stdout.write(f"Reminders queued: {count}.")
