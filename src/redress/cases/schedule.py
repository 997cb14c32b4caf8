"""Deadline bookkeeping for the actions: start, meet, cancel, pause and resume lifecycle items.

Only ``cases.actions`` calls these, inside the transaction of the act that causes them, so an
item is never started or met by an act that did not happen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from redress.cases import policy as policies
from redress.cases.deadlines import is_working_day
from redress.cases.models import AssignmentRole, Case, Deadline, DeadlineKind

# Who answers for each item: their live holders on the case are told when it is overdue.
OWNERS: dict[DeadlineKind, AssignmentRole] = {
    DeadlineKind.ACKNOWLEDGE: AssignmentRole.CASEWORKER,
    DeadlineKind.ASSESS: AssignmentRole.CASEWORKER,
    DeadlineKind.NOTIFY_RESPONDENT: AssignmentRole.CASEWORKER,
    DeadlineKind.FEEDBACK: AssignmentRole.CASEWORKER,
    DeadlineKind.SUBSTANTIVE_ANSWER: AssignmentRole.CASEWORKER,
    DeadlineKind.INVESTIGATION: AssignmentRole.INVESTIGATOR,
    DeadlineKind.DECIDE: AssignmentRole.DECISION_MAKER,
    DeadlineKind.APPEAL_WINDOW: AssignmentRole.CASEWORKER,
    DeadlineKind.APPEAL: AssignmentRole.APPEALS_PANEL,
    DeadlineKind.INTERIM_REVIEW: AssignmentRole.CASEWORKER,
    DeadlineKind.HOLD_REVIEW: AssignmentRole.CASEWORKER,
    DeadlineKind.RISK_REVIEW: AssignmentRole.DECISION_MAKER,
    # The caseworker assigns the other roles; a caseworker's own place is filled from the pool.
    DeadlineKind.REASSIGN: AssignmentRole.CASEWORKER,
    DeadlineKind.ASSIGN_APPEALS_PANEL: AssignmentRole.CASEWORKER,
}

# Working days each item gets, by the policy's field of the same name.
_POLICY_FIELD: dict[DeadlineKind, str] = {
    DeadlineKind.ASSESS: "assess",
    DeadlineKind.NOTIFY_RESPONDENT: "notify_respondent",
    DeadlineKind.FEEDBACK: "feedback",
    DeadlineKind.INVESTIGATION: "investigation",
    DeadlineKind.DECIDE: "decide",
    DeadlineKind.APPEAL_WINDOW: "appeal_window",
    DeadlineKind.APPEAL: "appeal",
    DeadlineKind.INTERIM_REVIEW: "interim_review",
    DeadlineKind.HOLD_REVIEW: "hold_review",
    DeadlineKind.RISK_REVIEW: "risk_review",
    DeadlineKind.REASSIGN: "reassign",
    DeadlineKind.ASSIGN_APPEALS_PANEL: "assign_appeals_panel",
}


def today() -> dt.date:
    return timezone.localdate()


def due_date(kind: DeadlineKind, start: dt.date, policy: policies.Policy) -> dt.date:
    """When an item started on ``start`` falls due under ``policy``."""
    if kind == DeadlineKind.ACKNOWLEDGE:
        return min(
            policy.due(start, policy.acknowledge),
            start + dt.timedelta(days=policy.acknowledge_calendar_cap),
        )
    if kind == DeadlineKind.SUBSTANTIVE_ANSWER:
        return policies.add_months(start, policy.substantive_answer_months)
    return policy.due(start, getattr(policy, _POLICY_FIELD[kind]))


def build(
    case: Case,
    kind: DeadlineKind,
    *,
    start: dt.date | None = None,
    subject: str = "",
    policy: policies.Policy | None = None,
) -> Deadline:
    """An unsaved item of ``kind`` for ``case``, due by the policy; paused if the case is held."""
    policy = policy or policies.current()
    start = start or today()
    due_on = due_date(kind, start, policy)
    deadline = Deadline(
        case=case,
        kind=kind,
        owner_role=OWNERS[kind],
        subject=subject,
        started_on=start,
        due_on=due_on,
        escalate_on=policy.escalation(due_on),
    )
    if case.held_since is not None and kind != DeadlineKind.HOLD_REVIEW:
        deadline.paused_remaining = working_days_between(start, due_on, policy.nation)
    return deadline


# What every new case must do first.
FIRST_KINDS = (DeadlineKind.ACKNOWLEDGE, DeadlineKind.ASSESS)


def start(case: Case, *kinds: DeadlineKind, subject: str = "") -> list[Deadline]:
    policy = policies.current()
    return Deadline.objects.bulk_create(
        [build(case, kind, subject=subject, policy=policy) for kind in kinds]
    )


def open_items(case: Case) -> QuerySet[Deadline]:
    return Deadline.objects.filter(case=case, met_at__isnull=True, cancelled_at__isnull=True)


def meet(case: Case, *kinds: DeadlineKind, subject: str | None = None) -> int:
    """Mark the case's open items of ``kinds`` met now; returns how many there were."""
    items = open_items(case).filter(kind__in=kinds)
    if subject is not None:
        items = items.filter(subject=subject)
    return items.update(met_at=timezone.now())


def cancel(case: Case, kinds: Iterable[DeadlineKind] | None = None) -> int:
    """End open items that no longer apply (all of them when the case closes)."""
    items = open_items(case)
    if kinds is not None:
        items = items.filter(kind__in=list(kinds))
    return items.update(cancelled_at=timezone.now())


def working_days_between(start: dt.date, end: dt.date, nation: str) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, nation):
            count += 1
    return count


def working_days_left(
    due_on: dt.date, on: dt.date | None = None, *, nation: str | None = None
) -> int:
    """Working days from ``on`` (today) to ``due_on``, in the scheme's nation's calendar.

    Deadlines are set in working days, so what is left and how late an item is are counted the
    same way: weekends and the nation's bank holidays never count. Positive: the working days
    after ``on`` up to and including the due date (1 the working day before). 0 on the due date.
    Negative once overdue: minus the working days after the due date up to and including ``on``
    (-1 the next working day; still 0 over a weekend straight after a Friday due date).
    """
    on = on or today()
    nation = nation or policies.current().nation
    if on <= due_on:
        return working_days_between(on, due_on, nation)
    return -working_days_between(due_on, on, nation)


def working_days_overdue(
    due_on: dt.date, on: dt.date | None = None, *, nation: str | None = None
) -> int:
    """Working days an item due on ``due_on`` is late on ``on`` (today); 0 until it is late.

    What the staff pages and the API show as "working days overdue": the working days after the
    due date up to and including ``on``, never a calendar count.
    """
    return max(0, -working_days_left(due_on, on, nation=nation))


def pause(items: QuerySet[Deadline]) -> int:
    """Stop the clock of running ``items``: each keeps the working days it had left."""
    policy = policies.current()
    now = today()
    paused = 0
    for item in items.filter(paused_remaining__isnull=True):
        item.paused_remaining = working_days_between(now, item.due_on, policy.nation)
        item.save(update_fields=["paused_remaining"])
        paused += 1
    return paused


def resume(items: QuerySet[Deadline]) -> int:
    """Restart paused ``items``: due again after the working days they had left.

    An item that was overdue before the pause and had no days left stays overdue; one given
    days back is no longer overdue and escalates afresh.
    """
    policy = policies.current()
    now = today()
    resumed = 0
    for item in items.filter(paused_remaining__isnull=False):
        remaining = item.paused_remaining or 0
        item.due_on = policy.due(now, remaining) if remaining else min(item.due_on, now)
        item.escalate_on = policy.escalation(item.due_on)
        if remaining:
            item.overdue_at = None
            item.escalated_at = None
        item.paused_remaining = None
        item.save(
            update_fields=[
                "due_on",
                "escalate_on",
                "overdue_at",
                "escalated_at",
                "paused_remaining",
            ]
        )
        resumed += 1
    return resumed
