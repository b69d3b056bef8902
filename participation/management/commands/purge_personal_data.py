from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from participation.models import Consultation
from participation.services import personal_data_purge
from plans.rules import SYSTEM


class Command(BaseCommand):
    help = "Remove names, e-mail and postal addresses from statements of ended consultations; keep the text."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=int, dest="older_than", help="Only consultations ended more than DAYS ago"
        )
        parser.add_argument("--consultation", type=int, help="Only this (ended) consultation")

    def handle(self, *args, **options):
        if options["older_than"] is None and options["consultation"] is None:
            raise CommandError("Give --older-than DAYS or --consultation ID.")
        if options["older_than"] is not None and options["older_than"] < 0:
            raise CommandError("--older-than must not be negative.")
        consultation = None
        if options["consultation"] is not None:
            consultation = Consultation.objects.filter(pk=options["consultation"]).first()
            if consultation is None:
                raise CommandError(f"Consultation {options['consultation']} does not exist.")
        try:
            count = personal_data_purge(by=SYSTEM, older_than_days=options["older_than"], consultation=consultation)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Personal data removed from {count} statements.")
