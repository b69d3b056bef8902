from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from geodata.errors import ImportRejected
from geodata.services import xplan_import
from plans.models import Municipality, Plan

from ._actor import actor, add_user_argument


class Command(BaseCommand):
    help = (
        "Create plans, or a new version (Fassung) of each, with their layers from an XPlanGML 4.x/5.x/6.x file "
        "(.gml or .zip). Earlier versions stay readable."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--plan-id", help="gml:id of the plan to import from a file with several plans (default: each plan)."
        )
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
                path=path,
                by=actor(options),
                municipality=municipality,
                plan=plan,
                original_name=path.name,
                plan_id=options["plan_id"] or None,
            )
        except (ImportRejected, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        for entry in report.plans or [
            {
                "title": report.plan_title,
                "id": report.plan_id,
                "action": report.plan_action,
                "version": report.version_number,
            }
        ]:
            self.stdout.write(self.style.SUCCESS(f"Plan „{entry['title']}“ (id {entry['id']}): {entry['action']}"))
            self.stdout.write(f"Version (Fassung) {entry['version']} created.")
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
