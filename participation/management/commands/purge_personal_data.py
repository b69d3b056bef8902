from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from participation.models import Consultation
from participation.services import personal_data_purge
from plans.rules import SYSTEM


class Command(BaseCommand):
    help = (
        "Remove names, e-mail and postal addresses from statements on plans in force for more than a year "
        "(§ 215 BauGB, § 47 Abs. 2 VwGO); keep the text. Plans not in force keep their data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            dest="older_than",
            default=0,
            help="Grace period: DAYS more after the year following the plan's Inkrafttreten (default 0)",
        )
        parser.add_argument("--consultation", type=int, help="Only this consultation (its plan's window must be over)")

    def handle(self, *args, **options):
        if options["older_than"] < 0:
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
