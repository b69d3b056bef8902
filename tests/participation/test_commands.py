"""Period commands call the same services: schedule, open, extend, close; refusals exit non-zero."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from participation.models import Consultation

from ..factories import ConsultationFactory, MembershipFactory, PlanFactory, UserFactory

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate().year + 1


def test_schedule_consultation_creates_within_the_law(capsys):
    plan = PlanFactory()
    args = [str(plan.pk), "--kind", "publication", "--start", f"{NEXT_YEAR}-03-01"]
    with pytest.raises(CommandError, match=f"31.03.{NEXT_YEAR}"):
        call_command("schedule_consultation", *args, "--end", f"{NEXT_YEAR}-03-30")
    assert not Consultation.objects.exists()
    call_command("schedule_consultation", *args, "--end", f"{NEXT_YEAR}-03-31")
    consultation = Consultation.objects.get()
    assert (consultation.kind, consultation.end_date) == ("publication", dt.date(NEXT_YEAR, 3, 31))
    assert consultation.actions.get().by is None  # SYSTEM
    assert f"Scheduled consultation {consultation.pk}" in capsys.readouterr().out


def test_schedule_consultation_republication_reason_and_user():
    plan = PlanFactory()
    planner = MembershipFactory(municipality=plan.municipality, user__username="planerin").user
    args = [str(plan.pk), "--kind", "republication", "--start", f"{NEXT_YEAR}-05-01", "--end", f"{NEXT_YEAR}-05-14"]
    with pytest.raises(CommandError, match="Begründung"):
        call_command("schedule_consultation", *args, "--user", "planerin")
    call_command("schedule_consultation", *args, "--user", "planerin", "--reason", "Nur Baugrenze", "--round", "2")
    consultation = Consultation.objects.get()
    assert consultation.round == 2 and consultation.short_period_reason == "Nur Baugrenze"
    assert consultation.actions.get().by == planner


def test_schedule_consultation_refuses_unknown_plan_user_without_rights_and_bad_kind():
    plan = PlanFactory()
    UserFactory(username="fremd")
    args = ["--kind", "early", "--start", f"{NEXT_YEAR}-03-01", "--end", f"{NEXT_YEAR}-03-10"]
    with pytest.raises(CommandError, match="does not exist"):
        call_command("schedule_consultation", "999999", *args)
    with pytest.raises(CommandError, match="keine Berechtigung"):
        call_command("schedule_consultation", str(plan.pk), *args, "--user", "fremd")
    with pytest.raises(CommandError):
        call_command("schedule_consultation", str(plan.pk), "--kind", "sometimes", "--start", "x", "--end", "y")
    with pytest.raises(CommandError, match="Invalid date"):
        call_command("schedule_consultation", str(plan.pk), "--kind", "early", "--start", "morgen", "--end", "x")
    assert not Consultation.objects.exists()


def test_schedule_consultation_exits_non_zero_with_the_message(capsys):
    from django.core.management import ManagementUtility

    plan = PlanFactory()
    argv = ["manage.py", "schedule_consultation", str(plan.pk), "--kind", "publication"]
    argv += ["--start", f"{NEXT_YEAR}-03-01", "--end", f"{NEXT_YEAR}-03-02"]
    with pytest.raises(SystemExit) as exc:
        ManagementUtility(argv).execute()  # what `manage.py` runs: CommandError becomes exit status 1
    assert exc.value.code == 1
    assert f"Frühestes zulässiges Ende: 31.03.{NEXT_YEAR}." in capsys.readouterr().err


def test_open_extend_close_commands_call_the_services():
    today = timezone.localdate()
    consultation = ConsultationFactory(start_date=today + dt.timedelta(days=3), end_date=today + dt.timedelta(days=40))
    user = MembershipFactory(municipality=consultation.plan.municipality, user__username="planerin").user
    with pytest.raises(CommandError, match="Bekanntmachung"):  # a § 3 Abs. 2 period opens on its announced start
        call_command("open_consultation", consultation.pk, "--user", "planerin")
    consultation.kind = "early"
    consultation.save()
    call_command("open_consultation", consultation.pk, "--user", "planerin", "--reason", "Start")
    consultation.refresh_from_db()
    assert consultation.is_open_at()
    new_end = consultation.end_date + dt.timedelta(days=7)
    call_command("extend_consultation", consultation.pk, "--until", str(new_end), "--reason", "Mehr Zeit")
    call_command("close_consultation", consultation.pk, "--reason", "Ende")
    consultation.refresh_from_db()
    assert not consultation.is_open_at()
    assert list(consultation.actions.values_list("kind", "by")) == [
        ("open", user.pk),
        ("extend", None),
        ("close", None),
    ]
    with pytest.raises(CommandError, match="Begründung"):
        call_command("open_consultation", consultation.pk, "--reopen")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("close_consultation", 999999)
    with pytest.raises(CommandError, match="Invalid date"):
        call_command("extend_consultation", consultation.pk, "--until", "morgen")


def test_period_command_refuses_a_user_without_rights():
    consultation = ConsultationFactory()
    MembershipFactory(municipality=consultation.plan.municipality, role="moderator", user__username="moderatorin")
    with pytest.raises(CommandError, match="keine Berechtigung"):
        call_command("close_consultation", consultation.pk, "--user", "moderatorin", "--reason", "x")
    assert consultation.is_open_at()
