"""Demo data, admin scoping, drawn areas, reports in the moderation queue, purge per consultation."""

import datetime as dt
import json

import pytest
from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from participation import services
from participation.models import Consultation, ConsultationAction, Statement

from ..factories import ConsultationFactory, MembershipFactory, StatementFactory

pytestmark = pytest.mark.django_db


def test_load_demo_creates_statements_once():
    call_command("load_demo")
    counts = (Statement.objects.count(), ConsultationAction.objects.count())
    call_command("load_demo")
    assert (Statement.objects.count(), ConsultationAction.objects.count()) == counts
    open_one = Consultation.objects.get(plan__slug="am-riedborn")
    statements = Statement.objects.filter(consultation=open_one)
    assert open_one.is_open_at() and open_one.kind == Consultation.Kind.PUBLICATION
    assert statements.filter(level=0, channel="online").count() >= 24
    assert statements.filter(level__gt=0, is_official=True).exists()
    assert statements.exclude(channel="online").count() >= 3
    assert statements.exclude(location=None).count() >= 15
    assert len(set(statements.values_list("topic", flat=True))) >= 5
    states = {c.state_at() for c in Consultation.objects.all()}
    assert {"open", "scheduled", "closed"} <= states


def test_admin_lists_only_own_municipality_statements(client):
    own = StatementFactory(comment="Eigene Gemeinde")
    StatementFactory(comment="Fremde Gemeinde")
    user = MembershipFactory(municipality=own.consultation.plan.municipality, role="moderator").user
    client.force_login(user)
    page = client.get(reverse("admin:participation_statement_changelist")).content.decode()
    assert "Eigene Gemeinde" in page and "Fremde Gemeinde" not in page
    assert client.get(reverse("admin:participation_consultation_changelist")).status_code == 200


def test_drawn_area_must_lie_in_plan_area():
    consultation = ConsultationFactory()
    x0, y0, x1, y1 = consultation.plan.area.extent
    inside = json.dumps(
        {
            "type": "Polygon",
            "coordinates": [
                [[x0 + 0.001, y0 + 0.001], [x0 + 0.002, y0 + 0.001], [x0 + 0.002, y0 + 0.002], [x0 + 0.001, y0 + 0.001]]
            ],
        }
    )
    result = services.statement_submit(
        consultation=consultation,
        text="Fläche",
        name="A B",
        email="a@example.org",
        privacy_consent=True,
        drawn_area=GEOSGeometry(inside, srid=4326),
    )
    assert result.statement.drawn_area is not None
    far = Polygon.from_bbox((x1 + 0.01, y1 + 0.01, x1 + 0.02, y1 + 0.02))
    far.srid = 4326
    with pytest.raises(ValidationError, match="außerhalb"):
        services.statement_submit(
            consultation=consultation,
            text="Fläche",
            name="A B",
            email="b@example.org",
            privacy_consent=True,
            drawn_area=far,
        )


def test_reported_statement_appears_in_moderation_queue(client):
    statement = StatementFactory(comment="Gemeldeter Beitrag")
    client.post(reverse("participation:statement_flag", args=[statement.pk]), {"reason": "Werbung"})
    client.force_login(MembershipFactory(municipality=statement.consultation.plan.municipality, role="moderator").user)
    page = client.get(reverse("participation:staff_moderation", args=[statement.consultation.pk])).content.decode()
    assert "Gemeldete Beiträge (1)" in page and "Gemeldeter Beitrag" in page


def test_purge_one_ended_consultation():
    ended = ConsultationFactory(start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 2, 15))
    statement = StatementFactory(consultation=ended)
    call_command("purge_personal_data", "--consultation", ended.pk)
    statement.refresh_from_db()
    assert statement.user_email == "" and statement.comment


def test_reply_to_unpublished_statement_is_refused():
    consultation = ConsultationFactory(moderation="pre")
    pending = StatementFactory(consultation=consultation, is_public=False)
    with pytest.raises(ValidationError, match="nicht geantwortet"):
        services.statement_submit(
            consultation=consultation,
            text="Antwort",
            name="A B",
            email="a@example.org",
            privacy_consent=True,
            parent=pending,
        )
