"""Shared makers for case-handling tests: a team of handlers and a case they are assigned to."""

from __future__ import annotations

import itertools

from redress.accounts.models import Role, User
from redress.cases import actions
from redress.cases.models import AssignmentRole, Case, Category, Identity
from redress.directory.models import Person
from tests.factories import make_staff

_names = itertools.count()

ROLE_OF = {
    AssignmentRole.CASEWORKER: Role.CASEWORKER,
    AssignmentRole.INVESTIGATOR: Role.INVESTIGATOR,
    AssignmentRole.DECISION_MAKER: Role.DECISION_MAKER,
    AssignmentRole.APPEALS_PANEL: Role.APPEALS_PANEL,
}


def handler(role: AssignmentRole, name: str | None = None) -> User:
    return make_staff(name or f"{role}-{next(_names)}", ROLE_OF[role], totp=False, password=None)


def team() -> dict[AssignmentRole, User]:
    return {role: handler(role) for role in AssignmentRole}


def new_case(
    people: dict[AssignmentRole, User] | None = None,
    *,
    respondent: Person | None = None,
    narrative: str = "It kept happening.",
) -> Case:
    case = actions.receive(
        category=Category.BULLYING,
        identity=Identity.NAMED,
        narrative=narrative,
        respondent=respondent,
    )
    for role, person in (people or {}).items():
        actions.assign(case, person, role, actor="system:test")
    return case
