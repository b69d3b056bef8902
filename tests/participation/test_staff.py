"""Staff pages: period actions with history, permissions, moderation queue, paper statements."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.models import Statement

from ..factories import ConsultationFactory, MembershipFactory, StatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled():
    """A scheduled § 3 Abs. 1 consultation: it may be opened "now" (an announced publication opens on its start)."""
    today = timezone.localdate()
    return ConsultationFactory(
        kind="early", start_date=today + dt.timedelta(days=5), end_date=today + dt.timedelta(days=40)
    )


def planner_for(consultation, role="planner"):
    return MembershipFactory(municipality=consultation.plan.municipality, role=role).user


def action(client, consultation, name, **data):
    payload = {f"{name}-{key}": value for key, value in data.items()}
    return client.post(reverse("participation:staff_action", args=[consultation.pk, name]), payload)


def test_open_extend_close_through_staff_ui_changes_public_page_and_history(client, scheduled):
    client.force_login(planner_for(scheduled))
    plan_url = scheduled.plan.get_absolute_url()
    assert 'id="statement-form"' not in client.get(plan_url).content.decode()
    assert action(client, scheduled, "open", reason="Bekanntmachung am Montag").status_code == 302
    assert 'id="statement-form"' in client.get(plan_url).content.decode()
    new_end = scheduled.end_date + dt.timedelta(days=14)
    action(client, scheduled, "extend", end_date=new_end.isoformat(), reason="Auf Wunsch des Ortsbeirats")
    scheduled.refresh_from_db()
    assert scheduled.end_date == new_end
    assert f"bis {new_end:%d.%m.%Y}, 24:00 Uhr" in client.get(plan_url).content.decode()
    close_url = reverse("participation:staff_close", args=[scheduled.pk])
    client.post(close_url, {"reason": "Fehlerhafte Unterlagen", "confirm_legal_risk": "on"})
    page = client.get(plan_url).content.decode()
    assert 'id="statement-form"' not in page and "beendet am" in page
    detail = client.get(reverse("participation:staff_detail", args=[scheduled.pk])).content.decode()
    for reason in ("Bekanntmachung am Montag", "Auf Wunsch des Ortsbeirats", "Fehlerhafte Unterlagen"):
        assert reason in detail
    assert [a.kind for a in scheduled.actions.all()] == ["open", "extend", "close"]
    assert action(client, scheduled, "reopen", reason="").status_code == 302
    assert "Begründung" in client.get(reverse("participation:staff_detail", args=[scheduled.pk])).content.decode()
    assert scheduled.actions.count() == 3


def test_early_close_page_names_the_legal_risk_and_requires_the_checkbox(client):
    consultation = ConsultationFactory()
    client.force_login(planner_for(consultation))
    url = reverse("participation:staff_close", args=[consultation.pk])
    page = client.get(url).content.decode()
    assert "§ 214 Abs. 1 Nr. 2 BauGB" in page and 'name="confirm_legal_risk"' in page
    response = client.post(url, {"reason": "Fehler in den Unterlagen"})
    assert response.status_code == 200 and consultation.is_open_at()
    text = response.content.decode()
    assert "Bitte bestätigen Sie" in text and 'aria-describedby="id_confirm_legal_risk_error"' in text
    response = client.post(url, {"confirm_legal_risk": "on"})
    assert "Für das vorzeitige Beenden ist eine Begründung erforderlich." in response.content.decode()
    response = client.post(url, {"reason": "Fehler in den Unterlagen", "confirm_legal_risk": "on"})
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert not consultation.is_open_at() and consultation.actions.get().kind == "close"


def test_detail_shows_only_the_actions_the_state_allows(client, scheduled):
    client.force_login(planner_for(scheduled))
    url = reverse("participation:staff_detail", args=[scheduled.pk])
    page = client.get(url).content.decode()
    assert all(marker in page for marker in ('id="link-update"', 'id="link-bekanntmachung"', 'id="action-open"'))
    assert not any(marker in page for marker in ('id="action-extend"', 'id="link-close"', 'id="action-reopen"'))
    action(client, scheduled, "open", reason="Start")
    page = client.get(url).content.decode()
    assert 'id="action-extend"' in page and 'id="link-close"' in page
    assert not any(marker in page for marker in ('id="link-update"', 'id="action-open"', 'id="action-reopen"'))
    client.post(reverse("participation:staff_close", args=[scheduled.pk]), {"reason": "x", "confirm_legal_risk": "on"})
    page = client.get(url).content.decode()
    assert 'id="action-reopen"' in page and 'id="action-extend"' not in page and 'id="link-close"' not in page
    client.force_login(planner_for(scheduled, role="moderator"))
    assert 'id="period-actions"' not in client.get(url).content.decode()


def test_announced_publication_offers_no_open_now(client):
    today = timezone.localdate()
    publication = ConsultationFactory(start_date=today + dt.timedelta(days=5), end_date=today + dt.timedelta(days=40))
    client.force_login(planner_for(publication))
    page = client.get(reverse("participation:staff_detail", args=[publication.pk])).content.decode()
    assert 'id="link-bekanntmachung"' in page and 'id="action-open"' not in page
    response = action(client, publication, "open", reason="Start")
    assert response.status_code == 302 and not publication.actions.exists()
    detail = client.get(reverse("participation:staff_detail", args=[publication.pk])).content.decode()
    assert "Bekanntmachung nennt" in detail


def test_permissions_foreign_404_moderator_403_anonymous_login(client, scheduled):
    url = reverse("participation:staff_action", args=[scheduled.pk, "open"])
    assert client.post(url).status_code == 302 and "/verwaltung/anmelden/" in client.post(url)["Location"]
    client.force_login(MembershipFactory(role="planner").user)  # other municipality
    assert client.post(url).status_code == 404
    assert client.get(reverse("participation:staff_detail", args=[scheduled.pk])).status_code == 404
    client.force_login(planner_for(scheduled, role="moderator"))
    assert client.post(url, {"open-reason": "x"}).status_code == 403
    assert client.get(reverse("participation:staff_detail", args=[scheduled.pk])).status_code == 200
    assert client.get(reverse("participation:staff_paper", args=[scheduled.pk])).status_code == 403
    assert not scheduled.actions.exists()


def test_moderator_hides_and_unhides_with_reason(client):
    statement = StatementFactory(consultation__moderation="pre", is_public=False)
    client.force_login(planner_for(statement.consultation, role="moderator"))
    queue = client.get(reverse("participation:staff_moderation", args=[statement.consultation.pk])).content.decode()
    assert statement.comment in queue
    url = reverse("participation:staff_moderate", args=[statement.pk])
    client.post(url, {"action": "approve"})
    assert Statement.objects.published().count() == 1
    client.post(url, {"action": "hide", "reason": ""})
    assert Statement.objects.published().count() == 1
    client.post(url, {"action": "hide", "reason": "Persönliche Angriffe"})
    assert Statement.objects.published().count() == 0
    client.post(url, {"action": "unhide", "reason": "Nach Prüfung zulässig"})
    assert Statement.objects.published().count() == 1


def test_planner_enters_paper_statement(client, scheduled):
    client.force_login(planner_for(scheduled))
    url = reverse("participation:staff_paper", args=[scheduled.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "received_on": timezone.localdate().isoformat(),
            "channel": "post",
            "topic": "noise",
            "text": "Brief: Lärmschutz fehlt.",
            "name": "Hans Meier",
            "postal_address": "Weg 2",
        },
    )
    assert response.status_code == 302
    statement = Statement.objects.get()
    assert (statement.channel, statement.confirmed_at is not None, statement.entered_by is not None) == (
        "post",
        True,
        True,
    )
    response = client.post(url, {"received_on": "2099-01-01", "channel": "post", "topic": "noise", "text": "x"})
    assert response.status_code == 200 and "Zukunft" in response.content.decode()


def test_staff_list_shows_only_own_municipality(client, scheduled):
    other = ConsultationFactory()
    client.force_login(planner_for(scheduled))
    page = client.get(reverse("participation:staff_list")).content.decode()
    assert str(scheduled.plan) in page and str(other.plan) not in page


def test_public_page_shows_period_history_without_staff_names(client, scheduled):
    planner = planner_for(scheduled)
    planner.first_name, planner.last_name = "Petra", "Planerin"
    planner.save()
    client.force_login(planner)
    action(client, scheduled, "open", reason="Bekanntmachung im Amtsblatt")
    client.logout()
    page = client.get(scheduled.plan.get_absolute_url()).content.decode()
    assert "Verlauf des Zeitraums" in page and "Bekanntmachung im Amtsblatt" in page
    assert "Planerin" not in page
