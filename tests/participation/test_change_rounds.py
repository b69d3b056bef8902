"""Rounds after changes (§ 4a Abs. 3 BauGB): compared versions, limitation, plan page, Bekanntmachung, e-mails."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from geodata.changes.services import comparison_create
from geodata.models import Feature, VersionComparison
from participation import services
from participation.models import ChangeMailOptOut, Consultation, Statement

from ..factories import (
    ConsultationFactory,
    MembershipFactory,
    PlanFactory,
    StatementFactory,
    changed_plan,
    plan_version,
)
from .test_views import post

pytestmark = pytest.mark.django_db
Kind = Consultation.Kind


@pytest.fixture
def setup():
    plan = PlanFactory()
    planner = MembershipFactory(municipality=plan.municipality).user
    v1, v2, parts = changed_plan(plan)
    return plan, planner, v1, v2, parts


def create(plan, planner, **kwargs):
    today = timezone.localdate()
    arguments = dict(
        plan=plan, by=planner, kind=Kind.REPUBLICATION, start_date=today, end_date=today + dt.timedelta(days=30)
    )
    arguments.update(kwargs)
    return services.consultation_create(**arguments)


def limited_round(plan, planner, v1, v2, **kwargs):
    comparison = comparison_create(plan=plan, old_version=v1, new_version=v2, by=planner)
    return ConsultationFactory(
        plan=plan, kind=Kind.REPUBLICATION, round=2, moderation="post", comparison=comparison, **kwargs
    )


def test_create_round_after_changes_stores_the_comparison_and_the_limitation(setup):
    plan, planner, v1, v2, _parts = setup

    consultation = create(plan, planner, old_version=v1, new_version=v2, limited_to_changes=True)

    assert consultation.limited_to_changes
    assert (consultation.comparison.old_version, consultation.comparison.new_version) == (v1, v2)
    assert consultation.comparison.summary["total"] == 3


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"limited_to_changes": True}, "limited_without_changes"),
        ({"kind": Kind.PUBLICATION, "end_date": timezone.localdate() + dt.timedelta(days=40)}, "comparison_wrong_kind"),
    ],
)
def test_limitation_without_versions_and_versions_for_other_kinds_are_refused(setup, kwargs, code):
    plan, planner, v1, v2, _parts = setup
    if "kind" in kwargs:
        kwargs = {**kwargs, "old_version": v1, "new_version": v2}
    with pytest.raises(ValidationError) as error:
        create(plan, planner, **kwargs)
    assert code in {e.code for errors in error.value.error_dict.values() for e in errors}
    assert not Consultation.objects.exists()


def test_limitation_to_no_changes_is_refused(setup):
    plan, planner, _v1, v2, _parts = setup
    same = plan_version(
        plan, 3, [(f.source_id, f.geometry, f.properties) for f in Feature.objects.filter(layer__plan_versions=v2)]
    )
    with pytest.raises(ValidationError) as error:
        create(plan, planner, old_version=v2, new_version=same, limited_to_changes=True)
    assert error.value.error_dict["limited_to_changes"][0].code == "limited_without_changes"
    assert not Consultation.objects.exists()


def test_plan_page_shows_change_layer_legend_and_list(client, setup):
    plan, planner, v1, v2, _parts = setup
    limited_round(plan, planner, v1, v2, limited_to_changes=True)

    response = client.get(plan.get_absolute_url())

    html = response.content.decode()
    assert 'id="change-list"' in html and 'id="changes-limited"' in html
    assert "WA 3" in html and "hinzugefügt" in html and "entfallen" in html
    assert "bisher 0.4, jetzt 0.5" in html
    assert 'type="range" id="swipe-range"' in html
    config = json.loads(html.split('id="plan-changes-config" type="application/json">')[1].split("</script>")[0])
    assert sorted(f["properties"]["kind"] for f in config["changes"]["features"]) == ["added", "geometry", "removed"]
    assert config["before"] and config["after"]


def test_limited_round_refuses_a_point_outside_the_changes_and_accepts_one_inside(client, setup):
    plan, planner, v1, v2, parts = setup
    consultation = limited_round(plan, planner, v1, v2, limited_to_changes=True)

    outside = post(client, consultation, lat=f"{parts['A'].y:.7f}", lon=f"{parts['A'].x:.7f}")
    assert outside.status_code == 400
    assert "Diese Beteiligung ist auf die Änderungen beschränkt" in outside.content.decode()
    assert not Statement.objects.exists()

    inside = post(client, consultation, lat=f"{parts['D'].y:.7f}", lon=f"{parts['D'].x:.7f}")
    assert inside.status_code == 302 and Statement.objects.count() == 1


def test_limited_round_refuses_an_unchanged_element_in_the_service(setup):
    plan, planner, v1, v2, _parts = setup
    consultation = limited_round(plan, planner, v1, v2, limited_to_changes=True)
    unchanged = Feature.objects.get(layer__plan_versions=v2, source_id="A")
    changed = Feature.objects.get(layer__plan_versions=v2, source_id="B")

    with pytest.raises(ValidationError) as error:
        services.check_statement_place(consultation, feature=unchanged)
    assert error.value.error_dict["feature"][0].code == "feature_not_changed"
    services.check_statement_place(consultation, feature=changed)


def test_unlimited_round_accepts_any_place_in_the_plan_area(client, setup):
    plan, planner, v1, v2, parts = setup
    consultation = limited_round(plan, planner, v1, v2, limited_to_changes=False)
    response = post(client, consultation, lat=f"{parts['A'].y:.7f}", lon=f"{parts['A'].x:.7f}")
    assert response.status_code == 302


def test_bekanntmachung_draft_lists_the_changes_and_the_limitation(setup):
    plan, planner, v1, v2, _parts = setup
    consultation = limited_round(plan, planner, v1, v2, limited_to_changes=True)

    text = services.bekanntmachung_draft(consultation)

    assert "gegenüber der 1. Fassung geändert" in text
    assert "- hinzugefügt: WA 3 (Baugebiete)" in text
    assert "- entfallen: MI 1 (Baugebiete)" in text
    assert "Grundflächenzahl: 0.4 → 0.5" in text
    assert "nur zu den geänderten oder ergänzten Teilen" in text


def test_earlier_submitters_whose_statement_touched_a_change_get_one_mail_with_opt_out(
    client, setup, mailoutbox, django_capture_on_commit_callbacks
):
    plan, planner, v1, v2, parts = setup
    today = timezone.localdate()
    earlier = ConsultationFactory(
        plan=plan, start_date=today - dt.timedelta(days=90), end_date=today - dt.timedelta(days=50)
    )
    StatementFactory(consultation=earlier, location=parts["B"], user_email="betroffen@example.org")
    StatementFactory(consultation=earlier, location=parts["C"], user_email="Betroffen@example.org")  # same address
    StatementFactory(consultation=earlier, location=parts["A"], user_email="unberuehrt@example.org")
    StatementFactory(consultation=earlier, location=parts["D"], user_email="offen@example.org", confirmed_at=None)
    old_feature = Feature.objects.get(layer__plan_versions=v1, source_id="C")
    StatementFactory(consultation=earlier, location=None, feature=old_feature, user_email="element@example.org")
    consultation = create(plan, planner, old_version=v1, new_version=v2, limited_to_changes=True)

    with django_capture_on_commit_callbacks(execute=True):
        services.bekanntmachung_record(
            consultation=consultation, by=planner, date=today, media=["gazette"], text="Text"
        )

    assert sorted(m.to[0] for m in mailoutbox) == ["betroffen@example.org", "element@example.org"]
    mail = mailoutbox[0]
    assert "WA 3" in mail.body and "nur zu den geänderten" in mail.body
    opt_out = [line for line in mail.body.splitlines() if "/aenderungen/abmelden/" in line][0].strip()
    assert mail.extra_headers["List-Unsubscribe"] == f"<{opt_out}>"

    # Once per round and address: a second run (a reopened round, a retried task) sends nothing.
    assert services.change_mails_send(consultation=consultation) == 0

    path = opt_out.replace("http://testserver", "")
    assert "Keine solchen E-Mails mehr erhalten" in client.get(path).content.decode()
    assert client.post(path).status_code == 200
    assert ChangeMailOptOut.objects.filter(plan=plan, email=mail.to[0]).exists()
    assert mail.to[0] not in services.change_mail_recipients(consultation)
    assert client.get(path[:-5] + "xx/").status_code == 404


def test_staff_choose_versions_and_limitation_in_the_form(client, setup):
    plan, planner, v1, v2, _parts = setup
    client.force_login(planner)
    url = reverse("participation:staff_create", args=[plan.pk])
    form = client.get(url).content.decode()
    assert 'name="old_version"' in form and "1. Fassung vom" in form
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "kind": Kind.REPUBLICATION,
            "round": 2,
            "start_date": today + dt.timedelta(days=7),
            "end_date": today + dt.timedelta(days=37),
            "moderation": "post",
            "old_version": v1.pk,
            "new_version": v2.pk,
            "limited_to_changes": "on",
        },
    )
    consultation = Consultation.objects.get()
    assert response.status_code == 302 and consultation.limited_to_changes
    assert consultation.comparison == VersionComparison.objects.get()
    detail = client.get(response["Location"]).content.decode()
    assert 'id="changes-summary"' in detail and "3 Änderungen" in detail
