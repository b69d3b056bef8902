"""A planner imports an address book, invites authorities to a § 4 round, extends a deadline (axe on each page)."""

import datetime as dt

import pytest
from django.utils import timezone

from participation.authorities.models import Invitation
from participation.periods import regular_end

from ..factories import ConsultationFactory, MembershipFactory, PlanFactory
from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "organisation;department;emails;subject_areas;active;notes\n"
    "Wasserverband Usatal;;info@wv.example;Wasser und Boden;ja;\n"
    "Kreisausschuss Hochtaunus;Untere Naturschutzbehörde;natur@kreis.example;nature;ja;\n"
    "Hessen Mobil;;mobil@hessen.example;traffic;ja;\n"
)


def test_planner_imports_the_address_book_and_invites_authorities(page):
    membership = MembershipFactory(user__username="planerin")
    municipality = membership.municipality
    today = timezone.localdate()
    consultation = ConsultationFactory(
        plan=PlanFactory(municipality=municipality, title="Am Riedborn"),
        kind="authorities",
        start_date=today,
        end_date=regular_end(today) + dt.timedelta(days=2),
        bekanntmachung_date=None,
    )

    page.goto(f"/verwaltung/anmelden/?next=/verwaltung/behoerden/{municipality.slug}/import/")
    page.fill("#id_username", "planerin")
    page.fill("#id_password", "secret-pass")
    page.click("input[type=submit]")
    page.wait_for_selector("#id_file")
    assert run_axe(page) == []
    page.set_input_files("#id_file", {"name": "behoerden.csv", "mimeType": "text/csv", "buffer": CSV.encode()})
    page.click(".import-form button[type=submit]")
    page.wait_for_selector(".message--success")
    assert "3 neu, 0 geändert, 0 unverändert" in page.inner_text(".message--success")
    assert run_axe(page) == []

    page.goto(f"/verwaltung/beteiligungen/{consultation.pk}/")
    page.click("#link-authorities-invite")
    page.wait_for_selector(".invite-form")
    assert run_axe(page) == []
    page.check("input[name=subject_areas][value=water]")
    page.check("text=Hessen Mobil")
    page.click(".invite-form button[type=submit]")
    page.wait_for_selector("#round-board")
    assert page.inner_text("#count-invited") == "2"
    assert run_axe(page) == []

    invitation = Invitation.objects.get(authority__organisation="Hessen Mobil")
    page.click(f"#invitation-{invitation.pk} a")
    page.wait_for_selector(".extend-form")
    assert run_axe(page) == []
    page.fill("#id_deadline", (invitation.deadline + dt.timedelta(days=7)).isoformat())
    page.fill("#id_reason", "Urlaubszeit")
    page.click(".extend-form button[type=submit]")
    page.wait_for_selector(".message--success")
    assert "Frist verlängert" in page.inner_text(f"#invitation-{invitation.pk}")
    assert page.csp_violations == []
