"""Recompute the hash chains of the publication record; exit 1 if any entry was changed, removed or reordered."""

from django.core.management.base import BaseCommand, CommandError

from plans.models import Plan
from records.chain import chain_verify
from records.models import Entry


class Command(BaseCommand):
    help = "Prüft die Hash-Ketten des Veröffentlichungsnachweises (alle Pläne oder --plan <id|slug>)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="nur diesen Plan (Id oder Kurzname)")

    def handle(self, *args, **options):
        chains = sorted(set(Entry.objects.values_list("chain", flat=True)))
        if options.get("plan"):
            value = options["plan"]
            plan = (
                Plan.objects.filter(pk=int(value)).first()
                if value.isdigit()
                else Plan.objects.filter(slug=value).first()
            )
            if plan is None:
                raise CommandError(f"Plan {value!r} nicht gefunden.")
            chains = [plan.pk]
        broken = 0
        for chain in chains:
            count = Entry.objects.filter(chain=chain).count()
            problems = chain_verify(chain)
            if problems:
                broken += 1
                for problem in problems:
                    self.stdout.write(f"Plan {chain}, Eintrag {problem.seq}: {problem.message}")
            else:
                self.stdout.write(f"Plan {chain}: {count} Einträge, Kette unverändert.")
        if broken:
            raise CommandError(f"{broken} von {len(chains)} Ketten sind verändert.")
