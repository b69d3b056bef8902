from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from geodata.errors import ImportRejected
from geodata.importers.addresses import SKIP_REASONS
from geodata.services import address_import
from plans.models import Municipality

from ._actor import actor, add_user_argument


class Command(BaseCommand):
    help = (
        "Replace a municipality's addresses (local address search) with those of a file: CSV with the header "
        "street;housenumber;postcode;place;x;y (or lon;lat) or a GIS file with points (GeoPackage, GeoJSON, …)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--municipality", required=True, help="Slug of the municipality.")
        parser.add_argument(
            "--srid",
            type=int,
            help="EPSG code of the coordinates (CSV default: 25832 for x/y, 4326 for lon/lat; GIS: the file's own).",
        )
        add_user_argument(parser)

    def handle(self, *args, **options):
        try:
            municipality = Municipality.objects.get(slug=options["municipality"])
        except Municipality.DoesNotExist as exc:
            raise CommandError(f"Municipality {options['municipality']} does not exist.") from exc
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        try:
            report = address_import(
                municipality=municipality, path=path, by=actor(options), srid=options["srid"], original_name=path.name
            )
        except (ImportRejected, PermissionDenied) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Addresses of {municipality.name} replaced ({report.crs})."))
        self.stdout.write(
            f"read: {report.read}  imported: {report.imported}  skipped: {report.skipped_total}  "
            f"replaced: {report.replaced}"
        )
        for reason, count in sorted(report.skipped.items()):
            self.stdout.write(f"  - skipped {count}: {SKIP_REASONS[reason]} ({reason})")
