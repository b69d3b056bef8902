"""Shared parts of the period commands."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from participation.models import Consultation


class PeriodCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("consultation", type=int, help="ID of the consultation")
        parser.add_argument("--reason", default="", help="Reason, recorded in the history")
        parser.add_argument("--user", default="", help="Username recorded as the actor")

    def consultation(self, options) -> Consultation:
        try:
            return Consultation.objects.get(pk=options["consultation"])
        except Consultation.DoesNotExist:
            raise CommandError(f"Consultation {options['consultation']} does not exist.") from None

    def user(self, options):
        if not options["user"]:
            return None
        try:
            return get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"User {options['user']} does not exist.") from None

    @staticmethod
    def date(value):
        try:
            return dt.date.fromisoformat(value) if value else None
        except ValueError:
            raise CommandError(f"Invalid date {value!r}, expected YYYY-MM-DD.") from None

    def run(self, service, **kwargs):
        try:
            action = service(**kwargs)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        consultation = action.consultation
        self.stdout.write(
            f"{action.get_kind_display()}: {consultation} – {consultation.start_date:%d.%m.%Y} bis "
            f"{consultation.end_date:%d.%m.%Y}, state {consultation.state_at()}"
        )
