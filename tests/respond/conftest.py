"""Fixtures for the respondent's pages: a fresh throttle and a fixed clock per test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache

# A Monday, clear of public holidays for a month, so due dates are predictable.
START = dt.datetime(2027, 1, 11, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller
