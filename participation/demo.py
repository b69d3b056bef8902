"""Demo consultations: one open § 3 Abs. 2 period, one scheduled, one closed."""

import datetime as dt

from django.utils import timezone

from .models import Consultation


def load_demo(result: dict) -> None:
    """Create the demo consultations for the plans in `result` (idempotent)."""
    today = timezone.localdate()
    plans = result["plans"]
    specs = [
        ("am-riedborn", Consultation.Kind.PUBLICATION, today - dt.timedelta(days=10), today + dt.timedelta(days=25)),
        ("westerfeld-sued", Consultation.Kind.PUBLICATION, today - dt.timedelta(days=5), today + dt.timedelta(days=30)),
        ("kita-schlappmuehle", Consultation.Kind.EARLY, today - dt.timedelta(days=3), today + dt.timedelta(days=18)),
        ("gewerbegebiet-sued", Consultation.Kind.EARLY, today + dt.timedelta(days=14), today + dt.timedelta(days=44)),
        ("nahversorgung-hausen", Consultation.Kind.PUBLICATION, today - dt.timedelta(days=90), today - dt.timedelta(days=55)),
    ]
    for slug, kind, start, end in specs:
        plan = plans[slug]
        Consultation.objects.get_or_create(
            plan=plan,
            kind=kind,
            round=1,
            defaults={
                "start_date": start,
                "end_date": end,
                "announcement": (
                    f"Der Entwurf „{plan.title}“ mit Begründung und den wesentlichen umweltbezogenen "
                    f"Stellungnahmen wird vom {start:%d.%m.%Y} bis {end:%d.%m.%Y} im Internet veröffentlicht. "
                    "Stellungnahmen können während dieser Frist abgegeben werden, vorzugsweise elektronisch, "
                    "aber auch schriftlich oder zur Niederschrift. Nicht fristgerecht abgegebene Stellungnahmen "
                    "können bei der Beschlussfassung unberücksichtigt bleiben."
                ),
                "access_routes": "Zusätzlich liegen die Unterlagen im Rathaus, Bürgerbüro, zu den Öffnungszeiten aus.",
                "contact": plan.municipality.contact,
            },
        )
