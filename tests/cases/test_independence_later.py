"""Independence after assignment: a conflict declared later, or a role taken away, ends access."""

from __future__ import annotations

import pytest
from django.utils import timezone

from redress.accounts.models import RoleGrant
from redress.cases import actions
from redress.cases.access import assigned_cases
from redress.cases.actions import CaseError
from redress.cases.models import Assignment, AssignmentRole, RecordKind
from redress.directory.models import Person, PersonKind
from redress.ledger.models import Entry
from tests.cases.helpers import new_case, team

pytestmark = pytest.mark.django_db


@pytest.fixture
def respondent() -> Person:
    return Person.objects.create(identifier="M-77", name="Morgan Member", kind=PersonKind.MEMBER)


def test_declaring_a_conflict_takes_the_handler_off_the_cases_it_touches(
    respondent: Person,
) -> None:
    people = team()
    case = new_case(people, respondent=respondent)
    other = new_case(people)  # someone else's case: the declaration does not touch it
    investigator = people[AssignmentRole.INVESTIGATOR]
    actions.declare_conflict(investigator, person=respondent, reason="He is my brother.")
    assert list(assigned_cases(investigator)) == [other]
    assert not Assignment.objects.filter(case=case, user=investigator, ended_at__isnull=True)
    assert Assignment.objects.get(case=other, user=investigator).ended_at is None
    with pytest.raises(CaseError, match="Only the case's assigned"):
        actions.add_record(case, RecordKind.INTERVIEW, "Notes.", actor=investigator)
    unassigned = Entry.objects.filter(action="case.unassigned", object=f"case:{case.reference}")
    assert unassigned.count() == 1


def test_a_caseworker_who_declares_a_conflict_sends_the_case_back_to_the_pool(
    respondent: Person,
) -> None:
    people = team()
    case = new_case(people, respondent=respondent)
    caseworker = people[AssignmentRole.CASEWORKER]
    actions.declare_conflict(caseworker, person=respondent, reason="We share a constituency.")
    assert not Assignment.objects.filter(case=case, user=caseworker, ended_at__isnull=True).exists()


def test_a_handler_whose_role_is_revoked_can_no_longer_act_on_the_case() -> None:
    people = team()
    case = new_case(people)
    investigator = people[AssignmentRole.INVESTIGATOR]
    RoleGrant.objects.filter(user=investigator).update(revoked_at=timezone.now())
    investigator.refresh_from_db()
    investigator._roles_cache = None  # the object caches its roles for its own life
    assert actions.live_roles(case, investigator) == set()
    assert list(assigned_cases(investigator)) == []
    with pytest.raises(CaseError, match="Only the case's assigned"):
        actions.add_record(case, RecordKind.INTERVIEW, "Notes.", actor=investigator)
