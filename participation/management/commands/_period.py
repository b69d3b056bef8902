"""Shared parts of the period commands: look-ups, the actor (SYSTEM without --user), refusals as CommandError."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from participation.models import Consultation
from plans.models import Plan
from plans.rules import SYSTEM


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

    def plan(self, plan_id: int) -> Plan:
        try:
            return Plan.objects.select_related("municipality").get(pk=plan_id)
        except Plan.DoesNotExist:
            raise CommandError(f"Plan {plan_id} does not exist.") from None

    def user(self, options):
        """Return the named user, or SYSTEM (the operator acting for the installation) without --user."""
        if not options["user"]:
            return SYSTEM
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

    def call(self, service, **kwargs):
        """Call `service`; turn a refusal into a CommandError with the translated message (exit status 1)."""
        try:
            return service(**kwargs)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None

    def run(self, service, **kwargs):
        action = self.call(service, **kwargs)
        consultation = action.consultation
        self.stdout.write(
            f"{action.get_kind_display()}: {consultation} – {consultation.start_date:%d.%m.%Y} bis "
            f"{consultation.end_date:%d.%m.%Y}, state {consultation.state_at().value}"
        )
