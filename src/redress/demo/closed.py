"""Closed demo cases, so that oversight's retention page has something to show: one not taken
forward and one upheld, moved back in time so both are deleted within the next 30 days.

They go through the real workflow (so the ledger, deadlines and register are as for any case)
and only their dates are then moved, as the demo moves other cases' receipt dates.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from redress.accounts.models import User
from redress.cases import actions
from redress.cases.models import (
    AssignmentRole,
    Case,
    Category,
    Deadline,
    DeadlineKind,
    Decision,
    Identity,
    Sanction,
    Stage,
)
from redress.directory.models import Person
from redress.register.models import RegisterEntry
from redress.retention.schedule import add_years, years_for

DEMO = "system:demo"
NOT_TAKEN_FORWARD = (
    "M-1005",
    "The member's office published my name in a newsletter after I raised a concern.",
)
UPHELD = (
    "M-1008",
    "At two events the member mocked a colleague's accent in front of visitors.",
)


def load() -> None:
    """Make the two closed cases once (nothing if any case is closed already)."""
    if Case.objects.filter(stage=Stage.CLOSED).exists():
        return
    caseworker = User.objects.get(username="caseworker")
    team = {
        AssignmentRole.INVESTIGATOR: User.objects.get(username="investigator"),
        AssignmentRole.DECISION_MAKER: User.objects.get(username="decision-maker"),
    }
    today = timezone.localdate()
    case = _received(*NOT_TAKEN_FORWARD, caseworker)
    for stage in (Stage.ACKNOWLEDGED, Stage.ASSESSED):
        case = actions.transition(case, stage, actor=caseworker, reasons="Demo: read.")
    case = actions.transition(
        case,
        Stage.NOT_TAKEN_FORWARD,
        actor=caseworker,
        reasons="Demo: the newsletter is outside the scheme's code.",
        decision=Decision.NOT_TAKEN_FORWARD,
    )
    case = actions.transition(case, Stage.CLOSED, actor=caseworker, reasons="Demo: told.")
    years = years_for("not_taken_forward", case.category)
    _closed_on(case, add_years(today, -years) + dt.timedelta(days=12))

    case = _received(*UPHELD, caseworker)
    for role, user in team.items():
        actions.assign(case, user, role, actor=DEMO)
    road = [
        (Stage.ACKNOWLEDGED, caseworker),
        (Stage.ASSESSED, caseworker),
        (Stage.INVESTIGATION, caseworker),
        (Stage.FINDINGS, team[AssignmentRole.INVESTIGATOR]),
    ]
    for stage, actor in road:
        case = actions.transition(case, stage, actor=actor, reasons="Demo: next step.")
    maker = team[AssignmentRole.DECISION_MAKER]
    case = actions.transition(
        case,
        Stage.DECISION,
        actor=maker,
        reasons="Demo: two witnesses confirm the remarks.",
        decision=Decision.UPHELD,
        sanction=Sanction.APOLOGY,
    )
    case = actions.transition(case, Stage.APPEAL_WINDOW, actor=maker, reasons="Demo: told.")
    # The appeal window passed long ago in the demo's story.
    Deadline.objects.filter(case=case, kind=DeadlineKind.APPEAL_WINDOW).update(
        due_on=today - dt.timedelta(days=1)
    )
    case = actions.transition(case, Stage.CLOSED, actor=maker, reasons="Demo: no appeal.")
    entry = RegisterEntry.objects.get(case_reference=case.reference, withdrawn_at__isnull=True)
    leaves = today + dt.timedelta(days=20)
    decided = leaves - (entry.expires_on - entry.decided_on)
    RegisterEntry.objects.filter(pk=entry.pk).update(decided_on=decided, expires_on=leaves)
    _closed_on(case, decided)


def _received(identifier: str, narrative: str, caseworker: User) -> Case:
    case = actions.receive(
        category=Category.BULLYING,
        identity=Identity.ANONYMOUS,
        narrative=narrative,
        respondent=Person.objects.by_identifier(identifier),
        actor=DEMO,
    )
    actions.assign(case, caseworker, AssignmentRole.CASEWORKER, actor=DEMO)
    return case


def _closed_on(case: Case, day: dt.date) -> None:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    Case.objects.filter(pk=case.pk).update(
        received_at=moment - dt.timedelta(days=60), decided_at=moment, stage_changed_at=moment
    )
    Deadline.objects.filter(case=case, met_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=moment
    )
