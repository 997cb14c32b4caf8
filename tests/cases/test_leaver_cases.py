"""A leaver's cases go back (issue 20, item 4): closing an account ends its assignments in the
same transaction, each case waits for a new handler on a deadline, oversight is emailed, and
every ended assignment is ledgered. The deactivation itself is accounts' act; this side listens
to ``account_deactivated``, sent here as the deactivation sends it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from redress.accounts import leaving
from redress.accounts.models import Role
from redress.accounts.signals import account_deactivated
from redress.cases import actions, policy
from redress.cases.access import assigned_cases
from redress.cases.models import Assignment, AssignmentEnd, AssignmentRole, DeadlineKind, Stage
from redress.ledger.models import Entry
from tests.cases.helpers import new_case, team
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def _deactivate(user: Any, actor: Any) -> None:
    with transaction.atomic():
        user.is_active = False
        user.deactivated_at = timezone.now()
        user.save(update_fields=["is_active", "deactivated_at"])
        account_deactivated.send(sender=type(user), user=user, actor=actor)


def test_a_leavers_assignments_end_and_their_cases_wait_for_a_new_handler(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    people = team()
    first, second = new_case(people), new_case(people)
    leaver = people[AssignmentRole.CASEWORKER]
    admin = make_staff("gwen", Role.ADMINISTRATOR, totp=False, password=None)
    watcher = make_staff("olwen", Role.OVERSIGHT, totp=False, password=None)
    watcher.email = "oversight@example.org"
    watcher.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True):
        _deactivate(leaver, admin)

    for case in (first, second):
        ended = Assignment.objects.get(case=case, user=leaver)
        assert ended.ended_at is not None
        assert ended.end_reason == AssignmentEnd.ACCOUNT_CLOSED
        item = case.deadlines.get(kind=DeadlineKind.REASSIGN, met_at__isnull=True)
        assert item.subject == "role:caseworker"
        assert item.due_on == policy.current().due(timezone.localdate(), 2)
        # The other handlers stay.
        assert case in assigned_cases(people[AssignmentRole.INVESTIGATOR])
    ledgered = Entry.objects.filter(action="case.unassigned", actor=f"user:{admin.pk}")
    assert {e.object for e in ledgered} == {f"case:{first.reference}", f"case:{second.reference}"}
    sent = [m for m in mail.outbox if "oversight@example.org" in m.to]
    assert len(sent) == 1
    assert "2 cases" in sent[0].body


def test_a_deactivation_that_rolls_back_ends_nothing() -> None:
    people = team()
    case = new_case(people)
    leaver = people[AssignmentRole.INVESTIGATOR]

    def deactivation_that_fails() -> None:
        with transaction.atomic():
            account_deactivated.send(sender=type(leaver), user=leaver, actor="system:test")
            raise RuntimeError("the deactivation failed")

    with pytest.raises(RuntimeError):
        deactivation_that_fails()
    assert Assignment.objects.get(case=case, user=leaver).ended_at is None
    assert not case.deadlines.filter(kind=DeadlineKind.REASSIGN).exists()


def test_a_closed_case_needs_no_reassigning_and_oversight_hears_only_of_open_ones(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    watcher = make_staff("olwen", Role.OVERSIGHT, totp=False, password=None)
    watcher.email = "oversight@example.org"
    watcher.save(update_fields=["email"])
    people = team()
    case = new_case(people)
    case.stage = Stage.CLOSED
    case.decision = "not_upheld"
    case.save(update_fields=["stage", "decision"])
    leaver = people[AssignmentRole.DECISION_MAKER]
    with django_capture_on_commit_callbacks(execute=True):
        _deactivate(leaver, "system:test")
    assert Assignment.objects.get(case=case, user=leaver).ended_at is not None
    assert not case.deadlines.filter(kind=DeadlineKind.REASSIGN).exists()
    assert not mail.outbox


def test_a_new_handler_meets_the_reassign_item() -> None:
    people = team()
    case = new_case(people)
    _deactivate(people[AssignmentRole.INVESTIGATOR], "system:test")
    newcomer = make_staff("ivy", Role.INVESTIGATOR, totp=False, password=None)
    actions.assign(
        case, newcomer, AssignmentRole.INVESTIGATOR, actor=people[AssignmentRole.CASEWORKER]
    )
    assert case.deadlines.get(kind=DeadlineKind.REASSIGN).met_at is not None


def test_closing_the_account_on_the_console_side_returns_its_cases(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """End to end through ``accounts.leaving.deactivate``, which sends the signal."""
    people = team()
    case = new_case(people)
    leaver = people[AssignmentRole.CASEWORKER]
    admin = make_staff("gwen", Role.ADMINISTRATOR, totp=False, password=None)
    with django_capture_on_commit_callbacks(execute=True):
        leaving.deactivate(leaver, actor=admin, reason="Left the organisation.")
    ended = Assignment.objects.get(case=case, user=leaver)
    assert ended.end_reason == AssignmentEnd.ACCOUNT_CLOSED
    assert case.deadlines.filter(kind=DeadlineKind.REASSIGN, met_at__isnull=True).exists()
    assert Entry.objects.filter(
        action="case.unassigned", actor=f"user:{admin.pk}", object=f"case:{case.reference}"
    ).exists()
