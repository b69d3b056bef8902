"""Demo data: Usingen and Neu-Anspach (Hochtaunuskreis, Hessen) with plausible plans.

Geometries are generated irregular polygons placed inside the real towns; they are
illustrative, not official plan boundaries.
"""

import datetime as dt
import io
import math
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from . import services
from .models import Document, Membership, Municipality, Plan
from .rules import SYSTEM

DEMO_PASSWORD = "planbeteiligung-demo"

MUNICIPALITIES: list[dict[str, Any]] = [
    {
        "slug": "usingen",
        "name": "Stadt Usingen",
        "ags": "06434011",
        "center": (8.537, 50.335),
        "radius": (5200, 3900),
        "contact": (
            "Stadt Usingen, Fachbereich Planen und Bauen\nWilhelmjstraße 1, 61250 Usingen\nplanung@usingen.example"
        ),
    },
    {
        "slug": "neu-anspach",
        "name": "Stadt Neu-Anspach",
        "ags": "06434007",
        "center": (8.505, 50.292),
        "radius": (3300, 2600),
        "contact": (
            "Stadt Neu-Anspach, Fachbereich Stadtentwicklung\nBahnhofstraße 26, 61267 Neu-Anspach\n"
            "planung@neu-anspach.example"
        ),
    },
]

PLANS = [
    (
        "usingen",
        "am-riedborn",
        Plan.Kind.BPLAN,
        "Nr. 64",
        "Wohngebiet „Am Riedborn“",
        (8.522, 50.341),
        260,
        Plan.Stage.PUBLICATION,
        "Neues Wohngebiet mit rund 120 Wohneinheiten am westlichen Ortsrand, mit Grünzug und Regenrückhaltung.",
    ),
    (
        "usingen",
        "gewerbegebiet-sued",
        Plan.Kind.BPLAN,
        "Nr. 58, 2. Änderung",
        "Gewerbegebiet Usingen-Süd",
        (8.546, 50.322),
        340,
        Plan.Stage.EARLY_PARTICIPATION,
        "Erweiterung des Gewerbegebiets nach Süden für Handwerk und kleinere Betriebe.",
    ),
    (
        "usingen",
        "solarpark-eschbacher-weg",
        Plan.Kind.FNP_CHANGE,
        "FNP-Änd. 12",
        "Sonderbaufläche Photovoltaik am Eschbacher Weg",
        (8.566, 50.348),
        420,
        Plan.Stage.INITIATED,
        "Darstellung einer Sonderbaufläche für eine Freiflächen-Photovoltaikanlage.",
    ),
    (
        "usingen",
        "kita-schlappmuehle",
        Plan.Kind.PUBLIC_PROJECT,
        "",
        "Neubau Kindertagesstätte Schlappmühle",
        (8.541, 50.333),
        70,
        Plan.Stage.PUBLICATION,
        "Neubau einer fünfgruppigen Kindertagesstätte mit Außenspielfläche.",
    ),
    (
        "neu-anspach",
        "westerfeld-sued",
        Plan.Kind.BPLAN,
        "Nr. 4.1",
        "Westerfeld-Süd",
        (8.495, 50.289),
        230,
        Plan.Stage.PUBLICATION,
        "Nachverdichtung und Neuordnung eines Wohnquartiers mit Quartiersplatz.",
    ),
    (
        "neu-anspach",
        "nahversorgung-hausen",
        Plan.Kind.VBPLAN,
        "VEP 3",
        "Nahversorgung Hausen-Arnsbach",
        (8.521, 50.301),
        120,
        Plan.Stage.WEIGHING,
        "Vorhabenbezogener Bebauungsplan für einen Lebensmittelmarkt mit Parkplätzen.",
    ),
    (
        "neu-anspach",
        "innenbereich-rod-am-berg",
        Plan.Kind.STATUTE,
        "",
        "Innenbereichssatzung Rod am Berg",
        (8.487, 50.303),
        150,
        Plan.Stage.IN_FORCE,
        "Klarstellungs- und Ergänzungssatzung für den Ortsteil Rod am Berg.",
    ),
]


def irregular_polygon(center, radius_m, seed, vertices=14, srid=4326):
    """Return a plausible irregular polygon around `center` (lon, lat) with about `radius_m`."""
    rng = random.Random(seed)
    lon0, lat0 = center
    rx, ry = radius_m if isinstance(radius_m, tuple) else (radius_m, radius_m * 0.8)
    m_per_deg_lat = 111_320.0
    m_per_deg_lon = m_per_deg_lat * math.cos(math.radians(lat0))
    points = []
    for i in range(vertices):
        angle = 2 * math.pi * i / vertices + rng.uniform(-0.12, 0.12)
        factor = rng.uniform(0.75, 1.05)
        points.append(
            (lon0 + rx * factor * math.cos(angle) / m_per_deg_lon, lat0 + ry * factor * math.sin(angle) / m_per_deg_lat)
        )
    points.append(points[0])
    return Polygon(points, srid=srid)


def demo_pdf(title: str, body: str) -> bytes:
    """Return a small generated PDF with `title` and `body`."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(title)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(60, 780, title[:80])
    pdf.setFont("Helvetica", 11)
    y = 750
    for line in body.splitlines():
        pdf.drawString(60, y, line[:95])
        y -= 16
    pdf.drawString(60, 60, "Demo-Dokument – erzeugt von Planbeteiligung")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@transaction.atomic
def load_demo(*, today: dt.date | None = None) -> dict:
    """Create or update the demo municipalities, staff users and plans; return credentials."""
    today = today or timezone.localdate()
    User = get_user_model()
    municipalities = {}
    for index, data in enumerate(MUNICIPALITIES):
        boundary = MultiPolygon(irregular_polygon(data["center"], data["radius"], seed=index, vertices=24), srid=4326)
        municipality, _ = Municipality.objects.update_or_create(
            ags=data["ags"],
            defaults={
                "slug": data["slug"],
                "name": data["name"],
                "boundary": boundary,
                "crs_epsg": 25832,
                "council_body": "Stadtverordnetenversammlung",
                "contact": data["contact"],
                "imprint": f"{data['name']}\nVertreten durch den Bürgermeister\n{data['contact']}\n\n(Demo-Impressum)",
                "privacy": "(Demo-Text) Diese Angaben sind Beispiele und keine echten Kontaktdaten.",
                "privacy_controller": f"Magistrat der {data['name']}\n{data['contact']}",
                "privacy_officer": f"Datenschutzbeauftragte der {data['name']}\ndatenschutz@example.org",
                "privacy_recipients": (
                    "Planungsbüro Muster & Partner (Auftragsverarbeiter), Darmstadt\n"
                    "Regierungspräsidium Darmstadt als höhere Verwaltungsbehörde"
                ),
                "accessibility": (
                    "Diese Website soll die Anforderungen der WCAG 2.1 auf Stufe AA (HVBIT) erfüllen. "
                    "Karten sind nicht vollständig barrierefrei; alle Inhalte und die Abgabe von Stellungnahmen "
                    "sind auch ohne Karte möglich. (Demo-Text)"
                ),
                "accessibility_contact": data["contact"],
                "easy_language": (
                    "Auf dieser Seite sehen Sie Pläne für neue Häuser, Straßen und Grün-Flächen.\n"
                    "Sie können sagen, was Sie über einen Plan denken.\n"
                    "Das nennt man: Stellungnahme. (Demo-Text)"
                ),
            },
        )
        municipalities[data["slug"]] = municipality

    credentials = [("admin", DEMO_PASSWORD, "Superuser")]
    admin, _ = User.objects.get_or_create(username="admin", defaults={"email": "admin@example.org"})
    admin.is_staff = admin.is_superuser = True
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    for slug, municipality in municipalities.items():
        for role in (Membership.Role.PLANNER, Membership.Role.MODERATOR):
            username = f"{slug}-{'planung' if role == Membership.Role.PLANNER else 'moderation'}"
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
            user.is_staff = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            Membership.objects.update_or_create(user=user, municipality=municipality, defaults={"role": role})
            credentials.append((username, DEMO_PASSWORD, f"{role.label} {municipality.name}"))

    plans = {}
    for seed, (mslug, slug, kind, number, title, center, radius, stage, summary) in enumerate(PLANS, start=10):
        municipality = municipalities[mslug]
        data = {
            "kind": kind,
            "number": number,
            "title": title,
            "summary": summary,
            "description": summary
            + "\n\nDie Unterlagen liegen zusätzlich während der Beteiligung im Rathaus zur Einsicht aus.",
            "area": MultiPolygon(irregular_polygon(center, radius, seed=seed), srid=4326),
        }
        plan = Plan.objects.filter(municipality=municipality, slug=slug).first()
        if plan is None:
            plan = services.plan_create(municipality=municipality, by=SYSTEM, slug=slug, **data)
        else:
            services.plan_update(plan=plan, by=SYSTEM, **data)
        plans[slug] = plan
        if not plan.stage_changes.exists():
            history: list[str] = [Plan.Stage.INITIATED]
            order = list(Plan.Stage.values)
            history += [s for s in order[1 : order.index(stage) + 1] if s != Plan.Stage.REPUBLICATION]
            for step, stage_value in enumerate(history):
                services.plan_stage_record(
                    plan=plan,
                    by=SYSTEM,
                    stage=stage_value,
                    date=today - dt.timedelta(days=400 - 90 * step if step < 4 else 40),
                )
        if plan.status != Plan.Status.PUBLISHED:
            services.plan_publish(plan=plan, by=SYSTEM, at=timezone.now() - dt.timedelta(days=60))
        if not plan.documents.exists():
            documents = [(Document.Kind.DRAWING, "Planzeichnung"), (Document.Kind.JUSTIFICATION, "Begründung")]
            for doc_kind, doc_title in documents:
                content = demo_pdf(f"{doc_title}: {plan}", f"{municipality.name}\n{summary}")
                services.document_upload(
                    plan=plan,
                    by=SYSTEM,
                    title=doc_title,
                    kind=doc_kind,
                    file=ContentFile(content, name=f"{slug}-{doc_kind}.pdf"),
                    at=plan.published_at,
                )
    return {"municipalities": municipalities, "plans": plans, "credentials": credentials}
