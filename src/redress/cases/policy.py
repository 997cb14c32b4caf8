"""The scheme's deadline policy: how many working days each item of the lifecycle table gets.

Defaults are DESIGN.md's table. A scheme changes them with ``REDRESS_POLICY`` (JSON, for example
``{"nation": "wales", "investigation": 40}``); unknown keys and bad values fail at start-up, not
on the day a deadline is computed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any

from django.conf import settings

from redress.cases.deadlines import NATIONS, add_working_days


@dataclass(frozen=True)
class Policy:
    nation: str = "england"
    acknowledge: int = 5
    # Acknowledgement is never later than this many calendar days, whatever the holidays.
    acknowledge_calendar_cap: int = 7
    assess: int = 15
    notify_respondent: int = 10
    feedback: int = 20
    substantive_answer_months: int = 3
    investigation: int = 60
    decide: int = 20
    appeal_window: int = 20
    appeal: int = 20
    interim_review: int = 10
    hold_review: int = 10
    risk_review: int = 10
    # A case whose handler lost access (a conflict arose, they left) gets a new one within this.
    reassign: int = 2
    # Once an appeal is lodged, the caseworker has this long to assign the appeals panel.
    assign_appeals_panel: int = 3
    # An overdue item escalates to oversight this many working days after its due date.
    escalate_after: int = 5

    def __post_init__(self) -> None:
        if self.nation not in NATIONS:
            raise ValueError(f"policy nation {self.nation!r} is not one of {sorted(NATIONS)}")
        for field in fields(self):
            value = getattr(self, field.name)
            if field.type == "int" and (not isinstance(value, int) or value < 1):
                raise ValueError(f"policy {field.name} must be a whole number of at least 1")

    def due(self, start: dt.date, working_days: int) -> dt.date:
        return add_working_days(start, working_days, self.nation)

    def escalation(self, due_on: dt.date) -> dt.date:
        return add_working_days(due_on, self.escalate_after, self.nation)


def build(overrides: dict[str, Any] | None = None) -> Policy:
    """A policy from the defaults and ``overrides``; refuses keys the policy does not have."""
    overrides = dict(overrides or {})
    known = {f.name for f in fields(Policy)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"unknown policy settings: {sorted(unknown)}")
    return replace(Policy(), **overrides)


def current() -> Policy:
    """The running scheme's policy (settings.POLICY over the defaults).

    Built once per distinct setting (every report asks for it), and built again when a setting
    changes, as tests do.
    """
    overrides = getattr(settings, "POLICY", {}) or {}
    return _built(json.dumps(overrides, sort_keys=True, default=str), settings.NATION)


@lru_cache(maxsize=16)
def _built(overrides_json: str, nation: str) -> Policy:
    overrides = dict(json.loads(overrides_json))
    overrides.setdefault("nation", nation)
    return build(overrides)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")
