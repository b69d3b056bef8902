"""The mails of assignments (each sent once): assigned, sent back, due soon, overdue; a reviewer's invitation."""

from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from operations.mail import send_once, templated_message
from operations.retry import retry_transient
from plans.links import absolute_url

from .models import Assignment, ExternalReviewer

KINDS = ("assigned", "returned", "soon", "overdue")


def _enqueue_after_commit(job, *args) -> None:
    """Enqueue `job` so that it runs only if the surrounding transaction commits."""
    from django_tasks_db.backend import DatabaseBackend

    if isinstance(job.get_backend(), DatabaseBackend):
        job.enqueue(*args)  # the task row joins the transaction
    else:
        transaction.on_commit(lambda: job.enqueue(*args))


def mail_key(assignment: Assignment, kind: str) -> str:
    """Return the idempotency key of `kind`'s mail: reminders once per due date, the others once per event."""
    if kind in ("soon", "overdue"):
        return f"assignment:{assignment.pk}:{kind}:{assignment.due_date}"
    if kind == "returned":
        return f"assignment:{assignment.pk}:returned:{len(assignment.note)}"
    return f"assignment:{assignment.pk}:{kind}"


def enqueue_assignment_mail(assignment: Assignment, kind: str) -> None:
    """Queue the mail of `kind` to the assignee (after the commit)."""
    if assignment.assignee.email:
        _enqueue_after_commit(send_assignment_mail, assignment.pk, kind, mail_key(assignment, kind))


def assignment_message(assignment: Assignment, kind: str):
    """Return the unsent mail of `kind` about `assignment` to its assignee."""
    consultation = assignment.weighing.statement.consultation
    url = reverse("workbench:assignment", args=[assignment.pk])
    return templated_message(
        to=[assignment.assignee.email],
        subject_template="workbench/email/assignment_subject.txt",
        body_template="workbench/email/assignment_body.txt",
        context={
            "assignment": assignment,
            "kind": kind,
            "consultation": consultation,
            "plan": consultation.plan,
            "label": item_label(assignment),
            "url": absolute_url(url, municipality=consultation.plan.municipality),
            "tasks_url": absolute_url(reverse("workbench:my_tasks"), municipality=consultation.plan.municipality),
        },
    )


def item_label(assignment: Assignment) -> str:
    """Return "Nr. 7" or "Nr. 7.2" for the assigned statement or segment."""
    segment = assignment.segment
    number = f"{assignment.weighing.number}"
    return f"Nr. {number}.{segment.number}" if segment is not None else f"Nr. {number}"


@task()
@retry_transient
def send_assignment_mail(assignment_id: int, kind: str, key: str) -> bool:
    """Send the mail of `kind` about the assignment once (under `key`); skip it if the assignment is gone or done."""
    assignment = (
        Assignment.objects.select_related(
            "assignee", "segment", "weighing__statement__consultation__plan__municipality"
        )
        .filter(pk=assignment_id, done_at__isnull=True)
        .first()
    )
    if assignment is None or kind not in KINDS or not assignment.assignee.email:
        return False
    return send_once(key=key, message=assignment_message(assignment, kind))


def invitation_message(reviewer: ExternalReviewer):
    """Return the invitation to an external reviewer with a link to set their password (Django's reset token)."""
    user = reviewer.user
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return templated_message(
        to=[user.email],
        subject_template="workbench/email/reviewer_invitation_subject.txt",
        body_template="workbench/email/reviewer_invitation_body.txt",
        context={
            "reviewer": reviewer,
            "municipality": reviewer.municipality,
            "username": user.get_username(),
            "set_password_url": absolute_url(path, municipality=reviewer.municipality),
            "login_url": absolute_url(reverse("accounts:login"), municipality=reviewer.municipality),
        },
    )


@task()
@retry_transient
def send_reviewer_invitation(reviewer_id: int, key: str) -> bool:
    """Send the invitation with the set-password link to an external reviewer, once per `key`."""
    reviewer = ExternalReviewer.objects.select_related("user", "municipality").filter(pk=reviewer_id).first()
    if reviewer is None or not reviewer.active:
        return False
    return send_once(key=key, message=invitation_message(reviewer))


def enqueue_reviewer_invitation(reviewer: ExternalReviewer, again: bool = False) -> None:
    """Queue the invitation of `reviewer` (after the commit); `again` for a new link (the first one expired)."""
    suffix = f":{timezone.now().timestamp()}" if again else ""
    _enqueue_after_commit(send_reviewer_invitation, reviewer.pk, f"reviewer-invitation:{reviewer.pk}{suffix}")
