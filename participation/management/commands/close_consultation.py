from participation.services import consultation_close

from ._period import PeriodCommand


class Command(PeriodCommand):
    help = "End a running consultation now."

    def handle(self, *args, **options):
        self.run(
            consultation_close, consultation=self.consultation(options), by=self.user(options), reason=options["reason"]
        )
