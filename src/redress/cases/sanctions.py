"""The terms of a sanction: when it starts, how long it lasts and on what conditions.

The length is entered in whole months and the end worked out from it (the day before the same
date that many months later: three months from 4 January ends on 3 April), so an end can never
fall before its start and the register, the vetting answer and the case say the same dates.

Which kinds take which terms is one table here; ``check`` applies it for the one writer
(``actions.transition`` and ``actions.decide_appeal``) and refuses in words for the
decision-maker.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from redress.cases.models import Sanction
from redress.cases.policy import add_months

# The longest conditions kept: they go on the register as written, so they are never cut.
CONDITIONS_MAX = 500
MONTHS_MAX = 120
# A start date further from the decision than this is far more likely a slip than a plan.
START_WITHIN_DAYS = 366

# Kinds that run for a time: they need a start date and a length.
TIMED = frozenset({Sanction.SUSPENSION, Sanction.RESTRICTED_ACCESS})
# Kinds that may run for a time, if the decision-maker says so.
MAY_BE_TIMED = frozenset({Sanction.TRAINING, Sanction.BEHAVIOUR_AGREEMENT, Sanction.OTHER})
# Kinds with a date they take effect, but no length.
DATED = frozenset({Sanction.DISMISSAL})
# Kinds whose conditions say what the sanction is: they need them.
NEEDS_CONDITIONS = frozenset({Sanction.RESTRICTED_ACCESS, Sanction.OTHER})


@dataclass(frozen=True)
class Terms:
    """A sanction's terms as the decision-maker gives them. Conditions are written for the
    sanctions register, which vetting officers read: they must not name the complainant."""

    starts_on: dt.date | None = None
    months: int | None = None
    conditions: str = ""

    @property
    def ends_on(self) -> dt.date | None:
        if self.starts_on is None or self.months is None:
            return None
        return add_months(self.starts_on, self.months) - dt.timedelta(days=1)

    @property
    def empty(self) -> bool:
        return self.starts_on is None and self.months is None and not self.conditions.strip()


NO_TERMS = Terms()


def takes_period(kind: Sanction | str) -> bool:
    """Whether the page asks for a start date and a length for ``kind``."""
    return kind in TIMED or kind in MAY_BE_TIMED


def takes_start(kind: Sanction | str) -> bool:
    return takes_period(kind) or kind in DATED


def takes_conditions(kind: Sanction | str) -> bool:
    return bool(kind) and kind != Sanction.NONE


def check(kind: Sanction | str, terms: Terms, *, received_on: dt.date, today: dt.date) -> Terms:
    """``terms`` for a sanction of ``kind``, with the conditions trimmed; raises ValueError with
    the refusal in words when they do not fit the kind or do not hold together."""
    conditions = terms.conditions.strip()
    if not takes_conditions(kind):
        if not terms.empty:
            raise ValueError(_("“No sanction” has no start date, length or conditions."))
        return NO_TERMS
    if len(conditions) > CONDITIONS_MAX:
        raise ValueError(
            _("The conditions must be %(limit)s characters or fewer.") % {"limit": CONDITIONS_MAX}
        )
    if kind in NEEDS_CONDITIONS and not conditions:
        raise ValueError(_("Say what the sanction's conditions are."))
    if terms.starts_on is not None and not takes_start(kind):
        raise ValueError(_("A sanction of this kind has no start date."))
    if terms.months is not None and not takes_period(kind):
        raise ValueError(_("A sanction of this kind has no length."))
    if kind in TIMED and (terms.starts_on is None or terms.months is None):
        raise ValueError(_("Give the date the sanction starts and how many months it lasts."))
    if terms.months is not None:
        if terms.starts_on is None:
            raise ValueError(_("Give the date the sanction starts, as well as its length."))
        if not 1 <= terms.months <= MONTHS_MAX:
            raise ValueError(
                _("The length must be between 1 and %(most)s months.") % {"most": MONTHS_MAX}
            )
    if terms.starts_on is not None:
        if terms.starts_on < received_on:
            raise ValueError(_("The sanction cannot start before the complaint was received."))
        if abs((terms.starts_on - today).days) > START_WITHIN_DAYS:
            raise ValueError(_("The sanction must start within a year of the decision."))
    return Terms(starts_on=terms.starts_on, months=terms.months, conditions=conditions)
