"""Export one layer as GeoPackage, GeoJSON or zipped Shapefiles."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from geodata.errors import ExportError
from geodata.exporters import FORMATS, layer_export
from geodata.models import Layer

from ._actor import actor, add_user_argument


class Command(BaseCommand):
    help = "Export a layer: export_layer <layer-id> --format gpkg|geojson|shp --crs EPSG:25832 -o FILE [--user NAME]"

    def add_arguments(self, parser):
        parser.add_argument("layer_id", type=int)
        parser.add_argument("--format", dest="fmt", choices=sorted(FORMATS), default="gpkg")
        parser.add_argument("--crs", default=None, help="EPSG code, e.g. EPSG:25832 (default: the municipality's)")
        parser.add_argument("-o", "--output", required=True, help="output file (.gpkg, .geojson or .zip)")
        add_user_argument(parser)

    def handle(self, *args, layer_id, fmt, crs, output, **options):
        layer = Layer.objects.select_related("plan__municipality").filter(pk=layer_id).first()
        if layer is None:
            raise CommandError(_("Ebene %(id)s gibt es nicht.") % {"id": layer_id})
        try:
            result = layer_export(layer=layer, fmt=fmt, crs=crs, path=output, by=actor(options))
        except (ExportError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("%(count)s Objekte der Ebene „%(name)s“ nach %(path)s exportiert.")
            % {"count": result.written, "name": layer.name, "path": result.path}
        )
        if len(result.parts) > 1:
            for name, rows in result.parts.items():
                self.stdout.write(f"  {name}: {rows}")
