from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from participation.authorities.services import address_book_import
from plans.models import Municipality
from plans.rules import SYSTEM


class Command(BaseCommand):
    help = (
        "Import a municipality's authority address book from a CSV file (the layout of the staff export: "
        "organisation;department;emails;subject_areas;active;notes). All rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("municipality", help="Slug of the municipality")
        parser.add_argument("file", type=Path, help="CSV file (UTF-8, ';' or ',')")
        parser.add_argument("--user", default="", help="Username recorded as the actor (default: the installation)")

    def handle(self, *args, **options):
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Municipality {options['municipality']} does not exist.")
        actor = SYSTEM
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"User {options['user']} does not exist.")
        try:
            data = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {options['file']}: {error.strerror}") from None
        try:
            result = address_book_import(municipality=municipality, data=data, by=actor)
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Address book of {municipality.name}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
