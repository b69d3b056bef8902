"""comparison_create: stored changes, summary, changed area, text sections, permission and bad input."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from geodata.changes.services import comparison_create
from geodata.models import ElementChange, VersionComparison
from plans.models import Document, DocumentSection

from ...factories import DocumentFactory, MembershipFactory, PlanFactory, changed_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    plan = PlanFactory()
    staff = MembershipFactory(municipality=plan.municipality).user
    v1, v2, parts = changed_plan(plan)
    return plan, staff, v1, v2, parts


def test_comparison_stores_each_change_with_summary_and_changed_area(setup):
    plan, staff, v1, v2, parts = setup

    comparison = comparison_create(plan=plan, old_version=v1, new_version=v2, by=staff)

    rows = {(c.kind, c.key) for c in comparison.changes.all()}
    assert rows == {("added", "D"), ("removed", "C"), ("geometry", "B")}
    grown = comparison.changes.get(key="B")
    assert grown.details == {"grz": [0.4, 0.5]}
    assert grown.area_gained_m2 > 5000 and grown.area_lost_m2 == 0
    assert grown.old_feature.layer.plan_versions.get() == v1 and grown.new_feature.layer.plan_versions.get() == v2
    assert comparison.summary["total"] == 3 and comparison.summary["added"] == 1
    area = comparison.changed_area
    assert area.intersects(parts["D"]) and area.intersects(parts["C"])
    assert not area.intersects(parts["A"])


def test_comparing_again_recomputes_instead_of_duplicating(setup):
    plan, staff, v1, v2, _parts = setup
    first = comparison_create(plan=plan, old_version=v1, new_version=v2, by=staff)
    second = comparison_create(plan=plan, old_version=v1, new_version=v2, by=staff)
    assert first.pk == second.pk and VersionComparison.objects.count() == 1
    assert ElementChange.objects.count() == 3


def test_text_sections_of_the_text_provisions_are_word_diffed(setup):
    plan, staff, v1, v2, _parts = setup
    old_doc = DocumentFactory(plan=plan, kind=Document.Kind.TEXT_PROVISIONS, title="Textliche Festsetzungen")
    old_doc.online_since = v1.created_at.replace(year=v1.created_at.year - 1)
    old_doc.online_until = v2.created_at
    old_doc.save()
    new_doc = DocumentFactory(
        plan=plan, kind=Document.Kind.TEXT_PROVISIONS, title="Textliche Festsetzungen", replaces=old_doc
    )
    DocumentSection.objects.create(document=old_doc, number="1.1", title="Maß", text="Die GRZ beträgt 0,4.")
    DocumentSection.objects.create(document=new_doc, number="1.1", title="Maß", text="Die GRZ beträgt 0,5.")

    comparison = comparison_create(plan=plan, old_version=v1, new_version=v2, by=staff)

    text = comparison.changes.get(kind="text")
    assert text.key == "1.1"
    assert {"op": "insert", "text": "0,5."} in text.details["diff"]
    assert comparison.summary["text"] == 1


def test_staff_of_another_municipality_may_not_compare(setup):
    plan, _staff, v1, v2, _parts = setup
    stranger = MembershipFactory().user
    with pytest.raises(PermissionDenied):
        comparison_create(plan=plan, old_version=v1, new_version=v2, by=stranger)
    assert not VersionComparison.objects.exists()


def test_versions_in_the_wrong_order_or_of_another_plan_are_refused(setup):
    plan, staff, v1, v2, _parts = setup
    with pytest.raises(ValidationError) as error:
        comparison_create(plan=plan, old_version=v2, new_version=v1, by=staff)
    assert error.value.error_dict["old_version"][0].code == "versions_not_ordered"
    other = PlanFactory(municipality=plan.municipality)
    with pytest.raises(ValidationError) as error:
        comparison_create(plan=other, old_version=v1, new_version=v2, by=staff)
    assert error.value.code == "foreign_version"
    assert not VersionComparison.objects.exists()
