"""The lifecycle state machine: random sequences of attempted moves never reach an illegal
state, every closed case has a decision and reasons, every move is ledgered, the ledger verifies.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redress.accounts.models import Role, User
from redress.cases import actions, lifecycle
from redress.cases.actions import IllegalTransition
from redress.cases.models import AssignmentRole, Case, Category, Decision, Identity, Stage
from redress.ledger.models import Entry
from redress.ledger.services import verify
from tests.factories import make_staff

pytestmark = pytest.mark.django_db
_names = itertools.count()


def team() -> dict[AssignmentRole, User]:
    n = next(_names)
    return {
        AssignmentRole.CASEWORKER: make_staff(f"cw{n}", Role.CASEWORKER, totp=False, password=None),
        AssignmentRole.INVESTIGATOR: make_staff(
            f"inv{n}", Role.INVESTIGATOR, totp=False, password=None
        ),
        AssignmentRole.DECISION_MAKER: make_staff(
            f"dm{n}", Role.DECISION_MAKER, totp=False, password=None
        ),
    }


def new_case(people: dict[AssignmentRole, User]) -> Case:
    case = actions.receive(
        category=Category.BULLYING, identity=Identity.NAMED, narrative="It kept happening."
    )
    for role, person in people.items():
        actions.assign(case, person, role, actor="system:test")
    return case


REACHABLE = {Stage.RECEIVED} | {m.to for moves in lifecycle.MOVES.values() for m in moves}

attempts = st.lists(
    st.tuples(
        st.sampled_from(list(Stage)),
        st.sampled_from(list(AssignmentRole)[:3]),
        st.none() | st.sampled_from(list(Decision)),
        st.sampled_from(["", "Reasons given in full."]),
    ),
    max_size=14,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attempts)
def test_no_sequence_of_attempts_reaches_an_illegal_state(
    steps: list[tuple[Stage, AssignmentRole, Decision | None, str]],
) -> None:
    people = team()
    case = new_case(people)
    path = [Stage.RECEIVED]
    for to, role, decision, reasons in steps:
        before = Entry.objects.count()
        try:
            case = actions.transition(
                case, to, actor=people[role], reasons=reasons, decision=decision
            )
        except IllegalTransition:
            assert Entry.objects.count() == before  # a refusal leaves no trace but itself
            case.refresh_from_db()
            continue
        assert lifecycle.move(path[-1], to) is not None
        path.append(to)
        assert Entry.objects.count() == before + 1
    case.refresh_from_db()
    assert case.stage in REACHABLE
    assert case.stage == path[-1]
    if case.stage == Stage.CLOSED:
        assert case.decision
        assert case.decision_reasons
    moves = Entry.objects.filter(action="case.stage_changed", object=f"case:{case.reference}")
    assert moves.count() == len(path) - 1


def test_the_full_road_to_closed() -> None:
    people = team()
    case = new_case(people)
    road = [
        (Stage.ACKNOWLEDGED, AssignmentRole.CASEWORKER, None),
        (Stage.ASSESSED, AssignmentRole.CASEWORKER, None),
        (Stage.INVESTIGATION, AssignmentRole.CASEWORKER, None),
        (Stage.FINDINGS, AssignmentRole.INVESTIGATOR, None),
        (Stage.DECISION, AssignmentRole.DECISION_MAKER, Decision.UPHELD),
        (Stage.APPEAL_WINDOW, AssignmentRole.DECISION_MAKER, None),
        (Stage.CLOSED, AssignmentRole.CASEWORKER, None),
    ]
    for to, role, decision in road:
        case = actions.transition(case, to, actor=people[role], reasons="Done.", decision=decision)
    assert case.stage == Stage.CLOSED
    assert case.decision == Decision.UPHELD
    assert verify().ok


def test_illegal_moves_say_why() -> None:
    people = team()
    case = new_case(people)
    with pytest.raises(IllegalTransition, match="cannot move to"):
        actions.transition(case, Stage.CLOSED, actor=people[AssignmentRole.CASEWORKER], reasons="x")
    with pytest.raises(IllegalTransition, match="Only the case's assigned caseworker"):
        actions.transition(
            case, Stage.ACKNOWLEDGED, actor=people[AssignmentRole.INVESTIGATOR], reasons="x"
        )
    with pytest.raises(IllegalTransition, match="reasons"):
        actions.transition(
            case, Stage.ACKNOWLEDGED, actor=people[AssignmentRole.CASEWORKER], reasons=" "
        )


def test_the_database_refuses_a_closed_case_without_a_decision() -> None:
    from django.db import IntegrityError, transaction

    case = new_case(team())
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSED)
