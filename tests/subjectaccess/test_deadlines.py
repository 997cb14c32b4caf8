"""The one calendar month of Art. 12(3), and the two months it may be extended by."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redress.subjectaccess.deadlines import add_months, days_left, due_on

days = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2200, 12, 31))


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2027, 3, 3), dt.date(2027, 4, 3)),
        (dt.date(2027, 1, 31), dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),  # leap year
        (dt.date(2028, 2, 29), dt.date(2028, 3, 29)),
        (dt.date(2027, 8, 31), dt.date(2027, 9, 30)),
        (dt.date(2027, 12, 15), dt.date(2028, 1, 15)),
    ],
)
def test_a_month_is_the_corresponding_day_or_the_months_last(
    received: dt.date, due: dt.date
) -> None:
    assert due_on(received) == due


def test_an_extension_counts_from_receipt_not_from_the_first_due_date() -> None:
    assert due_on(dt.date(2027, 1, 31), 2) == dt.date(2027, 4, 30)
    assert due_on(dt.date(2027, 11, 30), 2) == dt.date(2028, 2, 29)


@settings(max_examples=200)
@given(days, st.integers(min_value=0, max_value=2))
def test_due_dates_land_in_the_right_month_on_the_right_day(
    received: dt.date, extended: int
) -> None:
    due = due_on(received, extended)
    months = (due.year - received.year) * 12 + due.month - received.month
    assert months == 1 + extended
    last = calendar.monthrange(due.year, due.month)[1]
    assert due.day == min(received.day, last)
    assert due > received


@settings(max_examples=100)
@given(days)
def test_a_later_receipt_is_never_due_earlier(received: dt.date) -> None:
    assert due_on(received + dt.timedelta(days=1)) >= due_on(received)


def test_more_than_two_months_or_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match="0 to 2 months"):
        due_on(dt.date(2027, 1, 1), 3)
    with pytest.raises(ValueError, match="negative"):
        add_months(dt.date(2027, 1, 1), -1)


def test_days_left_go_negative_once_overdue() -> None:
    assert days_left(dt.date(2027, 1, 10), dt.date(2027, 1, 12)) == -2
