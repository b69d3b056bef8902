"""Delete the sent-mail records older than --days (default 30); a task re-runs within hours, never later."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from operations.models import SentMail


class Command(BaseCommand):
    help = "Delete idempotency records of sent e-mails older than --days (default 30)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days: int, **options):
        deleted, _details = SentMail.objects.filter(sent_at__lt=timezone.now() - timedelta(days=days)).delete()
        self.stdout.write(f"{deleted} sent-mail records older than {days} days deleted.")
