"""Tenant × role matrix over HTTP: every staff URL under /verwaltung/ and every admin page.

Staff URLs are collected from the URL resolver, so a new page is checked automatically; it must be
classified in STAFF_URLS (its permission, and what its `pk` means), otherwise the matrix fails.
Objects are taken from the demo data of Usingen (municipality A); Neu-Anspach is municipality B.
"""

import dataclasses

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from participation.announcements.models import Announcement, Delivery
from participation.models import Consultation
from participation.workbench import services as workbench_services
from participation.workbench.models import ExportJob, StatementGroup, Weighing
from plans.models import Document, Membership, Municipality
from plans.rules import SYSTEM
from tests.factories import AnnouncementFactory, ChannelAccountFactory

pytestmark = pytest.mark.django_db

LOGIN = "/verwaltung/anmelden/"
OK = {200, 302, 405}  # 405: a POST-only page opened with GET after the permission check


@dataclasses.dataclass(frozen=True)
class Rule:
    """Who may open a staff URL: 'public', 'login' (any account), 'staff' (any role anywhere), 'planner'
    (planning office anywhere), 'moderate' / 'manage' for the object's municipality, or 'operate' (operators)."""

    permission: str
    pk: str = ""  # what `<int:pk>` refers to (a key of the objects fixture)
    anonymous: frozenset = frozenset()  # expected codes for anonymous users if not "redirect to login"
    denied: int = 0  # the code a refused role gets if not the default (403 own municipality, 404 foreign)


PUBLIC = Rule("public", anonymous=frozenset(OK))

# Every URL name under /verwaltung/ must be listed here.
STAFF_URLS = {
    "accounts:login": PUBLIC,
    "accounts:login_code": PUBLIC,  # without a pending password step: back to the login page
    "accounts:oidc_login": Rule("public", anonymous=frozenset({404})),  # 404 while OIDC_ENABLED is off
    "accounts:oidc_callback": Rule("public", anonymous=frozenset({404})),
    "accounts:logout": Rule("public", anonymous=frozenset({405})),
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    "accounts:two_factor": Rule("login"),
    "accounts:two_factor_setup": Rule("login"),
    "accounts:two_factor_remove": Rule("login"),
    "plans:staff_dashboard": Rule("staff"),
    "participation:staff_list": Rule("staff"),
    "participation:staff_detail": Rule("moderate", pk="consultation"),
    "participation:staff_action": Rule("manage", pk="consultation"),
    "participation:staff_moderation": Rule("moderate", pk="consultation"),
    "participation:staff_moderate": Rule("moderate", pk="statement"),
    "participation:staff_paper": Rule("manage", pk="consultation"),
    "workbench:index": Rule("staff"),
    "workbench:table": Rule("moderate"),
    "workbench:bulk": Rule("moderate"),  # GET passes the read check, then 405; POST needs "manage"
    "workbench:group_similar": Rule("moderate"),
    "workbench:weighing": Rule("moderate"),
    "workbench:group": Rule("moderate"),
    "workbench:segment_create": Rule("moderate"),  # like bulk: GET passes the read check, then 405
    "workbench:segments_split": Rule("moderate"),
    "workbench:segment": Rule("moderate"),
    "workbench:segment_delete": Rule("moderate"),
    "workbench:propose": Rule("moderate"),
    "workbench:history": Rule("moderate"),
    "workbench:diff": Rule("moderate"),  # without a version: back to the history (302)
    "workbench:council_decision": Rule("manage"),
    "workbench:statistics": Rule("moderate"),
    "workbench:map": Rule("moderate"),
    # anonymised export (format csv); ?personal=1 and the ZIP with attachments (export_personal_data) are
    # tested in tests/test_login.py and tests/workbench/test_bundle.py
    "workbench:export": Rule("moderate"),
    "workbench:export_job": Rule("moderate"),  # an anonymised export job; personal ones: tests/workbench
    "workbench:export_download": Rule("moderate"),  # not finished yet: back to the job page (302)
    "workbench:grouping_status": Rule("moderate"),
    "workbench:publish": Rule("manage"),  # the result confirmation step: planning office only
    "workbench:result_letters": Rule("moderate"),  # like bulk: GET passes the read check, then 405; POST "manage"
    "workbench:group_inspection": Rule("moderate"),  # like bulk: GET passes the read check, then 405; POST "manage"
    "announcements:staff_list": Rule("planner", denied=404),  # lists the towns one plans for; none: 404
    "announcements:staff_detail": Rule("manage", pk="announcement"),
    "announcements:staff_approve": Rule("manage", pk="announcement"),
    "announcements:staff_discard": Rule("manage", pk="announcement"),
    "announcements:staff_retry": Rule("manage", pk="delivery"),
    "announcements:staff_delivery_check": Rule("manage", pk="delivery"),
    "announcements:staff_channels": Rule("manage"),
    "announcements:staff_channel_test": Rule("manage", pk="channel_account"),
    "geodata:layer_import": Rule("manage"),
    "geodata:layer_remove": Rule("manage"),  # POST only: 405 after the check
    "geodata:import_run": Rule("manage"),
    "geodata:import_run_confirm": Rule("manage"),
    "geodata:import_run_status": Rule("manage"),
    "geodata:xplan_import": Rule("planner"),  # planning office of any municipality
    "geodata:plan_area_upload": Rule("manage", pk="plan"),
    "geodata:plan_area_confirm": Rule("manage", pk="plan"),
    "geodata:plan_validation": Rule("manage", pk="plan"),
    "participation:staff_create": Rule("manage"),
    "participation:staff_update": Rule("manage", pk="consultation"),
    "participation:staff_bekanntmachung": Rule("manage", pk="consultation"),
    "participation:staff_close": Rule("manage", pk="consultation"),
    "plans:staff_plan_create": Rule("planner"),  # offers the municipalities one plans for
    "plans:staff_plan": Rule("manage", pk="plan"),
    "plans:staff_plan_edit": Rule("manage", pk="plan"),
    "plans:staff_plan_publish": Rule("manage", pk="plan"),
    "plans:staff_plan_unpublish": Rule("manage", pk="plan"),
    "plans:staff_stage": Rule("manage", pk="plan"),
    "plans:staff_document_upload": Rule("manage", pk="plan"),
    "plans:staff_document_move": Rule("manage", pk="plan"),
    "plans:staff_document_replace": Rule("manage", pk="plan"),
    "plans:staff_document_withdraw": Rule("manage", pk="plan"),
    "workbench:unpublish": Rule("moderate"),  # like bulk: GET passes the read check, then 405; POST needs "manage"
    "operations:failed_tasks": Rule("operate"),  # operators (superusers) only
    "operations:failed_task_retry": Rule("operate"),  # POST only: 405 after the check
    "operations:failed_task_discard": Rule("operate"),
    "participation:attachment_download": Rule("moderate", pk="attachment"),
    "workbench:text_blocks": Rule("moderate"),
    "workbench:text_block_create": Rule("manage"),
    "workbench:text_block_edit": Rule("manage"),
    "workbench:text_block_delete": Rule("manage"),
    "workbench:council_templates": Rule("moderate"),  # the list; upload and delete offered to planners only
    "workbench:council_template_upload": Rule("manage"),  # POST only: 405 after the check
    "workbench:council_template_download": Rule("moderate"),  # without an own template: the default
    "workbench:council_template_default": Rule("moderate"),
    "workbench:council_template_delete": Rule("manage"),
    "plans:staff_document_sections": Rule("manage", pk="plan"),
    "plans:staff_document_sections_refresh": Rule("manage", pk="plan"),
    "records:evidence": Rule("moderate", pk="plan"),
    "records:evidence_pdf": Rule("moderate", pk="plan"),
    "records:evidence_json": Rule("moderate", pk="plan"),
    "authorities:staff_list": Rule("manage"),
    "authorities:staff_create": Rule("manage"),
    "authorities:staff_import": Rule("manage"),
    "authorities:staff_export": Rule("manage"),
    "authorities:staff_edit": Rule("manage", pk="authority"),
    "authorities:staff_delete": Rule("manage", pk="authority"),
    "authorities:staff_round": Rule("moderate", pk="consultation"),
    "authorities:staff_round_csv": Rule("moderate", pk="consultation"),
    "authorities:staff_invite": Rule("manage", pk="consultation"),
    "authorities:staff_revoke": Rule("manage", pk="invitation"),
    "authorities:staff_resend": Rule("manage", pk="invitation"),
    "authorities:staff_extend": Rule("manage", pk="invitation"),
    "council:plan": Rule("manage", pk="plan"),
    "council:link_create": Rule("manage", pk="plan"),  # POST only: 405 after the check
    "council:link_confirm": Rule("manage", pk="plan"),
    "council:link_reject": Rule("manage", pk="plan"),
    "council:source": Rule("manage"),
    "council:source_sync": Rule("manage"),
    "workbench:assign": Rule("moderate"),  # POST only (405 after the read check); assigning needs "manage"
    "workbench:my_tasks": Rule("tasks"),  # staff and external reviewers: their own open assignments
    "workbench:assignment": Rule("assignment"),  # the assignee (reviewer A) and the planning office
    "workbench:assignment_done": Rule("moderate"),  # POST only: the service checks planner or own task
    "workbench:assignment_accept": Rule("moderate"),
    "workbench:assignment_return": Rule("moderate"),
    "workbench:assignment_delete": Rule("moderate"),
    "workbench:reviewers": Rule("moderate"),
    "workbench:reviewer_deactivate": Rule("manage"),  # POST only: 405 after the check
    "workbench:reviewer_invite": Rule("manage"),  # POST only: 405 after the check
}

# Other URL parameters, by name: a key of the objects fixture, or a fixed value.
PARAMETERS = {
    "consultation_id": "consultation",
    "statement_id": "statement",
    "group_id": "group",
    "plan_id": "plan",
    "plan_pk": "plan",
    "document": "document",
    "run_id": "import_run",
    "layer_id": "layer",
    "job_id": "export_job",
    "municipality": "municipality_slug",
    "municipality_id": "municipality",
    "block_id": "text_block",
    "segment_number": "=1",
    "kind": "=abwaegungstabelle",
    "link": "stage_link",
    "action": "=close",
    "format": "=csv",
    "uidb64": "=MQ",
    "token": "=set-password",
    "task_id": "=00000000-0000-0000-0000-000000000000",
    "assignment_id": "assignment",
    "reviewer_id": "reviewer",
}

# Codes per role for an object of municipality A (Usingen).
EXPECTED = {
    "planner_a": {"login": OK, "staff": OK, "planner": OK, "moderate": OK, "manage": OK, "operate": {403}},
    "moderator_a": {"login": OK, "staff": OK, "planner": {403}, "moderate": OK, "manage": {403}, "operate": {403}},
    "planner_b": {"login": OK, "staff": OK, "planner": OK, "moderate": {404}, "manage": {404}, "operate": {403}},
    # moderator A, planner B
    "mixed": {"login": OK, "staff": OK, "planner": OK, "moderate": OK, "manage": {403}, "operate": {403}},
    "superuser": {"login": OK, "staff": OK, "planner": OK, "moderate": OK, "manage": OK, "operate": OK},
    # An external reviewer of A (no role anywhere) with the assignment: only "Meine Aufgaben" and the assigned
    # item; the dashboard sends them to "Meine Aufgaben" (302), the other staff lists answer 403 or 404.
    "reviewer_a": {
        "login": OK,
        "staff": {302, 403, 404},
        "planner": {403},
        "moderate": {404},
        "manage": {404},
        "operate": {403},
    },
}
for _role, _codes in EXPECTED.items():
    _codes["tasks"] = OK
    _codes["assignment"] = {"planner_a": OK, "superuser": OK, "reviewer_a": OK, "planner_b": {404}}.get(_role, {403})


def staff_url_names():
    """Return (name, pattern) of every URL whose route starts with 'verwaltung/'."""
    found = []

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and route.startswith("verwaltung/"):
                found.append((f"{namespace}:{entry.name}" if namespace else entry.name, entry))

    walk(get_resolver().url_patterns, "", None)
    return found


@pytest.fixture(scope="module")
def attachment_dir(tmp_path_factory):
    """One attachment storage for the module (overrides the per-test one): the demo's attachment lives there."""
    from django.core.files.storage import FileSystemStorage

    from participation.models import Attachment

    location = tmp_path_factory.mktemp("attachments")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Attachment._meta.get_field("file"), "storage", FileSystemStorage(location=location))
        yield location


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory, attachment_dir):
    """Load the demo once for the module (rolled back at the end) and add the objects it lacks."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        with transaction.atomic():
            call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
            usingen = Municipality.objects.get(slug="usingen")
            neu_anspach = Municipality.objects.get(slug="neu-anspach")
            consultation = Consultation.objects.get(plan__slug="am-riedborn", kind="publication")
            workbench_services.weighings_ensure(consultation=consultation, by=SYSTEM)
            announcement = Announcement.objects.filter(municipality=usingen).first() or AnnouncementFactory(
                plan=consultation.plan
            )
            from django.core.files.base import ContentFile

            from geodata.models import ImportRun, Layer
            from participation.authorities.models import Authority, Invitation
            from participation.models import Attachment
            from participation.workbench.models import TextBlock

            authority = Authority.objects.create(municipality=usingen, organisation="Kreis", emails=["k@k.example"])
            from participation.workbench.segments import segment_create

            first = Weighing.objects.filter(statement__consultation=consultation).first()
            segment_create(weighing=first, by=SYSTEM, start=0, end=min(10, len(first.statement.comment)))
            from council.models import OParlSource, Paper, StageLink

            oparl = OParlSource.objects.create(municipality=usingen, system_url="https://ris.usingen.example/oparl")
            stage_link = StageLink.objects.create(
                plan=consultation.plan,
                stage="publication",
                paper=Paper.objects.create(source=oparl, oparl_id="https://ris.usingen.example/p/1", name="Entwurf"),
            )

            objects = {
                "consultation": consultation.pk,
                "statement": Weighing.objects.filter(statement__consultation=consultation).first().statement_id,
                "group": StatementGroup.objects.create(consultation=consultation, label="Gleichlautend").pk,
                "plan": consultation.plan.pk,
                "import_run": ImportRun.objects.create(
                    municipality=usingen, plan=consultation.plan, file_name="a.gpkg", status="succeeded"
                ).pk,
                "layer": (
                    Layer.objects.filter(plan=consultation.plan).first()
                    or Layer.objects.create(plan=consultation.plan, name="Ebene")
                ).pk,
                "announcement": announcement.pk,
                "delivery": Delivery.objects.create(announcement=announcement, channel="mastodon").pk,
                "channel_account": ChannelAccountFactory(municipality=usingen).pk,
                "municipality_slug": usingen.slug,
                "document": Document.objects.filter(plan=consultation.plan).first().pk,
                "authority": authority.pk,
                "municipality": usingen.pk,
                "text_block": TextBlock.objects.create(
                    municipality=usingen, title="Verkehr", text="Die Zufahrt wird geprüft."
                ).pk,
                "attachment": Attachment.objects.create(
                    statement_id=Weighing.objects.filter(statement__consultation=consultation).first().statement_id,
                    file=ContentFile(b"%PDF-1.4\n", name="a.pdf"),
                    original_name="a.pdf",
                    content_type="application/pdf",
                    size=9,
                    sha256="0" * 64,
                ).pk,
                "invitation": Invitation.objects.create(
                    consultation=consultation, authority=authority, deadline=consultation.end_date, key="k"
                ).pk,
                "stage_link": stage_link.pk,
                "export_job": ExportJob.objects.create(
                    consultation=consultation, format="csv", file_name="a.csv", expires_at=timezone.now()
                ).pk,
            }
            from participation.workbench.assignments import assignment_create
            from participation.workbench.external_reviewers import external_reviewer_create

            reviewer = external_reviewer_create(
                municipality=usingen, email="buero@example.org", name="Büro Plan", by=SYSTEM
            )
            objects["reviewer"] = reviewer.pk
            objects["assignment"] = assignment_create(
                weighing=first, assignee=reviewer.user, due_date=None, by=SYSTEM
            ).pk
            User = get_user_model()
            mixed = User.objects.create_user("gemischt", "gemischt@example.org", "pw")
            Membership.objects.create(user=mixed, municipality=usingen, role=Membership.Role.MODERATOR)
            Membership.objects.create(user=mixed, municipality=neu_anspach, role=Membership.Role.PLANNER)
            users = {
                "planner_a": User.objects.get(username="usingen-planung").pk,
                "moderator_a": User.objects.get(username="usingen-moderation").pk,
                "planner_b": User.objects.get(username="neu-anspach-planung").pk,
                "mixed": mixed.pk,
                "superuser": User.objects.get(username="admin").pk,
                "reviewer_a": reviewer.user_id,
            }
            yield {"objects": objects, "users": users}
            transaction.set_rollback(True)


def url_for(name, pattern, objects):
    rule = STAFF_URLS[name]
    kwargs = {}
    for parameter in pattern.pattern.converters:
        target = rule.pk if parameter == "pk" else PARAMETERS.get(parameter, "")
        assert target, f"{name}: say what the URL parameter {parameter!r} refers to (STAFF_URLS / PARAMETERS)"
        kwargs[parameter] = target[1:] if target.startswith("=") else objects[target]
    return reverse(name, kwargs=kwargs)


def test_every_staff_url_is_classified():
    unclassified = sorted({name for name, _ in staff_url_names()} - set(STAFF_URLS))
    assert unclassified == [], "Add these staff URLs to STAFF_URLS with their permission: " + ", ".join(unclassified)
    assert set(STAFF_URLS) <= {name for name, _ in staff_url_names()}, "STAFF_URLS lists URLs that no longer exist"


def test_anonymous_visitors_are_sent_to_the_staff_login(client, demo):
    wrong = []
    for name, pattern in staff_url_names():
        url = url_for(name, pattern, demo["objects"])
        response = client.get(url)
        rule = STAFF_URLS[name]
        if rule.anonymous:
            ok = response.status_code in rule.anonymous
        else:
            ok = response.status_code == 302 and response["Location"].startswith(LOGIN + "?next=")
        if not ok:
            wrong.append((name, response.status_code, response.get("Location")))
    assert wrong == []


@pytest.mark.parametrize("role", list(EXPECTED))
def test_staff_urls_by_tenant_and_role(client, demo, role):
    client.force_login(get_user_model().objects.get(pk=demo["users"][role]))
    wrong = []
    for name, pattern in staff_url_names():
        rule = STAFF_URLS[name]
        if rule.permission == "public":
            continue
        url = url_for(name, pattern, demo["objects"])
        response = client.get(url)
        expected = EXPECTED[role][rule.permission]
        if rule.denied and expected != OK:
            expected = {rule.denied}
        redirected_to_login = response.status_code == 302 and response["Location"].startswith(LOGIN)
        if response.status_code not in expected or redirected_to_login:
            wrong.append(f"{name} {url}: {response.status_code}, expected {sorted(expected)}")
    assert wrong == []


ADMIN_ROLES = {"planner_a": 403, "moderator_a": 403, "mixed": 403, "superuser": 200}


def admin_pages():
    """Return the changelist and add page of every registered model."""
    pages = []
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
    return pages


@pytest.mark.parametrize("role", list(ADMIN_ROLES))
def test_admin_pages_by_role(client, demo, role):
    """Municipal staff get 403 everywhere; operators see every changelist and may add where offered."""
    client.force_login(get_user_model().objects.get(pk=demo["users"][role]))
    wrong = []
    for url in [reverse("admin:index"), *admin_pages()]:
        status = client.get(url).status_code
        expected = {ADMIN_ROLES[role]}
        if role == "superuser" and url.endswith("/add/"):
            expected = {200, 403}  # read-only admins (procedure data) offer no add page
        if status not in expected:
            wrong.append((url, status, expected))
    assert wrong == []
