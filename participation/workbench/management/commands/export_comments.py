"""Export a consultation's Abwägungstabelle: `manage.py export_comments 12 --format xlsx -o tabelle.xlsx`."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from participation.models import Consultation

from ...reports import FORMATS, export_report
from ...services import personal_data_export_log


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

    def handle(self, *args, consultation_id, format, with_personal_data, output, **options):
        consultation = Consultation.objects.select_related("plan__municipality").filter(pk=consultation_id).first()
        if consultation is None:
            raise CommandError(f"Beteiligung {consultation_id} gibt es nicht.")
        with transaction.atomic():
            data, rows = export_report(consultation=consultation, format=format, personal=with_personal_data)
            if with_personal_data:
                personal_data_export_log(consultation=consultation, user=None, via="cli", format=format, rows=rows)
        try:
            with open(output, "wb") as handle:
                handle.write(data)
        except OSError as error:
            raise CommandError(f"Datei {output} kann nicht geschrieben werden: {error}") from error
        variant = "mit Personendaten" if with_personal_data else "anonymisiert"
        self.stdout.write(f"{rows} Stellungnahmen als {FORMATS[format].label} ({variant}) nach {output} geschrieben.")
