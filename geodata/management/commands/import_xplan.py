from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from geodata.errors import ImportRejected
from geodata.services import xplan_import
from plans.models import Municipality, Plan

from ._actor import actor, add_user_argument


class Command(BaseCommand):
    help = (
        "Create a plan, or a new version (Fassung) of it, with its layers from an XPlanGML 5.x/6.x file "
        "(.gml or .zip). Earlier versions stay readable."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--municipality", help="Municipality slug (default: matched by the AGS in the file).")
        parser.add_argument(
            "--plan",
            help="Slug of the plan to update (default: matched by AGS, plan class, number and name; "
            "else a new plan is created).",
        )
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
        plan = None
        if options["plan"]:
            plans = Plan.objects.filter(slug=options["plan"])
            if municipality is not None:
                plans = plans.filter(municipality=municipality)
            found = list(plans[:2])
            if not found:
                raise CommandError(f"Plan {options['plan']!r} does not exist.")
            if len(found) > 1:
                raise CommandError(f"Several plans are called {options['plan']!r}; add --municipality.")
            plan = found[0]
        try:
            report = xplan_import(
                path=path, by=actor(options), municipality=municipality, plan=plan, original_name=path.name
            )
        except (ImportRejected, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Plan „{report.plan_title}“ (id {report.plan_id}): {report.plan_action}"))
        self.stdout.write(f"Version (Fassung) {report.version_number} created.")
        self.stdout.write(f"CRS: {report.source_crs}")
        for layer in report.layers:
            self.stdout.write(
                f"  layer {layer['name']} ({layer['class']}): {layer['created']} features created; "
                f"{layer['new']} new, {layer['changed']} changed, {layer['unchanged']} unchanged"
            )
        for item in report.changes:
            if item["removed"]:
                self.stdout.write(f"  {item['name']} ({item['key']}): {item['removed']} no longer in the file")
        self.stdout.write(
            f"found: {report.found}  created: {report.created}  changed: {report.updated}  "
            f"removed: {report.deleted}  repaired: {report.repaired}  rejected: {report.rejected}"
        )
        for note in report.notes:
            self.stdout.write(f"  - {note}")
        validation = report.validation or {}
        errors, warnings = validation.get("errors", []), validation.get("warnings", [])
        self.stdout.write(f"validation: {len(errors)} errors, {len(warnings)} warnings")
        for problem in [*errors, *warnings]:
            self.stdout.write(f"  {problem['severity']} {problem['code']} {problem['gml_id']}: {problem['message']}")
