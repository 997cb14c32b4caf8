"""Working-day arithmetic with each nation's bank holidays, and the policy's due dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from redress.cases import policy as policies
from redress.cases.deadlines import NATIONS, add_working_days, is_working_day
from redress.cases.models import DeadlineKind
from redress.cases.schedule import due_date, working_days_between

D = dt.date


@pytest.mark.parametrize(
    ("day", "working_in"),
    [
        # 2 January is a bank holiday in Scotland only.
        (D(2026, 1, 2), {"england", "wales", "northern-ireland"}),
        # St Andrew's Day (Monday 30 November 2026): Scotland only.
        (D(2026, 11, 30), {"england", "wales", "northern-ireland"}),
        # St Patrick's Day: Northern Ireland only.
        (D(2026, 3, 17), {"england", "wales", "scotland"}),
        # The Battle of the Boyne (12 July 2027 is a Monday): Northern Ireland only.
        (D(2027, 7, 12), {"england", "wales", "scotland"}),
        # Easter Monday: a holiday everywhere except Scotland.
        (D(2026, 4, 6), {"scotland"}),
        # Summer bank holiday: first Monday of August in Scotland, last Monday elsewhere.
        (D(2026, 8, 3), {"england", "wales", "northern-ireland"}),
        (D(2026, 8, 31), {"scotland"}),
        # Christmas Day and Good Friday: nobody works.
        (D(2026, 12, 25), set()),
        (D(2026, 4, 3), set()),
    ],
)
def test_each_nation_keeps_its_own_holidays(day: dt.date, working_in: set[str]) -> None:
    assert {nation for nation in NATIONS if is_working_day(day, nation)} == working_in


def test_counting_steps_over_a_holiday_in_one_nation_only() -> None:
    # Thursday 1 January 2026 + 1 working day: Friday 2nd in England, Monday 5th in Scotland.
    assert add_working_days(D(2026, 1, 1), 1, "england") == D(2026, 1, 2)
    assert add_working_days(D(2026, 1, 1), 1, "scotland") == D(2026, 1, 5)
    # Maundy Thursday 2026 + 2: Tuesday 7 April in England (Good Friday, Easter Monday off),
    # Monday 6 April in Scotland.
    assert add_working_days(D(2026, 4, 2), 2, "england") == D(2026, 4, 8)
    assert add_working_days(D(2026, 4, 2), 2, "scotland") == D(2026, 4, 7)
    # St Patrick's Day eve in Northern Ireland: the 17th does not count.
    assert add_working_days(D(2026, 3, 16), 1, "northern-ireland") == D(2026, 3, 18)
    assert add_working_days(D(2026, 3, 16), 1, "wales") == D(2026, 3, 17)


def test_acknowledgement_is_never_later_than_seven_calendar_days() -> None:
    england = policies.build({"nation": "england"})
    # Received Wednesday 23 December 2026: five working days would reach 4 January.
    assert add_working_days(D(2026, 12, 23), 5, "england") == D(2027, 1, 4)
    assert due_date(DeadlineKind.ACKNOWLEDGE, D(2026, 12, 23), england) == D(2026, 12, 30)
    # An ordinary week: five working days, well inside seven calendar days.
    assert due_date(DeadlineKind.ACKNOWLEDGE, D(2026, 11, 25), england) == D(2026, 12, 2)


def test_the_policy_is_configurable_and_refuses_nonsense() -> None:
    wales = policies.build({"nation": "wales", "investigation": 40})
    assert due_date(DeadlineKind.INVESTIGATION, D(2026, 11, 25), wales) == add_working_days(
        D(2026, 11, 25), 40, "wales"
    )
    with pytest.raises(ValueError, match="unknown policy"):
        policies.build({"investigaton": 40})
    with pytest.raises(ValueError, match="nation"):
        policies.build({"nation": "cornwall"})
    with pytest.raises(ValueError, match="at least 1"):
        policies.build({"assess": 0})


def test_three_months_from_the_end_of_a_long_month() -> None:
    assert policies.add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert policies.add_months(D(2027, 11, 30), 3) == D(2028, 2, 29)
    assert policies.add_months(D(2026, 1, 15), 3) == D(2026, 4, 15)


days = st.dates(min_value=D(2024, 1, 1), max_value=D(2030, 12, 31))


@given(start=days, n=st.integers(min_value=0, max_value=80), nation=st.sampled_from(list(NATIONS)))
def test_adding_working_days_lands_on_a_working_day_and_counts_back(
    start: dt.date, n: int, nation: str
) -> None:
    end = add_working_days(start, n, nation)
    assert end >= start
    if n:
        assert is_working_day(end, nation)
    assert working_days_between(start, end, nation) == n


@given(
    start=days,
    a=st.integers(min_value=0, max_value=40),
    b=st.integers(min_value=0, max_value=40),
    nation=st.sampled_from(list(NATIONS)),
)
def test_working_days_add_up(start: dt.date, a: int, b: int, nation: str) -> None:
    assert add_working_days(add_working_days(start, a, nation), b, nation) == add_working_days(
        start, a + b, nation
    )
