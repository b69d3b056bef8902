"""Workbench usability: save and next, the mini-map and place in words, the decision's empty label, counts explained."""

import datetime as dt

from django.contrib.gis.geos import LineString
from django.urls import reverse
from django.utils import timezone

from participation.workbench import services
from participation.workbench.models import Weighing
from plans.rules import SYSTEM
from tests.factories import StatementFactory


def _weighing_url(world, statement, query=""):
    url = reverse("workbench:weighing", args=[world["consultation"].pk, statement.pk])
    return f"{url}?{query}" if query else url


def _save(client, url, filters, button="save_next", **extra):
    data = {"decision": "noted", "response": "Geprüft.", "internal_note": "", "organisation": "", "filters": filters}
    data[button] = ""
    data.update(extra)
    return client.post(url, data)


def test_save_and_next_follows_the_table_order(client, world):
    client.force_login(world["users"]["planner"])
    services.weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    numbered = list(Weighing.objects.for_consultation(world["consultation"]).order_by("number"))
    response = _save(client, _weighing_url(world, numbered[0].statement), "")
    assert response.status_code == 302
    assert response.url == _weighing_url(world, numbered[1].statement)
    assert Weighing.objects.get(pk=numbered[0].pk).decision == "noted"


def test_save_and_next_keeps_the_filter_even_when_the_saved_one_leaves_it(client, world):
    client.force_login(world["users"]["planner"])
    services.weighings_ensure(consultation=world["consultation"], by=SYSTEM)
    traffic = [
        w.statement
        for w in Weighing.objects.for_consultation(world["consultation"])
        .filter(statement__topic="traffic")
        .select_related("statement")
        .order_by("number")
    ]
    assert len(traffic) >= 3
    query = "topic=traffic&decision=open"
    # The table links carry the filter to the weighing page, which carries it in the form.
    table = client.get(reverse("workbench:table", args=[world["consultation"].pk]) + "?" + query).content.decode()
    assert _weighing_url(world, traffic[0], query).replace("&", "&amp;") in table
    page = client.get(_weighing_url(world, traffic[0], query)).content.decode()
    assert f'name="filters" value="{query.replace("&", "&amp;")}"' in page
    # Saving a decision takes the statement out of "noch offen"; the next one is still the one after it.
    for current, following in zip(traffic, traffic[1:], strict=False):
        response = _save(client, _weighing_url(world, current), query)
        assert response.url == _weighing_url(world, following, query)
    # The last one of the selection: back to the filtered table with a note.
    response = _save(client, _weighing_url(world, traffic[-1]), query)
    assert response.url == reverse("workbench:table", args=[world["consultation"].pk]) + "?" + query
    page = client.get(response.url).content.decode()
    assert "Das war die letzte Stellungnahme in der aktuellen Auswahl." in page


def test_plain_save_returns_to_the_filtered_table(client, world):
    client.force_login(world["users"]["planner"])
    statement = world["statements"][0]
    response = _save(client, _weighing_url(world, statement), "topic=traffic", button="save")
    assert response.url == reverse("workbench:table", args=[world["consultation"].pk]) + "?topic=traffic"


def test_decision_select_has_a_real_empty_label(client, world):
    client.force_login(world["users"]["planner"])
    page = client.get(_weighing_url(world, world["statements"][0])).content.decode()
    assert '<option value="" selected>– noch nicht entschieden –</option>' in page
    assert "---------" not in page


def test_place_in_words_and_mini_map_data(client, world):
    client.force_login(world["users"]["planner"])
    point = world["statements"][0]
    page = client.get(_weighing_url(world, point)).content.decode()
    location = point.location
    assert f"Punkt bei {location.y:.5f}, {location.x:.5f}" in page
    assert 'id="weighing-map"' in page and 'id="weighing-map-data"' in page
    assert "workbench/workbench_weighing.js" in page

    area = next(s for s in world["statements"] if s.drawn_area)
    page = client.get(_weighing_url(world, area)).content.decode()
    assert "eingezeichnete Fläche, Mittelpunkt bei" in page and "Polygon" in page

    nowhere = next(s for s in world["statements"] if s.comment == "Ohne Ort, per Post.")
    page = client.get(_weighing_url(world, nowhere)).content.decode()
    assert "ohne Ortsangabe" in page and 'id="weighing-map"' not in page


def test_drawn_line_described(client, world):
    client.force_login(world["users"]["planner"])
    line = StatementFactory(
        consultation=world["consultation"],
        comment="Radweg hier entlang.",
        location=None,
        drawn_line=LineString((8.5, 50.3), (8.51, 50.31), srid=4326),
    )
    page = client.get(_weighing_url(world, line)).content.decode()
    assert "eingezeichnete Linie von 50.30000, 8.50000 bis 50.31000, 8.51000" in page
    assert "LineString" in page


def test_similarity_in_plain_german(client, world):
    client.force_login(world["users"]["planner"])
    page = client.get(reverse("workbench:table", args=[world["consultation"].pk])).content.decode()
    assert "Jaccard" not in page
    assert "Ähnliche Stellungnahmen gruppieren" in page and "Übereinstimmung 85 %" in page
    response = client.post(
        reverse("workbench:group_similar", args=[world["consultation"].pk]), {"threshold": "1,5"}, follow=True
    )
    assert "Bitte geben Sie eine Übereinstimmung zwischen 0,5 (50 %) und 1,0 (100 %) an." in response.content.decode()


def _counts_world(world):
    """Add a reply, a withdrawn statement and an opted-in published one to the fixture's consultation."""
    consultation = world["consultation"]
    parent = world["statements"][0]
    StatementFactory(consultation=consultation, comment="Eine Antwort", parent_id=parent.pk, user_name="Antwort")
    StatementFactory(
        consultation=consultation,
        comment="Zurückgezogen",
        withdrawn_at=timezone.now() - dt.timedelta(days=1),
        user_name="Zurück",
    )
    model = type(parent)
    model.objects.filter(pk__in=[s.pk for s in world["statements"]]).update(public_opt_in=False, is_public=False)
    model.objects.filter(pk=world["statements"][1].pk).update(public_opt_in=True, is_public=True)


def test_counts_are_reconciled_in_the_workbench_and_on_the_consultation_page(client, world):
    from participation.models import Statement

    _counts_world(world)
    consultation = world["consultation"]
    statements = Statement.objects.filter(consultation=consultation)
    received = statements.submitted().count()
    client.force_login(world["users"]["planner"])
    page = client.get(reverse("workbench:table", args=[consultation.pk])).content.decode()
    assert "Wie die Zahlen zusammenhängen" in page
    weighed = len(world["statements"])  # the fixture's weighed statements (the reply and the withdrawn one are not)
    assert f'<dd data-count="total">{weighed}</dd>' in page
    assert f'<span data-count="received">{received}</span>' in page
    assert f'<span data-count="weighed">{weighed}</span>' in page
    # The official answer of the fixture and the reply added here.
    assert '<span data-count="replies">2</span>' in page
    assert '<span data-count="withdrawn">1</span>' in page
    assert received == weighed + 2 + 1
    assert '<span data-count="published">1</span>' in page
    assert f'<span data-count="not_opted_in">{weighed - 1}</span>' in page
    assert "Nicht mitgezählt: 1 Stellungnahme wartet noch auf die Bestätigung per E-Mail." in page

    index = client.get(reverse("workbench:index")).content.decode()
    assert str(weighed) in index

    detail_url = reverse("participation:staff_detail", args=[consultation.pk])
    page = client.get(detail_url).content.decode()
    assert f"Eingegangen: {received}" in page
    assert f"davon in der Abwägung: {weighed}" in page
    assert "zurückgezogen: 1" in page


def test_posted_filters_are_re_encoded(client, world):
    client.force_login(world["users"]["planner"])
    statement = world["statements"][0]
    response = _save(client, _weighing_url(world, statement), "topic=traffic\r\nLocation: x", button="save")
    assert response.status_code == 302
    table = reverse("workbench:table", args=[world["consultation"].pk])
    assert response.url == table + "?topic=traffic%0D%0ALocation%3A+x"
