"""The time limit for answering: one calendar month from receipt (UK GDPR Art. 12(3)), which
may be extended by up to two further months where the request is complex or one of several.

A calendar month ends on the corresponding day of the next month; where that month has no
such day (31 January, 29 February in a common year), on its last day. An extended limit is
counted from the day of receipt again, not from the first due date, so 31 January extended by
two months is due on 30 April, not 28 April.
"""

from __future__ import annotations

import datetime as dt

from redress.cases import policy

MAX_EXTENSION_MONTHS = 2


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` calendar months after ``day``, or that month's last."""
    if months < 0:
        raise ValueError("months must not be negative")
    return policy.add_months(day, months)


def due_on(received_on: dt.date, extended_months: int = 0) -> dt.date:
    """When a request received on ``received_on`` must be answered, with any extension."""
    if not 0 <= extended_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"an extension is of 0 to {MAX_EXTENSION_MONTHS} months")
    return add_months(received_on, 1 + extended_months)


def days_left(due: dt.date, today: dt.date) -> int:
    """Calendar days from ``today`` to ``due``: negative once overdue."""
    return (due - today).days
