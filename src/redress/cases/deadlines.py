"""Working-day arithmetic with the public holidays of the scheme's nation.

A working day is Monday to Friday that is not a public holiday in the nation's calendar
(England, Wales, Scotland or Northern Ireland, from the ``holidays`` package).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

NATIONS = {
    "england": "ENG",
    "wales": "WLS",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}


@lru_cache(maxsize=64)
def _calendar(nation: str, year: int) -> frozenset[dt.date]:
    subdivision = NATIONS[nation]
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year).keys())


def is_working_day(day: dt.date, nation: str) -> bool:
    return day.weekday() < 5 and day not in _calendar(nation, day.year)


@lru_cache(maxsize=4096)
def add_working_days(start: dt.date, days: int, nation: str) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count).

    Remembered: every report received on one day asks the same questions of the calendar.
    """
    if nation not in NATIONS:
        raise ValueError(f"unknown nation {nation!r}; expected one of {sorted(NATIONS)}")
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current, nation):
            remaining -= 1
    return current
