from django.core.management.base import BaseCommand

from participation.announcements.outbox import deliveries_send_due, next_delivery_due


class Command(BaseCommand):
    help = (
        "Send every due announcement delivery now (also picks up rows a killed worker left behind). "
        "Run it from cron every few minutes as a safety net next to `manage.py run_worker`."
    )

    def handle(self, *args, **options):
        counts = deliveries_send_due()
        summary = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items())) or "nothing due"
        self.stdout.write(f"Deliveries: {summary}.")
        upcoming = next_delivery_due()
        if upcoming:
            self.stdout.write(f"Next delivery due at {upcoming:%Y-%m-%d %H:%M:%S %Z}.")
