"""The availability check fetches plan page and documents through the public address; outages reach the report."""

import datetime as dt
import io
import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from plans import services as plan_services
from plans.models import Plan
from plans.rules import SYSTEM
from records.availability import availability_check
from records.evidence import evidence_pdf, evidence_report
from records.models import Check, Entry
from tests.factories import ConsultationFactory, MembershipFactory, PlanFactory, minimal_pdf

pytestmark = pytest.mark.django_db(transaction=True)


class Proxy:
    """A reverse proxy in front of the live server that can be switched off (HTTP 503), like a failed web node."""

    def __init__(self, upstream: str):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                if proxy.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                try:
                    with urllib.request.urlopen(upstream + self.path, timeout=60) as response:  # noqa: S310
                        body, status = response.read(), response.status
                except urllib.error.HTTPError as error:
                    body, status = error.read(), error.code
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.down = False
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(live_server):
    proxy = Proxy(live_server.url)
    yield proxy
    proxy.close()


@pytest.fixture
def published_plan():
    plan = PlanFactory(status=Plan.Status.DRAFT, published_at=None)
    plan_services.plan_publish(plan=plan, by=SYSTEM, at=timezone.now() - dt.timedelta(hours=1))
    plan_services.document_upload(
        plan=plan, by=SYSTEM, title="Planzeichnung", kind="drawing", file=ContentFile(minimal_pdf("Z"), name="z.pdf")
    )
    ConsultationFactory(plan=plan)
    return plan


def test_outage_appears_in_the_chain_and_the_evidence_report(proxy, published_plan):
    start = timezone.now()
    first = availability_check(base_url=proxy.url, timeout=60, at=start)
    assert (first.plans, first.urls, first.failed) == (1, 2, 0)
    checks = list(Check.objects.filter(plan=published_plan).order_by("url"))
    assert all(c.ok and c.status_code == 200 for c in checks)
    document_check = next(c for c in checks if c.document_id)
    assert document_check.content_matches is True  # the bytes served are the bytes published

    proxy.down = True  # the site fails for 35 minutes
    outage = availability_check(base_url=proxy.url, timeout=60, at=start + dt.timedelta(minutes=10))
    assert (outage.failed, outage.outages) == (2, 2)
    availability_check(base_url=proxy.url, timeout=60, at=start + dt.timedelta(minutes=20))  # still down: no new entry
    proxy.down = False
    back = availability_check(base_url=proxy.url, timeout=60, at=start + dt.timedelta(minutes=45))
    assert (back.failed, back.restored) == (0, 2)

    kinds = list(Entry.objects.filter(chain=published_plan.pk).order_by("seq").values_list("kind", flat=True))
    assert kinds.count("outage") == 2 and kinds.count("restored") == 2

    planner = MembershipFactory(municipality=published_plan.municipality).user
    report = evidence_report(plan=published_plan, by=planner)
    assert report["chain_intact"]
    outages = [o for u in report["urls"] for o in u.outages]
    assert len(outages) == 2
    assert all(o.duration == dt.timedelta(minutes=35) and o.checks == 2 and "503" in o.error for o in outages)
    assert outages[0].duration_label == "35 Min."

    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(evidence_pdf(plan=published_plan, by=planner))).pages
    )
    text = " ".join(text.split())  # table cells wrap at different places
    assert "Veröffentlichungsnachweis" in text and "35 Min." in text and "unverändert" in text


def test_unreachable_server_and_changed_content_count_as_outages(live_server, published_plan):
    summary = availability_check(base_url="http://127.0.0.1:9", timeout=2)  # nothing listens on port 9
    assert summary.failed == 2
    assert all("ConnectError" in c.error for c in Check.objects.filter(plan=published_plan))

    document = published_plan.documents.get()
    document.file.save("z.pdf", ContentFile(minimal_pdf("verändert")), save=True)  # bytes swapped behind our back
    availability_check(base_url=live_server.url)
    check = Check.objects.filter(plan=published_plan, document=document).latest("at")
    assert check.status_code == 200 and check.content_matches is False and not check.ok


def test_only_plans_that_must_be_online_are_checked(live_server, published_plan):
    PlanFactory()  # published, but no open consultation and not in force
    in_force = PlanFactory(stage=Plan.Stage.IN_FORCE)
    summary = availability_check(base_url=live_server.url)
    assert summary.plans == 2
    assert set(Check.objects.values_list("plan_id", flat=True)) == {published_plan.pk, in_force.pk}


def test_command_and_staff_downloads(client, live_server, published_plan):
    out = io.StringIO()
    call_command("check_publication", "--base-url", live_server.url, stdout=out)
    assert "1 Pläne, 2 Adressen geprüft: 0 nicht erreichbar" in out.getvalue()

    planner = MembershipFactory(municipality=published_plan.municipality).user
    client.force_login(planner)
    page = client.get(reverse("records:evidence", kwargs={"pk": published_plan.pk}))
    assert page.status_code == 200
    assert "Unverändert" in page.content.decode()
    data = json.loads(client.get(reverse("records:evidence_json", kwargs={"pk": published_plan.pk})).content)
    assert data["chain_intact"] is True
    assert [e["kind"] for e in data["entries"]][:2] == ["plan_published", "document_online"]
    assert len(data["checks"]) == 2
    response = client.get(reverse("records:evidence_pdf", kwargs={"pk": published_plan.pk}))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]  # tagged (PDF/UA-1)
    assert str(root["/Lang"]) == "de"

    other = MembershipFactory().user  # staff of another municipality
    client.force_login(other)
    assert client.get(reverse("records:evidence_pdf", kwargs={"pk": published_plan.pk})).status_code == 404


def test_section_10a_report_for_a_plan_in_force(published_plan):
    from records.evidence import section_10a

    Plan.objects.filter(pk=published_plan.pk).update(stage=Plan.Stage.IN_FORCE)
    published_plan.refresh_from_db()
    assert section_10a(published_plan) == {
        "applies": True,
        "published": True,
        "missing": ["Begründung", "Zusammenfassende Erklärung"],
        "complete": False,
    }
    for kind, title in (("justification", "Begründung"), ("summary", "Zusammenfassende Erklärung")):
        plan_services.document_upload(
            plan=published_plan, by=SYSTEM, title=title, kind=kind, file=ContentFile(minimal_pdf(title), name="d.pdf")
        )
    assert section_10a(published_plan)["complete"] is True
