from participation.services import consultation_open, consultation_reopen

from ._period import PeriodCommand


class Command(PeriodCommand):
    help = "Open a consultation now (start today); with --reopen an ended one again (reason required)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--until", default="", help="New end date (YYYY-MM-DD), inclusive")
        parser.add_argument("--reopen", action="store_true", help="Reopen an ended consultation")

    def handle(self, *args, **options):
        kwargs = {"consultation": self.consultation(options), "by": self.user(options), "reason": options["reason"]}
        if options["until"]:
            kwargs["end_date"] = self.date(options["until"])
        self.run(consultation_reopen if options["reopen"] else consultation_open, **kwargs)
