"""The retention schedule: when a closed case's content is shredded, by outcome and category.

Years count from closure. Upheld and partly upheld cases are kept at least as long as their
finding stays on the sanctions register (``register.actions.retention_years``), and never less
than the schedule says. A case withdrawn by the complainant follows ``withdrawn``. Settings
``RETENTION_SCHEDULE`` overrides the defaults per outcome: a number of years, or
``{category: years, "*": years}``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from redress.cases.models import Case, Decision
from redress.register.actions import FINDINGS
from redress.register.models import RegisterEntry

WITHDRAWN = "withdrawn"
# Years after closure, by outcome; "*" is any category not named.
DEFAULT_RETENTION_SCHEDULE: dict[str, dict[str, int]] = {
    "not_taken_forward": {"*": 2},
    "resolved_informally": {"*": 3},
    WITHDRAWN: {"*": 2},
    "not_upheld": {"sexual_misconduct": 6, "*": 3},
    # Findings: as long as the register keeps them (0 extra years after closure).
    "upheld": {"*": 0},
    "partly_upheld": {"*": 0},
}


def _policy() -> dict[str, dict[str, int]]:
    policy = {outcome: dict(years) for outcome, years in DEFAULT_RETENTION_SCHEDULE.items()}
    configured = getattr(settings, "RETENTION_SCHEDULE", {}) or {}
    for outcome, years in configured.items():
        if isinstance(years, dict):
            policy.setdefault(outcome, {"*": 6}).update({k: int(v) for k, v in years.items()})
        else:
            policy[outcome] = {"*": int(years)}
    return policy


def outcome_of(case: Case) -> str:
    """The schedule's row for ``case``: its decision, or ``withdrawn`` if the complainant
    withdrew it before any finding."""
    if case.withdrawn_at is not None and case.decision not in FINDINGS:
        return WITHDRAWN
    return case.decision


def years_for(outcome: str, category: str) -> int:
    """Years after closure for ``outcome`` and ``category``; an outcome the schedule does not
    name is kept six years, the longest ordinary limitation period."""
    row = _policy().get(outcome, {"*": 6})
    return int(row.get(category, row.get("*", 6)))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def closed_on(case: Case) -> dt.date:
    """The day the case was closed: its last change of stage, since closing is the last."""
    return timezone.localdate(case.stage_changed_at)


def due_on(case: Case, register_expiry: dt.date | None) -> tuple[dt.date, str]:
    """When ``case`` (closed) is due for shredding, and why, in words for oversight."""
    outcome = outcome_of(case)
    years = years_for(outcome, case.category)
    closed = closed_on(case)
    due = add_years(closed, years)
    why = ngettext(
        "%(outcome)s: %(years)d year after closure",
        "%(outcome)s: %(years)d years after closure",
        years,
    ) % {"outcome": _outcome_label(outcome), "years": years}
    if outcome in FINDINGS and register_expiry is not None and register_expiry > due:
        due = register_expiry
        why = _("%(outcome)s: when the finding leaves the sanctions register") % {
            "outcome": _outcome_label(outcome)
        }
    return due, why


def register_expiries(references: list[str]) -> dict[str, dt.date]:
    """The latest register expiry of each reference's findings (live or expired, not withdrawn)."""
    found: dict[str, dt.date] = {}
    for reference, expires in RegisterEntry.objects.filter(
        case_reference__in=references, withdrawn_at__isnull=True
    ).values_list("case_reference", "expires_on"):
        if reference not in found or expires > found[reference]:
            found[reference] = expires
    return found


def _outcome_label(outcome: str) -> str:
    if outcome == WITHDRAWN:
        return _("Withdrawn")
    try:
        return str(Decision(outcome).label)
    except ValueError:
        return outcome
