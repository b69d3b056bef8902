from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from geodata.errors import ImportRejected
from geodata.services import xplan_import
from plans.models import Municipality

from ._actor import actor, add_user_argument


class Command(BaseCommand):
    help = "Create or update a plan and its layers from an XPlanGML 5.x/6.x file (.gml or .zip)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--municipality", help="Municipality slug (default: matched by the AGS in the file).")
        add_user_argument(parser)

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(slug=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"Municipality {options['municipality']!r} does not exist.")
        try:
            report = xplan_import(path=path, by=actor(options), municipality=municipality, original_name=path.name)
        except (ImportRejected, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        action = "created" if report.plan_created else "updated"
        self.stdout.write(self.style.SUCCESS(f"Plan „{report.plan_title}“ (id {report.plan_id}) {action}."))
        self.stdout.write(f"CRS: {report.source_crs}")
        for layer in report.layers:
            self.stdout.write(f"  layer {layer['name']} ({layer['class']}): {layer['created']} features")
        self.stdout.write(
            f"found: {report.found}  created: {report.created}  "
            f"repaired: {report.repaired}  rejected: {report.rejected}"
        )
        for note in report.notes:
            self.stdout.write(f"  - {note}")
