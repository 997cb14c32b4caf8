"""The lifecycle state machine under random sequences of acts and clock moves: no sequence
reaches an illegal state, every closed case has a decision and reasons, every transition is in
the ledger, deadlines follow the case, and the ledger verifies."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redress.cases import actions, lifecycle
from redress.cases.actions import CaseError, IllegalTransition
from redress.cases.models import (
    AssignmentRole,
    Case,
    Deadline,
    DeadlineKind,
    Decision,
    Sanction,
    Stage,
)
from redress.cases.sweep import sweep
from redress.ledger.models import Entry
from redress.ledger.verification import verify
from tests.cases.helpers import new_case, team

pytestmark = pytest.mark.django_db

REACHABLE = {Stage.RECEIVED} | {m.to for moves in lifecycle.MOVES.values() for m in moves}
START = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)

moves = st.tuples(
    st.just("move"),
    st.sampled_from(list(Stage)),
    st.sampled_from(list(AssignmentRole)),
    st.none() | st.sampled_from(list(Decision)),
    st.none() | st.sampled_from(list(Sanction)),
    st.sampled_from(["", "Reasons given in full."]),
)
clock = st.tuples(st.just("clock"), st.integers(min_value=1, max_value=30))
hold = st.tuples(st.sampled_from(["hold", "resume", "sweep"]))
acts = st.lists(st.one_of(moves, moves, moves, clock, hold), max_size=18)


def _open_kinds(case: Case) -> set[str]:
    return set(
        Deadline.objects.filter(
            case=case, met_at__isnull=True, cancelled_at__isnull=True
        ).values_list("kind", flat=True)
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(acts)
def test_no_sequence_of_acts_reaches_an_illegal_state(steps: list[tuple]) -> None:  # type: ignore[type-arg]
    with time_machine.travel(START, tick=False) as traveller:
        people = team()
        case = new_case(people)
        path = [Stage.RECEIVED]
        for step in steps:
            before = Entry.objects.count()
            if step[0] == "clock":
                traveller.shift(dt.timedelta(days=step[1]))
                continue
            if step[0] == "sweep":
                sweep()
                continue
            if step[0] in ("hold", "resume"):
                act = actions.put_on_hold if step[0] == "hold" else actions.resume
                keyword = "reason" if step[0] == "hold" else "reasons"
                try:
                    act(case, actor=people[AssignmentRole.CASEWORKER], **{keyword: "Police."})
                except CaseError:
                    assert Entry.objects.count() == before
                continue
            _, to, role, decision, sanction, reasons = step
            try:
                case = actions.transition(
                    case,
                    to,
                    actor=people[role],
                    reasons=reasons,
                    decision=decision,
                    sanction=sanction,
                )
            except IllegalTransition:
                assert Entry.objects.count() == before  # a refusal leaves no trace
                case.refresh_from_db()
                continue
            assert lifecycle.move(path[-1], to) is not None
            path.append(to)
            assert Entry.objects.count() == before + 1
            case.refresh_from_db()
            # Every open item's clock runs unless the case is on hold.
            paused = Deadline.objects.filter(case=case, paused_remaining__isnull=False)
            if case.held_since is None:
                assert not paused.exists()
        case.refresh_from_db()
        assert case.stage in REACHABLE
        assert case.stage == path[-1]
        if case.stage == Stage.CLOSED:
            assert case.decision
            assert case.decision_reasons
            assert _open_kinds(case) == set()
        if case.stage in (Stage.DECISION, Stage.APPEAL_WINDOW, Stage.CLOSED):
            assert case.decision in {Decision.UPHELD, Decision.PARTLY_UPHELD, Decision.NOT_UPHELD}
        changes = Entry.objects.filter(action="case.stage_changed", object=f"case:{case.reference}")
        assert changes.count() == len(path) - 1
        assert verify().ok


ROAD = [
    (Stage.ACKNOWLEDGED, AssignmentRole.CASEWORKER, None, None),
    (Stage.ASSESSED, AssignmentRole.CASEWORKER, None, None),
    (Stage.INVESTIGATION, AssignmentRole.CASEWORKER, None, None),
    (Stage.FINDINGS, AssignmentRole.INVESTIGATOR, None, None),
    (Stage.DECISION, AssignmentRole.DECISION_MAKER, Decision.NOT_UPHELD, None),
    (Stage.APPEAL_WINDOW, AssignmentRole.DECISION_MAKER, None, None),
]


def test_the_full_road_with_its_deadlines() -> None:
    with time_machine.travel(START, tick=False) as traveller:
        people = team()
        case = new_case(people)
        assert _open_kinds(case) == {DeadlineKind.ACKNOWLEDGE, DeadlineKind.ASSESS}
        seen = []
        for to, role, decision, sanction in ROAD:
            case = actions.transition(
                case, to, actor=people[role], reasons="Done.", decision=decision, sanction=sanction
            )
            seen.append(_open_kinds(case))
        assert seen[0] == {
            DeadlineKind.ASSESS,
            DeadlineKind.FEEDBACK,
            DeadlineKind.SUBSTANTIVE_ANSWER,
        }
        assert DeadlineKind.INVESTIGATION in seen[2]
        assert seen[3] >= {DeadlineKind.DECIDE}
        assert seen[-1] == {DeadlineKind.APPEAL_WINDOW}
        caseworker = people[AssignmentRole.CASEWORKER]
        with pytest.raises(IllegalTransition, match="appeal window runs until"):
            actions.transition(case, Stage.CLOSED, actor=caseworker, reasons="Done.")
        traveller.shift(dt.timedelta(days=40))
        case = actions.transition(case, Stage.CLOSED, actor=caseworker, reasons="No appeal.")
        assert case.stage == Stage.CLOSED
        assert _open_kinds(case) == set()
        met = Deadline.objects.filter(case=case, met_at__isnull=False).values_list(
            "kind", flat=True
        )
        assert set(met) >= {
            DeadlineKind.ACKNOWLEDGE,
            DeadlineKind.ASSESS,
            DeadlineKind.INVESTIGATION,
            DeadlineKind.DECIDE,
            DeadlineKind.SUBSTANTIVE_ANSWER,
            DeadlineKind.APPEAL_WINDOW,
        }
        assert verify().ok


def test_illegal_moves_say_why() -> None:
    people = team()
    case = new_case(people)
    caseworker = people[AssignmentRole.CASEWORKER]
    with pytest.raises(IllegalTransition, match="cannot move to"):
        actions.transition(case, Stage.CLOSED, actor=caseworker, reasons="x")
    with pytest.raises(IllegalTransition, match="Only the case's assigned caseworker"):
        actions.transition(
            case, Stage.ACKNOWLEDGED, actor=people[AssignmentRole.INVESTIGATOR], reasons="x"
        )
    with pytest.raises(IllegalTransition, match="reasons"):
        actions.transition(case, Stage.ACKNOWLEDGED, actor=caseworker, reasons=" ")


def test_an_upheld_decision_needs_a_sanction_even_if_none() -> None:
    people = team()
    case = new_case(people)
    for to, role, _decision, _sanction in ROAD[:4]:
        case = actions.transition(case, to, actor=people[role], reasons="Done.")
    maker = people[AssignmentRole.DECISION_MAKER]
    with pytest.raises(IllegalTransition, match="sanction"):
        actions.transition(
            case, Stage.DECISION, actor=maker, reasons="Found.", decision=Decision.UPHELD
        )
    case = actions.transition(
        case,
        Stage.DECISION,
        actor=maker,
        reasons="Found.",
        decision=Decision.UPHELD,
        sanction=Sanction.NONE,
    )
    assert case.sanction == Sanction.NONE


def test_nothing_moves_while_the_case_is_on_hold_and_the_clock_stops() -> None:
    with time_machine.travel(START, tick=False) as traveller:
        people = team()
        case = new_case(people)
        caseworker = people[AssignmentRole.CASEWORKER]
        ack = Deadline.objects.get(case=case, kind=DeadlineKind.ACKNOWLEDGE)
        with pytest.raises(CaseError, match="reason"):
            actions.put_on_hold(case, actor=caseworker, reason="")
        actions.put_on_hold(case, actor=caseworker, reason="A police investigation is under way.")
        ack.refresh_from_db()
        assert ack.paused_remaining == 5
        review = Deadline.objects.get(case=case, kind=DeadlineKind.HOLD_REVIEW)
        assert review.paused_remaining is None
        with pytest.raises(IllegalTransition, match="on hold"):
            actions.transition(case, Stage.ACKNOWLEDGED, actor=caseworker, reasons="Done.")
        traveller.shift(dt.timedelta(days=60))
        assert sweep().overdue == 1  # only the hold's own review, never the paused items
        actions.resume(case, actor=caseworker, reasons="The police finished.")
        ack.refresh_from_db()
        assert ack.paused_remaining is None
        assert ack.overdue_at is None
        assert ack.due_on > (START + dt.timedelta(days=60)).date()


def test_a_refused_act_on_a_hold_leaves_no_record_and_no_ledger_entry() -> None:
    people = team()
    case = new_case(people)
    caseworker = people[AssignmentRole.CASEWORKER]
    entries, records = Entry.objects.count(), case.records.count()
    with pytest.raises(CaseError, match="not on hold"):
        actions.resume(case, actor=caseworker, reasons="Nothing to resume.")
    with pytest.raises(CaseError, match="not on hold"):
        actions.review_hold(case, actor=caseworker, notes="Reviewed.")
    actions.put_on_hold(case, actor=caseworker, reason="A police investigation is under way.")
    with pytest.raises(CaseError, match="already on hold"):
        actions.put_on_hold(case, actor=caseworker, reason="Again.")
    assert Entry.objects.count() == entries + 1
    assert case.records.count() == records + 1
    assert Entry.objects.filter(action="case.held").count() == 1


def test_the_database_refuses_a_closed_case_without_a_decision() -> None:
    case = new_case(team())
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSED)


def test_no_sanction_follows_a_finding_that_is_not_upheld() -> None:
    people = team()
    case = new_case(people)
    for to, role, _decision, _sanction in ROAD[:4]:
        case = actions.transition(case, to, actor=people[role], reasons="Done.")
    maker = people[AssignmentRole.DECISION_MAKER]
    with pytest.raises(IllegalTransition, match="only a finding that is upheld"):
        actions.transition(
            case,
            Stage.DECISION,
            actor=maker,
            reasons="Weighed.",
            decision=Decision.NOT_UPHELD,
            sanction=Sanction.DISMISSAL,
        )
    case.refresh_from_db()
    assert case.decision == ""
    case = actions.transition(
        case,
        Stage.DECISION,
        actor=maker,
        reasons="Weighed.",
        decision=Decision.NOT_UPHELD,
        sanction=Sanction.NONE,
    )
    assert case.decision == Decision.NOT_UPHELD
    assert case.sanction == ""
