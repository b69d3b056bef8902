from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from geodata.errors import ImportRejected
from geodata.models import Layer
from geodata.services import layer_import
from plans.models import Plan

from ._actor import actor, add_user_argument


class Command(BaseCommand):
    help = (
        "Import one layer of a GIS file (zipped Shapefile, GeoPackage, GeoJSON, KML/KMZ, DXF, FlatGeobuf) as a new "
        "version (Fassung) of the plan; a current layer of the same name is replaced (it stays in earlier versions)."
    )

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int)
        parser.add_argument("file")
        parser.add_argument("--layer", help="Layer inside the file (GeoPackage with several layers).")
        parser.add_argument("--crs", help="CRS of a file without one, e.g. EPSG:25832.")
        parser.add_argument("--name", help="Name of the new layer (default: file name).")
        parser.add_argument("--kind", choices=Layer.Kind.values, help="Layer kind.")
        parser.add_argument(
            "--key-attribute",
            help="Attribute that identifies an element across versions (default: id, gml_id, fid, objectid …).",
        )
        add_user_argument(parser)

    def handle(self, *args, **options):
        try:
            plan = Plan.objects.select_related("municipality").get(pk=options["plan_id"])
        except Plan.DoesNotExist as exc:
            raise CommandError(f"Plan {options['plan_id']} does not exist.") from exc
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        try:
            report = layer_import(
                plan=plan,
                path=path,
                by=actor(options),
                layer_name=options["layer"],
                crs=options["crs"],
                name=options["name"],
                kind=options["kind"],
                original_name=path.name,
                key_attribute=options["key_attribute"],
            )
        except (ImportRejected, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Layer „{report.layer_name}“ (id {report.layer_id}) imported."))
        self.stdout.write(f"Version (Fassung) {report.version_number} created.")
        for item in report.changes:
            self.stdout.write(
                f"  replaces the layer of the same name: {item['new']} new, {item['removed']} removed, "
                f"{item['changed']} changed, {item['unchanged']} unchanged"
            )
        self.stdout.write(f"CRS: {report.source_crs}")
        self.stdout.write(
            f"found: {report.found}  created: {report.created}  "
            f"repaired: {report.repaired}  rejected: {report.rejected}"
        )
        for note in report.notes:
            self.stdout.write(f"  - {note}")
