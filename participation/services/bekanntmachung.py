"""The ortsübliche Bekanntmachung of a consultation: draft its text from known facts, record date, media and text."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geodata.changes.selectors import change_rows, comparison_changes
from plans import rules
from plans.links import absolute_url
from plans.models import Document

from ..models import Consultation, ConsultationAction
from ..periods import local_date
from ..signals import bekanntmachung_recorded
from .change_rounds import change_mails_schedule

ENVIRONMENTAL_KINDS = (Document.Kind.ENVIRONMENTAL_REPORT, Document.Kind.EXPERT_REPORT)


def bekanntmachung_draft(consultation: Consultation) -> str:
    """Return a Bekanntmachung text with the elements § 3 Abs. 2 Satz 4 BauGB requires, from what the system knows."""
    plan = consultation.plan
    period = {"start": f"{consultation.start_date:%d.%m.%Y}", "end": f"{consultation.end_date:%d.%m.%Y}"}
    documents = [
        f"- {document.title} ({document.get_kind_display()})"
        for document in plan.documents.filter(kind__in=ENVIRONMENTAL_KINDS).order_by("order", "id")
    ]
    paragraphs = [
        _("%(kind)s %(plan)s") % {"kind": consultation.get_kind_display(), "plan": plan.about_phrase},
        _(
            "Der Entwurf mit Begründung wird in der Zeit vom %(start)s bis %(end)s (jeweils einschließlich) "
            "im Internet veröffentlicht unter:"
        )
        % period
        + "\n"
        + absolute_url(plan.get_absolute_url()),
    ]
    if consultation.comparison_id is not None:
        paragraphs.extend(_changes_paragraphs(consultation))
    if documents:
        paragraphs.append(
            _("Folgende Arten umweltbezogener Informationen sind verfügbar:") + "\n" + "\n".join(documents)
        )
    else:
        paragraphs.append(_("Umweltbezogene Informationen (Umweltbericht, Gutachten) liegen derzeit nicht vor."))
    paragraphs.append(
        _(
            "Während dieser Frist kann jede Person eine Stellungnahme abgeben, vorzugsweise elektronisch über "
            "die genannte Internetseite, aber auch auf anderem Weg, etwa schriftlich per Post oder zur "
            "Niederschrift im Rathaus."
        )
    )
    if consultation.access_routes:
        paragraphs.append(_("Weitere Zugangswege:") + "\n" + consultation.access_routes)
    if consultation.contact:
        paragraphs.append(_("Ansprechperson:") + "\n" + consultation.contact)
    paragraphs.append(
        _(
            "Nicht fristgerecht abgegebene Stellungnahmen können bei der Beschlussfassung über den Bauleitplan "
            "unberücksichtigt bleiben (§ 3 Abs. 2, § 4a Abs. 5 BauGB)."
        )
    )
    return "\n\n".join(str(paragraph) for paragraph in paragraphs)


def _area(value) -> str:
    return f"{value:,.0f}".replace(",", ".") + " m²"


def _change_line(row: dict) -> str:
    """Return one change as a line of the Bekanntmachung: kind, element, layer, areas, attributes old → new."""
    line = f"- {row['kind_label']}: {row['element']}"
    if row["layer"]:
        line += f" ({row['layer']})"
    areas = []
    if row["area_gained_m2"]:
        areas.append(_("%(area)s hinzu") % {"area": _area(row["area_gained_m2"])})
    if row["area_lost_m2"]:
        areas.append(_("%(area)s entfallen") % {"area": _area(row["area_lost_m2"])})
    if areas:
        line += ", " + ", ".join(areas)
    attributes = [f"{a['name']}: {a['old']} → {a['new']}" for a in row["attributes"]]
    if attributes:
        line += "; " + "; ".join(attributes)
    return line


def _changes_paragraphs(consultation: Consultation) -> list[str]:
    """Return the paragraphs naming the changes since the earlier version and the limitation, if any."""
    comparison = consultation.comparison
    if comparison is None:
        return []
    rows = change_rows(comparison_changes(comparison))
    intro = _("Der Entwurf wurde gegenüber der %(old)s. Fassung geändert (jetzt %(new)s. Fassung). Die Änderungen:") % {
        "old": comparison.old_version.number,
        "new": comparison.new_version.number,
    }
    lines = [_change_line(row) for row in rows] or [_("- keine Änderungen an Planzeichnung und Festsetzungen")]
    paragraphs = [intro + "\n" + "\n".join(lines)]
    if consultation.limited_to_changes:
        paragraphs.append(
            _(
                "Stellungnahmen können nur zu den geänderten oder ergänzten Teilen abgegeben werden "
                "(§ 4a Abs. 3 Satz 2 BauGB)."
            )
        )
    return paragraphs


@transaction.atomic
def bekanntmachung_record(
    *,
    consultation: Consultation,
    by,
    date: dt.date,
    media: list[str],
    text: str,
    at: dt.datetime | None = None,
) -> ConsultationAction:
    """Record date, media and text of the ortsübliche Bekanntmachung; it is a row in the period history."""
    rules.require(by, "manage", consultation.plan.municipality)
    at = at or timezone.now()
    errors = {}
    media = list(dict.fromkeys(media or []))
    if not media:
        errors["media"] = ValidationError(_("Bitte mindestens ein Bekanntmachungsmedium wählen."), code="no_media")
    elif set(media) - set(Consultation.Medium.values):
        errors["media"] = ValidationError(_("Unbekanntes Bekanntmachungsmedium."), code="invalid_medium")
    if not (text or "").strip():
        errors["text"] = ValidationError(_("Bitte den Text der Bekanntmachung angeben."), code="no_text")
    if consultation.state_at(at) == Consultation.State.CLOSED:
        errors["date"] = ValidationError(
            _("Die Beteiligung ist beendet; die Bekanntmachung kann nicht mehr geändert werden."), code="already_closed"
        )
    elif (
        consultation.needs_bekanntmachung
        and not consultation.is_open_at(at)
        and consultation.start_date < local_date(at)
    ):
        # Recording it now would open the period retroactively: the days before today were not published.
        errors["date"] = ValidationError(
            _(
                "Der geplante Beginn %(start)s ist bereits vorbei. Bitte zuerst einen neuen Beginn festlegen, "
                "sonst wäre die Frist kürzer als veröffentlicht."
            ),
            code="start_passed",
            params={"start": f"{consultation.start_date:%d.%m.%Y}"},
        )
    elif date and consultation.needs_bekanntmachung and date > consultation.start_date:
        # A later date would keep the period closed without anyone noticing (it opens only once announced).
        errors["date"] = ValidationError(
            _("Die Bekanntmachung muss vor dem Beginn der Beteiligung (%(start)s) liegen."),
            code="bekanntmachung_after_start",
            params={"start": f"{consultation.start_date:%d.%m.%Y}"},
        )
    if errors:
        raise ValidationError(errors)
    consultation.bekanntmachung_date = date
    consultation.bekanntmachung_media = media
    consultation.bekanntmachung_text = text.strip()
    consultation.save(
        update_fields=["bekanntmachung_date", "bekanntmachung_media", "bekanntmachung_text", "updated_at"]
    )
    change_mails_schedule(consultation)  # the announced round opens on its start: earlier submitters hear of it
    action = ConsultationAction.objects.create(
        consultation=consultation,
        kind=ConsultationAction.Kind.BEKANNTMACHUNG,
        by=rules.user_or_none(by),
        at=at,
        start_date=consultation.start_date,
        end_date=consultation.end_date,
        closed_at=consultation.closed_at,
        details={"date": date.isoformat(), "media": ",".join(media)},
    )
    bekanntmachung_recorded.send(sender=Consultation, consultation=consultation, action=action)
    return action
