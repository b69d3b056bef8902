from participation.services import consultation_close

from ._period import PeriodCommand


class Command(PeriodCommand):
    help = (
        "End a running consultation now. A § 3 Abs. 2 or § 4a Abs. 3 period needs --reason and "
        "--confirm-legal-risk (an early close can make the plan defective, § 214 Abs. 1 Nr. 2 BauGB)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--confirm-legal-risk",
            action="store_true",
            dest="confirm_legal_risk",
            help="Confirm that shortening the statutory period may make the plan defective",
        )

    def handle(self, *args, **options):
        self.run(
            consultation_close,
            consultation=self.consultation(options),
            by=self.user(options),
            reason=options["reason"],
            confirm_legal_risk=options["confirm_legal_risk"],
        )
