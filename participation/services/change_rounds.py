"""Rounds after changes to the draft (§ 4a Abs. 3 BauGB): the compared versions, the limitation to the changes,
and the e-mail to earlier submitters whose statement touched a changed element."""

import datetime as dt
import hashlib

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from geodata.changes.selectors import change_rows, changed_elements_area, changed_keys, comparison_changes
from geodata.changes.services import comparison_create
from operations.mail import send_once, templated_message
from plans.links import base_url

from ..models import ChangeMailOptOut, Consultation, Statement
from ..tasks import send_change_mails

Kind = Consultation.Kind
OPT_OUT_SALT = "participation.change-mail.opt-out"
# Statements whose address the submitter confirmed (online) or an authority gave for its receipt.
MAILED_CHANNELS = (Statement.Channel.ONLINE, Statement.Channel.AUTHORITY)


def is_change_round(consultation: Consultation) -> bool:
    """Return whether `consultation` is a round after changes to the draft (§ 4a Abs. 3 BauGB)."""
    return consultation.kind == Kind.REPUBLICATION or (
        consultation.kind == Kind.AUTHORITIES and consultation.authority_stage == Consultation.AuthorityStage.CHANGES
    )


def apply_changes(consultation: Consultation, *, by, old_version, new_version, limited: bool) -> None:
    """Compare the chosen versions and set the comparison and the limitation; refuse what the law does not allow."""
    if old_version is None and new_version is None:
        if limited:
            raise ValidationError(
                {
                    "limited_to_changes": ValidationError(
                        _("Für eine Beschränkung auf die Änderungen bitte die verglichenen Fassungen wählen."),
                        code="limited_without_changes",
                    )
                }
            )
        consultation.comparison, consultation.limited_to_changes = None, False
        return
    if not is_change_round(consultation):
        raise ValidationError(
            {
                "old_version": ValidationError(
                    _("Fassungen vergleichen lässt sich nur bei einer erneuten Beteiligung nach § 4a Abs. 3 BauGB."),
                    code="comparison_wrong_kind",
                )
            }
        )
    if old_version is None or new_version is None:
        raise ValidationError(
            {"old_version": ValidationError(_("Bitte beide Fassungen wählen."), code="version_missing")}
        )
    comparison = comparison_create(plan=consultation.plan, old_version=old_version, new_version=new_version, by=by)
    if limited and not comparison.summary.get("total"):
        raise ValidationError(
            {
                "limited_to_changes": ValidationError(
                    _(
                        "Zwischen den gewählten Fassungen gibt es keine Änderungen; die Beteiligung kann nicht "
                        "auf die Änderungen beschränkt werden."
                    ),
                    code="limited_without_changes",
                )
            }
        )
    consultation.comparison, consultation.limited_to_changes = comparison, bool(limited)


def change_mail_recipients(consultation: Consultation) -> dict[str, list[Statement]]:
    """Return address → statements of earlier rounds of the plan that touched a changed element of this round.

    A statement touches a change when its element is (a version of) a changed element or its place lies
    within the changed parts or on a changed element. Only confirmed addresses of statements still standing
    (not withdrawn, personal data kept) count; addresses that opted out of change mails for the plan are left out.
    """
    comparison = consultation.comparison
    if comparison is None or not comparison.summary.get("total"):
        return {}
    keys, feature_ids = changed_keys(comparison)
    touched = Q(feature_id__in=feature_ids) | Q(feature__source_id__in=keys - {""})
    # A place on a changed element counts too, also on a part of it that stayed as it was.
    for area in (comparison.changed_area, changed_elements_area(comparison)):
        if area is not None:
            touched |= Q(location__intersects=area) | Q(drawn_area__intersects=area) | Q(drawn_line__intersects=area)
    statements = (
        Statement.objects.submitted()
        .filter(consultation__plan=consultation.plan, channel__in=MAILED_CHANNELS)
        .exclude(consultation=consultation)
        .filter(withdrawn_at__isnull=True, personal_data_purged_at__isnull=True, erasure_requested_at__isnull=True)
        .exclude(user_email="")
        .filter(touched)
        .order_by("submit_date", "id")
    )
    opted_out = set(ChangeMailOptOut.objects.filter(plan=consultation.plan).values_list("email", flat=True))
    recipients: dict[str, list[Statement]] = {}
    for statement in statements:
        email = statement.user_email.strip().lower()
        if email and email not in opted_out:
            recipients.setdefault(email, []).append(statement)
    return recipients


def opt_out_token(plan_id: int, email: str) -> str:
    """Return the signed token of the link that ends change mails about a plan for an address."""
    return signing.dumps({"plan": plan_id, "email": email.strip().lower()}, salt=OPT_OUT_SALT, compress=True)


def opt_out_url(plan_id: int, email: str) -> str:
    return base_url() + reverse("participation:change_mail_opt_out", kwargs={"token": opt_out_token(plan_id, email)})


def read_opt_out_token(token: str) -> tuple[int, str] | None:
    """Return (plan id, address) of a valid opt-out token, None for a forged or broken one."""
    try:
        data = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("plan"), int) or not isinstance(data.get("email"), str):
        return None
    return data["plan"], data["email"]


def change_mail_opt_out(*, plan, email: str) -> ChangeMailOptOut:
    """Record that `email` wants no more change mails about `plan` (idempotent; the holder of the link acts)."""
    email = email.strip().lower()
    try:
        with transaction.atomic():
            return ChangeMailOptOut.objects.create(plan=plan, email=email)
    except IntegrityError:
        return ChangeMailOptOut.objects.get(plan=plan, email=email)


def _mail_key(consultation: Consultation, email: str) -> str:
    digest = hashlib.sha256(email.encode()).hexdigest()[:32]
    return f"change-mail:{consultation.pk}:{digest}"


def change_mails_send(*, consultation: Consultation, at: dt.datetime | None = None) -> int:
    """Mail each earlier submitter whose statement touched a change, once per round and address; return the count.

    Only while the public round after changes is open (a run before its start sends nothing).
    """
    at = at or timezone.now()
    if consultation.kind != Kind.REPUBLICATION or not consultation.is_open_at(at):
        return 0
    recipients = change_mail_recipients(consultation)
    if not recipients or consultation.comparison is None:
        return 0
    plan = consultation.plan
    rows = change_rows(comparison_changes(consultation.comparison))
    sent = 0
    for email, statements in recipients.items():
        message = templated_message(
            to=[email],
            subject=_("Der Plan, zu dem Sie Stellung genommen haben, wurde geändert"),
            body_template="participation/email/changes.txt",
            context={
                "plan": plan,
                "consultation": consultation,
                "statements": statements,
                "changes": rows,
                "plan_url": base_url() + plan.get_absolute_url() + "#aenderungen",
                "opt_out_url": opt_out_url(plan.pk, email),
            },
            headers={"List-Unsubscribe": f"<{opt_out_url(plan.pk, email)}>"},
        )
        sent += send_once(key=_mail_key(consultation, email), message=message)
    return sent


def change_mails_schedule(consultation: Consultation) -> None:
    """Enqueue the change mails of a public round after changes for its start (after commit)."""
    if consultation.kind != Kind.REPUBLICATION or consultation.comparison_id is None:
        return
    pk, starts_at = consultation.pk, consultation.starts_at

    def enqueue():
        if starts_at > timezone.now() and send_change_mails.get_backend().supports_defer:
            send_change_mails.using(run_after=starts_at).enqueue(pk)
        else:
            send_change_mails.enqueue(pk)

    transaction.on_commit(enqueue)
