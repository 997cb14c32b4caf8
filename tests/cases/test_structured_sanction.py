"""A sanction's terms (issue 19): the decision refuses terms that do not fit the sanction and
stores nothing when it does; the register entry carries the terms; an appeal that varies them
changes the entry in place, one that overturns the finding withdraws it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection

from redress.accounts.models import User
from redress.cases import actions
from redress.cases.actions import CaseError
from redress.cases.models import (
    AppealOutcome,
    AssignmentRole,
    Case,
    Decision,
    Sanction,
    Source,
    Stage,
)
from redress.cases.sanctions import Terms
from redress.directory.models import Person
from redress.ledger.models import Entry
from redress.register.models import RegisterEntry
from tests.cases.helpers import new_case, team
from tests.register.helpers import make_member

pytestmark = pytest.mark.django_db

DECIDED = dt.datetime(2027, 1, 4, 10, 0, tzinfo=dt.UTC)
THREE_MONTHS = Terms(starts_on=dt.date(2027, 1, 4), months=3, conditions="No access to the gym.")


def at_findings(member: Person) -> tuple[Case, dict[AssignmentRole, User]]:
    people = team()
    with time_machine.travel(DECIDED - dt.timedelta(days=60)):
        case = new_case(people, respondent=member)
        for stage, role in [
            (Stage.ACKNOWLEDGED, AssignmentRole.CASEWORKER),
            (Stage.ASSESSED, AssignmentRole.CASEWORKER),
            (Stage.INVESTIGATION, AssignmentRole.CASEWORKER),
            (Stage.FINDINGS, AssignmentRole.INVESTIGATOR),
        ]:
            case = actions.transition(case, stage, actor=people[role], reasons="Next.")
    return case, people


def decide(
    case: Case, people: dict[AssignmentRole, User], sanction: Sanction, terms: Terms
) -> Case:
    with time_machine.travel(DECIDED):
        return actions.transition(
            case,
            Stage.DECISION,
            actor=people[AssignmentRole.DECISION_MAKER],
            reasons="Proved.",
            decision=Decision.UPHELD,
            sanction=sanction,
            terms=terms,
        )


@pytest.mark.parametrize(
    ("sanction", "terms", "refusal"),
    [
        (Sanction.SUSPENSION, Terms(starts_on=dt.date(2027, 1, 4)), "how many months"),
        (Sanction.SUSPENSION, Terms(months=3), "how many months"),
        (Sanction.SUSPENSION, Terms(starts_on=dt.date(2027, 1, 4), months=0), "between 1 and"),
        (Sanction.SUSPENSION, Terms(starts_on=dt.date(2026, 1, 4), months=3), "before the"),
        (Sanction.SUSPENSION, Terms(starts_on=dt.date(2029, 1, 4), months=3), "within a year"),
        (Sanction.RESTRICTED_ACCESS, Terms(dt.date(2027, 1, 4), 3), "conditions"),
        (Sanction.APOLOGY, Terms(starts_on=dt.date(2027, 1, 4)), "no start date"),
        (Sanction.DISMISSAL, Terms(dt.date(2027, 1, 4), 3), "no length"),
        (Sanction.TRAINING, Terms(months=3), "as well as its length"),
        (Sanction.NONE, Terms(conditions="Be kind."), "has no start date"),
        (Sanction.OTHER, Terms(conditions="x" * 501), "500 characters or fewer"),
    ],
)
def test_terms_that_do_not_fit_are_refused_and_nothing_is_stored(
    sanction: Sanction, terms: Terms, refusal: str
) -> None:
    member = make_member()
    case, people = at_findings(member)
    with pytest.raises(CaseError, match=refusal):
        decide(case, people, sanction, terms)
    case.refresh_from_db()
    assert (case.stage, case.decision, case.sanction) == (Stage.FINDINGS, "", "")
    assert case.sanction_starts_on is None
    assert case.sanction_conditions is None
    assert not RegisterEntry.objects.exists()


def test_a_finding_not_upheld_takes_no_terms() -> None:
    member = make_member()
    case, people = at_findings(member)
    with (
        pytest.raises(CaseError, match="only a finding that is upheld"),
        time_machine.travel(DECIDED),
    ):
        actions.transition(
            case,
            Stage.DECISION,
            actor=people[AssignmentRole.DECISION_MAKER],
            reasons="Not proved.",
            decision=Decision.NOT_UPHELD,
            sanction=Sanction.NONE,
            terms=Terms(starts_on=dt.date(2027, 1, 4), months=1),
        )
    assert Case.objects.get(pk=case.pk).stage == Stage.FINDINGS


def test_the_register_entry_carries_the_terms_and_the_case_seals_the_conditions() -> None:
    member = make_member()
    case, people = at_findings(member)
    case = decide(case, people, Sanction.SUSPENSION, THREE_MONTHS)
    assert (case.sanction_starts_on, case.sanction_months, case.sanction_ends_on) == (
        dt.date(2027, 1, 4),
        3,
        dt.date(2027, 4, 3),
    )
    entry = RegisterEntry.objects.get(case_reference=case.reference)
    assert (entry.sanction, entry.sanction_starts_on, entry.sanction_ends_on) == (
        "suspension",
        dt.date(2027, 1, 4),
        dt.date(2027, 4, 3),
    )
    assert entry.sanction_months == 3
    assert entry.sanction_conditions == "No access to the gym."
    # On the case the conditions are sealed with its key: the database never holds the words.
    with connection.cursor() as cursor:
        cursor.execute("SELECT sanction_conditions FROM cases_case WHERE id = %s", [case.pk])
        (stored,) = cursor.fetchone()
    assert b"gym" not in bytes(stored)
    assert Case.objects.get(pk=case.pk).sanction_conditions == "No access to the gym."


def under_appeal(member: Person) -> tuple[Case, dict[AssignmentRole, User]]:
    case, people = at_findings(member)
    case = decide(case, people, Sanction.SUSPENSION, THREE_MONTHS)
    with time_machine.travel(DECIDED):
        case = actions.transition(
            case, Stage.APPEAL_WINDOW, actor=people[AssignmentRole.DECISION_MAKER], reasons="Told."
        )
        actions.lodge_appeal(case, "Too harsh.", by=Source.RESPONDENT)
    return case, people


def test_an_appeal_that_varies_the_terms_changes_the_entry_in_place() -> None:
    member = make_member()
    case, people = under_appeal(member)
    before = RegisterEntry.objects.get()
    with time_machine.travel(DECIDED + dt.timedelta(days=20)):
        actions.decide_appeal(
            case,
            actor=people[AssignmentRole.APPEALS_PANEL],
            outcome=AppealOutcome.ALLOWED,
            reasons="One month is enough.",
            decision=Decision.UPHELD,
            sanction=Sanction.SUSPENSION,
            terms=Terms(starts_on=dt.date(2027, 1, 4), months=1),
        )
    entry = RegisterEntry.objects.get()
    assert entry.pk == before.pk
    assert entry.withdrawn_at is None
    assert (entry.sanction_months, entry.sanction_ends_on) == (1, dt.date(2027, 2, 3))
    assert entry.sanction_conditions == ""
    assert Entry.objects.filter(action="register.changed", object=f"register:{entry.pk}").exists()


def test_an_appeal_allowed_without_any_change_is_refused() -> None:
    member = make_member()
    case, people = under_appeal(member)
    with pytest.raises(CaseError, match="must change the decision"):
        actions.decide_appeal(
            case,
            actor=people[AssignmentRole.APPEALS_PANEL],
            outcome=AppealOutcome.ALLOWED,
            reasons="Same again.",
            decision=Decision.UPHELD,
            sanction=Sanction.SUSPENSION,
            terms=THREE_MONTHS,
        )
    assert Case.objects.get(pk=case.pk).stage == Stage.APPEAL


def test_an_appeal_that_overturns_the_finding_withdraws_the_entry() -> None:
    member = make_member()
    case, people = under_appeal(member)
    actions.decide_appeal(
        case,
        actor=people[AssignmentRole.APPEALS_PANEL],
        outcome=AppealOutcome.ALLOWED,
        reasons="Not proved after all.",
        decision=Decision.NOT_UPHELD,
    )
    entry = RegisterEntry.objects.get()
    assert entry.withdrawn_at is not None
    assert entry.withdrawn_because == "overturned"
    closed = Case.objects.get(pk=case.pk)
    assert (closed.sanction, closed.sanction_starts_on, closed.sanction_conditions) == (
        "",
        None,
        None,
    )
