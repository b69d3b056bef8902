"""Publishing the result: only when due, with the council's decision; notices once per submitter address."""

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from participation.models import Consultation
from participation.periods import local_date
from participation.signals import result_published
from participation.workbench import services
from participation.workbench.models import ConsultationResult, Decision, ResultNotification, Weighing
from plans.rules import SYSTEM

BODY = "Stadtverordnetenversammlung"


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def decided(world):
    """Every statement of the closed consultation decided; the town's council is a Stadtverordnetenversammlung."""
    world["town"].council_body = BODY
    world["town"].save()
    services.weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    Weighing.objects.update(decision=Decision.CONSIDERED, response="Antwort A")
    return world


def _decision_day(consultation):
    return consultation.end_date + dt.timedelta(days=3)


def _publish(consultation, by=SYSTEM, **kwargs):
    kwargs.setdefault("council_body", BODY)
    kwargs.setdefault("decided_on", _decision_day(consultation))
    return services.result_publish(consultation=consultation, by=by, **kwargs)


def test_refused_while_the_period_runs(decided):
    consultation = decided["consultation"]
    with pytest.raises(ValidationError) as exc:
        _publish(consultation, at=consultation.ends_at - dt.timedelta(hours=1), decided_on=consultation.end_date)
    assert exc.value.code == "period_not_ended"
    assert not ConsultationResult.objects.exists()


def test_refused_while_a_statement_is_undecided_naming_the_count(decided):
    consultation = decided["consultation"]
    Weighing.objects.filter(number=4).update(decision="")
    with pytest.raises(ValidationError) as exc:
        _publish(consultation)
    assert (exc.value.code, exc.value.params) == ("undecided_statements", {"count": 1})
    assert exc.value.messages == ["1 Stellungnahme hat noch keine Entscheidung."]
    Weighing.objects.filter(number__in=[5, 6]).update(decision="")
    with pytest.raises(ValidationError) as exc:
        _publish(consultation)
    assert exc.value.messages == ["3 Stellungnahmen haben noch keine Entscheidung."]
    assert not ConsultationResult.objects.exists()


def test_a_statement_without_weighing_counts_as_undecided(decided):
    from tests.factories import StatementFactory

    StatementFactory(consultation=decided["consultation"], submit_date=decided["statements"][0].submit_date)
    with pytest.raises(ValidationError) as exc:
        _publish(decided["consultation"])
    assert exc.value.params == {"count": 1}


@pytest.mark.parametrize(
    "council_body,decided_on,field,code",
    [
        ("", 3, "council_body", "council_body_missing"),
        ("  ", 3, "council_body", "council_body_missing"),
        (BODY, None, "decided_on", "decided_on_missing"),
        (BODY, "tomorrow", "decided_on", "decided_on_in_future"),
        (BODY, 0, "decided_on", "decided_before_period_end"),
    ],
)
def test_refused_without_a_plausible_council_decision(decided, council_body, decided_on, field, code):
    consultation = decided["consultation"]
    if decided_on == "tomorrow":
        decided_on = local_date(timezone.now()) + dt.timedelta(days=1)
    elif decided_on is not None:
        decided_on = consultation.end_date + dt.timedelta(days=decided_on)
    with pytest.raises(ValidationError) as exc:
        _publish(consultation, council_body=council_body, decided_on=decided_on)
    assert exc.value.error_dict[field][0].code == code
    assert not ConsultationResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_published_once_due_notices_go_to_distinct_submitters(decided, immediate_tasks):
    consultation, planner = decided["consultation"], decided["users"]["planner"]
    second = decided["statements"][1]
    second.user_email = " Erika0@Example.org"  # the same person as statement no. 1
    second.save()
    events = []

    def receiver(sender, consultation, by, **kwargs):
        events.append((sender, consultation.pk, by))

    result_published.connect(receiver)
    try:
        outcome = _publish(consultation, by=planner)
        # Eight statements: one without an address, two from the same address: six mails.
        assert outcome["queued"] == 6
        assert ResultNotification.objects.count() == 7
        assert len(mail.outbox) == 6
        assert {n.status for n in ResultNotification.objects.all()} == {"sent"}
        assert events == [(Consultation, consultation.pk, planner)]
        erika = next(m for m in mail.outbox if m.to[0].strip().lower() == "erika0@example.org")
        assert "Nr. 1," in erika.body and "Nr. 2," in erika.body and "Stellungnahmen" in erika.subject
        decided_on = _decision_day(consultation).strftime("%d.%m.%Y")
        assert f"Beschlossen von: {BODY}, am {decided_on}." in erika.body
        assert reverse("workbench:public_result", args=[consultation.pk]) in erika.body
        result = ConsultationResult.objects.get()
        assert (result.council_body, result.decided_on, result.published_by) == (
            BODY,
            _decision_day(consultation),
            planner,
        )
        # Publishing again notifies nobody twice and announces nothing twice.
        assert _publish(consultation, by=planner)["queued"] == 0
        assert len(mail.outbox) == 6 and len(events) == 1
    finally:
        result_published.disconnect(receiver)


def test_failed_mail_is_recorded(decided, immediate_tasks, monkeypatch, django_capture_on_commit_callbacks):
    from django.core.mail import EmailMessage

    def boom(self, fail_silently=False):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailMessage, "send", boom)
    with django_capture_on_commit_callbacks(execute=True):
        _publish(decided["consultation"])
    notices = ResultNotification.objects.all()
    assert notices.count() == 7
    assert all(n.status == "failed" and "SMTP down" in n.error and n.sent_at is None for n in notices)


def test_table_disables_the_button_and_names_the_reason(client, world):
    client.force_login(world["users"]["planner"])
    url = reverse("workbench:table", args=[world["consultation"].pk])
    body = client.get(url).content.decode()
    assert 'disabled aria-describedby="result-blockers"' in body
    assert "8 Stellungnahmen haben noch keine Entscheidung." in body
    running = world["consultation"]
    running.end_date = local_date(timezone.now()) + dt.timedelta(days=5)
    running.save()
    body = client.get(url).content.decode()
    assert "Das Ergebnis kann erst nach dem Ende der Beteiligung veröffentlicht werden." in body
    assert client.get(reverse("workbench:publish", args=[running.pk])).context["blockers"]


def test_table_offers_the_confirmation_step_when_due(client, decided):
    client.force_login(decided["users"]["planner"])
    body = client.get(reverse("workbench:table", args=[decided["consultation"].pk])).content.decode()
    assert 'id="result-blockers"' not in body
    assert f'<form method="get" action="{reverse("workbench:publish", args=[decided["consultation"].pk])}">' in body


def test_confirmation_page_shows_recipients_and_prefills_the_council(client, decided):
    decided["statements"][1].user_email = "erika0@example.org"
    decided["statements"][1].save()
    client.force_login(decided["users"]["planner"])
    response = client.get(reverse("workbench:publish", args=[decided["consultation"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "6 Einreichende werden per E-Mail über das Ergebnis benachrichtigt." in body
    assert f'value="{BODY}"' in body
    assert 'aria-describedby="result-council_body_helptext"' in body


def test_publishing_over_http_refuses_with_the_message_then_publishes(client, decided):
    consultation = decided["consultation"]
    url = reverse("workbench:publish", args=[consultation.pk])
    client.force_login(decided["users"]["planner"])
    tomorrow = local_date(timezone.now()) + dt.timedelta(days=1)
    response = client.post(url, {"council_body": BODY, "decided_on": tomorrow.isoformat(), "notify": "on"})
    assert response.status_code == 400
    assert "Das Datum des Beschlusses darf nicht in der Zukunft liegen." in response.content.decode()
    assert 'aria-describedby="result-decided_on_error"' in response.content.decode()
    assert not ConsultationResult.objects.exists()

    Weighing.objects.filter(number=2).update(decision="")
    response = client.post(url, {"council_body": BODY, "decided_on": _decision_day(consultation).isoformat()})
    assert response.status_code == 400
    assert "1 Stellungnahme hat noch keine Entscheidung." in response.content.decode()

    Weighing.objects.filter(number=2).update(decision=Decision.NOTED)
    response = client.post(url, {"council_body": BODY, "decided_on": _decision_day(consultation).isoformat()})
    assert response.status_code == 302
    assert ResultNotification.objects.count() == 0  # notify unticked
    client.logout()
    public = client.get(reverse("workbench:public_result", args=[consultation.pk])).content.decode()
    assert f"Beschlossen von: {BODY}, am {_decision_day(consultation):%d.%m.%Y}." in public
    assert "Bürger/in 1" in public and "Antwort A" in public
    for name in decided["names"]:
        assert name not in public
    for email in decided["emails"]:
        assert email not in public


def test_unpublish_takes_the_page_offline(client, decided):
    consultation = decided["consultation"]
    _publish(consultation, notify=False)
    public_url = reverse("workbench:public_result", args=[consultation.pk])
    assert client.get(public_url).status_code == 200
    client.force_login(decided["users"]["planner"])
    assert client.post(reverse("workbench:unpublish", args=[consultation.pk])).status_code == 302
    client.logout()
    assert client.get(public_url).status_code == 404


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 302),
        ("no_membership", 404),
        ("foreign_planner", 404),
        ("foreign_moderator", 404),
        ("moderator", 403),
        ("planner", 302),
    ],
)
def test_only_own_planners_publish_over_http(client, decided, role, expected):
    if role != "anonymous":
        client.force_login(decided["users"][role])
    url = reverse("workbench:publish", args=[decided["consultation"].pk])
    data = {"council_body": BODY, "decided_on": _decision_day(decided["consultation"]).isoformat()}
    assert client.post(url, data).status_code == expected
    assert client.get(url).status_code == (200 if role == "planner" else expected)
    assert ConsultationResult.objects.filter(published_at__isnull=False).exists() == (role == "planner")


def test_plan_page_links_to_published_result(client, decided):
    consultation = decided["consultation"]
    url = reverse("workbench:public_result", args=[consultation.pk])
    assert url not in client.get(consultation.plan.get_absolute_url()).content.decode()
    _publish(consultation, by=decided["users"]["planner"], notify=False)
    assert url in client.get(consultation.plan.get_absolute_url()).content.decode()


def test_workbench_does_not_import_announcements():
    package = Path(services.__file__).parent
    for path in package.rglob("*.py"):
        assert "participation.announcements" not in path.read_text(), path
