import datetime as dt

import pytest
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from plans import services
from plans.models import Document, Plan
from plans.rules import SYSTEM
from plans.signals import plan_published
from tests.factories import MembershipFactory, MunicipalityFactory, minimal_pdf, square

pytestmark = pytest.mark.django_db


@pytest.fixture
def planner():
    return MembershipFactory().user


@pytest.fixture
def town(planner):
    return planner.memberships.get().municipality


def inside(town, size=0.01):
    lon, lat = town.boundary.extent[:2]
    return square(lon + 0.02, lat + 0.02, size)


def create(town, by, **overrides):
    data = {
        "municipality": town,
        "by": by,
        "kind": Plan.Kind.BPLAN,
        "number": "Nr. 64",
        "title": "Wohngebiet „Am Riedborn“",
        "summary": "Neues Wohngebiet.",
        "description": "",
        "area": inside(town),
    }
    return services.plan_create(**{**data, **overrides})


def pdf(name="plan.pdf", text="Test"):
    return ContentFile(minimal_pdf(text), name=name)


def test_plan_create_makes_a_draft_with_a_slug_from_the_title(planner, town):
    plan = create(town, planner)
    assert plan.status == Plan.Status.DRAFT and plan.stage == Plan.Stage.INITIATED
    assert plan.slug == "wohngebiet-am-riedborn"
    assert create(town, planner).slug == "wohngebiet-am-riedborn-2"
    other = MunicipalityFactory()
    assert create(other, SYSTEM, area=inside(other)).slug == "wohngebiet-am-riedborn"


def test_plan_create_accepts_polygon_wkt_and_geojson_and_stores_a_multipolygon(planner, town):
    lon, lat = town.boundary.extent[:2]
    lon, lat = lon + 0.02, lat + 0.02
    wkt = f"POLYGON(({lon} {lat}, {lon + 0.01} {lat}, {lon + 0.01} {lat + 0.01}, {lon} {lat}))"
    assert create(town, planner, area=wkt).area.geom_type == "MultiPolygon"
    geojson = inside(town).json
    assert create(town, planner, area=geojson).area.srid == 4326
    metric = inside(town).transform(25832, clone=True)
    assert create(town, planner, area=f"SRID=25832;{metric.wkt}").area.equals_exact(inside(town), 1e-6)


@pytest.mark.parametrize(
    ("area", "code"),
    [
        ("", "required"),
        ("kein Polygon", "area_unreadable"),
        (Point(8.0, 50.0, srid=4326), "area_not_polygon"),
        (GEOSGeometry("POLYGON((8.1 50.1, 8.11 50.11, 8.11 50.1, 8.1 50.11, 8.1 50.1))"), "invalid_geometry"),
    ],
)
def test_plan_create_refuses_unusable_areas_with_codes(planner, town, area, code):
    with pytest.raises(ValidationError) as exc:
        create(town, planner, area=area)
    assert exc.value.error_dict["area"][0].code == code
    assert not Plan.objects.exists()


def test_plan_create_refuses_area_outside_the_municipality(planner, town):
    lon, lat = town.boundary.extent[2:]
    with pytest.raises(ValidationError) as exc:
        create(town, planner, area=square(lon - 0.005, lat - 0.005, 0.01))
    assert exc.value.error_dict["area"][0].code == "area_outside_boundary"


def test_plan_create_requires_title_and_number_except_for_statutes(planner, town):
    with pytest.raises(ValidationError) as exc:
        create(town, planner, title=" ", number="")
    assert exc.value.error_dict["title"][0].code == "required"
    assert exc.value.error_dict["number"][0].code == "required"
    assert create(town, planner, kind=Plan.Kind.STATUTE, number="").number == ""


def test_plan_update_changes_data_keeps_slug_and_never_the_municipality(planner, town):
    plan = create(town, planner)
    services.plan_update(plan=plan, by=planner, title="Am Riedborn II", summary="Neu")
    plan.refresh_from_db()
    assert (plan.title, plan.summary, plan.slug) == ("Am Riedborn II", "Neu", "wohngebiet-am-riedborn")
    with pytest.raises(ValidationError) as exc:
        services.plan_update(plan=plan, by=planner, municipality=MunicipalityFactory())
    assert exc.value.error_dict["municipality"][0].code == "municipality_fixed"
    with pytest.raises(TypeError):
        services.plan_update(plan=plan, by=planner, status=Plan.Status.PUBLISHED)


def test_plan_publish_sends_plan_published_and_unpublish_takes_it_offline(planner, town):
    plan = create(town, planner)
    received = []

    def receiver(sender, plan, by, **kwargs):
        received.append((sender, plan.pk, by))

    plan_published.connect(receiver)
    try:
        services.plan_publish(plan=plan, by=planner)
    finally:
        plan_published.disconnect(receiver)
    assert received == [(Plan, plan.pk, planner)]
    assert Plan.objects.published().filter(pk=plan.pk).exists()
    with pytest.raises(ValidationError) as exc:
        services.plan_publish(plan=plan, by=planner)
    assert exc.value.code == "already_published"
    services.plan_unpublish(plan=plan, by=planner)
    assert not Plan.objects.published().exists()
    with pytest.raises(ValidationError) as exc:
        services.plan_unpublish(plan=plan, by=planner)
    assert exc.value.code == "not_published"


def test_plan_stage_record_sets_the_latest_stage_and_refuses_future_dates(planner, town):
    plan = create(town, planner)
    today = timezone.localdate()
    services.plan_stage_record(plan=plan, by=planner, stage=Plan.Stage.PUBLICATION, date=today, note="Amtsblatt")
    services.plan_stage_record(
        plan=plan, by=planner, stage=Plan.Stage.EARLY_PARTICIPATION, date=today - dt.timedelta(days=90), note=""
    )
    plan.refresh_from_db()
    assert plan.stage == Plan.Stage.PUBLICATION  # the later-dated step stays current
    assert plan.stage_changes.get(note="Amtsblatt").created_by == planner
    with pytest.raises(ValidationError) as exc:
        services.plan_stage_record(
            plan=plan, by=planner, stage=Plan.Stage.ADOPTED, date=today + dt.timedelta(days=1), note=""
        )
    assert exc.value.error_dict["date"][0].code == "stage_date_in_future"


def test_document_upload_validates_pdf_and_appends(planner, town):
    plan = create(town, planner)
    first = services.document_upload(plan=plan, by=planner, title="Planzeichnung", kind="drawing", file=pdf())
    second = services.document_upload(plan=plan, by=planner, title="Begründung", kind="justification", file=pdf())
    assert (first.order, second.order) == (0, 1)
    assert first.uploaded_by == planner and first.size == len(minimal_pdf())
    with pytest.raises(ValidationError) as exc:
        services.document_upload(
            plan=plan, by=planner, title="", kind="other", file=ContentFile(b"GIF89a", name="x.pdf")
        )
    assert exc.value.error_dict["file"][0].code == "not_a_pdf"
    assert exc.value.error_dict["title"][0].code == "required"


def test_document_upload_keeps_the_size_limit(planner, town, settings):
    settings.MAX_DOCUMENT_SIZE_MB = 0
    with pytest.raises(ValidationError) as exc:
        services.document_upload(plan=create(town, planner), by=planner, title="T", kind="other", file=pdf())
    assert exc.value.error_dict["file"][0].code == "file_too_large"


def test_document_replace_keeps_the_old_version_and_its_file(planner, town):
    plan = create(town, planner)
    old = services.document_upload(plan=plan, by=planner, title="Begründung", kind="justification", file=pdf())
    services.document_upload(plan=plan, by=planner, title="Umweltbericht", kind="environmental", file=pdf())
    new = services.document_replace(document=old, by=planner, file=pdf(text="Fassung 2"))
    old.refresh_from_db()
    assert new.replaces == old and new.order == old.order == 0 and new.title == "Begründung"
    assert old.online_until == new.online_since and not old.is_current
    assert old.file.name != new.file.name
    assert old.file.open("rb").read() == minimal_pdf("Test")
    assert list(plan.documents.current().values_list("pk", flat=True))[0] == new.pk
    assert list(plan.documents.history()) == [old]
    with pytest.raises(ValidationError) as exc:
        services.document_replace(document=old, by=planner, file=pdf())
    assert exc.value.code == "document_not_current"


def test_document_reorder_needs_every_current_document(planner, town):
    plan = create(town, planner)
    a, b, c = (
        services.document_upload(plan=plan, by=planner, title=t, kind="other", file=pdf()) for t in ("A", "B", "C")
    )
    services.document_reorder(plan=plan, by=planner, order=[c.pk, a.pk, b.pk])
    assert list(plan.documents.current().values_list("title", flat=True)) == ["C", "A", "B"]
    with pytest.raises(ValidationError) as exc:
        services.document_reorder(plan=plan, by=planner, order=[a.pk, b.pk])
    assert exc.value.code == "order_mismatch"


def test_document_withdraw_needs_a_reason_and_keeps_the_row(planner, town):
    plan = create(town, planner)
    document = services.document_upload(plan=plan, by=planner, title="Gutachten", kind="expert", file=pdf())
    with pytest.raises(ValidationError) as exc:
        services.document_withdraw(document=document, by=planner, reason=" ")
    assert exc.value.error_dict["reason"][0].code == "required"
    services.document_withdraw(document=document, by=planner, reason="Enthielt Personendaten")
    document.refresh_from_db()
    assert document.withdrawn_reason == "Enthielt Personendaten" and document.online_until is not None
    assert not plan.documents.current().exists() and list(plan.documents.history()) == [document]
    with pytest.raises(ValidationError) as exc:
        services.document_withdraw(document=document, by=planner, reason="nochmal")
    assert exc.value.code == "already_withdrawn"


def test_demo_plans_are_created_through_services():
    from plans.demo import load_demo

    load_demo()
    plan = Plan.objects.get(slug="am-riedborn")
    assert plan.status == Plan.Status.PUBLISHED and plan.stage == Plan.Stage.PUBLICATION
    assert list(plan.documents.current().values_list("order", flat=True)) == [0, 1]
    assert Document.objects.filter(uploaded_by__isnull=False).count() == 0
