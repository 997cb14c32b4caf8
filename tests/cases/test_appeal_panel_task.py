"""Assigning the appeals panel (issue 19): a lodged appeal gives the caseworker a deadline to
find the panel, met when a panel member is assigned; a case that already has one gets none."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from redress.accounts.models import User
from redress.cases import actions
from redress.cases.deadlines import add_working_days
from redress.cases.models import (
    AssignmentRole,
    Case,
    Deadline,
    DeadlineKind,
    Decision,
    Sanction,
    Source,
    Stage,
)
from tests.cases.helpers import handler, new_case, team

pytestmark = pytest.mark.django_db

LODGED = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)  # a Wednesday


def in_appeal_window(people: dict[AssignmentRole, User]) -> Case:
    with time_machine.travel(LODGED - dt.timedelta(days=7)):
        case = new_case(people)
        road = [
            (Stage.ACKNOWLEDGED, AssignmentRole.CASEWORKER, None),
            (Stage.ASSESSED, AssignmentRole.CASEWORKER, None),
            (Stage.INVESTIGATION, AssignmentRole.CASEWORKER, None),
            (Stage.FINDINGS, AssignmentRole.INVESTIGATOR, None),
            (Stage.DECISION, AssignmentRole.DECISION_MAKER, Decision.NOT_UPHELD),
            (Stage.APPEAL_WINDOW, AssignmentRole.DECISION_MAKER, None),
        ]
        for stage, role, decision in road:
            case = actions.transition(
                case,
                stage,
                actor=people[role],
                reasons="Next.",
                decision=decision,
                sanction=Sanction.NONE if decision else None,
            )
    return case


def panel_task(case: Case) -> Deadline | None:
    return Deadline.objects.filter(case=case, kind=DeadlineKind.ASSIGN_APPEALS_PANEL).first()


def test_a_lodged_appeal_asks_the_caseworker_to_assign_the_panel_until_one_is() -> None:
    people = team()
    panel = people.pop(AssignmentRole.APPEALS_PANEL)
    case = in_appeal_window(people)
    with time_machine.travel(LODGED):
        actions.lodge_appeal(case, "The decision was wrong.", by=Source.COMPLAINANT)
    task = panel_task(case)
    assert task is not None
    assert task.is_open
    assert task.owner_role == AssignmentRole.CASEWORKER
    assert task.get_kind_display() == "Assign the appeals panel"
    assert task.due_on == add_working_days(dt.date(2026, 11, 25), 3, "england")
    with time_machine.travel(LODGED + dt.timedelta(days=1)):
        actions.assign(
            case, panel, AssignmentRole.APPEALS_PANEL, actor=people[AssignmentRole.CASEWORKER]
        )
    task.refresh_from_db()
    assert task.met_at is not None


def test_assigning_another_role_does_not_meet_it() -> None:
    people = team()
    people.pop(AssignmentRole.APPEALS_PANEL)
    case = in_appeal_window(people)
    actions.lodge_appeal(case, "The decision was wrong.", by=Source.COMPLAINANT)
    actions.assign(
        case,
        handler(AssignmentRole.INVESTIGATOR),
        AssignmentRole.INVESTIGATOR,
        actor=people[AssignmentRole.CASEWORKER],
    )
    task = panel_task(case)
    assert task is not None
    assert task.is_open


def test_no_task_when_the_panel_is_already_on_the_case() -> None:
    case = in_appeal_window(team())
    actions.lodge_appeal(case, "The decision was wrong.", by=Source.RESPONDENT)
    assert panel_task(case) is None
