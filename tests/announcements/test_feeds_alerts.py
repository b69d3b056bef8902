"""RSS/Atom/iCalendar feeds, e-mail alerts with double opt-in, and sharing meta tags."""

import datetime as dt
import io
import xml.etree.ElementTree as ET

import icalendar
import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from participation.announcements import services
from participation.announcements.models import Subscription
from participation.announcements.tasks import send_plan_alerts
from plans.models import Plan
from plans.rules import SYSTEM
from plans.signals import plan_published
from tests.factories import (
    AnnouncementFactory,
    ConsultationFactory,
    MembershipFactory,
    MunicipalityFactory,
    PlanFactory,
    SubscriptionFactory,
    square,
)

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def approved():
    announcement = AnnouncementFactory(body="Beteiligung läuft & endet bald <bitte> mitmachen")
    user = MembershipFactory(municipality=announcement.municipality).user
    services.announcement_approve(announcement=announcement, by=user)
    AnnouncementFactory(plan=announcement.plan, title="Noch ein Entwurf")  # drafts never appear
    announcement.refresh_from_db()
    return announcement


def test_rss_feed_is_valid_rss_2(client, approved):
    response = client.get(reverse("announcements:feed_rss", args=[approved.municipality.slug]))
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ET.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    for required in ("title", "link", "description"):
        assert channel.find(required).text
    items = channel.findall("item")
    assert len(items) == 1
    item = items[0]
    assert item.find("title").text == approved.title
    assert item.find("link").text == approved.link
    assert item.find("description").text == approved.body  # escaped in XML, intact after parsing
    assert item.find("guid").get("isPermaLink") == "false"
    assert item.find("pubDate").text


def test_atom_feed_is_valid_atom(client, approved):
    response = client.get(reverse("announcements:feed_atom", args=[approved.municipality.slug]))
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}").text
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    (entry,) = root.findall(f"{ATOM}entry")
    for required in ("id", "title", "updated"):
        assert entry.find(f"{ATOM}{required}").text
    assert entry.find(f"{ATOM}link").get("href") == approved.link


def test_feed_of_unknown_municipality_is_404(client):
    assert client.get("/gibt-es-nicht/feeds/ankuendigungen.rss").status_code == 404


def test_icalendar_feed_parses_and_has_exclusive_all_day_end(client):
    consultation = ConsultationFactory(
        start_date=dt.date(2027, 1, 4),
        end_date=dt.date(2027, 2, 5),
        plan__title="Wohngebiet „Am Riedborn“, 1. Änderung; mit sehr langem Titel, der die Zeile umbrechen muss",
    )
    ConsultationFactory(plan=consultation.plan, kind="authorities")  # not public
    response = client.get(reverse("announcements:feed_ics", args=[consultation.plan.municipality.slug]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(raw)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert event.decoded("DTSTART") == dt.date(2027, 1, 4)
    assert event.decoded("DTEND") == dt.date(2027, 2, 6)
    assert str(event["SUMMARY"]) == f"Beteiligung: {consultation.plan.display_name}"
    assert event["UID"].startswith(f"consultation-{consultation.pk}@")
    assert event["DTSTAMP"]
    assert consultation.plan.get_absolute_url() in str(event["URL"])


def test_pages_advertise_feeds(client, approved):
    plan = approved.plan
    page = client.get(plan.get_absolute_url()).content.decode()
    rss = reverse("announcements:feed_rss", args=[plan.municipality.slug])
    assert '<link rel="alternate" type="application/rss+xml"' in page and rss in page
    assert 'type="text/calendar"' in page
    municipality_page = client.get(plan.municipality.get_absolute_url()).content.decode()
    assert rss in municipality_page


def test_plan_page_has_open_graph_and_twitter_card(client, settings):
    settings.SITE_URL = "https://beteiligung.example"
    plan = PlanFactory(summary="Neues Wohngebiet mit Grünzug.")
    page = client.get(plan.get_absolute_url()).content.decode()
    assert f'<meta property="og:title" content="{plan} – {plan.municipality.name}">' in page
    assert '<meta property="og:description" content="Neues Wohngebiet mit Grünzug.">' in page
    assert f'<meta property="og:url" content="https://beteiligung.example{plan.get_absolute_url()}">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    image = f"https://beteiligung.example{plan.get_absolute_url()}vorschau.png?v="
    assert f'<meta property="og:image" content="{image}' in page


def test_preview_image_is_a_png_of_the_area(client):
    plan = PlanFactory()
    response = client.get(reverse("announcements:plan_preview", args=[plan.municipality.slug, plan.slug]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.size == (1200, 630)
    assert image.getpixel((600, 400)) == (0xC8, 0xDC, 0xF0)  # the area's fill in the middle of the map
    again = client.get(response.wsgi_request.path, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    draft = PlanFactory(status="draft")
    assert (
        client.get(reverse("announcements:plan_preview", args=[draft.municipality.slug, draft.slug])).status_code == 404
    )


# --- subscriptions ---


def test_double_opt_in_and_one_click_unsubscribe(client, immediate_tasks, django_capture_on_commit_callbacks):
    municipality = MunicipalityFactory()
    url = reverse("announcements:subscribe", args=[municipality.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "Anna@Example.org", "kind": "municipality"})
    assert "Bestätigungslink" in response.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.email == "anna@example.org" and subscription.confirmed_at is None
    (message,) = mail.outbox
    confirm = reverse("announcements:confirm", args=[subscription.token])
    unsubscribe = reverse("announcements:unsubscribe", args=[subscription.token])
    assert confirm in message.body
    assert message.extra_headers["List-Unsubscribe"].endswith(f"{unsubscribe}>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # A link scanner's GET does not confirm.
    client.get(confirm)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None
    client.post(confirm)
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None
    # RFC 8058 one-click: a POST without CSRF token from the mail client.
    csrf_client = client.__class__(enforce_csrf_checks=True)
    response = csrf_client.post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.exists()


def test_area_subscription_needs_a_point(client):
    municipality = MunicipalityFactory()
    response = client.post(
        reverse("announcements:subscribe", args=[municipality.slug]),
        {"email": "a@example.org", "kind": "area", "radius_m": "1000"},
    )
    assert "Bitte geben Sie Breiten- und Längengrad" in response.content.decode()
    assert not Subscription.objects.exists()


def test_alert_only_for_plans_intersecting_the_subscribed_area(immediate_tasks, settings):
    settings.SITE_URL = "https://beteiligung.example"
    municipality = MunicipalityFactory(boundary=square(8.4, 50.2, 0.3))
    # A 200 m square plan near (8.52, 50.33); the subscriber lives ~700 m east of its edge.
    lon_per_m = 1 / (111_320 * 0.6388)
    near_plan = PlanFactory(municipality=municipality, area=square(8.52, 50.33, 200 * lon_per_m))
    far_plan = PlanFactory(municipality=municipality, area=square(8.52 + 5000 * lon_per_m, 50.33, 200 * lon_per_m))
    point = Point(8.52 + 900 * lon_per_m, 50.3305, srid=4326)
    area_subscriber = SubscriptionFactory(email="nah@example.org", municipality=None, point=point, radius_m=1000)
    SubscriptionFactory(
        email="unbestaetigt@example.org", municipality=None, point=point, radius_m=1000, confirmed_at=None
    )
    town_subscriber = SubscriptionFactory(email="stadt@example.org", municipality=municipality)

    send_plan_alerts.enqueue(near_plan.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["nah@example.org", "stadt@example.org"]
    alert = next(m for m in mail.outbox if m.to == ["nah@example.org"])
    assert f"https://beteiligung.example{near_plan.get_absolute_url()}" in alert.body
    assert reverse("announcements:unsubscribe", args=[area_subscriber.token]) in alert.body
    assert "List-Unsubscribe" in alert.extra_headers

    mail.outbox.clear()
    send_plan_alerts.enqueue(far_plan.pk)
    assert [m.to[0] for m in mail.outbox] == [town_subscriber.email]

    mail.outbox.clear()
    send_plan_alerts.enqueue(near_plan.pk)  # never twice for the same plan
    assert mail.outbox == []


def test_publish_hook_sends_alerts(immediate_tasks, django_capture_on_commit_callbacks):
    plan = PlanFactory(status="draft", published_at=None)
    SubscriptionFactory(email="stadt@example.org", municipality=plan.municipality)
    with django_capture_on_commit_callbacks(execute=True):
        plan.status = "published"
        plan.published_at = timezone.now()
        plan.save()
        plan_published.send(sender=Plan, plan=plan, by=SYSTEM)
    assert [m.to for m in mail.outbox] == [["stadt@example.org"]]
    assert plan.announcements.get().event == "plan_published"


def test_repeated_subscriptions_do_not_flood_an_address(client, immediate_tasks, django_capture_on_commit_callbacks):
    municipality = MunicipalityFactory()
    url = reverse("announcements:subscribe", args=[municipality.slug])
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"email": "opfer@example.org", "kind": "municipality"})
    assert len(mail.outbox) == 3
    assert Subscription.objects.count() == 3
    assert "mehrere Bestätigungen" in response.content.decode()
    with pytest.raises(ValidationError) as error:
        services.subscription_create(email="opfer@example.org", municipality=municipality)
    assert error.value.code == "too_many_confirmations"
