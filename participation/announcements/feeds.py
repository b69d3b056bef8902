"""Public feeds per municipality: announcements as RSS 2.0 and Atom, consultation periods as iCalendar."""

import datetime as dt

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _

from participation.models import Consultation
from plans.models import Municipality, Plan

from .models import Announcement

FEED_ITEMS = 50


class AnnouncementsRssFeed(Feed):
    """The approved announcements of one municipality, newest first."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed
    language = "de"

    def get_object(self, request, municipality):
        return get_object_or_404(Municipality, slug=municipality)

    def title(self, obj):
        return _("Ankündigungen – %(name)s") % {"name": obj.name}

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return _("Neue Pläne und Beteiligungsverfahren in %(name)s.") % {"name": obj.name}

    def feed_url(self, obj):
        return reverse("announcements:feed_rss", kwargs={"municipality": obj.slug})

    def items(self, obj):
        return (
            Announcement.objects.published()
            .filter(municipality=obj, plan__in=Plan.objects.published())
            .select_related("plan")
            .order_by("-published_at", "-id")[:FEED_ITEMS]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body

    def item_link(self, item):
        return item.link

    def item_guid(self, item):
        return f"{settings.SITE_URL.rstrip('/')}/announcements/{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_categories(self, item):
        return [item.get_event_display()]


class AnnouncementsAtomFeed(AnnouncementsRssFeed):
    feed_type = Atom1Feed
    subtitle = AnnouncementsRssFeed.description

    def feed_url(self, obj):
        return reverse("announcements:feed_atom", kwargs={"municipality": obj.slug})


# --- iCalendar (RFC 5545) ------------------------------------------------------------------------


def ical_escape(value: str) -> str:
    """Escape a TEXT value (backslash, semicolon, comma, newline)."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def ical_fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current, size, limit = [], "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # continuation lines start with one space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def consultations_ical(municipality, consultations, now: dt.datetime) -> str:
    """Return a VCALENDAR with one all-day VEVENT per consultation period."""
    host = settings.SITE_URL.split("://", 1)[-1].split("/")[0] or "planbeteiligung"
    stamp = now.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Planbeteiligung//Beteiligungen//DE",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical_escape(_('Beteiligungen – %(name)s') % {'name': municipality.name})}",
        "X-WR-TIMEZONE:Europe/Berlin",
    ]
    for consultation in consultations:
        plan = consultation.plan
        url = settings.SITE_URL.rstrip("/") + plan.get_absolute_url()
        end = consultation.end_date
        if consultation.closed_at:
            end = min(end, timezone.localtime(consultation.closed_at).date())
        description = _("%(kind)s. Stellungnahmen bis %(end)s, 24:00 Uhr: %(url)s") % {
            "kind": consultation.get_kind_display(),
            "end": end.strftime("%d.%m.%Y"),
            "url": url,
        }
        lines += [
            "BEGIN:VEVENT",
            f"UID:consultation-{consultation.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{consultation.start_date:%Y%m%d}",
            # DTEND of an all-day event is exclusive: the day after the last day.
            f"DTEND;VALUE=DATE:{end + dt.timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{ical_escape(_('Beteiligung: %(plan)s') % {'plan': plan.display_name})}",
            f"DESCRIPTION:{ical_escape(description)}",
            f"URL:{url}",
            f"LOCATION:{ical_escape(municipality.name)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(ical_fold(line) + "\r\n" for line in lines)


def consultations_ics(request, municipality):
    """Serve the public consultation periods of a municipality's published plans."""
    municipality = get_object_or_404(Municipality, slug=municipality)
    consultations = (
        Consultation.objects.public()
        .filter(plan__municipality=municipality, plan__in=Plan.objects.published())
        .select_related("plan", "plan__municipality")
        .order_by("start_date", "pk")
    )
    body = consultations_ical(municipality, consultations, timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="beteiligungen-{municipality.slug}.ics"'
    return response
