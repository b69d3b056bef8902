"""Read helpers of the participation core: consultation state, plans open for comments, a citizen's statements."""

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Consultation, Statement
from .periods import local_date


def consultation_status(consultation: Consultation, when: dt.datetime) -> str:
    """Return the human-readable state, e.g. 'Beteiligung läuft bis 15.01.2027, 24:00 Uhr (noch 12 Tage)'."""
    state = consultation.state_at(when)
    if state == Consultation.State.SCHEDULED:
        if not consultation.is_announced:
            return _("beginnt am %(date)s, sobald die Bekanntmachung erfasst ist") % {
                "date": formats.date_format(consultation.start_date, "d.m.Y")
            }
        return _("beginnt am %(date)s") % {"date": formats.date_format(consultation.start_date, "d.m.Y")}
    if state == Consultation.State.OPEN:
        days = (consultation.end_date - local_date(when)).days
        remaining = (
            _("heute ist der letzte Tag")
            if days == 0
            else ngettext("noch %(days)d Tag", "noch %(days)d Tage", days) % {"days": days}
        )
        return _("Beteiligung läuft bis %(date)s, 24:00 Uhr (%(remaining)s)") % {
            "date": formats.date_format(consultation.end_date, "d.m.Y"),
            "remaining": remaining,
        }
    if consultation.closed_at and local_date(consultation.closed_at) <= consultation.end_date:
        ended = local_date(consultation.closed_at)
    else:
        ended = consultation.end_date
    return _("beendet am %(date)s") % {"date": formats.date_format(ended, "d.m.Y")}


def consultation_status_sentence(consultation: Consultation, when: dt.datetime) -> str:
    """Return the state as a whole sentence, e.g. 'Die Beteiligung wurde am 05.10.2026 beendet.'."""
    state = consultation.state_at(when)
    if state == Consultation.State.OPEN:
        return consultation_status(consultation, when) + "."  # already a sentence: "Beteiligung läuft bis …"
    if state == Consultation.State.SCHEDULED:
        start = formats.date_format(consultation.start_date, "d.m.Y")
        if not consultation.is_announced:
            return _("Die Beteiligung beginnt am %(date)s, sobald die Bekanntmachung erfasst ist.") % {"date": start}
        return _("Die Beteiligung beginnt am %(date)s.") % {"date": start}
    if consultation.closed_at and local_date(consultation.closed_at) <= consultation.end_date:
        ended = local_date(consultation.closed_at)
    else:
        ended = consultation.end_date
    return _("Die Beteiligung wurde am %(date)s beendet.") % {"date": formats.date_format(ended, "d.m.Y")}


def plans_with_open_state(plans):
    """Annotate the plans queryset with `open_for_comments` (a public consultation is open now)."""
    return plans.annotate(open_for_comments=Exists(Consultation.objects.open_at().filter(plan=OuterRef("pk"))))


def plans_open_for_comments(plans):
    """Return only the plans with a public consultation open now."""
    return plans.filter(Exists(Consultation.objects.open_at().filter(plan=OuterRef("pk"))))


def statements_of_identity(subject: str):
    """Return the statements submitted under the BundID identity `subject` (newest first)."""
    if not subject:
        return Statement.objects.none()
    return (
        Statement.objects.filter(identity_subject=subject, identified_with="bundid")
        .select_related("consultation__plan__municipality")
        .order_by("-submit_date", "-pk")
    )
