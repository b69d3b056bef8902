"""The operators' dead-letter page: failed tasks listed, run again or discarded; others are refused."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from operations import dead_letters
from participation.tasks import send_confirmation_mail
from plans.models import Membership
from tests.factories import MembershipFactory, StatementFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "http://testserver/bestaetigen/ein-sehr-langes-geheimes-token-0123456789/"
LIST = reverse("operations:failed_tasks")


@pytest.fixture
def operator():
    return UserFactory(username="betrieb", is_superuser=True, is_staff=True)


@pytest.fixture
def planner():
    return MembershipFactory(role=Membership.Role.PLANNER, user__username="planung").user


@pytest.fixture
def failed(smtp, database_tasks):
    """A confirmation mail that failed for good: the server refused the address permanently."""
    statement = StatementFactory(confirmed_at=None, user_email="kaputt@example.org")
    smtp.mailbox.refuse["kaputt@example.org"] = "550 5.1.1 Unbekannter Empfänger"
    result = send_confirmation_mail.enqueue(statement.pk, URL)
    call_command("run_worker", "--batch", "--interval=0", verbosity=0)
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.FAILED
    return result.id


def test_operator_sees_the_failed_task(client, operator, failed):
    client.force_login(operator)
    response = client.get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fehlgeschlagene Aufgaben" in page
    assert "participation.tasks.send_confirmation_mail" in page
    assert "SMTPRecipientsRefused" in page and "550" in page
    assert "geheimes-token" not in page  # long arguments are cut
    assert reverse("operations:failed_task_retry", args=[failed]) in page
    assert "erneut versuchen" in page and "verwerfen" in page


def test_retry_queues_it_again_and_it_is_sent(client, operator, failed, smtp):
    smtp.mailbox.refuse.clear()  # the address was fixed
    client.force_login(operator)
    response = client.post(reverse("operations:failed_task_retry", args=[failed]), follow=True)
    assert "Die Aufgabe wurde erneut eingeplant." in response.content.decode()
    assert not DBTaskResult.objects.filter(pk=failed).exists()
    call_command("run_worker", "--batch", "--interval=0", verbosity=0)
    assert len(smtp.mailbox.to("kaputt@example.org")) == 1
    assert dead_letters.failed_tasks() == []


def test_discard_removes_it(client, operator, failed):
    client.force_login(operator)
    response = client.post(reverse("operations:failed_task_discard", args=[failed]), follow=True)
    assert "Die Aufgabe wurde verworfen." in response.content.decode()
    assert not DBTaskResult.objects.exists()
    assert "Keine fehlgeschlagenen Aufgaben." in client.get(LIST).content.decode()


def test_unknown_task_is_reported_and_nothing_changes(client, operator, failed):
    client.force_login(operator)
    for task_id in ["00000000-0000-0000-0000-000000000000", "kein-uuid"]:
        response = client.post(reverse("operations:failed_task_discard", args=[task_id]), follow=True)
        assert "Diese Aufgabe gibt es nicht mehr." in response.content.decode()
    assert DBTaskResult.objects.filter(pk=failed, status=TaskResultStatus.FAILED).exists()


def test_a_planner_is_refused(client, planner, failed):
    client.force_login(planner)
    assert client.get(LIST).status_code == 403
    assert client.post(reverse("operations:failed_task_retry", args=[failed])).status_code == 403
    assert client.post(reverse("operations:failed_task_discard", args=[failed])).status_code == 403
    assert DBTaskResult.objects.filter(pk=failed, status=TaskResultStatus.FAILED).exists()


def test_anonymous_is_sent_to_the_login(client, failed):
    response = client.post(reverse("operations:failed_task_discard", args=[failed]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert DBTaskResult.objects.filter(pk=failed).exists()


def test_the_services_check_the_actor(planner, failed):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        dead_letters.failed_task_retry(task_id=str(failed), by=planner)
    with pytest.raises(PermissionDenied):
        dead_letters.failed_task_discard(task_id=str(failed), by=planner)
    with pytest.raises(TypeError):
        dead_letters.failed_task_discard(task_id=str(failed), by=None)
