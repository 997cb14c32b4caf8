"""Working days left and overdue agree with the calendar: weekends and the nation's bank holidays
never count, 0 on the due date, negative (left) once the due date has passed.

The oracle here asks the ``holidays`` package directly, day by day, so it checks the counting
without sharing its code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redress.cases.deadlines import NATIONS
from redress.cases.schedule import working_days_left, working_days_overdue

D = dt.date
days = st.dates(min_value=D(2025, 1, 1), max_value=D(2028, 12, 31))
nations = st.sampled_from(sorted(NATIONS))


def calendar_count(after: dt.date, up_to: dt.date, nation: str) -> int:
    """Mondays to Fridays after ``after`` up to and including ``up_to`` that are no holiday."""
    off = holidays.country_holidays(
        "GB", subdiv=NATIONS[nation], years=range(after.year, up_to.year + 1)
    )
    span = (up_to - after).days
    steps = (after + dt.timedelta(days=i) for i in range(1, span + 1))
    return sum(1 for day in steps if day.weekday() < 5 and day not in off)


@settings(max_examples=60, deadline=None)
@given(due=days, on=days, nation=nations)
def test_left_and_overdue_agree_with_the_calendar(due: dt.date, on: dt.date, nation: str) -> None:
    left = working_days_left(due, on, nation=nation)
    if on <= due:
        assert left == calendar_count(on, due, nation)
        assert working_days_overdue(due, on, nation=nation) == 0
    else:
        assert left == -calendar_count(due, on, nation)
        assert working_days_overdue(due, on, nation=nation) == -left


@settings(max_examples=40, deadline=None)
@given(day=days, nation=nations)
def test_nothing_is_left_or_late_on_the_due_date(day: dt.date, nation: str) -> None:
    assert working_days_left(day, day, nation=nation) == 0
    assert working_days_overdue(day, day, nation=nation) == 0


@settings(max_examples=40, deadline=None)
@given(due=days, on=days, nation=nations)
def test_swapping_the_dates_turns_left_into_late(due: dt.date, on: dt.date, nation: str) -> None:
    assert working_days_left(due, on, nation=nation) == -working_days_left(on, due, nation=nation)


@settings(max_examples=40, deadline=None)
@given(due=days, on=days, nation=nations)
def test_a_day_later_counts_one_less_only_if_it_is_a_working_day(
    due: dt.date, on: dt.date, nation: str
) -> None:
    tomorrow = on + dt.timedelta(days=1)
    step = working_days_left(due, on, nation=nation) - working_days_left(
        due, tomorrow, nation=nation
    )
    assert step == calendar_count(on, tomorrow, nation)


@pytest.mark.parametrize(
    ("due", "on", "nation", "left"),
    [
        # Due Friday 6 November 2026: the weekend after is not late, Monday is one day late.
        (D(2026, 11, 6), D(2026, 11, 7), "england", 0),
        (D(2026, 11, 6), D(2026, 11, 8), "england", 0),
        (D(2026, 11, 6), D(2026, 11, 9), "england", -1),
        # A week of calendar days from Monday to the next Monday is five working days.
        (D(2026, 11, 16), D(2026, 11, 9), "england", 5),
        # Due Maundy Thursday 2026, seen on Tuesday 7 April: Good Friday is off everywhere,
        # Easter Monday everywhere but Scotland.
        (D(2026, 4, 2), D(2026, 4, 7), "england", -1),
        (D(2026, 4, 2), D(2026, 4, 7), "scotland", -2),
        # Over Christmas and New Year: 25 and 28 December (for Boxing Day, a Saturday) and
        # 1 January are off in England; Scotland also has 4 January for the 2nd (a Saturday).
        (D(2026, 12, 24), D(2027, 1, 5), "england", -5),
        (D(2026, 12, 24), D(2027, 1, 5), "scotland", -4),
    ],
)
def test_known_dates(due: dt.date, on: dt.date, nation: str, left: int) -> None:
    assert working_days_left(due, on, nation=nation) == left
    assert working_days_overdue(due, on, nation=nation) == max(0, -left)


def test_the_schemes_nation_is_the_default(settings: Any) -> None:
    # St Andrew's Day (Monday 30 November 2026) is a holiday in Scotland only.
    settings.NATION = "scotland"
    assert working_days_left(D(2026, 11, 27), D(2026, 12, 1)) == -1
    settings.NATION = "england"
    assert working_days_left(D(2026, 11, 27), D(2026, 12, 1)) == -2
