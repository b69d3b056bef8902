"""Grouping as a background job over HTTP: start, progress, outcome; refused twice and for moderators; re-runs."""

import pytest
from django.urls import reverse

from participation.workbench import grouping, similarity
from participation.workbench.models import StatementGroup, Weighing
from participation.workbench.tasks import group_similar_statements


def _start(client, consultation, threshold="0,8"):
    return client.post(reverse("workbench:group_similar", args=[consultation.pk]), {"threshold": threshold})


def test_planner_starts_grouping_and_sees_it_finished(client, world, immediate_tasks):
    consultation = world["consultation"]
    client.force_login(world["users"]["planner"])
    response = _start(client, consultation)
    status_url = reverse("workbench:grouping_status", args=[consultation.pk])
    assert response["Location"] == status_url
    page = client.get(status_url).content.decode()
    assert "Gruppierung fertig: 1 neue Gruppen, 3 Stellungnahmen zugeordnet." in page
    assert 'http-equiv="refresh"' not in page
    group = StatementGroup.objects.get()
    assert sorted(group.weighings.values_list("number", flat=True)) == [1, 2, 3]
    assert "Gruppierung fertig" in client.get(reverse("workbench:table", args=[consultation.pk])).content.decode()


def test_queued_grouping_shows_progress_page_and_refuses_a_second_start(client, world, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued until a worker runs it
    consultation = world["consultation"]
    client.force_login(world["users"]["planner"])
    _start(client, consultation)
    results = DBTaskResult.objects.filter(task_path__endswith="group_similar_statements")
    queued = [result.args_kwargs["kwargs"] for result in results]
    assert queued == [{"consultation_id": consultation.pk, "threshold": 0.8}]
    page = client.get(reverse("workbench:grouping_status", args=[consultation.pk])).content.decode()
    assert "Gruppierung wartet auf den Hintergrunddienst" in page
    assert '<meta http-equiv="refresh" content="2">' in page and "<script>" not in page
    second = client.post(reverse("workbench:group_similar", args=[consultation.pk]), {"threshold": "0,8"}, follow=True)
    assert "Die Gruppierung läuft bereits." in second.content.decode()
    assert DBTaskResult.objects.count() == 1 and not StatementGroup.objects.exists()
    # The worker picks it up: the task runs and the page shows the outcome.
    group_similar_statements.call(**queued[0])
    page = client.get(reverse("workbench:grouping_status", args=[consultation.pk])).content.decode()
    assert "Gruppierung fertig: 1 neue Gruppen, 3 Stellungnahmen zugeordnet." in page


def test_running_grouping_reports_its_phase_in_the_cache(world, monkeypatch):
    consultation = world["consultation"]
    seen = []
    real = similarity.similar_clusters

    def spy(texts, threshold, progress):
        clusters = real(texts, threshold=threshold, progress=progress)
        seen.append(grouping.grouping_state(consultation))
        return clusters

    monkeypatch.setattr("participation.workbench.services.similar_clusters", spy)
    group_similar_statements.call(consultation_id=consultation.pk, threshold=0.8)
    assert seen[0]["status"] == "running" and seen[0]["phase"] == "compare"
    assert (seen[0]["done"], seen[0]["total"]) == (8, 8)  # eight distinct texts compared
    assert grouping.grouping_state(consultation)["status"] == "done"


def test_running_twice_groups_nothing_twice(world):
    consultation = world["consultation"]
    first = group_similar_statements.call(consultation_id=consultation.pk, threshold=0.8)
    again = group_similar_statements.call(consultation_id=consultation.pk, threshold=0.8)
    assert first == {"groups_created": 1, "statements_grouped": 3}
    assert again == {"groups_created": 0, "statements_grouped": 0}
    assert StatementGroup.objects.count() == 1
    assert Weighing.objects.filter(group__isnull=False).count() == 3


def test_new_similar_statement_joins_the_existing_group(world):
    from tests.factories import StatementFactory
    from tests.workbench.conftest import FORM_LETTER

    consultation = world["consultation"]
    group_similar_statements.call(consultation_id=consultation.pk, threshold=0.8)
    StatementFactory(consultation=consultation, comment=FORM_LETTER + " Danke.", user_name="Nachzüglerin")
    counts = group_similar_statements.call(consultation_id=consultation.pk, threshold=0.8)
    assert counts == {"groups_created": 0, "statements_grouped": 1}
    assert StatementGroup.objects.get().weighings.count() == 4


def test_failed_grouping_is_reported_and_can_be_started_again(client, world, immediate_tasks, monkeypatch):
    consultation = world["consultation"]

    def broken(*args, **kwargs):
        raise RuntimeError("/srv/secret/path kaputt")

    monkeypatch.setattr("participation.workbench.services.similar_clusters", broken)
    client.force_login(world["users"]["planner"])
    _start(client, consultation)
    page = client.get(reverse("workbench:grouping_status", args=[consultation.pk])).content.decode()
    assert "Die Gruppierung ist fehlgeschlagen." in page and "/srv/secret" not in page
    monkeypatch.undo()
    _start(client, consultation)
    assert grouping.grouping_state(consultation)["status"] == "done"


@pytest.mark.parametrize("role,expected", [("moderator", 403), ("foreign_planner", 404)])
def test_only_own_planners_start_grouping(client, world, immediate_tasks, role, expected):
    consultation = world["consultation"]
    client.force_login(world["users"][role])
    assert _start(client, consultation).status_code == expected
    assert grouping.grouping_state(consultation) is None and not StatementGroup.objects.exists()
    status = client.get(reverse("workbench:grouping_status", args=[consultation.pk]))
    assert status.status_code == (200 if role == "moderator" else 404)


def test_bad_threshold_is_refused(client, world, immediate_tasks):
    client.force_login(world["users"]["planner"])
    response = _start(client, world["consultation"], threshold="1,5")
    assert response.status_code == 302
    assert grouping.grouping_state(world["consultation"]) is None
