"""Assignments to staff and external reviewers: services, the reviewer's scoped access, reminders, command."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from participation.workbench import assignments
from participation.workbench.external_reviewers import external_reviewer_create, external_reviewer_deactivate
from participation.workbench.models import Assignment, TextBlock, Weighing, WeighingState
from participation.workbench.reminders import assignment_reminders_send
from participation.workbench.segments import segment_create
from participation.workbench.services import weighings_ensure
from participation.workbench.states import weighing_propose
from plans.rules import SYSTEM
from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world, immediate_tasks, django_capture_on_commit_callbacks):
    consultation = world["consultation"]
    weighings_ensure(consultation=consultation, by=SYSTEM)
    town = consultation.plan.municipality
    with django_capture_on_commit_callbacks(execute=True):
        reviewer = external_reviewer_create(
            municipality=town,
            email="Beraterin@Buero.example",
            name="Berta Beraterin",
            organisation="Büro Plan",
            by=world["users"]["planner"],
        )
    weighings = list(Weighing.objects.filter(statement__consultation=consultation).order_by("number"))
    return {**world, **world["users"], "reviewer": reviewer, "weighings": weighings}


def _assign(setup, weighing=None, segment=None, assignee=None, due=None):
    return assignments.assignment_create(
        weighing=weighing or setup["weighings"][0],
        segment=segment,
        assignee=assignee or setup["reviewer"].user,
        due_date=due or timezone.localdate() + dt.timedelta(days=7),
        note="Bitte Verkehr prüfen.",
        by=setup["planner"],
    )


def test_reviewer_is_invited_with_a_set_password_link_and_has_no_role(setup, client):
    reviewer = setup["reviewer"]
    assert reviewer.user.username == "beraterin@buero.example"
    assert not reviewer.user.has_usable_password() and not reviewer.user.memberships.exists()
    invitation = mail.outbox[-1]
    assert invitation.to == ["beraterin@buero.example"]
    link = re.search(r"https?://\S+/verwaltung/passwort/neu/\S+/", invitation.body).group(0)
    response = client.get(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""]), follow=True)
    assert response.status_code == 200 and "new_password1" in response.content.decode()


def test_reviewer_create_is_refused_for_moderators_and_duplicates(setup):
    with pytest.raises(PermissionDenied):
        external_reviewer_create(municipality=setup["town"], email="x@y.example", name="X", by=setup["moderator"])
    with pytest.raises(ValidationError) as error:
        external_reviewer_create(municipality=setup["town"], email="beraterin@buero.example", name="B", by=SYSTEM)
    assert error.value.error_dict["email"][0].code == "email_taken"


def test_assignment_create_checks_planner_and_assignee(setup, django_capture_on_commit_callbacks):
    weighing = setup["weighings"][0]
    with pytest.raises(PermissionDenied):
        assignments.assignment_create(
            weighing=weighing, assignee=setup["reviewer"].user, due_date=None, by=setup["moderator"]
        )
    with pytest.raises(PermissionDenied):
        assignments.assignment_create(
            weighing=weighing, assignee=setup["reviewer"].user, due_date=None, by=setup["foreign_planner"]
        )
    other = external_reviewer_create(municipality=MunicipalityFactory(), email="o@o.example", name="O", by=SYSTEM)
    for assignee in (other.user, setup["foreign_planner"], setup["no_membership"]):
        with pytest.raises(ValidationError) as error:
            _assign(setup, assignee=assignee)
        assert error.value.error_dict["assignee"][0].code == "assignee_invalid"
    with pytest.raises(ValidationError) as error:
        _assign(setup, due=timezone.localdate() - dt.timedelta(days=1))
    assert error.value.error_dict["due_date"][0].code == "due_past"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assignment = _assign(setup)
    assert assignment.assignee == setup["reviewer"].user and "Nr. 1" in mail.outbox[-1].subject
    with pytest.raises(ValidationError) as error:
        _assign(setup)
    assert error.value.code == "already_assigned"
    assert _assign(setup, assignee=setup["moderator"]).assignee == setup["moderator"]  # staff of any role


def test_reviewer_answers_and_proposes_only_assigned_items(setup):
    reviewer = setup["reviewer"].user
    first, second = setup["weighings"][0], setup["weighings"][1]
    assignment = _assign(setup, weighing=first)
    with pytest.raises(PermissionDenied):
        weighing_propose(weighing=second, by=reviewer)
    assignments.assignment_answer(assignment=assignment, by=reviewer, decision="considered", response="Wird geprüft.")
    weighing_propose(weighing=first, by=reviewer)
    first.refresh_from_db()
    assert (first.decision, first.response, first.state) == ("considered", "Wird geprüft.", WeighingState.PROPOSED)
    assert first.history.first().history_user == reviewer
    with pytest.raises(ValidationError) as error:  # submitted: the office decides first
        assignments.assignment_answer(assignment=assignment, by=reviewer, decision="noted", response="x")
    assert error.value.code == "already_proposed"
    with pytest.raises(PermissionDenied):  # only the planning office accepts
        assignments.assignment_accept(assignment=assignment, by=reviewer)
    assignments.assignment_accept(assignment=assignment, by=setup["planner"])
    first.refresh_from_db()
    assert first.state == WeighingState.PROPOSED and Assignment.objects.get().done_at is not None
    with pytest.raises(PermissionDenied):  # done: access ends
        assignments.assignment_answer(assignment=assignment, by=reviewer, decision="noted", response="x")


def test_segment_assignment_and_send_back(setup):
    reviewer = setup["reviewer"].user
    weighing = setup["weighings"][0]
    part = segment_create(weighing=weighing, by=SYSTEM, start=0, end=30)
    other = segment_create(weighing=weighing, by=SYSTEM, start=31, end=60)
    assignment = _assign(setup, weighing=weighing, segment=part)
    with pytest.raises(PermissionDenied):
        weighing_propose(segment=other, by=reviewer)
    with pytest.raises(PermissionDenied):
        weighing_propose(weighing=weighing, by=reviewer)
    assignments.assignment_answer(assignment=assignment, by=reviewer, decision="noted", response="Zur Kenntnis.")
    weighing_propose(segment=part, by=reviewer)
    with pytest.raises(ValidationError) as error:
        assignments.assignment_return(assignment=assignment, by=setup["planner"], note=" ")
    assert error.value.error_dict["note"][0].code == "note_missing"
    assignments.assignment_return(assignment=assignment, by=setup["planner"], note="Bitte begründen.")
    part.refresh_from_db()
    assignment.refresh_from_db()
    assert part.state == WeighingState.DRAFT and assignment.done_at is None and "Bitte begründen." in assignment.note
    assignments.assignment_answer(assignment=assignment, by=reviewer, decision="noted", response="Begründet.")


def test_deactivated_reviewer_is_refused(setup, client):
    assignment = _assign(setup)
    external_reviewer_deactivate(reviewer=setup["reviewer"], by=setup["planner"])
    reviewer = setup["reviewer"].user
    reviewer.refresh_from_db()
    assert not reviewer.is_active
    with pytest.raises(PermissionDenied):
        assignments.assignment_answer(assignment=assignment, by=reviewer, decision="noted", response="x")
    with pytest.raises(ValidationError):
        _assign(setup, weighing=setup["weighings"][1])


def test_reviewer_sees_only_the_assigned_item_over_http(setup, client):
    assignment = _assign(setup)
    other = assignments.assignment_create(
        weighing=setup["weighings"][1], assignee=setup["moderator"], due_date=None, by=setup["planner"]
    )
    client.force_login(setup["reviewer"].user)
    assert client.get("/verwaltung/").url == "/verwaltung/aufgaben/"
    page = client.get("/verwaltung/aufgaben/").content.decode()
    assert f"/verwaltung/aufgaben/{assignment.pk}/" in page and f"/verwaltung/aufgaben/{other.pk}/" not in page
    statement = setup["weighings"][0].statement
    detail = client.get(f"/verwaltung/aufgaben/{assignment.pk}/").content.decode()
    assert statement.comment[:40] in detail and statement.user_name not in detail and statement.user_email not in detail
    assert client.get(f"/verwaltung/aufgaben/{other.pk}/").status_code == 404
    consultation = setup["consultation"]
    for url in (
        f"/verwaltung/abwaegung/{consultation.pk}/",
        f"/verwaltung/abwaegung/{consultation.pk}/stellungnahme/{statement.pk}/",
        f"/verwaltung/abwaegung/{consultation.pk}/export/csv/",
        f"/verwaltung/abwaegung/extern/{setup['town'].pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/verwaltung/aufgaben/{assignment.pk}/uebernehmen/").status_code == 404
    TextBlock.objects.create(municipality=setup["town"], title="Verkehr", text="Der Plan {plan} prüft den Verkehr.")
    response = client.post(
        f"/verwaltung/aufgaben/{assignment.pk}/",
        {"decision": "partly", "response": "Teilweise.", "propose": "1", "inserted_blocks": ""},
    )
    assert response.status_code == 302
    weighing = Weighing.objects.get(pk=setup["weighings"][0].pk)
    assert (weighing.decision, weighing.state) == ("partly", WeighingState.PROPOSED)


def test_planner_assigns_filters_and_accepts_over_http(setup, client):
    client.force_login(setup["planner"])
    consultation, weighing = setup["consultation"], setup["weighings"][0]
    url = f"/verwaltung/abwaegung/{consultation.pk}/stellungnahme/{weighing.statement_id}/"
    due = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        url + "zuweisen/",
        {"assignee": setup["reviewer"].user.pk, "segment": "", "due_date": due.isoformat(), "note": "N"},
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert client.get(url).content.decode().count(f"zuweisung-{assignment.pk}") == 1
    table = client.get(f"/verwaltung/abwaegung/{consultation.pk}/?assignee={setup['reviewer'].user.pk}")
    assert [s.pk for s in table.context["page"].object_list] == [weighing.statement_id]
    assert client.get(f"/verwaltung/abwaegung/{consultation.pk}/?assignment=overdue").context["page"].object_list == []
    Assignment.objects.update(due_date=timezone.localdate() - dt.timedelta(days=1))
    overdue = client.get(f"/verwaltung/abwaegung/{consultation.pk}/?assignment=overdue").context["page"].object_list
    assert [s.pk for s in overdue] == [weighing.statement_id]
    table_page = client.get(f"/verwaltung/abwaegung/{consultation.pk}/").content.decode()
    assert "zugewiesen an Berta Beraterin" in table_page and "überfällig" in table_page
    assignments.assignment_answer(assignment=assignment, by=setup["reviewer"].user, decision="noted", response="Ok.")
    weighing_propose(weighing=weighing, by=setup["reviewer"].user)
    client.post(f"/verwaltung/aufgaben/{assignment.pk}/uebernehmen/")
    assignment.refresh_from_db()
    assert assignment.done_at is not None


def test_my_tasks_highlights_overdue_and_refuses_outsiders(setup, client):
    assignments.assignment_create(
        weighing=setup["weighings"][0], assignee=setup["moderator"], due_date=None, by=setup["planner"]
    )
    Assignment.objects.update(due_date=timezone.localdate() - dt.timedelta(days=2))
    client.force_login(setup["moderator"])
    page = client.get("/verwaltung/aufgaben/").content.decode()
    assert "wb-row--overdue" in page and "überfällig" in page
    client.force_login(setup["no_membership"])
    assert client.get("/verwaltung/aufgaben/").status_code == 403


def test_reminders_are_sent_once_per_due_date(setup, settings, django_capture_on_commit_callbacks):
    settings.ASSIGNMENT_REMINDER_DAYS = 2
    today = timezone.localdate()
    _assign(setup, due=today + dt.timedelta(days=5))
    _assign(setup, weighing=setup["weighings"][1], due=today + dt.timedelta(days=1))
    mail.outbox.clear()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert assignment_reminders_send(by=SYSTEM, at=now) == 1  # only the one due tomorrow
        assert assignment_reminders_send(by=SYSTEM, at=now) == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("Erinnerung")
    with django_capture_on_commit_callbacks(execute=True):
        assert assignment_reminders_send(by=SYSTEM, at=now + dt.timedelta(days=3)) == 2  # soon + overdue
        assert assignment_reminders_send(by=SYSTEM, at=now + dt.timedelta(days=4)) == 0
        assert assignment_reminders_send(by=SYSTEM, at=now + dt.timedelta(days=6)) == 1  # the first now overdue
    assert sorted(m.subject.split(":")[0] for m in mail.outbox) == [
        "Erinnerung",
        "Erinnerung",
        "Überfällig",
        "Überfällig",
    ]
    Assignment.objects.update(done_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert assignment_reminders_send(by=SYSTEM, at=now + dt.timedelta(days=20)) == 0


def test_command_queues_reminders(setup, django_capture_on_commit_callbacks):
    _assign(setup, due=timezone.localdate())
    from io import StringIO

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_assignment_reminders", stdout=out)
    assert out.getvalue().strip() == "Reminders queued: 1."
    assert mail.outbox[-1].to == ["beraterin@buero.example"]


def test_whole_statement_assignment_covers_its_segments_over_http(setup, client):
    """A reviewer given a whole statement that staff split into segments weighs each segment, then proposes all."""
    reviewer = setup["reviewer"].user
    weighing, other_weighing = setup["weighings"][0], setup["weighings"][1]
    first = segment_create(weighing=weighing, by=SYSTEM, start=0, end=20)
    second = segment_create(weighing=weighing, by=SYSTEM, start=21, end=40)
    foreign = segment_create(weighing=other_weighing, by=SYSTEM, start=0, end=10)
    assignment = _assign(setup, weighing=weighing)
    client.force_login(reviewer)
    url = f"/verwaltung/aufgaben/{assignment.pk}/"
    page = client.get(url).content.decode()
    assert "Teile der Stellungnahme" in page
    assert f'id="teil{first.number}_decision"' in page and f'id="teil{second.number}_decision"' in page
    assert page.count('id="id_decision"') == 1  # the statement's own form; no id twice

    for segment, decision in ((first, "considered"), (second, "not_considered")):
        response = client.post(
            url, {"segment": segment.pk, "decision": decision, "response": f"Teil {segment.number}."}
        )
        assert response.status_code == 302 and response["Location"].endswith(f"#teil-{segment.number}")
    assert client.post(url, {"segment": foreign.pk, "decision": "noted", "response": "x"}).status_code == 404
    assert client.post(url, {"segment": "1x", "decision": "noted", "response": "x"}).status_code == 404
    response = client.post(url, {"decision": "", "response": "Insgesamt teilweise.", "propose": "1"})
    assert response.status_code == 302
    weighing.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.decision, first.response, first.state) == ("considered", "Teil 1.", WeighingState.PROPOSED)
    assert (second.decision, second.state) == ("not_considered", WeighingState.PROPOSED)
    assert weighing.state == WeighingState.PROPOSED and weighing.decision == "partly"
    assert first.history.first().history_user == reviewer
    # Submitted: the segments can no longer be changed by the reviewer.
    page = client.get(url).content.decode()
    assert f'id="teil{first.number}_decision"' not in page

    # A segment's own assignment does not reach the statement's other segments.
    third = segment_create(weighing=other_weighing, by=SYSTEM, start=11, end=30)
    own = _assign(setup, weighing=other_weighing, segment=foreign)
    with pytest.raises(ValidationError) as error:
        assignments.assignment_answer(assignment=own, by=reviewer, segment=third, decision="noted", response="x")
    assert error.value.code == "foreign_segment"
