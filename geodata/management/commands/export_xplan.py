"""Export a plan (its current XPlan layers, or one version) as XPlanGML 6.0."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from geodata.errors import ExportError
from geodata.exporters_xplan import xplan_export
from geodata.models import PlanVersion
from plans.models import Plan

from ._actor import actor, add_user_argument


class Command(BaseCommand):
    help = "Export a plan as XPlanGML 6.0: export_xplan <plan-id> [--plan-version N] [--crs EPSG] -o FILE [--user NAME]"

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int)
        parser.add_argument(
            "--plan-version", dest="version_number", type=int, default=None, help="Fassung (default: current)"
        )
        parser.add_argument("--crs", default=None, help="EPSG code (default: the source CRS of the layers)")
        parser.add_argument("-o", "--output", required=True, help="output file (.gml)")
        add_user_argument(parser)

    def handle(self, *args, plan_id, version_number, crs, output, **options):
        plan = Plan.objects.select_related("municipality").filter(pk=plan_id).first()
        if plan is None:
            raise CommandError(_("Plan %(id)s gibt es nicht.") % {"id": plan_id})
        version = None
        if version_number is not None:
            version = PlanVersion.objects.filter(plan=plan, number=version_number).first()
            if version is None:
                raise CommandError(_("Der Plan hat keine %(number)d. Fassung.") % {"number": version_number})
        try:
            result = xplan_export(plan=plan, path=output, by=actor(options), version=version, crs=crs)
        except (ExportError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("%(count)s Objekte und %(texts)s Textabschnitte des Plans „%(name)s“ nach %(path)s exportiert (%(crs)s).")
            % {
                "count": result.written,
                "texts": result.text_sections,
                "name": plan.title,
                "path": result.path,
                "crs": result.crs,
            }
        )
        for cls, rows in result.parts.items():
            self.stdout.write(f"  {cls}: {rows}")
        if result.dropped_references:
            self.stdout.write(
                _("%(count)s Verweise auf nicht exportierte Objekte (z. B. Präsentationsobjekte) wurden weggelassen.")
                % {"count": result.dropped_references}
            )
