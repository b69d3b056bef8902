import csv
import io

import pytest
from django.urls import reverse

from participation.workbench import services
from participation.workbench.models import (
    Decision,
    ExportJob,
    PersonalDataExportLog,
    StatementGroup,
    Weighing,
)
from plans.rules import SYSTEM

ROLES = ["anonymous", "no_membership", "foreign_planner", "foreign_moderator", "moderator", "planner"]
SECRET_TEXT = "Gewässerrandstreifen"


def _login(client, world, role):
    if role != "anonymous":
        client.force_login(world["users"][role])


def _urls(world):
    c = world["consultation"].pk
    statement = world["statements"][0].pk
    services.weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    group = services.statements_group(
        consultation=world["consultation"], by=SYSTEM, statement_ids=[statement], label="G"
    )
    return {
        "table": reverse("workbench:table", args=[c]),
        "weighing": reverse("workbench:weighing", args=[c, statement]),
        "group": reverse("workbench:group", args=[c, group.pk]),
        "statistics": reverse("workbench:statistics", args=[c]),
        "map": reverse("workbench:map", args=[c]),
        **{f"export_{f}": reverse("workbench:export", args=[c, f]) for f in ("csv", "xlsx", "pdf", "geojson", "gpkg")},
    }


def _assert_denied(response, expected, world):
    assert response.status_code == expected
    body = response.content.decode(errors="replace")
    assert SECRET_TEXT not in body
    for name in world["names"]:
        assert name not in body


VIEW_EXPECTATIONS = {
    "anonymous": 302,
    "no_membership": 404,
    "foreign_planner": 404,
    "foreign_moderator": 404,
    "moderator": 200,
    "planner": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_read_views_and_anonymised_exports_by_role(client, world, role):
    urls = _urls(world)
    _login(client, world, role)
    for name, url in urls.items():
        response = client.get(url)
        expected = VIEW_EXPECTATIONS[role]
        if expected == 200:
            assert response.status_code == 200, name
        else:
            _assert_denied(response, expected, world)
            if expected == 302:
                assert "/verwaltung/anmelden/" in response["Location"]


@pytest.mark.parametrize(
    "role,expected",
    [
        ("anonymous", 302),
        ("no_membership", 404),
        ("foreign_planner", 404),
        ("foreign_moderator", 404),
        ("moderator", 403),
        ("planner", 200),
    ],
)
@pytest.mark.parametrize("format", ["csv", "xlsx", "pdf", "geojson", "gpkg"])
def test_personal_data_export_only_for_own_planners_and_logged(
    client, world, role, expected, format, immediate_tasks, django_capture_on_commit_callbacks
):
    _login(client, world, role)
    url = reverse("workbench:export", args=[world["consultation"].pk, format])
    page = client.get(url + "?personal=1")
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url, {"personal": "1", "filters": ""})
    if expected != 200:
        _assert_denied(page, expected, world)
        _assert_denied(started, 302 if role == "anonymous" else expected, world)
        assert not ExportJob.objects.exists() and not PersonalDataExportLog.objects.exists()
        return
    assert page.status_code == 200 and "Mit Namen und Anschriften" in page.content.decode()
    job = ExportJob.objects.get()
    assert started["Location"] == reverse("workbench:export_job", args=[world["consultation"].pk, job.pk])
    assert (job.status, job.rows, job.personal, job.created_by) == ("succeeded", 8, True, world["users"]["planner"])
    assert not PersonalDataExportLog.objects.exists()  # logged when the names leave: at the download
    response = client.get(reverse("workbench:export_download", args=[world["consultation"].pk, job.pk]))
    assert response.status_code == 200
    assert "personendaten" in response["Content-Disposition"]
    log = PersonalDataExportLog.objects.get()
    assert (log.user, log.via, log.format, log.rows) == (world["users"]["planner"], "web", format, 8)


def _posts(world):
    c = world["consultation"]
    statement = world["statements"][0]
    services.weighings_ensure(consultation=c, by=SYSTEM)
    group = services.statements_group(consultation=c, by=SYSTEM, statement_ids=[statement.pk], label="G")
    return [
        (
            reverse("workbench:bulk", args=[c.pk]),
            {"action": "decide", "scope": "selected", "statements": [statement.pk], "decision": "noted"},
        ),
        (reverse("workbench:group_similar", args=[c.pk]), {"threshold": "0,8"}),
        (
            reverse("workbench:weighing", args=[c.pk, statement.pk]),
            {"decision": "noted", "response": "x", "internal_note": "", "organisation": ""},
        ),
        (reverse("workbench:group", args=[c.pk, group.pk]), {"decision": "noted", "response": "x"}),
        (reverse("workbench:unpublish", args=[c.pk]), {}),
    ]


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
def test_changes_only_by_own_planners(client, world, role, expected):
    posts = _posts(world)
    _login(client, world, role)
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == expected, url
        if expected != 302 or role == "anonymous":
            _assert_denied(response, expected, world)
    changed = Weighing.objects.filter(decision=Decision.NOTED).exists()
    assert changed == (role == "planner")


def test_index_lists_only_own_consultations(client, world):
    client.force_login(world["users"]["moderator"])
    body = client.get(reverse("workbench:index")).content.decode()
    assert "Am Riedborn" in body
    assert str(world["foreign_consultation"].plan) not in body
    client.force_login(world["users"]["no_membership"])
    assert client.get(reverse("workbench:index")).status_code == 403


def test_unknown_consultation_and_format_give_404(client, world):
    client.force_login(world["users"]["planner"])
    assert client.get(reverse("workbench:table", args=[999999])).status_code == 404
    assert client.get(reverse("workbench:export", args=[world["consultation"].pk, "doc"])).status_code == 404
    foreign_statement = world["foreign_consultation"].statements.first()
    url = reverse("workbench:weighing", args=[world["consultation"].pk, foreign_statement.pk])
    assert client.get(url).status_code == 404


def _numbers(response):
    return [row.weighing.number for row in response.context["page"].object_list]


@pytest.mark.parametrize(
    "params,expected",
    [
        ({}, [1, 2, 3, 4, 5, 6, 7, 8]),
        ({"topic": "environment"}, [4]),
        ({"channel": "post"}, [3, 8]),
        ({"timing": "late"}, [7]),
        ({"timing": "in_time"}, [1, 2, 3, 4, 5, 6, 8]),
        ({"located": "no"}, [8]),
        ({"located": "yes"}, [1, 2, 3, 4, 5, 6, 7]),
        ({"q": "biotop"}, [4]),
        ({"decision": "open"}, [2, 3, 4, 5, 6, 7, 8]),
        ({"decision": "considered"}, [1]),
        ({"topic": "nonsense"}, [1, 2, 3, 4, 5, 6, 7, 8]),
    ],
)
def test_table_filters(client, world, params, expected):
    services.weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    Weighing.objects.filter(number=1).update(decision=Decision.CONSIDERED)
    client.force_login(world["users"]["moderator"])
    response = client.get(reverse("workbench:table", args=[world["consultation"].pk]), params)
    assert response.status_code == 200
    assert _numbers(response) == expected
    assert response.context["counts"]["total"] == 8
    assert response.context["counts"]["late"] == 1


def test_table_filters_by_feature_and_group(client, world, immediate_tasks):
    from geodata.models import Feature, Layer

    layer = Layer.objects.create(plan=world["consultation"].plan, name="Baugebiete")
    feature = Feature.objects.create(layer=layer, geometry=world["consultation"].plan.area, source_id="WA 1")
    statement = world["statements"][4]
    statement.feature = feature
    statement.save()
    client.force_login(world["users"]["planner"])
    url = reverse("workbench:table", args=[world["consultation"].pk])
    response = client.get(url, {"feature": feature.pk})
    assert _numbers(response) == [5]
    assert "Baugebiete: WA 1" in response.content.decode()
    client.post(reverse("workbench:group_similar", args=[world["consultation"].pk]), {"threshold": "0,8"})
    group = StatementGroup.objects.get()
    assert _numbers(client.get(url, {"group": group.pk})) == [1, 2, 3]


def test_table_paginates_and_marks_late(client, world, monkeypatch):
    from participation.workbench.views import weighing

    client.force_login(world["users"]["planner"])
    url = reverse("workbench:table", args=[world["consultation"].pk])
    monkeypatch.setattr(weighing, "PAGE_SIZE", 3)
    page3 = client.get(url, {"page": 3, "topic": ""})
    assert _numbers(page3) == [7, 8]
    body = page3.content.decode()
    assert "verspätet" in body and 'class="wb-late"' in body
    assert "Seite 3 von 3" in body


def test_bulk_decide_selected_and_filtered(client, world):
    client.force_login(world["users"]["planner"])
    c = world["consultation"]
    services.weighings_ensure(consultation=c, by=SYSTEM)
    url = reverse("workbench:bulk", args=[c.pk])
    ids = [s.pk for s in world["statements"][:2]]
    response = client.post(
        url,
        {
            "action": "decide",
            "scope": "selected",
            "statements": ids,
            "decision": "partly",
            "response": "Wird geprüft.",
            "filters": "topic=traffic",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?topic=traffic")
    assert sorted(Weighing.objects.filter(decision="partly").values_list("number", flat=True)) == [1, 2]
    assert Weighing.objects.get(number=1).updated_by == world["users"]["planner"]
    client.post(url, {"action": "decide", "scope": "filtered", "decision": "not_considered", "filters": "timing=late"})
    assert list(Weighing.objects.filter(decision="not_considered").values_list("number", flat=True)) == [7]


def test_bulk_rejects_bad_input_and_changes_nothing(client, world):
    client.force_login(world["users"]["planner"])
    c = world["consultation"]
    services.weighings_ensure(consultation=c, by=SYSTEM)
    url = reverse("workbench:bulk", args=[c.pk])
    foreign = world["foreign_consultation"].statements.first().pk
    for data in (
        {"action": "decide", "scope": "selected", "statements": [], "decision": "noted"},
        {"action": "decide", "scope": "selected", "statements": [foreign], "decision": "noted"},
        {"action": "decide", "scope": "selected", "statements": [world["statements"][0].pk], "decision": "maybe"},
        {"action": "decide", "scope": "selected", "statements": [world["statements"][0].pk]},
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert list(response.context["messages"])
    assert not Weighing.objects.exclude(decision="").exists()


def test_edit_weighing(client, world):
    client.force_login(world["users"]["planner"])
    statement = world["statements"][5]
    url = reverse("workbench:weighing", args=[world["consultation"].pk, statement.pk])
    page = client.get(url).content.decode()
    assert "verspätet" in page and "Max Spät" in page  # planners see the name
    response = client.post(
        url,
        {
            "decision": "noted",
            "response": "Verspätet, dennoch geprüft.",
            "internal_note": "Rückfrage Bauamt",
            "organisation": "",
        },
    )
    assert response.status_code == 302
    weighing = Weighing.objects.get(statement=statement)
    assert (weighing.decision, weighing.internal_note, weighing.updated_by) == (
        "noted",
        "Rückfrage Bauamt",
        world["users"]["planner"],
    )
    bad = client.post(url, {"decision": "vielleicht", "response": "x", "internal_note": "", "organisation": ""})
    assert bad.status_code == 400
    assert "gültige Auswahl" in bad.content.decode()
    weighing.refresh_from_db()
    assert weighing.decision == "noted"


def test_moderator_sees_pseudonyms_not_names(client, world):
    client.force_login(world["users"]["moderator"])
    statement = world["statements"][5]
    page = client.get(reverse("workbench:weighing", args=[world["consultation"].pk, statement.pk])).content.decode()
    assert "Max Spät" not in page and "spaet@example.org" not in page
    assert '<form method="post" class="wb-form">' not in page
    table = client.get(reverse("workbench:table", args=[world["consultation"].pk])).content.decode()
    assert "Sammelaktion" not in table and 'name="personal"' not in table
    for name in world["names"]:
        assert name not in table


def test_group_answer_view(client, world, immediate_tasks):
    client.force_login(world["users"]["planner"])
    c = world["consultation"]
    client.post(reverse("workbench:group_similar", args=[c.pk]), {"threshold": "0,8"})
    group = StatementGroup.objects.get()
    response = client.post(
        reverse("workbench:group", args=[c.pk, group.pk]),
        {"decision": "considered", "response": "Die Zufahrt wird verlegt."},
    )
    assert response.status_code == 302
    assert set(Weighing.objects.filter(group=group).values_list("decision", flat=True)) == {"considered"}
    assert client.post(reverse("workbench:group_similar", args=[c.pk]), {"threshold": "2"}).status_code == 302
    assert StatementGroup.objects.count() == 1


def test_statistics_and_map_pages(client, world):
    client.force_login(world["users"]["moderator"])
    c = world["consultation"]
    stats = client.get(reverse("workbench:statistics", args=[c.pk])).content.decode()
    assert stats.count("<svg") == 4 and "Verkehr" in stats and "8 Stellungnahmen, davon 1 verspätet" in stats
    page = client.get(reverse("workbench:map", args=[c.pk]))
    assert len(page.context["map_data"]["points"]) == 7
    assert 'id="workbench-map-data"' in page.content.decode()


def test_export_download_is_anonymised_csv(client, world, immediate_tasks, django_capture_on_commit_callbacks):
    client.force_login(world["users"]["moderator"])
    c = world["consultation"]
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("workbench:export", args=[c.pk, "csv"]), {"filters": ""})
    job_page = client.get(started["Location"]).content.decode()
    assert "8 Zeilen exportiert." in job_page
    download = reverse("workbench:export_download", args=[c.pk, ExportJob.objects.get().pk])
    assert download in job_page
    response = client.get(download)
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="abwaegung-am-riedborn-' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 9
    text = content.decode("utf-8-sig")
    for name in world["names"]:
        assert name not in text


def test_counts_follow_changes(client, world):
    client.force_login(world["users"]["planner"])
    c = world["consultation"]
    url = reverse("workbench:table", args=[c.pk])
    assert client.get(url).context["counts"]["open"] == 8
    statement = world["statements"][0]
    client.post(
        reverse("workbench:weighing", args=[c.pk, statement.pk]),
        {"decision": "noted", "response": "x", "internal_note": "", "organisation": ""},
    )
    counts = client.get(url).context["counts"]
    assert (counts["open"], counts["noted"]) == (7, 1)
    from tests.factories import StatementFactory

    StatementFactory(consultation=c, submit_date=world["statements"][0].submit_date)
    assert client.get(url).context["counts"]["total"] == 9
