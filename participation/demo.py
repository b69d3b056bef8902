"""Demo consultations: open § 3 Abs. 2 periods (with their Bekanntmachung), one scheduled, one closed."""

import datetime as dt

from django.utils import timezone

from .models import Consultation, ConsultationAction, Statement
from .periods import start_of_day
from .services import geometry_in_plan_area


def load_demo(result: dict) -> None:
    """Create the demo consultations for the plans in `result` (idempotent)."""
    today = timezone.localdate()
    plans = result["plans"]
    specs = [
        ("am-riedborn", Consultation.Kind.PUBLICATION, today - dt.timedelta(days=10), today + dt.timedelta(days=25)),
        ("westerfeld-sued", Consultation.Kind.PUBLICATION, today - dt.timedelta(days=5), today + dt.timedelta(days=30)),
        ("kita-schlappmuehle", Consultation.Kind.EARLY, today - dt.timedelta(days=3), today + dt.timedelta(days=18)),
        ("gewerbegebiet-sued", Consultation.Kind.EARLY, today + dt.timedelta(days=14), today + dt.timedelta(days=44)),
        (
            "nahversorgung-hausen",
            Consultation.Kind.PUBLICATION,
            today - dt.timedelta(days=90),
            today - dt.timedelta(days=55),
        ),
    ]
    for slug, kind, start, end in specs:
        plan = plans[slug]
        consultation, _created = Consultation.objects.get_or_create(
            plan=plan,
            kind=kind,
            round=1,
            defaults={
                "start_date": start,
                "end_date": end,
                "bekanntmachung_date": start - dt.timedelta(days=7),
                "bekanntmachung_media": [Consultation.Medium.GAZETTE, Consultation.Medium.WEBSITE],
                "bekanntmachung_text": (
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
        if not consultation.actions.exists():
            ConsultationAction.objects.create(
                consultation=consultation,
                kind=ConsultationAction.Kind.SCHEDULE,
                at=timezone.now() - dt.timedelta(days=120),
                reason="Demo: Zeitraum nach Beschluss des Bauausschusses festgelegt",
                start_date=consultation.start_date,
                end_date=consultation.end_date,
            )
            if consultation.needs_bekanntmachung and consultation.bekanntmachung_date is not None:
                ConsultationAction.objects.create(
                    consultation=consultation,
                    kind=ConsultationAction.Kind.BEKANNTMACHUNG,
                    at=start_of_day(consultation.bekanntmachung_date),
                    start_date=consultation.start_date,
                    end_date=consultation.end_date,
                )
    load_demo_statements(result)


DEMO_STATEMENTS = [
    (
        "traffic",
        "Die Zufahrt über die Riedbornstraße ist schon heute zu Schulbeginn überlastet. "
        "Bitte eine zweite Erschließung prüfen.",
    ),
    ("traffic", "Es fehlt eine sichere Radverbindung zum Bahnhof. Der Radweg sollte durch das Gebiet geführt werden."),
    ("traffic", "Wie viele Stellplätze sind je Wohnung vorgesehen? Schon jetzt parken viele auf dem Gehweg."),
    (
        "noise",
        "Der Lärm der Landesstraße wird durch die neuen Gebäude zu uns reflektiert. "
        "Ist ein Lärmgutachten dazu erstellt?",
    ),
    ("noise", "Bitte die Bauzeiten auf werktags 7 bis 18 Uhr begrenzen."),
    ("environment", "Im nördlichen Bereich brüten Feldlerchen. Wurde eine artenschutzrechtliche Prüfung gemacht?"),
    ("environment", "Der Streuobstbestand am Hang sollte vollständig erhalten bleiben."),
    (
        "environment",
        "Bei Starkregen läuft schon heute Wasser vom Acker in die Gärten. Wo wird das Regenwasser zurückgehalten?",
    ),
    ("environment", "Dachbegrünung und Photovoltaik sollten verbindlich festgesetzt werden."),
    ("buildings", "Drei Vollgeschosse passen nicht zur Umgebung mit Einfamilienhäusern. Bitte auf zwei begrenzen."),
    ("buildings", "Ich begrüße, dass auch Mehrfamilienhäuser und geförderter Wohnraum vorgesehen sind."),
    ("buildings", "Die Baugrenze rückt sehr nah an unser Grundstück. Wir bitten um einen größeren Abstand."),
    ("buildings", "Bitte Flachdächer zulassen, damit Gründächer möglich sind."),
    ("green", "Der geplante Spielplatz sollte zentral liegen und nicht am Rand zur Straße."),
    ("green", "Eine Baumreihe entlang der Haupterschließung würde im Sommer Schatten spenden."),
    ("social", "Gibt es genug Kita-Plätze für die zusätzlichen Familien?"),
    ("social", "Ein kleiner Quartiersplatz mit Bänken wäre ein guter Treffpunkt für alle Generationen."),
    ("other", "Die Unterlagen sind gut verständlich, danke für die Karte."),
    ("other", "Bitte die Abwägung der Stellungnahmen später öffentlich machen."),
    ("traffic", "Tempo 30 im ganzen Gebiet und verkehrsberuhigte Bereiche an den Spielstraßen."),
    ("environment", "Der Feldweg am Ostrand ist ein beliebter Spazierweg und sollte erhalten bleiben."),
    ("buildings", "Bitte keine Schottergärten zulassen."),
    ("noise", "Die Wärmepumpen sollten nicht direkt an den Grundstücksgrenzen stehen."),
    ("traffic", "Die Bushaltestelle sollte näher an das neue Gebiet rücken."),
    ("green", "Wird die Ausgleichsfläche in der Gemarkung Usingen liegen?"),
    ("social", "Ein Nahversorger fehlt im Ortsteil, vielleicht kann im Gebiet Fläche dafür reserviert werden."),
    ("environment", "Am Riedbach bitte einen ausreichend breiten Gewässerrandstreifen festsetzen."),
    ("buildings", "Ich wünsche mir Grundstücke auch für Baugemeinschaften."),
]
DEMO_NAMES = [
    "Anna Becker",
    "Jonas Wagner",
    "Fatma Yilmaz",
    "Peter Schmitt",
    "Lea Hoffmann",
    "Mehmet Kaya",
    "Sabine Weber",
    "Thomas Richter",
    "Ursula Klein",
    "David Neumann",
    "Marie Schulz",
    "Kai Fischer",
    "",
]
DEMO_REPLIES = [
    (0, "Die Verwaltung prüft eine zweite Zufahrt im Verkehrsgutachten, das im Frühjahr vorliegt.", True),
    (3, "Ja, das Lärmgutachten liegt den Unterlagen als Anlage 4 bei.", True),
    (5, "Eine artenschutzrechtliche Prüfung liegt vor; für die Feldlerche sind Ersatzflächen vorgesehen.", True),
    (9, "Dem schließe ich mich an, zwei Geschosse wären angemessen.", False),
    (13, "Zentral fände ich auch besser.", False),
]
DEMO_PAPER = [
    (
        "post",
        "buildings",
        "Schriftliche Stellungnahme: Wir bitten, die Firsthöhe auf 9 m zu begrenzen.",
        "Gerhard Lang",
        "Am Riedborn 3, 61250 Usingen",
    ),
    (
        "in_person",
        "traffic",
        "Zur Niederschrift: Die Einmündung in die Weilburger Straße ist unübersichtlich.",
        "Helga Roth",
        "",
    ),
    ("email", "environment", "Per E-Mail: Bitte die Kaltluftschneise nach Nordwesten freihalten.", "Ingrid Vogel", ""),
    (
        "post",
        "other",
        "Schriftlich: Einverstanden mit der Planung, Bitte um zügige Umsetzung.",
        "",
        "Lindenweg 8, 61250 Usingen",
    ),
]


def _demo_statements(consultation, staff_user) -> None:
    """Create a few dozen realistic statements for `consultation` unless it has some already."""
    import random

    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.gis.geos import Point

    if Statement.objects.filter(consultation=consultation).exists():
        return
    rng = random.Random(4711)
    plan = consultation.plan
    xmin, ymin, xmax, ymax = plan.area.extent
    content_type = ContentType.objects.get_for_model(type(consultation))
    start = consultation.starts_at
    now = timezone.now()
    span = max((now - start).total_seconds(), 3600)

    def random_point():
        for _ in range(200):
            point = Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax), srid=4326)
            if geometry_in_plan_area(plan, point):
                return point
        return plan.area.point_on_surface

    def make(**fields):
        statement = Statement(
            consultation=consultation,
            content_type=content_type,
            object_pk=str(consultation.pk),
            site_id=settings.SITE_ID,
            **{"privacy_consent": True, "public_opt_in": True, **fields},
        )
        statement.save()
        return statement

    roots = []
    for index, (topic, text) in enumerate(DEMO_STATEMENTS):
        when = start + dt.timedelta(seconds=span * (index + 1) / (len(DEMO_STATEMENTS) + 2))
        name = DEMO_NAMES[index % len(DEMO_NAMES)]
        roots.append(
            make(
                comment=text,
                topic=topic,
                user_name=name,
                user_email=f"{name.split()[0].lower()}.{index}@example.org" if name else f"anonym.{index}@example.org",
                location=random_point() if index % 4 != 3 else None,
                submit_date=when,
                confirmed_at=when,
                is_public=index != 7,  # one still waits for moderation
            )
        )
    for index, text, official in DEMO_REPLIES:
        parent = roots[index]
        when = parent.submit_date + dt.timedelta(hours=20)
        make(
            comment=text,
            topic=parent.topic,
            parent_id=parent.pk,
            submit_date=min(when, now),
            confirmed_at=min(when, now),
            user=staff_user if official else None,
            user_name="" if official else "Clara Sommer",
            user_email="" if official else "clara@example.org",
            is_official=official,
            is_public=True,
        )
    for index, (channel, topic, text, name, address) in enumerate(DEMO_PAPER):
        received = (start + dt.timedelta(days=index + 1)).date()
        make(
            comment=text,
            topic=topic,
            channel=channel,
            received_on=received,
            submit_date=start_of_day(received),
            confirmed_at=start_of_day(received),
            user_name=name,
            postal_address=address,
            entered_by=staff_user,
            privacy_consent=False,
            public_opt_in=False,
            is_public=False,
        )


def load_demo_statements(result: dict) -> None:
    """Statements on the open Am Riedborn consultation (post-moderation) and on the closed one."""
    from django.contrib.auth import get_user_model

    staff_user = get_user_model().objects.filter(username="usingen-planung").first()
    open_consultation = Consultation.objects.filter(plan=result["plans"]["am-riedborn"], round=1).first()
    if open_consultation is not None:
        if open_consultation.moderation != Consultation.Moderation.POST:
            open_consultation.moderation = Consultation.Moderation.POST
            open_consultation.save(update_fields=["moderation"])
        _demo_statements(open_consultation, staff_user)
