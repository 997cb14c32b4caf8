"""A member of the scheme, and a complaint about them upheld through the whole workflow, so
that a finding is on the sanctions register. The register's tests and vetting's use both."""

from __future__ import annotations

from django.utils import timezone

from redress.cases import actions
from redress.cases.models import (
    AssignmentRole,
    Case,
    Category,
    Decision,
    Identity,
    Sanction,
    Stage,
)
from redress.cases.sanctions import Terms
from redress.directory.models import Person, PersonKind
from tests.cases.helpers import team

SECRET = "The member followed her into the stairwell"


def make_member() -> Person:
    return Person.objects.create(
        identifier="M-42", name="Rowan Member", kind=PersonKind.MEMBER, email="rowan@example.org"
    )


def upheld_case(member: Person) -> tuple[Case, dict]:  # type: ignore[type-arg]
    people = team()
    case = actions.receive(
        category=Category.HARASSMENT, identity=Identity.NAMED, narrative=SECRET, respondent=member
    )
    for role, person in people.items():
        actions.assign(case, person, role, actor="system:test")
    road = [
        (Stage.ACKNOWLEDGED, AssignmentRole.CASEWORKER),
        (Stage.ASSESSED, AssignmentRole.CASEWORKER),
        (Stage.INVESTIGATION, AssignmentRole.CASEWORKER),
        (Stage.FINDINGS, AssignmentRole.INVESTIGATOR),
    ]
    for stage, role in road:
        case = actions.transition(case, stage, actor=people[role], reasons="Next.")
    case = actions.transition(
        case,
        Stage.DECISION,
        actor=people[AssignmentRole.DECISION_MAKER],
        reasons="Proved.",
        decision=Decision.UPHELD,
        sanction=Sanction.SUSPENSION,
        terms=Terms(starts_on=timezone.localdate(), months=3),
    )
    return case, people
