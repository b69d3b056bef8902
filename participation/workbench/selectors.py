"""Reads of the workbench: which statements the Abwägung covers, lateness, whether the result may go public."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participation.authorities.models import Invitation
from participation.models import Consultation, Statement
from participation.periods import end_of_day, local_date


def invitation_deadlines(consultation: Consultation) -> list[dt.date]:
    """Return the distinct deadlines of the authorities invited to `consultation` (§ 4 BauGB), in order."""
    return sorted(set(Invitation.objects.filter(consultation=consultation).values_list("deadline", flat=True)))


def _after(last_day: dt.date, end: dt.datetime) -> Q:
    return Q(received_on__isnull=False, received_on__gt=last_day) | Q(received_on__isnull=True, submit_date__gte=end)


def late_q(consultation: Consultation) -> Q:
    """Return a filter for late statements: submitted at or after the end (paper: received after the last day).

    An invited authority's statement is measured against its own (possibly extended) deadline,
    as `Statement.is_late` does.
    """
    last_day = local_date(consultation.ends_at - dt.timedelta(microseconds=1))
    late = Q(invitation__isnull=True) & _after(last_day, consultation.ends_at)
    # One condition per distinct deadline (a handful per round): the end of day is Berlin time, not SQL's.
    for deadline in invitation_deadlines(consultation):
        late |= Q(invitation__deadline=deadline) & _after(deadline, end_of_day(deadline))
    return late


def weighed_statements(consultation: Consultation, *, annotate_late: bool = True) -> QuerySet[Statement]:
    """Return the statements the Abwägung covers: confirmed top-level statements (online and paper), not staff replies.

    Replies (level > 0) are context for the statement they answer and are not weighed
    separately; hidden (removed) statements still count: the council must weigh every
    statement received, whatever moderation did to its public display. Statements their submitters
    withdrew before the end (participation.services.citizen) are left out.
    """
    qs = Statement.objects.filter(consultation=consultation, level=0, is_official=False, confirmed_at__isnull=False)
    qs = qs.filter(withdrawn_at__isnull=True)  # withdrawn by the submitter before the end: kept, not weighed
    if not annotate_late:
        return qs
    return qs.annotate(
        late=Case(When(late_q(consultation), then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def undecided_statements(consultation: Consultation) -> QuerySet[Statement]:
    """Return the weighed statements without a decision (no weighing yet, or an empty decision)."""
    return weighed_statements(consultation, annotate_late=False).filter(
        Q(weighing__isnull=True) | Q(weighing__decision="")
    )


def period_has_ended(consultation: Consultation, at: dt.datetime | None = None) -> bool:
    """Return whether the consultation's period is over at `at` (works with bare strings and State choices)."""
    return str(consultation.state_at(at or timezone.now())) == "closed"


def result_blockers(consultation: Consultation, *, at: dt.datetime | None = None) -> list[ValidationError]:
    """Return why the result may not be published at `at` (empty when it may): period running, open decisions."""
    if not period_has_ended(consultation, at):
        return [
            ValidationError(
                _("Das Ergebnis kann erst nach dem Ende der Beteiligung veröffentlicht werden."),
                code="period_not_ended",
            )
        ]
    undecided = undecided_statements(consultation).count()
    if undecided:
        message = ngettext(
            "%(count)s Stellungnahme hat noch keine Entscheidung.",
            "%(count)s Stellungnahmen haben noch keine Entscheidung.",
            undecided,
        )
        return [ValidationError(message, code="undecided_statements", params={"count": undecided})]
    return []


def _untold(consultation: Consultation) -> QuerySet[Statement]:
    """Return the decided statements not told yet, except those of groups announced by an inspection notice."""
    return (
        weighed_statements(consultation, annotate_late=False)
        .filter(result_notification__isnull=True, weighing__isnull=False)
        .exclude(weighing__decision="")
        .exclude(weighing__group__inspection_recorded_at__isnull=False)
    )


def result_recipients(consultation: Consultation) -> QuerySet[Statement]:
    """Return the decided statements with an e-mail address whose submitter has not been told the result yet."""
    return _untold(consultation).exclude(user_email="")


def postal_recipients(consultation: Consultation) -> QuerySet[Statement]:
    """Return the decided statements received by post with a postal address whose submitter was not told yet."""
    return (
        _untold(consultation)
        .filter(channel=Statement.Channel.POST)
        .exclude(postal_address="")
        .order_by("weighing__number")
    )


def normalised_email(address: str) -> str:
    """Return `address` as compared for "the same submitter": trimmed and lower-case."""
    return address.strip().lower()


def result_recipient_count(consultation: Consultation) -> int:
    """Return how many distinct e-mail addresses a result notice would go to now."""
    addresses = result_recipients(consultation).values_list("user_email", flat=True)
    return len({normalised_email(address) for address in addresses})


def statement_progress(statement: Statement) -> dict:
    """Return what the submitter may learn of the Abwägung of `statement`: its step and the published result.

    'weighing' once the period has ended (or a weighing exists), 'result' with `decision` and
    `response` once the consultation's result is published; before that nothing of the weighing.
    """
    from .models import ConsultationResult, Weighing

    consultation = statement.consultation
    result = ConsultationResult.objects.filter(consultation=consultation, published_at__isnull=False).first()
    weighing = Weighing.objects.filter(statement=statement).first()
    if result is not None and weighing is not None and weighing.decision:
        return {
            "step": "result",
            "result": result,
            "decision": weighing.get_decision_display(),
            "response": weighing.response,
            "number": weighing.number,
        }
    if weighing is not None or period_has_ended(consultation):
        return {"step": "weighing"}
    return {"step": None}


def statement_place(statement: Statement) -> dict | None:
    """Return the statement's place in words and as GeoJSON for the mini-map, or None without a place.

    Words first: the map is an addition, the description is what screen reader and print users get.
    """

    def coordinates(point) -> str:
        return f"{point.y:.5f}, {point.x:.5f}"

    parts = []
    geometries: list = []
    if statement.location:
        parts.append(_("Punkt bei %(coordinates)s (Breite, Länge)") % {"coordinates": coordinates(statement.location)})
        geometries.append(statement.location)
    if statement.drawn_area:
        parts.append(
            _("eingezeichnete Fläche, Mittelpunkt bei %(coordinates)s")
            % {"coordinates": coordinates(statement.drawn_area.centroid)}
        )
        geometries.append(statement.drawn_area)
    if statement.drawn_line:
        line = statement.drawn_line
        start, end = line.coords[0], line.coords[-1]
        parts.append(
            _("eingezeichnete Linie von %(start)s bis %(end)s")
            % {"start": f"{start[1]:.5f}, {start[0]:.5f}", "end": f"{end[1]:.5f}, {end[0]:.5f}"}
        )
        geometries.append(line)
    if not parts:
        return None
    return {
        "description": "; ".join(str(p) for p in parts),
        "map": {
            "area": statement.consultation.plan.area.geojson if statement.consultation.plan.area else None,
            "features": [g.geojson for g in geometries],
        },
    }


def statement_counts(consultation: Consultation) -> dict[str, int]:
    """Return how the received statements split up, so 'Eingegangen' and 'in der Abwägung' can be reconciled.

    received = weighed + replies (replies and staff answers, weighed with the statement they answer)
    + withdrawn (withdrawn by the submitter). Unconfirmed guest statements are not received yet;
    published and not_opted_in are parts of the weighed ones (publication needs the submitter's opt-in).
    """
    top = Q(level=0, is_official=False)
    weighed = top & Q(withdrawn_at__isnull=True)
    counts = Statement.objects.filter(consultation=consultation).aggregate(
        received=Count("id", filter=Q(confirmed_at__isnull=False)),
        unconfirmed=Count("id", filter=Q(confirmed_at__isnull=True)),
        replies=Count("id", filter=Q(confirmed_at__isnull=False) & ~top),
        withdrawn=Count("id", filter=Q(confirmed_at__isnull=False, withdrawn_at__isnull=False) & top),
        weighed=Count("id", filter=Q(confirmed_at__isnull=False) & weighed),
        published=Count(
            "id", filter=Q(confirmed_at__isnull=False, public_opt_in=True, is_public=True, is_removed=False) & weighed
        ),
        not_opted_in=Count("id", filter=Q(confirmed_at__isnull=False, public_opt_in=False) & weighed),
    )
    return counts


def state_counts(consultation: Consultation) -> dict[str, dict[str, int]]:
    """Return how many weighings and segments of `consultation` are draft, proposed and decided."""
    from .models import Segment, Weighing

    counts: dict[str, dict[str, int]] = {}
    for key, qs in (
        ("weighings", Weighing.objects.for_consultation(consultation)),
        ("segments", Segment.objects.filter(weighing__statement__consultation=consultation)),
    ):
        counts[key] = dict(qs.values_list("state").annotate(n=Count("id")).order_by())
    return counts
