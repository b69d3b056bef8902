from participation.services import consultation_extend

from ._period import PeriodCommand


class Command(PeriodCommand):
    help = "Move the end of a consultation to a later date."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--until", required=True, help="New end date (YYYY-MM-DD), inclusive")

    def handle(self, *args, **options):
        self.run(
            consultation_extend,
            consultation=self.consultation(options),
            by=self.user(options),
            reason=options["reason"],
            end_date=self.date(options["until"]),
        )
