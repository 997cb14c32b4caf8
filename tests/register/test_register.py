"""The sanctions register (issue 6): an outcome is recorded, and changed in place when the
sanction changes; an overturned finding leaves the register at once; the ledger keeps the
history without naming the person or what was found."""

from __future__ import annotations

import datetime as dt

import pytest

from redress.accounts.models import Role
from redress.cases import actions
from redress.cases.models import AppealOutcome, AssignmentRole, Decision, Source, Stage
from redress.directory.models import Person
from redress.ledger.append import digest_of, keyed_digest_of
from redress.ledger.models import Entry
from redress.register.actions import live_findings, record_outcome
from redress.register.models import RegisterEntry
from redress.vetting.actions import run_check
from tests.factories import make_staff
from tests.register.helpers import upheld_case

pytestmark = pytest.mark.django_db


def test_an_overturned_finding_leaves_the_register_at_once(member: Person) -> None:
    case, people = upheld_case(member)
    case = actions.transition(
        case, Stage.APPEAL_WINDOW, actor=people[AssignmentRole.DECISION_MAKER], reasons="Told."
    )
    actions.lodge_appeal(case, "The witness was mistaken.", by=Source.RESPONDENT)
    actions.decide_appeal(
        case,
        actor=people[AssignmentRole.APPEALS_PANEL],
        outcome=AppealOutcome.ALLOWED,
        reasons="New evidence.",
        decision=Decision.NOT_UPHELD,
    )
    assert live_findings(member) == []
    officer = make_staff("vet", Role.VETTING_OFFICER, totp=False, password=None)
    check = run_check(
        subject=member, purpose="Committee chair", requesting_body="Party", actor=officer
    )
    assert check.result["nothing_recorded"] is True
    # The ledger keeps the history: recorded, then withdrawn.
    entry = RegisterEntry.objects.get()
    on_entry = Entry.objects.filter(object=f"register:{entry.pk}")
    assert list(on_entry.values_list("action", flat=True)) == [
        "register.recorded",
        "register.withdrawn",
    ]
    assert entry.withdrawn_at is not None


def test_the_ledger_names_neither_the_person_nor_what_was_found(member: Person) -> None:
    """Oversight reads the ledger: it must not tell who has a finding or what it was, even by
    trying every decision, sanction and date against a plain hash."""
    upheld_case(member)
    officer = make_staff("vet", Role.VETTING_OFFICER, totp=False, password=None)
    run_check(subject=member, purpose="Committee chair", requesting_body="Party", actor=officer)
    entry = RegisterEntry.objects.get()
    assert not Entry.objects.filter(object__contains=member.identifier).exists()
    recorded = Entry.objects.get(action="register.recorded")
    content = (
        f"{entry.case_reference}|{entry.category}|{entry.decision}|{entry.sanction}|"
        f"{entry.decided_on}|{entry.sanction_starts_on}|3|{entry.sanction_ends_on}|"
    )
    assert recorded.digest != digest_of(content)
    assert recorded.digest == keyed_digest_of("register", content)


def test_record_outcome_changes_in_place_for_a_changed_sanction(member: Person) -> None:
    first = record_outcome(
        person=member,
        case_reference="R-1",
        category="bullying",
        decision="upheld",
        sanction="training",
        decided_on=dt.date(2026, 1, 5),
        actor="t",
    )
    second = record_outcome(
        person=member,
        case_reference="R-1",
        category="bullying",
        decision="partly_upheld",
        sanction="apology",
        decided_on=dt.date(2026, 2, 5),
        actor="t",
    )
    assert first is not None
    assert second is not None
    assert first.pk == second.pk
    assert RegisterEntry.objects.count() == 1
    assert second.expires_on == dt.date(2031, 2, 5)
