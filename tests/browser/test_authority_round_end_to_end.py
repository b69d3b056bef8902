"""Issue 12 end to end: address book → § 4 Abs. 2 invitations → answers online → status board, workbench, ZIP.

A planner imports the address book and invites three authorities; the water authority opens its
link from the mail and submits a statement with a PDF attachment, the district answers "keine
Bedenken", Hessen Mobil's deadline is extended by a week. The board and the workbench show all
three states, and the ZIP export holds the PDF.
"""

import datetime as dt
import re
import zipfile

import pytest
from django.core import mail
from django.utils import timezone

from participation.authorities.models import Invitation
from participation.models import Consultation
from participation.periods import regular_end

from ..factories import ConsultationFactory, DocumentFactory, MembershipFactory, PlanFactory, parseable_pdf
from .conftest import run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = (
    "organisation;department;emails;subject_areas;active;notes\n"
    "Wasserverband Usatal;;info@wv.example;Wasser und Boden;ja;\n"
    "Kreisausschuss Hochtaunus;Untere Naturschutzbehörde;natur@kreis.example;nature;ja;\n"
    "Hessen Mobil;;mobil@hessen.example;traffic;ja;\n"
)
PDF = parseable_pdf(pages=2)


def _access_link(address: str) -> str:
    """Return the path of the personal access link from the invitation mail sent to `address`."""
    body = next(m.body for m in mail.outbox if address in m.to and "/behoerden/zugang/" in m.body)
    return re.search(r"https?://[^/\s]+(/behoerden/zugang/[^\s]+/)", body).group(1)


def test_authority_round_from_address_book_to_zip_export(page, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    membership = MembershipFactory(user__username="planerin")
    municipality = membership.municipality
    today = timezone.localdate()
    plan = PlanFactory(municipality=municipality, title="Am Riedborn")
    DocumentFactory(plan=plan)
    consultation = ConsultationFactory(
        plan=plan,
        kind=Consultation.Kind.AUTHORITIES,
        authority_stage=Consultation.AuthorityStage.FORMAL,
        start_date=today,
        end_date=regular_end(today),
        bekanntmachung_date=None,
    )

    # The planner imports the address book.
    page.goto(f"/verwaltung/anmelden/?next=/verwaltung/behoerden/{municipality.slug}/import/")
    page.fill("#id_username", "planerin")
    page.fill("#id_password", "secret-pass")
    page.click("input[type=submit]")
    page.wait_for_selector("#id_file")
    page.set_input_files("#id_file", {"name": "behoerden.csv", "mimeType": "text/csv", "buffer": CSV.encode()})
    page.click(".import-form button[type=submit]")
    page.wait_for_selector(".message--success")
    assert "3 neu, 0 geändert, 0 unverändert" in page.inner_text(".message--success")

    # … and invites all three to the § 4 Abs. 2 round.
    page.goto(f"/verwaltung/beteiligungen/{consultation.pk}/")
    page.click("#link-authorities-invite")
    page.wait_for_selector(".invite-form")
    for name in ("Wasserverband Usatal", "Kreisausschuss Hochtaunus", "Hessen Mobil"):
        page.check(f"text={name}")
    page.click(".invite-form button[type=submit]")
    page.wait_for_selector("#round-board")
    assert page.inner_text("#count-invited") == "3"
    assert len([m for m in mail.outbox if "/behoerden/zugang/" in m.body]) == 3
    board = page.url

    # The water authority opens its link from the mail and answers with a PDF attachment.
    page.goto(_access_link("info@wv.example"))
    page.wait_for_selector("#statement-form")
    assert run_axe(page) == []
    page.fill("#id_clerk_name", "Wiebke Wasser")
    page.fill("#id_file_reference", "WV-2026-17")
    page.fill("#id_comment", "Die Entwässerung des Baugebiets ist mit dem Verband abzustimmen; siehe Gutachten.")
    page.set_input_files(
        "#id_attachments", {"name": "Gutachten Entwässerung.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.click("#statement-form button[type=submit]")
    page.wait_for_selector("h1:has-text('Eingangsbestätigung')")
    assert "Gutachten Entwässerung.pdf" in page.inner_text("main")
    assert run_axe(page) == []

    # The district answers "keine Anregungen oder Bedenken" with one click.
    page.goto(_access_link("natur@kreis.example"))
    page.fill("#id_keine-clerk_name", "Nora Natur")
    page.click("#no-objections-form button[type=submit]")
    page.wait_for_selector("h1:has-text('Eingangsbestätigung')")

    # The planner extends Hessen Mobil's deadline by a week.
    mobil = Invitation.objects.get(authority__organisation="Hessen Mobil")
    page.goto(board)
    page.click(f"#invitation-{mobil.pk} a")
    page.wait_for_selector(".extend-form")
    page.fill("#id_deadline", (mobil.deadline + dt.timedelta(days=7)).isoformat())
    page.fill("#id_reason", "Abstimmung mit der Straßenmeisterei")
    page.click(".extend-form button[type=submit]")
    page.wait_for_selector(".message--success")

    # The status board shows the three states.
    water = Invitation.objects.get(authority__organisation="Wasserverband Usatal")
    district = Invitation.objects.get(authority__organisation="Kreisausschuss Hochtaunus")
    assert page.inner_text(f"#invitation-{water.pk} .invitation-state") == "geantwortet"
    assert page.inner_text(f"#invitation-{district.pk} .invitation-state") == "keine Bedenken"
    assert "Frist verlängert" in page.inner_text(f"#invitation-{mobil.pk}")
    assert f"{mobil.deadline + dt.timedelta(days=7):%d.%m.%Y}" in page.inner_text(f"#invitation-{mobil.pk}")
    assert page.inner_text("#count-answered") == "2" and page.inner_text("#count-no-objections") == "1"
    assert run_axe(page) == []

    # The workbench lists both answers under the authorities' names.
    table = f"/verwaltung/abwaegung/{consultation.pk}/"
    page.goto(table)
    page.select_option("#id_sender", "authorities")
    page.get_by_role("button", name="Filtern").click()
    page.wait_for_url("**sender=authorities**")
    rows = page.inner_text("#statement-table")
    assert "Wasserverband Usatal" in rows and "Kreisausschuss Hochtaunus" in rows
    assert "keine Bedenken" in rows and "1 Anhang" in rows

    # The ZIP export holds the table and the PDF, named by statement number.
    page.goto(f"{table}export/zip/")
    page.get_by_role("button", name="Export erstellen").click()
    page.wait_for_selector("#export-rows")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="herunterladen").click()
    path = tmp_path / "bundle.zip"
    download_info.value.save_as(path)
    with zipfile.ZipFile(path) as bundle:
        names = bundle.namelist()
        pdfs = [n for n in names if n.startswith("anhaenge/") and n.endswith(".pdf")]
        assert "abwaegungstabelle.xlsx" in names and "manifest.csv" in names
        assert len(pdfs) == 1 and bundle.read(pdfs[0]) == PDF
    assert page.csp_violations == []
