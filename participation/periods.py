"""Time rules for consultation periods (Europe/Berlin, end date means 24:00)."""

import datetime as dt
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def start_of_day(day: dt.date) -> dt.datetime:
    """Return 00:00 Berlin time on `day` as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=BERLIN)


def end_of_day(day: dt.date) -> dt.datetime:
    """Return 24:00 Berlin time on `day` (00:00 of the next day), correct across DST changes."""
    return start_of_day(day + dt.timedelta(days=1))


def local_date(when: dt.datetime) -> dt.date:
    """Return the Berlin calendar date of the aware datetime `when`."""
    return when.astimezone(BERLIN).date()
