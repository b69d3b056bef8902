"""Statement services: submit, confirm, flag, moderate, paper statements, purge."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from participation import services
from participation.models import Statement
from participation.periods import BERLIN
from plans.rules import SYSTEM

from ..factories import ConsultationFactory, MembershipFactory, StatementFactory, UserFactory

pytestmark = pytest.mark.django_db


def _submit(consultation, **kwargs):
    defaults = dict(
        consultation=consultation,
        text="Zu viel Verkehr.",
        topic="traffic",
        name="Erika Mustermann",
        email="erika@example.org",
        privacy_consent=True,
        public_opt_in=True,
        ip_address="127.0.0.1",
    )
    defaults.update(kwargs)
    return services.statement_submit(**defaults)


def test_guest_statement_counts_from_submission_even_if_confirmed_after_the_end(mailoutbox):
    consultation = ConsultationFactory(start_date=dt.date(2027, 1, 1), end_date=dt.date(2027, 1, 31), moderation="post")
    before_end = consultation.ends_at - dt.timedelta(seconds=1)
    result = _submit(consultation, at=before_end)
    assert result.needs_confirmation and result.statement.confirmed_at is None
    assert not Statement.objects.published().exists()
    token = services.confirmation_token(result.statement)
    statement = services.statement_confirm(token=token, at=consultation.ends_at + dt.timedelta(days=2))
    assert statement.submit_date == before_end and not statement.is_late
    assert statement.is_public and list(Statement.objects.submitted()) == [statement]


def test_confirmation_link_expired_or_tampered_is_refused(settings):
    consultation = ConsultationFactory(moderation="post")
    statement = _submit(consultation).statement
    token = services.confirmation_token(statement)
    with pytest.raises(ValidationError, match="ungültig"):
        services.statement_confirm(token=token[:-2] + "xx")
    with pytest.raises(ValidationError, match="ungültig"):
        services.statement_confirm(token=f"{statement.pk + 1}:" + token.split(":", 1)[1])
    settings.PARTICIPATION_CONFIRM_MAX_AGE = -1
    with pytest.raises(ValidationError, match="abgelaufen"):
        services.statement_confirm(token=token)
    statement.refresh_from_db()
    assert statement.confirmed_at is None


def test_submission_one_second_after_end_across_dst_is_refused():
    # 2027-03-28: clocks go forward in Berlin; the end date 27 March means until 28 March 00:00 CET.
    consultation = ConsultationFactory(start_date=dt.date(2027, 3, 1), end_date=dt.date(2027, 3, 27))
    end = dt.datetime(2027, 3, 28, 0, 0, tzinfo=BERLIN)
    assert consultation.ends_at == end
    assert _submit(consultation, at=end - dt.timedelta(seconds=1)).created
    with pytest.raises(ValidationError, match="nicht geöffnet"):
        _submit(consultation, at=end + dt.timedelta(seconds=1), email="b@example.org")
    autumn = ConsultationFactory(start_date=dt.date(2027, 10, 1), end_date=dt.date(2027, 10, 31))
    autumn_end = dt.datetime(2027, 11, 1, 0, 0, tzinfo=BERLIN)
    assert autumn.ends_at == autumn_end and autumn_end.utcoffset() == dt.timedelta(hours=1)
    assert _submit(autumn, at=autumn_end - dt.timedelta(seconds=1), email="c@example.org").created
    with pytest.raises(ValidationError):
        _submit(autumn, at=autumn_end, email="d@example.org")


def test_double_submit_with_same_form_token_stores_one_statement():
    import uuid

    consultation = ConsultationFactory()
    token = uuid.uuid4()
    first = _submit(consultation, form_token=token)
    second = _submit(consultation, form_token=token)
    assert first.created and not second.created and first.statement.pk == second.statement.pk
    assert Statement.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"text": "Zu viel Verkehr am Abend."},
        {"topic": "noise"},
        {"email": "erika.m@example.org"},
        {"location": "moved"},
    ],
)
def test_same_form_token_with_other_content_is_refused_and_nothing_stored(
    change, mailoutbox, django_capture_on_commit_callbacks
):
    import uuid

    consultation = ConsultationFactory()
    token = uuid.uuid4()
    point = consultation.plan.area.point_on_surface
    if change.get("location"):
        change = {"location": Point(point.x + 0.00001, point.y, srid=4326)}  # about 70 cm east
    with django_capture_on_commit_callbacks(execute=True):
        first = _submit(consultation, form_token=token, location=point)
        assert _submit(consultation, form_token=token, location=point.clone()).statement == first.statement
        with pytest.raises(ValidationError) as exc:
            _submit(consultation, **{"form_token": token, "location": point, **change})
    assert exc.value.code == "form_token_used"
    assert list(Statement.objects.all()) == [first.statement] and len(mailoutbox) == 1


def test_double_submitted_reply_and_logged_in_statement_stay_idempotent():
    import uuid

    consultation = ConsultationFactory()
    root = StatementFactory(consultation=consultation)
    user = UserFactory()
    for kwargs in ({"parent": root}, {"user": user, "name": "", "email": ""}):
        token = uuid.uuid4()
        first = _submit(consultation, form_token=token, **kwargs)
        again = _submit(consultation, form_token=token, **kwargs)
        assert first.created and not again.created and again.statement.pk == first.statement.pk
    assert Statement.objects.count() == 3


def test_rate_limit_per_email(settings):
    settings.PARTICIPATION_RATE_LIMIT = 2
    consultation = ConsultationFactory()
    _submit(consultation, ip_address="10.0.0.1")
    _submit(consultation, ip_address="10.0.0.2")
    with pytest.raises(services.RateLimited):
        _submit(consultation, ip_address="10.0.0.3")
    assert Statement.objects.count() == 2


def test_moderation_hide_needs_reason_and_is_logged():
    statement = StatementFactory()
    moderator = MembershipFactory(municipality=statement.consultation.plan.municipality, role="moderator").user
    with pytest.raises(ValidationError) as exc:
        services.statement_moderate(statement=statement, by=moderator, action="hide", reason="")
    assert exc.value.error_dict["reason"][0].code == "reason_required"
    services.statement_moderate(statement=statement, by=moderator, action="hide", reason="Beleidigung")
    assert not Statement.objects.published().exists()
    services.statement_moderate(statement=statement, by=moderator, action="unhide", reason="Irrtum")
    assert Statement.objects.published().count() == 1
    assert list(statement.moderation_actions.values_list("kind", "reason")) == [
        ("hide", "Beleidigung"),
        ("unhide", "Irrtum"),
    ]


def test_flag_counts_once_per_visitor():
    statement = StatementFactory()
    assert services.statement_flag(statement=statement, ip_address="10.0.0.1", reason="Spam")
    assert not services.statement_flag(statement=statement, ip_address="10.0.0.1")
    statement.refresh_from_db()
    assert statement.flag_count == 1


def test_paper_statement_counts_by_date_received_even_when_closed():
    consultation = ConsultationFactory(start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 10, 31))
    staff = MembershipFactory(municipality=consultation.plan.municipality).user
    statement = services.paper_statement_create(
        consultation=consultation,
        by=staff,
        text="Per Brief: Bitte mehr Bäume.",
        channel="post",
        received_on=dt.date(2026, 10, 30),
        name="Hans Meier",
        postal_address="Hauptstr. 1",
    )
    assert statement.confirmed_at and not statement.is_late and statement.entered_by == staff
    late = services.paper_statement_create(
        consultation=consultation, by=staff, text="Zu spät", channel="in_person", received_on=dt.date(2026, 11, 2)
    )
    assert late.is_late
    with pytest.raises(ValidationError) as exc:
        services.paper_statement_create(
            consultation=consultation, by=staff, text="x", channel="online", received_on=dt.date(2026, 10, 30)
        )
    assert exc.value.error_dict["channel"][0].code == "online_channel"


def _in_force(plan, on):
    from plans.models import StageChange

    StageChange.objects.create(plan=plan, stage="in_force", date=on)
    plan.stage = "in_force"
    plan.save()


def test_purge_removes_personal_data_of_long_ended_procedures_only():
    old = ConsultationFactory(start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 2, 15))
    _in_force(old.plan, dt.date(2024, 6, 1))
    running = ConsultationFactory()
    old_statement = StatementFactory(consultation=old, postal_address="Weg 1", ip_address="10.1.1.1")
    current = StatementFactory(consultation=running)
    call_command("purge_personal_data", "--older-than", "30")
    old_statement.refresh_from_db()
    current.refresh_from_db()
    assert (
        old_statement.user_name,
        old_statement.user_email,
        old_statement.postal_address,
        old_statement.ip_address,
    ) == ("", "", "", None)
    assert old_statement.comment and old_statement.pseudonym == "Bürger/in" and old_statement.personal_data_purged_at
    assert current.user_name and current.user_email
    with pytest.raises(CommandError, match="nicht in Kraft getreten"):
        call_command("purge_personal_data", "--consultation", running.pk)


def test_purge_is_for_operators_only():
    old = ConsultationFactory(start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 2, 15))
    _in_force(old.plan, dt.date(2024, 6, 1))
    statement = StatementFactory(consultation=old)
    planner = MembershipFactory(municipality=old.plan.municipality).user
    with pytest.raises(PermissionDenied):
        services.personal_data_purge(by=planner, consultation=old)
    assert services.personal_data_purge(by=UserFactory(is_superuser=True), consultation=old) == 1
    statement.refresh_from_db()
    assert statement.user_email == ""
    assert services.personal_data_purge(by=SYSTEM, older_than_days=0) == 0


def test_database_task_backend_enqueues_mail_in_the_statement_transaction(settings):
    import uuid

    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    consultation = ConsultationFactory()
    token = uuid.uuid4()
    first = _submit(consultation, form_token=token)
    again = _submit(consultation, form_token=token)
    assert first.created and not again.created
    task = DBTaskResult.objects.get()
    assert task.task_path == "participation.tasks.send_confirmation_mail"
    assert task.args_kwargs["args"][0] == first.statement.pk
