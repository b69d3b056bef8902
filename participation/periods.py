"""Time and period rules for consultations: Europe/Berlin days (an end date means 24:00) and the legal minimums.

Pure functions, no database: the services and forms call them, so every entry point applies
the same law (see docs/procedure.md).
"""

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BERLIN = ZoneInfo("Europe/Berlin")

# Consultation.Kind values (models import this module, so the values are spelled out here).
KIND_EARLY = "early"
KIND_PUBLICATION = "publication"
KIND_REPUBLICATION = "republication"
KIND_AUTHORITIES = "authorities"


def start_of_day(day: dt.date) -> dt.datetime:
    """Return 00:00 Berlin time on `day` as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=BERLIN)


def end_of_day(day: dt.date) -> dt.datetime:
    """Return 24:00 Berlin time on `day` (00:00 of the next day), correct across DST changes."""
    return start_of_day(day + dt.timedelta(days=1))


def local_date(when: dt.datetime) -> dt.date:
    """Return the Berlin calendar date of the aware datetime `when`."""
    return when.astimezone(BERLIN).date()


# --- Period law (BauGB §§ 3, 4, 4a; BGB §§ 187, 188) -------------------------------------------

MIN_DAYS = 30


def one_month_end(start: dt.date) -> dt.date:
    """Return the last day of a one-month period whose first day is `start` (§§ 187 Abs. 2, 188 Abs. 2, 3 BGB)."""
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    last_day = calendar.monthrange(year, month)[1]
    if start.day > last_day:
        return dt.date(year, month, last_day)
    return dt.date(year, month, start.day) - dt.timedelta(days=1)


def regular_end(start: dt.date) -> dt.date:
    """Return the end of "one month, at least 30 days" from `start` (the later of both, first day included)."""
    return max(one_month_end(start), start + dt.timedelta(days=MIN_DAYS - 1))


def earliest_end(kind: str, start: dt.date) -> dt.date | None:
    """Return the earliest allowed end date for `kind` starting on `start`; None if the law sets no minimum."""
    if kind in (KIND_PUBLICATION, KIND_AUTHORITIES):
        return regular_end(start)
    return None


def check_period(kind: str, start: dt.date, end: dt.date, reason: str = "") -> None:
    """Raise ValidationError unless `start`–`end` is a lawful period for a consultation of `kind`."""
    if end < start:
        raise ValidationError(
            {"end_date": ValidationError(_("Das Ende darf nicht vor dem Beginn liegen."), code="end_before_start")}
        )
    minimum = earliest_end(kind, start)
    if minimum is not None and end < minimum:
        raise ValidationError(
            {
                "end_date": ValidationError(
                    _(
                        "Die Frist ist zu kurz: Sie dauert einen Monat, mindestens 30 Tage "
                        "(§ 3 Abs. 2 bzw. § 4 Abs. 2 BauGB). Frühestes zulässiges Ende: %(earliest)s."
                    ),
                    code="period_too_short",
                    params={"earliest": f"{minimum:%d.%m.%Y}"},
                )
            }
        )
    if kind == KIND_REPUBLICATION and end < regular_end(start) and not (reason or "").strip():
        raise ValidationError(
            {
                "reason": ValidationError(
                    _(
                        "Eine erneute Veröffentlichung kürzer als einen Monat (bis %(regular)s) ist nur angemessen "
                        "verkürzt zulässig (§ 4a Abs. 3 BauGB): Bitte die Begründung angeben."
                    ),
                    code="short_period_reason_required",
                    params={"regular": f"{regular_end(start):%d.%m.%Y}"},
                )
            }
        )


def is_shortened(kind: str, start: dt.date, end: dt.date) -> bool:
    """Return whether a § 4a Abs. 3 period is shorter than the regular one (its reason is recorded)."""
    return kind == KIND_REPUBLICATION and end < regular_end(start)
