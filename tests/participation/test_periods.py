"""The period law: one month, at least 30 days (§ 3 Abs. 2, § 4 Abs. 2 BauGB; §§ 187 Abs. 2, 188 BGB)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from participation.models import Consultation
from participation.periods import BERLIN, check_period, earliest_end, end_of_day, one_month_end, regular_end

D = dt.date
PUBLICATION, AUTHORITIES = Consultation.Kind.PUBLICATION, Consultation.Kind.AUTHORITIES


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2027, 3, 1), D(2027, 3, 31)),  # one month ends the day before 1 April
        (D(2027, 3, 15), D(2027, 4, 14)),
        (D(2027, 2, 1), D(2027, 3, 2)),  # non-leap February: 30 days beat the month (28 Feb)
        (D(2027, 1, 31), D(2027, 3, 1)),  # 31 Feb missing: month ends 28 Feb, 30 days end 1 March
        (D(2028, 2, 1), D(2028, 3, 1)),  # leap year: month ends 29 Feb, 30 days end 1 March
        (D(2028, 1, 31), D(2028, 2, 29)),  # leap year: month and 30 days both end 29 Feb
        (D(2027, 1, 30), D(2027, 2, 28)),  # month ends 28 Feb (30 Feb missing); 30 days end 28 Feb too
        (D(2027, 4, 30), D(2027, 5, 29)),  # 30-day month: one month ends 29 May, 30 days 29 May
        (D(2027, 5, 31), D(2027, 6, 30)),  # 31 June missing: last day of June; 30 days end 29 June
        (D(2027, 12, 15), D(2028, 1, 14)),  # across the year end
        (D(2027, 12, 1), D(2027, 12, 31)),
        (D(2027, 7, 1), D(2027, 7, 31)),  # 31-day month: the month (31 days) beats 30 days
    ],
)
def test_earliest_end_of_publication_and_authorities(start, expected):
    assert earliest_end(PUBLICATION, start) == expected
    assert earliest_end(AUTHORITIES, start) == expected


def test_one_month_and_thirty_days_separately():
    assert one_month_end(D(2027, 1, 31)) == D(2027, 2, 28)
    assert one_month_end(D(2028, 1, 31)) == D(2028, 2, 29)
    assert one_month_end(D(2027, 2, 1)) == D(2027, 2, 28)
    assert regular_end(D(2027, 2, 1)) == D(2027, 3, 2)
    assert (regular_end(D(2027, 3, 1)) - D(2027, 3, 1)).days + 1 == 31


def test_early_and_republication_have_no_fixed_minimum():
    assert earliest_end(Consultation.Kind.EARLY, D(2027, 3, 1)) is None
    assert earliest_end(Consultation.Kind.REPUBLICATION, D(2027, 3, 1)) is None


def test_period_across_dst_change_ends_at_midnight_berlin():
    # 28 March 2027: clocks go forward. 1–31 March ends 1 April 00:00 CEST (UTC+2), 24:00 on 31 March.
    end = earliest_end(PUBLICATION, D(2027, 3, 1))
    assert end_of_day(end) == dt.datetime(2027, 4, 1, 0, 0, tzinfo=BERLIN)
    assert end_of_day(end).utcoffset() == dt.timedelta(hours=2)
    # 31 October 2027: clocks go back. 15 October–14 November ends at 00:00 CET (UTC+1).
    autumn = earliest_end(PUBLICATION, D(2027, 10, 15))
    assert autumn == D(2027, 11, 14) and end_of_day(autumn).utcoffset() == dt.timedelta(hours=1)


def test_shorter_publication_is_refused_with_the_earliest_end():
    with pytest.raises(ValidationError) as exc:
        check_period(PUBLICATION, D(2027, 3, 1), D(2027, 3, 30), reason="Wichtiger Grund")
    error = exc.value.error_dict["end_date"][0]
    assert error.code == "period_too_short" and error.params == {"earliest": "31.03.2027"}
    assert "31.03.2027" in exc.value.messages[0]
    check_period(PUBLICATION, D(2027, 3, 1), D(2027, 3, 31))
    check_period(PUBLICATION, D(2027, 3, 1), D(2027, 6, 30))  # longer needs no reason
    with pytest.raises(ValidationError) as exc:
        check_period(AUTHORITIES, D(2027, 2, 1), D(2027, 3, 1))
    assert exc.value.error_dict["end_date"][0].code == "period_too_short"


def test_republication_may_be_shorter_only_with_a_reason():
    republication = Consultation.Kind.REPUBLICATION
    with pytest.raises(ValidationError) as exc:
        check_period(republication, D(2027, 3, 1), D(2027, 3, 14), reason="  ")
    assert exc.value.error_dict["reason"][0].code == "short_period_reason_required"
    check_period(republication, D(2027, 3, 1), D(2027, 3, 14), reason="Nur Änderung der Baugrenze")
    check_period(republication, D(2027, 3, 1), D(2027, 3, 31))


def test_early_participation_any_length_but_not_backwards():
    check_period(Consultation.Kind.EARLY, D(2027, 3, 1), D(2027, 3, 1))
    with pytest.raises(ValidationError) as exc:
        check_period(Consultation.Kind.EARLY, D(2027, 3, 2), D(2027, 3, 1))
    assert exc.value.error_dict["end_date"][0].code == "end_before_start"


def test_kind_constants_match_the_model():
    from participation import periods

    assert (periods.KIND_EARLY, periods.KIND_PUBLICATION, periods.KIND_REPUBLICATION, periods.KIND_AUTHORITIES) == (
        Consultation.Kind.EARLY,
        Consultation.Kind.PUBLICATION,
        Consultation.Kind.REPUBLICATION,
        Consultation.Kind.AUTHORITIES,
    )
