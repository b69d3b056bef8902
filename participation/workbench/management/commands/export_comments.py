"""Export a consultation's Abwägungstabelle: `manage.py export_comments 12 --format xlsx -o tabelle.xlsx`."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from participation.models import Consultation
from plans.rules import SYSTEM

from ...reports import FORMATS, is_personal
from ...services import report_export


class Command(BaseCommand):
    help = "Exportiert die Stellungnahmen einer Beteiligung (anonymisiert, außer mit --with-personal-data)."

    def add_arguments(self, parser):
        parser.add_argument("consultation_id", type=int)
        parser.add_argument("--format", choices=sorted(FORMATS), default="csv")
        parser.add_argument(
            "--with-personal-data",
            action="store_true",
            help="Namen, E-Mail und Anschrift aufnehmen (wird protokolliert).",
        )
        parser.add_argument("-o", "--output", required=True, help="Zieldatei")
        parser.add_argument(
            "--user", default="", help="Benutzername, in dessen Namen exportiert wird (sonst: das System)"
        )

    def handle(self, *args, consultation_id, format, with_personal_data, output, user, **options):
        consultation = Consultation.objects.select_related("plan__municipality").filter(pk=consultation_id).first()
        if consultation is None:
            raise CommandError(f"Beteiligung {consultation_id} gibt es nicht.")
        actor = SYSTEM
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"Benutzer {user} gibt es nicht.")
        try:
            with open(output, "wb") as handle:
                _data, rows = report_export(
                    consultation=consultation,
                    by=actor,
                    format=format,
                    personal=with_personal_data,
                    via="cli",
                    out=handle,
                )
        except PermissionDenied as error:
            Path(output).unlink(missing_ok=True)
            raise CommandError(str(error)) from None
        except OSError as error:
            raise CommandError(f"Datei {output} kann nicht geschrieben werden: {error}") from error
        with_personal_data = is_personal(format, with_personal_data)
        variant = "mit Personendaten" if with_personal_data else "anonymisiert"
        self.stdout.write(f"{rows} Stellungnahmen als {FORMATS[format].label} ({variant}) nach {output} geschrieben.")
