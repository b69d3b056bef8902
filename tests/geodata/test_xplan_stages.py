"""Rechtsstand and procedure dates of XPlanGML plans become the plan's dated procedure steps."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from geodata.importers.xplan import FP_RECHTSSTAND, RECHTSSTAND
from geodata.services import xplan_import
from plans.models import Membership, Plan
from plans.rules import SYSTEM
from tests.factories import MembershipFactory, MunicipalityFactory, square

from .xplan_samples import write_xplan

pytestmark = pytest.mark.django_db


@pytest.fixture
def usingen(db):
    return MunicipalityFactory(name="Stadt Usingen", slug="usingen", ags="06434011", boundary=square(8.45, 50.28, 0.2))


def steps(plan):
    return [(change.stage, change.date) for change in plan.stage_changes.order_by("date", "id")]


def test_plan_ausser_kraft_lands_in_its_stage_at_the_dates_of_the_file(usingen, tmp_path):
    path = write_xplan(
        tmp_path,
        rechtsstand="50001",  # AusserKraft
        dates={
            "aufstellungsbeschlussDatum": "1999-03-01",
            "auslegungsStartDatum": "2000-06-05",
            "satzungsbeschlussDatum": "2001-11-20",
            "inkrafttretensDatum": "2002-02-01",
            "untergangsDatum": "2019-05-15",
        },
    )
    out = io.StringIO()
    call_command("import_xplan", str(path), stdout=out)
    plan = Plan.objects.get()
    assert plan.stage == Plan.Stage.DISCONTINUED
    assert steps(plan) == [
        ("initiated", dt.date(1999, 3, 1)),
        ("publication", dt.date(2000, 6, 5)),
        ("adopted", dt.date(2001, 11, 20)),
        ("in_force", dt.date(2002, 2, 1)),
        ("discontinued", dt.date(2019, 5, 15)),
    ]
    assert not plan.stage_changes.filter(date=timezone.localdate()).exists()  # not the import date
    assert "neu angelegt" in out.getvalue()


def test_reimport_does_not_record_the_steps_twice(usingen, tmp_path):
    path = write_xplan(tmp_path, rechtsstand="4000", dates={"inkrafttretensDatum": "2002-02-01"})
    xplan_import(by=SYSTEM, path=path)
    xplan_import(by=SYSTEM, path=path)
    plan = Plan.objects.get()
    assert steps(plan) == [("in_force", dt.date(2002, 2, 1))] and plan.stage == "in_force"


def test_fp_wirksamkeit_and_planbeschluss(usingen, tmp_path):
    path = write_xplan(
        tmp_path,
        plan_class="FP_Plan",
        rechtsstand="4000",  # Wirksamkeit
        dates={"planbeschlussDatum": "2010-03-02", "wirksamkeitsDatum": "2010-09-30"},
    )
    report = xplan_import(by=SYSTEM, path=path)
    plan = Plan.objects.get(pk=report.plan_id)
    assert plan.kind == Plan.Kind.FNP and plan.stage == Plan.Stage.IN_FORCE
    assert steps(plan) == [("adopted", dt.date(2010, 3, 2)), ("in_force", dt.date(2010, 9, 30))]


@pytest.mark.parametrize(
    ("code", "stage"),
    [
        ("2250", "publication"),  # Entwurfsbeschluss (6.0)
        ("45000", "in_force"),  # TeilweiseAufgehoben (6.0)
        ("45001", "in_force"),  # TeilweiseAusserKraft (6.0)
        ("50000", "discontinued"),  # Aufgehoben
        ("50001", "discontinued"),  # AusserKraft
        ("2100", "early"),
    ],
)
def test_rechtsstand_codes_without_dates_are_recorded_on_the_import_date(usingen, tmp_path, code, stage):
    report = xplan_import(by=SYSTEM, path=write_xplan(tmp_path, rechtsstand=code))
    plan = Plan.objects.get(pk=report.plan_id)
    assert plan.stage == stage
    assert steps(plan) == [(stage, timezone.localdate())]


def test_code_lists_are_complete_and_hold_no_invented_codes():
    bp = {"1000", "2000", "2100", "2200", "2250", "2300", "2400", "3000", "4000", "4500", "45000", "45001"}
    bp |= {"5000", "50000", "50001"}
    assert set(RECHTSSTAND) == bp
    assert set(FP_RECHTSSTAND) == {"1000", "2000", "2100", "2200", "2250", "2300", "2400", "3000", "4000"} | {
        "5000",
        "50000",
        "50001",
    }
    assert "50100" not in RECHTSSTAND and "50100" not in FP_RECHTSSTAND


def test_repeated_auslegung_is_an_erneute_veroeffentlichung(usingen, tmp_path):
    path = write_xplan(
        tmp_path,
        rechtsstand="2400",
        dates={"aufstellungsbeschlussDatum": "2024-01-10", "auslegungsStartDatum": ["2025-03-01", "2025-09-15"]},
    )
    plan = Plan.objects.get(pk=xplan_import(by=SYSTEM, path=path).plan_id)
    assert steps(plan) == [
        ("initiated", dt.date(2024, 1, 10)),
        ("publication", dt.date(2025, 3, 1)),
        ("republication", dt.date(2025, 9, 15)),
    ]
    assert plan.stage == "republication"


def test_dates_beyond_the_rechtsstand_and_in_the_future_are_not_steps(usingen, tmp_path):
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    path = write_xplan(
        tmp_path,
        rechtsstand="1000",
        dates={"aufstellungsbeschlussDatum": future, "inkrafttretensDatum": "2002-02-01"},
    )
    report = xplan_import(by=SYSTEM, path=path)
    plan = Plan.objects.get(pk=report.plan_id)
    assert steps(plan) == [] and plan.stage == "initiated"
    assert any("aufstellungsbeschlussDatum" in note and "Zukunft" in note for note in report.notes)


def test_staff_report_shows_the_plan_action(client, usingen, tmp_path, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from geodata.models import ImportRun

    planner = MembershipFactory(municipality=usingen, role=Membership.Role.PLANNER).user
    client.force_login(planner)
    path = write_xplan(tmp_path, rechtsstand="4000", dates={"inkrafttretensDatum": "2002-02-01"})
    upload = SimpleUploadedFile("plan.gml", path.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("geodata:xplan_import"), {"file": upload, "municipality": usingen.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("geodata:import_run_confirm", args=[ImportRun.objects.get().pk]))
    assert ImportRun.objects.get().status == ImportRun.Status.SUCCEEDED
    assert "neu angelegt" in client.get(response.url).content.decode()
    assert steps(Plan.objects.get()) == [("in_force", dt.date(2002, 2, 1))]
