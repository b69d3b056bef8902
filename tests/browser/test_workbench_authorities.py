"""The workbench with authority statements, sections and attachments in a real browser: accessible (axe)."""

import pytest

from tests.workbench.conftest import attachment_storage, authority_round, world  # noqa: F401  (fixtures)

from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_authority_statements_table_detail_and_bundle_page_are_accessible(page, authority_round):  # noqa: F811
    answered = authority_round
    consultation = answered["consultation"]
    table = f"/verwaltung/abwaegung/{consultation.pk}/"
    page.goto(f"/verwaltung/anmelden/?next={table}")
    page.fill("#id_username", "planer")
    page.fill("#id_password", "secret-pass")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{table}")

    # Only the authorities, grouped by section, with the keyboard-usable filter form.
    page.select_option("#id_sender", "authorities")
    page.select_option("#id_order", "section")
    page.get_by_role("button", name="Filtern").click()
    page.wait_for_url("**sender=authorities**")
    assert page.locator("#statement-table tbody tr[data-statement]").count() == 2
    assert page.locator(".wb-section-row").count() == 2  # 3.2 Entwässerung, then "ohne Abschnitt"
    assert "1 Anhang" in page.inner_text("#statement-table")
    assert run_axe(page) == []

    page.get_by_role("link", name=str(answered["water"].weighing.number), exact=True).click()
    page.wait_for_selector(".wb-attachments")
    assert "Gutachten Entwässerung.pdf" in page.inner_text(".wb-attachments")
    assert run_axe(page) == []

    page.goto(f"{table}export/zip/")
    assert "manifest.csv" in page.inner_text("main")
    assert run_axe(page) == []
