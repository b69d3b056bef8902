"""Bekanntgabe durch Einsichtnahme: only for more than 50 essentially identical statements; then no single notices."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from participation.workbench import inspection, letters, services
from participation.workbench.models import Decision, ResultNotification, StatementGroup, Weighing
from participation.workbench.selectors import postal_recipients, result_recipients
from plans.rules import SYSTEM
from tests.factories import StatementFactory
from tests.workbench.conftest import FORM_LETTER

PLACE = "Rathaus Usingen, Bauamt, Zimmer 12"
TIMES = "2. bis 30. Juni, Mo–Fr 8–12 Uhr"


def _campaign(world, count: int) -> StatementGroup:
    """Add `count` form letters (every fifth by post, without e-mail) and group them; decide everything."""
    consultation = world["consultation"]
    ids = [
        StatementFactory(
            consultation=consultation,
            comment=FORM_LETTER,
            channel="post" if i % 5 == 0 else "online",
            submit_date=world["statements"][0].submit_date,
            user_email="" if i % 5 == 0 else f"kampagne{i}@example.org",
            postal_address=f"Weg {i}, 61250 Usingen",
        ).pk
        for i in range(count)
    ]
    services.weighings_ensure(consultation=consultation, by=SYSTEM)
    group = services.statements_group(consultation=consultation, statement_ids=ids, by=SYSTEM, label="Riedbornstraße")
    Weighing.objects.update(decision=Decision.NOT_CONSIDERED, response="Die Zufahrt bleibt.")
    return group


def test_refused_for_fifty_statements(world):
    group = _campaign(world, 50)
    with pytest.raises(ValidationError) as exc:
        inspection.group_inspection_notice_record(group=group, by=world["users"]["planner"], place=PLACE, times=TIMES)
    assert exc.value.code == "group_too_small" and exc.value.params == {"limit": 50, "count": 50}
    assert exc.value.messages == [
        "Eine Bekanntgabe durch Einsichtnahme ist erst bei mehr als 50 gleichartigen Stellungnahmen möglich; "
        "diese Gruppe hat 50."
    ]
    group.refresh_from_db()
    assert not group.has_inspection_notice and group.inspection_place == ""


def test_place_and_time_are_required(world):
    group = _campaign(world, 51)
    with pytest.raises(ValidationError) as exc:
        inspection.group_inspection_notice_record(group=group, by=world["users"]["planner"], place=" ", times="")
    assert {f: e[0].code for f, e in exc.value.error_dict.items()} == {
        "place": "place_missing",
        "times": "times_missing",
    }
    group.refresh_from_db()
    assert not group.has_inspection_notice


def test_recorded_for_more_than_fifty_suppresses_single_notices_and_shows_publicly(client, world):
    consultation, planner = world["consultation"], world["users"]["planner"]
    group = _campaign(world, 51)
    client.force_login(world["users"]["moderator"])
    url = reverse("workbench:group_inspection", args=[consultation.pk, group.pk])
    assert client.post(url, {"place": PLACE, "times": TIMES}).status_code == 403  # the planning office decides
    client.force_login(planner)
    page = client.get(reverse("workbench:group", args=[consultation.pk, group.pk])).content.decode()
    assert "Bekanntgabe durch Einsichtnahme" in page and 'name="place"' in page
    response = client.post(url, {"place": PLACE, "times": TIMES})
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.inspection_place, group.inspection_times, group.inspection_recorded_by) == (PLACE, TIMES, planner)
    # Neither e-mails nor letters for the group's submitters; the others are still told.
    members = set(group.weighings.values_list("statement_id", flat=True))
    assert not members & set(result_recipients(consultation).values_list("id", flat=True))
    assert not members & set(postal_recipients(consultation).values_list("id", flat=True))
    outcome = services.result_publish(
        consultation=consultation,
        by=planner,
        council_body="Gemeindevertretung",
        decided_on=consultation.end_date + dt.timedelta(days=3),
    )
    notified = set(ResultNotification.objects.values_list("statement_id", flat=True))
    assert outcome["queued"] == 7 and not notified & members  # the seven other e-mail addresses of the world
    letters.result_letters_start(consultation=consultation, by=planner)  # only for the postal submitter outside
    postal = ResultNotification.objects.filter(channel=ResultNotification.Channel.POST)
    assert list(postal.values_list("statement_id", flat=True)) == [world["statements"][6].pk]
    public = client.get(reverse("workbench:public_result", args=[consultation.pk])).content.decode()
    assert "Bekanntgabe durch Einsichtnahme" in public
    assert "Zu 51 gleichartigen Stellungnahmen („Riedbornstraße“) wird das Ergebnis nicht einzeln mitgeteilt." in public
    assert PLACE in public and TIMES in public
