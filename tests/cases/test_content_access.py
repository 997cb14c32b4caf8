"""Case content is seen only by assigned handlers; administrators and oversight never see it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from redress.accounts.models import Role
from redress.cases import actions
from redress.cases.actions import CaseError
from redress.cases.models import AssignmentRole, Case, Category, Identity
from redress.ledger.models import Entry
from redress.vault.actions import shred
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db

NARRATIVE = "He cornered me in the lift and said it would be our secret."

# Every staff view that shows case content. A new content view must be added here.
CONTENT_VIEWS = ["/staff/cases/{ref}"]


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


@pytest.fixture
def case() -> Case:
    return actions.receive(
        category=Category.HARASSMENT, identity=Identity.CONFIDENTIAL, narrative=NARRATIVE
    )


def test_assigned_caseworker_reads_content_and_the_read_is_ledgered(
    client: Client, case: Case
) -> None:
    worker = make_staff("ffion", Role.CASEWORKER)
    actions.assign(case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    sign_in(client, worker)
    response = client.get(f"/staff/cases/{case.reference}")
    assert response.status_code == 200
    assert NARRATIVE in response.content.decode()
    viewed = Entry.objects.filter(action="case.viewed", object=f"case:{case.reference}")
    assert viewed.filter(actor=f"user:{worker.pk}").count() == 1


def test_caseworker_not_assigned_is_refused_and_nothing_is_ledgered(
    client: Client, case: Case
) -> None:
    sign_in(client, make_staff("other", Role.CASEWORKER))
    response = client.get(f"/staff/cases/{case.reference}")
    assert response.status_code == 403
    assert NARRATIVE not in response.content.decode()
    assert not Entry.objects.filter(action="case.viewed").exists()


def test_missing_and_forbidden_cases_look_the_same_to_outsiders(client: Client) -> None:
    sign_in(client, make_staff("other", Role.CASEWORKER))
    assert client.get("/staff/cases/R-0000-0000").status_code == 403


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.OVERSIGHT])
@pytest.mark.parametrize("view", CONTENT_VIEWS)
def test_administrators_and_oversight_never_read_content(
    client: Client, case: Case, role: Role, view: str
) -> None:
    person = make_staff(f"p-{role}", role, Role.CASEWORKER)
    with pytest.raises(CaseError):
        actions.assign(case, person, AssignmentRole.CASEWORKER, actor="system:test")
    sign_in(client, person)
    response = client.get(view.format(ref=case.reference))
    assert response.status_code == 403
    assert NARRATIVE not in response.content.decode()


def test_assignment_that_ends_closes_the_case_to_its_former_handler(
    client: Client, case: Case
) -> None:
    worker = make_staff("ffion", Role.CASEWORKER)
    assignment = actions.assign(case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    assignment.ended_at = assignment.assigned_at
    assignment.save()
    sign_in(client, worker)
    assert client.get(f"/staff/cases/{case.reference}").status_code == 403


def test_shredded_case_says_deleted_under_the_retention_policy(client: Client, case: Case) -> None:
    worker = make_staff("ffion", Role.CASEWORKER)
    actions.assign(case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    shred(case.data_key, actor="system:retention", reason="retention period ended")
    sign_in(client, worker)
    body = client.get(f"/staff/cases/{case.reference}").content.decode()
    assert "Deleted under the retention policy." in body
    assert NARRATIVE not in body


def test_queue_lists_only_my_cases(client: Client, case: Case) -> None:
    mine = actions.receive(
        category=Category.BULLYING, identity=Identity.ANONYMOUS, narrative="mine"
    )
    worker = make_staff("ffion", Role.CASEWORKER)
    actions.assign(mine, worker, AssignmentRole.CASEWORKER, actor="system:test")
    # Another caseworker's case is neither in my queue nor in the pool waiting to be taken.
    other = make_staff("other", Role.CASEWORKER, totp=False, password=None)
    actions.assign(case, other, AssignmentRole.CASEWORKER, actor="system:test")
    sign_in(client, worker)
    body = client.get("/staff/cases").content.decode()
    assert mine.reference in body
    assert case.reference not in body
