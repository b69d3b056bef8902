"""A citizen finds a plan on the map and opens it; both pages pass axe-core (WCAG 2.1 AA)."""

import pytest
from django.utils import timezone

from council.models import AgendaItem, Meeting, OParlSource, Organization, Paper, StageLink
from plans.demo import load_demo

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    return load_demo()


def test_map_shows_plans_and_click_opens_plan(page, demo):
    page.goto("/")
    page.wait_for_selector("#plans-map[data-loaded-features]")
    assert int(page.get_attribute("#plans-map", "data-loaded-features")) == len(demo["plans"])
    # One interactive canvas/SVG path per plan polygon: click the middle of a plan's polygon.
    plan = demo["plans"]["am-riedborn"]
    point = plan.area.point_on_surface
    page.evaluate(
        """([lat, lon]) => {
            const map = window.__plansMap; map.setView([lat, lon], 16, {animate: false});
        }""",
        [point.y, point.x],
    )
    page.wait_for_timeout(300)
    xy = page.evaluate(
        "([lat, lon]) => { const p = window.__plansMap.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [point.y, point.x],
    )
    box = page.locator("#plans-map").bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    page.wait_for_url(f"**{plan.get_absolute_url()}")
    page.wait_for_selector("#plan-map[data-ready]")
    assert plan.title in page.locator("h1").inner_text()
    assert page.csp_violations == []


def test_list_entry_opens_plan_by_keyboard(page, demo):
    page.goto("/")
    plan = demo["plans"]["westerfeld-sued"]
    link = page.get_by_role("link", name=f"{plan.number}: {plan.title}")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{plan.get_absolute_url()}")


def test_start_page_has_no_wcag_violations(page, demo):
    page.goto("/")
    page.wait_for_selector("#plans-map[data-loaded-features]")
    assert run_axe(page) == []


def link_council_decision(plan):
    """Link a council decision (meeting, body, result, paper with files) to the plan's publication stage."""
    source = OParlSource.objects.create(municipality=plan.municipality, system_url="https://ris.example/oparl")
    ids = iter(f"https://ris.example/oparl/{n}" for n in range(10))
    body = Organization.objects.create(source=source, oparl_id=next(ids), name="Bau- und Planungsausschuss")
    meeting = Meeting.objects.create(source=source, oparl_id=next(ids), name="Sitzung", start=timezone.now())
    meeting.organizations.add(body)
    paper = Paper.objects.create(
        source=source,
        oparl_id=next(ids),
        reference="2026/0042",
        name=f"Bebauungsplan {plan.number} – Entwurfsbeschluss",
        web_url="https://ris.example/vorlage/42",
        main_file={"name": "Vorlage", "accessUrl": "https://ris.example/42.pdf", "mimeType": "application/pdf"},
    )
    item = AgendaItem.objects.create(
        source=source, oparl_id=next(ids), meeting=meeting, number="4", result="beschlossen", paper=paper
    )
    StageLink.objects.create(
        plan=plan, stage="publication", paper=paper, agenda_item=item, status=StageLink.Status.CONFIRMED
    )


def test_plan_page_has_no_wcag_violations(page, demo):
    link_council_decision(demo["plans"]["am-riedborn"])
    page.goto(demo["plans"]["am-riedborn"].get_absolute_url())
    page.wait_for_selector("#plan-map[data-ready]")
    assert page.locator(".timeline .decision").count() == 1
    assert run_axe(page) == []
    assert page.csp_violations == []


@pytest.mark.parametrize(
    "path",
    [
        "/usingen/",
        "/rechtliches/",
        "/usingen/impressum/",
        "/usingen/datenschutz/",
        "/usingen/barrierefreiheit/",
        "/usingen/leichte-sprache/",
    ],
)
def test_other_public_pages_have_no_wcag_violations(page, demo, path):
    page.goto(path)
    assert run_axe(page) == []
    assert page.csp_violations == []


def test_filter_form_works_by_keyboard(page, demo):
    page.goto("/")
    page.focus("#filter-art")
    page.select_option("#filter-art", "public_project")
    page.keyboard.press("Tab")  # to the next control, then submit with Enter from the button
    page.focus("button[type=submit].button")
    page.keyboard.press("Enter")
    page.wait_for_url("**art=public_project**")
    titles = page.locator(".plan-card__title").all_inner_texts()
    assert titles == ["Neubau Kindertagesstätte Schlappmühle"]
