from django.core.management.base import BaseCommand, CommandError

from council.models import OParlSource
from council.oparl import OParlError
from council.sync import oparl_sync
from plans.rules import SYSTEM


class Command(BaseCommand):
    help = (
        "Sync council papers, meetings and committees from each municipality's OParl endpoint (only what changed "
        "since the last sync) and suggest links to plan stages. Run it hourly (systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", metavar="SLUG", help="only this municipality")

    def handle(self, *args, **options):
        sources = OParlSource.objects.select_related("municipality").order_by("municipality__slug")
        if options["municipality"]:
            sources = sources.filter(municipality__slug=options["municipality"])
            if not sources.exists():
                raise CommandError(f"No OParl endpoint is set for municipality {options['municipality']!r}.")
        failed = 0
        for source in sources:
            try:
                result = oparl_sync(source=source, by=SYSTEM)
            except OParlError as error:
                failed += 1
                self.stderr.write(f"{source.municipality.slug}: failed ({error.code}): {error}")
                continue
            summary = ", ".join(
                f"{kind} {c['new']} new / {c['changed']} changed / {c['deleted']} deleted"
                for kind, c in result.items()
                if isinstance(c, dict)
            )
            self.stdout.write(f"{source.municipality.slug}: {summary}; {result['suggested']} suggested links.")
        if failed:
            raise CommandError(f"{failed} OParl source(s) could not be synced.")
