from participation.models import Consultation
from participation.services import consultation_create

from ._period import PeriodCommand


class Command(PeriodCommand):
    help = "Create a consultation for a plan and schedule its period (the same rules as the staff UI)."

    def add_arguments(self, parser):
        parser.add_argument("plan", type=int, help="ID of the plan")
        parser.add_argument("--kind", required=True, choices=Consultation.Kind.values, help="Kind of consultation")
        parser.add_argument("--start", required=True, help="First day (YYYY-MM-DD)")
        parser.add_argument("--end", required=True, help="Last day (YYYY-MM-DD), inclusive until 24:00")
        parser.add_argument("--round", type=int, default=1, help="Round number (default 1)")
        parser.add_argument("--title", default="", help="Title")
        parser.add_argument("--reason", default="", help="Reason for a shortened § 4a Abs. 3 period")
        parser.add_argument("--user", default="", help="Username acting (default: the installation, SYSTEM)")

    def handle(self, *args, **options):
        consultation = self.call(
            consultation_create,
            plan=self.plan(options["plan"]),
            by=self.user(options),
            kind=options["kind"],
            round=options["round"],
            title=options["title"],
            start_date=self.date(options["start"]),
            end_date=self.date(options["end"]),
            reason=options["reason"],
        )
        self.stdout.write(
            f"Scheduled consultation {consultation.pk}: {consultation} – {consultation.start_date:%d.%m.%Y} bis "
            f"{consultation.end_date:%d.%m.%Y}"
        )
