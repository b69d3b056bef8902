"""The authority's page behind its access link in a real browser: WCAG 2.1 AA (axe), map click, no CSP violation."""

import datetime as dt

import pytest
from django.utils import timezone

from participation.authorities.models import Authority, Invitation
from participation.authorities.tokens import make_token, new_key
from participation.models import Consultation, Statement

from ..factories import ConsultationFactory, DocumentFactory, FeatureFactory, LayerFactory
from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def invitation(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    consultation = ConsultationFactory(kind=Consultation.Kind.AUTHORITIES, bekanntmachung_date=None)
    DocumentFactory(plan=consultation.plan)
    FeatureFactory(layer=LayerFactory(plan=consultation.plan, name="Baufelder"), properties={"name": "WA 1"})
    authority = Authority.objects.create(
        municipality=consultation.plan.municipality, organisation="Hessen Mobil", emails=["post@mobil.example"]
    )
    return Invitation.objects.create(
        consultation=consultation,
        authority=authority,
        emails=authority.emails,
        deadline=timezone.localdate() + dt.timedelta(days=10),
        key=new_key(),
    )


def test_authority_places_its_statement_on_the_map_and_gets_an_accessible_receipt(page, invitation):
    page.goto(f"/behoerden/zugang/{make_token(invitation)}/")
    page.wait_for_selector("#plan-map[data-statements-ready]")
    assert run_axe(page) == []
    point = invitation.consultation.plan.area.point_on_surface
    page.get_by_role("button", name="Punkt setzen").click()
    xy = page.evaluate(
        "([lat, lon]) => { const m = window.planMap.map; m.setView([lat, lon], 17, {animate: false});"
        " const p = m.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [point.y, point.x],
    )
    box = page.locator("#plan-map").bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    page.wait_for_selector("#plan-map[data-statement-place='1']")
    page.click("#statement-form button[type=submit]")  # nothing filled in: errors, linked to their fields
    page.wait_for_selector("#form-errors")
    assert run_axe(page) == []
    page.fill("#id_clerk_name", "Karl Verkehr")
    page.fill("#id_comment", "Die Anbindung an die L 3270 ist mit uns abzustimmen.")
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector("h1:has-text('Eingangsbestätigung')")
    assert run_axe(page) == []
    statement = Statement.objects.get()
    assert statement.location is not None and statement.organisation == "Hessen Mobil"
    assert page.csp_violations == []
