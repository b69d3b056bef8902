"""Drafting announcements, text fitting per channel, the publish hook and staff pages."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from participation.announcements import services
from participation.announcements.models import Announcement, AnnouncementTemplate, ChannelAccount, Event
from participation.announcements.text import count, fit
from plans.models import Plan
from plans.rules import SYSTEM
from plans.signals import plan_published
from tests.factories import (
    AnnouncementFactory,
    ChannelAccountFactory,
    ConsultationFactory,
    MembershipFactory,
    PlanFactory,
)

LINK = "https://beteiligung.example/usingen/plaene/am-riedborn/"


def test_x_counts_links_as_23_and_cjk_as_two():
    assert count(f"Hallo {LINK}", "x") == 6 + 23
    assert count("漢字", "x") == 4
    assert count("Straße", "x") == 6


def test_bluesky_counts_grapheme_clusters():
    family = "👨‍👩‍👧"  # one grapheme, five code points
    assert len(family) == 5
    assert count(family + "é", "bluesky") == 2
    assert count(LINK, "bluesky") == len(LINK)


@pytest.mark.parametrize("channel,limit", [("x", 280), ("mastodon", 500), ("bluesky", 300)])
def test_fit_shortens_body_and_keeps_link_intact(channel, limit):
    body = "Beteiligung zum Bebauungsplan am Riedborn. " * 30
    fitted = fit(body, LINK, channel)
    assert fitted.shortened and fitted.fits
    assert fitted.length <= limit
    assert fitted.text.endswith("…\n\n" + LINK)
    assert fitted.limit == limit


def test_fit_leaves_short_text_alone():
    fitted = fit("Kurz.", LINK, "x")
    assert fitted.text == f"Kurz.\n\n{LINK}"
    assert not fitted.shortened and fitted.length == 5 + 2 + 23


@pytest.mark.django_db
def test_opening_a_consultation_drafts_announcement_and_reminder(settings):
    settings.SITE_URL = "https://beteiligung.example"
    today = timezone.localdate()
    consultation = ConsultationFactory(
        start_date=today, end_date=today + dt.timedelta(days=30), plan__title="Am Riedborn", plan__number="Nr. 64"
    )
    plan = consultation.plan
    drafts = services.announcement_drafts_for_event(event="consultation_opened", plan=plan, consultation=consultation)
    opened, reminder = drafts
    assert opened.status == "draft" and opened.event == "consultation_opened"
    assert opened.link == f"https://beteiligung.example{plan.get_absolute_url()}"
    assert "Bebauungsplan Nr. 64 „Am Riedborn“" in opened.body
    assert (today + dt.timedelta(days=30)).strftime("%d.%m.%Y") in opened.body
    assert reminder.event == "consultation_reminder"
    assert "Nur noch 7 Tage" in reminder.body
    assert timezone.localtime(reminder.scheduled_for).date() == today + dt.timedelta(days=23)
    # Calling again for the same event creates nothing new.
    again = services.announcement_drafts_for_event(event="consultation_opened", plan=plan, consultation=consultation)
    assert [a.pk for a in again] == [opened.pk, reminder.pk]
    assert Announcement.objects.count() == 2


@pytest.mark.django_db
def test_municipality_template_overrides_default_and_reminder_days():
    consultation = ConsultationFactory()
    municipality = consultation.plan.municipality
    AnnouncementTemplate.objects.create(
        municipality=municipality, event="consultation_scheduled", body="{{ municipality }} lädt ein: {{ plan_title }}"
    )
    AnnouncementTemplate.objects.create(
        municipality=municipality, event="consultation_reminder", body="Noch {{ days_left }} Tage!", reminder_days=3
    )
    scheduled, reminder = services.announcement_drafts_for_event(
        event="consultation_scheduled", plan=consultation.plan, consultation=consultation
    )
    assert scheduled.body == f"{municipality.name} lädt ein: {consultation.plan.title}"
    assert reminder.body == "Noch 3 Tage!"


@pytest.mark.django_db
def test_template_context_does_not_expose_objects():
    consultation = ConsultationFactory()
    AnnouncementTemplate.objects.create(
        municipality=consultation.plan.municipality,
        event="consultation_closed",
        body="{{ plan.municipality.imprint }}{{ settings.SECRET_KEY }}Beendet.",
    )
    (draft,) = services.announcement_drafts_for_event(
        event="consultation_closed", plan=consultation.plan, consultation=consultation
    )
    assert draft.body == "Beendet."


def test_broken_template_gives_german_error():
    with pytest.raises(ValidationError) as error:
        services.compile_template("{% if %}")
    assert error.value.code == "template_syntax"
    assert "Die Vorlage enthält einen Fehler" in error.value.messages[0]


@pytest.mark.django_db
def test_authorities_round_is_not_announced():
    consultation = ConsultationFactory(kind="authorities")
    assert (
        services.announcement_drafts_for_event(
            event="consultation_opened", plan=consultation.plan, consultation=consultation
        )
        == []
    )


@pytest.mark.django_db
def test_plan_published_signal_drafts_an_announcement_once():
    plan = PlanFactory(status="draft", published_at=None)
    plan.status = "published"
    plan.published_at = timezone.now()
    plan.save()
    assert not Announcement.objects.exists()  # a save is not a publication: nothing is guessed from status
    plan_published.send(sender=Plan, plan=plan, by=SYSTEM)
    (announcement,) = Announcement.objects.all()
    assert announcement.event == Event.PLAN_PUBLISHED and announcement.plan == plan
    plan_published.send(sender=Plan, plan=plan, by=SYSTEM)  # sent again: still one draft
    assert Announcement.objects.count() == 1


@pytest.mark.django_db
def test_approve_rejects_non_drafts():
    announcement = AnnouncementFactory()
    user = MembershipFactory(municipality=announcement.municipality).user
    services.announcement_approve(announcement=announcement, by=user)
    with pytest.raises(ValidationError) as error:
        services.announcement_approve(announcement=announcement, by=user)
    assert error.value.code == "not_draft"


# --- staff pages ---


@pytest.fixture
def planner_and_announcement():
    announcement = AnnouncementFactory(body="Neu online: Am Riedborn.")
    planner = MembershipFactory(municipality=announcement.municipality).user
    return planner, announcement


@pytest.mark.django_db
def test_staff_preview_shows_counts_per_channel(client, planner_and_announcement):
    planner, announcement = planner_and_announcement
    client.force_login(planner)
    page = client.get(reverse("announcements:staff_detail", args=[announcement.pk])).content.decode()
    x_length = fit(announcement.body, announcement.link, "x").length
    assert f"{x_length} von 280 Zeichen" in page
    assert "von 500 Zeichen" in page and "von 300 Zeichen" in page


@pytest.mark.django_db
def test_staff_edit_approve_and_discard(client, planner_and_announcement):
    planner, announcement = planner_and_announcement
    client.force_login(planner)
    url = reverse("announcements:staff_detail", args=[announcement.pk])
    response = client.post(url, {"title": "Neuer Titel", "body": "Neuer Text", "scheduled_for": ""})
    assert response.status_code == 302
    announcement.refresh_from_db()
    assert (announcement.title, announcement.body) == ("Neuer Titel", "Neuer Text")
    client.post(reverse("announcements:staff_approve", args=[announcement.pk]))
    announcement.refresh_from_db()
    assert announcement.status == "approved" and announcement.approved_by == planner
    assert announcement.deliveries.count() == 3
    page = client.get(url).content.decode()
    assert "Übersprungen (Kanal nicht eingerichtet)" in page
    client.post(reverse("announcements:staff_discard", args=[announcement.pk]))
    announcement.refresh_from_db()
    assert announcement.status == "discarded" and announcement.deliveries.count() == 0


@pytest.mark.django_db
def test_staff_pages_are_scoped_to_the_municipality(client, planner_and_announcement):
    _planner, announcement = planner_and_announcement
    other = MembershipFactory().user
    client.force_login(other)
    assert client.get(reverse("announcements:staff_detail", args=[announcement.pk])).status_code == 404
    assert client.post(reverse("announcements:staff_approve", args=[announcement.pk])).status_code == 404
    moderator = MembershipFactory(municipality=announcement.municipality, role="moderator").user
    client.force_login(moderator)
    assert client.post(reverse("announcements:staff_approve", args=[announcement.pk])).status_code == 403
    announcement.refresh_from_db()
    assert announcement.status == "draft"
    assert announcement.title not in client.get(reverse("announcements:staff_list")).content.decode()


@pytest.mark.django_db
def test_channel_credentials_are_write_only(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    url = reverse("announcements:staff_channels", args=[membership.municipality.slug])
    response = client.post(
        url,
        {
            "kind": "mastodon",
            "mastodon-enabled": "on",
            "mastodon-api_base_url": "https://social.example",
            "mastodon-handle": "stadt",
            "mastodon-access_token": "geheimer-schluessel",
        },
    )
    assert response.status_code == 302
    account = ChannelAccount.objects.get(municipality=membership.municipality, kind="mastodon")
    assert account.secrets == {"access_token": "geheimer-schluessel"}
    assert "geheimer-schluessel" not in account.secret_data  # encrypted at rest
    page = client.get(url).content.decode()
    assert "geheimer-schluessel" not in page
    assert "Gespeichert – leer lassen" in page
    # Saving again with an empty secret keeps the stored one.
    client.post(
        url,
        {
            "kind": "mastodon",
            "mastodon-enabled": "on",
            "mastodon-api_base_url": "https://social.example",
            "mastodon-handle": "stadt2",
            "mastodon-access_token": "",
        },
    )
    account.refresh_from_db()
    assert account.handle == "stadt2" and account.secrets == {"access_token": "geheimer-schluessel"}


@pytest.mark.django_db
def test_test_connection_action(client):
    import responses

    membership = MembershipFactory()
    account = ChannelAccountFactory(municipality=membership.municipality, kind="mastodon")
    client.force_login(membership.user)
    with responses.RequestsMock() as mock:
        mock.get(
            "https://social.example/api/v1/accounts/verify_credentials",
            json={"id": "1", "username": "stadt", "acct": "stadt", "display_name": "Stadt"},
        )
        client.post(reverse("announcements:staff_channel_test", args=[account.pk]))
        assert mock.calls[0].request.headers["Authorization"] == "Bearer masto-token"
    account.refresh_from_db()
    assert account.last_check_ok is True and "@stadt" in account.last_check_message
    with responses.RequestsMock() as mock:
        mock.get("https://social.example/api/v1/accounts/verify_credentials", json={"error": "nope"}, status=401)
        page = client.post(reverse("announcements:staff_channel_test", args=[account.pk]), follow=True)
    account.refresh_from_db()
    assert account.last_check_ok is False
    assert "abgelehnt (401)" in page.content.decode()


@pytest.mark.django_db
def test_x_and_bluesky_test_connection():
    import httpx
    import responses
    import respx

    from .conftest import fake_jwt

    x = ChannelAccountFactory(kind="x")
    with responses.RequestsMock() as mock:
        mock.get(
            "https://api.twitter.com/2/users/me", json={"data": {"id": "1", "name": "S", "username": "stadt_test"}}
        )
        assert services.channel_account_test(account=x, by=SYSTEM) == (
            True,
            "Verbindung erfolgreich: angemeldet als @stadt_test.",
        )
    bsky = ChannelAccountFactory(kind="bluesky")
    with respx.mock:
        respx.post("https://pds.example/xrpc/com.atproto.server.createSession").mock(
            return_value=httpx.Response(401, json={"error": "AuthenticationRequired", "message": "Invalid password"})
        )
        ok, message = services.channel_account_test(account=bsky, by=SYSTEM)
    assert not ok and "App-Passwort" in message
    jwt = fake_jwt()
    with respx.mock:
        respx.post("https://pds.example/xrpc/com.atproto.server.createSession").mock(
            return_value=httpx.Response(
                200, json={"accessJwt": jwt, "refreshJwt": jwt, "handle": "stadt.bsky.social", "did": "did:plc:x"}
            )
        )
        assert services.channel_account_test(account=bsky, by=SYSTEM)[0] is True


@pytest.mark.django_db
def test_extending_a_consultation_updates_its_drafts():
    today = timezone.localdate()
    consultation = ConsultationFactory(start_date=today, end_date=today + dt.timedelta(days=30))
    opened, reminder = services.announcement_drafts_for_event(
        event="consultation_opened", plan=consultation.plan, consultation=consultation
    )
    consultation.end_date = today + dt.timedelta(days=44)
    consultation.save()
    assert services.announcements_consultation_changed(consultation=consultation) == 2
    opened.refresh_from_db()
    reminder.refresh_from_db()
    assert (today + dt.timedelta(days=44)).strftime("%d.%m.%Y") in opened.body
    assert timezone.localtime(reminder.scheduled_for).date() == today + dt.timedelta(days=37)


@pytest.mark.django_db
def test_staff_schedules_an_announcement(client, planner_and_announcement):
    planner, announcement = planner_and_announcement
    client.force_login(planner)
    url = reverse("announcements:staff_detail", args=[announcement.pk])
    client.post(url, {"title": announcement.title, "body": announcement.body, "scheduled_for": "2030-01-15T09:30"})
    client.post(reverse("announcements:staff_approve", args=[announcement.pk]))
    announcement.refresh_from_db()
    assert announcement.status == "approved"
    assert timezone.localtime(announcement.published_at).isoformat().startswith("2030-01-15T09:30")
    assert not Announcement.objects.published().filter(pk=announcement.pk).exists()
    assert "Veröffentlicht ab 15.01.2030 09:30" in client.get(url).content.decode()


@pytest.mark.django_db
def test_staff_edit_with_empty_text_is_refused(client, planner_and_announcement):
    planner, announcement = planner_and_announcement
    client.force_login(planner)
    url = reverse("announcements:staff_detail", args=[announcement.pk])
    response = client.post(url, {"title": "", "body": "", "scheduled_for": ""})
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    announcement.refresh_from_db()
    assert announcement.body == "Neu online: Am Riedborn."
