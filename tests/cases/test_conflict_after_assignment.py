"""A conflict that arises after assignment ends access at once (issue 20's third attack).

The attack: ``redress import_directory`` moves an assigned caseworker into the respondent's
party. Before, the caseworker still read the case on the console and through the API while
``independence.conflicts()`` already named the conflict. Now the import suspends the assignment
in its own transaction: the console and the API refuse at once, the case page tells that person
(and only them) why, the ledger has the suspension, the case is back in the pool with a
deadline to reassign, oversight is emailed, and an assignment without a conflict stays.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from redress.accounts import tokens
from redress.accounts.models import Role, Scope, User
from redress.cases import actions, policy
from redress.cases.access import assigned_cases
from redress.cases.actions import CaseError
from redress.cases.models import (
    Assignment,
    AssignmentEnd,
    AssignmentRole,
    Case,
    Category,
    DeadlineKind,
    DirectoryLink,
    Identity,
)
from redress.directory.importing import import_directory
from redress.directory.models import Person
from redress.ledger.models import Entry
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db

NARRATIVE = "The whip shouted at me in the members' tea room."
HEADER = "identifier,name,roles,party,office,constituency,line manager\n"
BEFORE = HEADER + (
    "M-1,Morgan Member,member,Blue Party,Morgan's office,Northtown,\n"
    "S-1,Casey Worker,staff,,Complaints team,,\n"
    "S-2,Ira Investigator,staff,,Investigations,,\n"
)
# The caseworker joins the respondent's party; nothing else changes.
AFTER = BEFORE.replace("S-1,Casey Worker,staff,,", "S-1,Casey Worker,staff,Blue Party,")

Capture = Callable[..., Any]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def setting() -> dict[str, Any]:
    import_directory(BEFORE.encode(), actor="system:test")
    caseworker = make_staff("casey", Role.CASEWORKER)
    investigator = make_staff("ira", Role.INVESTIGATOR, totp=False, password=None)
    DirectoryLink.objects.create(user=caseworker, person=Person.objects.get(identifier="S-1"))
    DirectoryLink.objects.create(user=investigator, person=Person.objects.get(identifier="S-2"))
    case = actions.receive(
        category=Category.BULLYING,
        identity=Identity.NAMED,
        narrative=NARRATIVE,
        respondent=Person.objects.get(identifier="M-1"),
    )
    actions.assign(case, caseworker, AssignmentRole.CASEWORKER, actor="system:test")
    actions.assign(case, investigator, AssignmentRole.INVESTIGATOR, actor="system:test")
    watcher = make_staff("olwen", Role.OVERSIGHT)
    watcher.email = "oversight@example.org"
    watcher.save(update_fields=["email"])
    secret = tokens.issue(name="cms", scopes=[Scope.CASES_READ], actor=caseworker).secret
    return {
        "case": case,
        "caseworker": caseworker,
        "investigator": investigator,
        "secret": secret,
        "watcher": watcher,
    }


def _move_into_party(tmp_path: Path, capture: Capture) -> None:
    path = tmp_path / "people.csv"
    path.write_text(AFTER, encoding="utf-8")
    with capture(execute=True):
        call_command("import_directory", str(path))


def test_the_import_takes_the_caseworker_off_the_case_at_once(
    client: Client,
    tmp_path: Path,
    setting: dict[str, Any],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    case: Case = setting["case"]
    caseworker: User = setting["caseworker"]
    sign_in(client, caseworker)
    page = f"/staff/cases/{case.reference}"
    api = Client()
    # Before: the caseworker reads the case on the console and through the API.
    assert client.get(page).status_code == 200
    before = api.get(f"/api/cases/{case.reference}", headers=bearer(setting["secret"]))
    assert before.status_code == 200

    _move_into_party(tmp_path, django_capture_on_commit_callbacks)

    # The console refuses at once, saying why, with no case content.
    refused = client.get(page)
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "You no longer have access to this case: a conflict of interest arose on" in text
    assert "(They belong to the respondent&#x27;s party)" in text
    assert "It has been returned for reassignment." in text
    assert NARRATIVE not in text
    assert "Morgan" not in text
    # The API refuses at once, with a JSON message.
    answer = api.get(f"/api/cases/{case.reference}", headers=bearer(setting["secret"]))
    assert answer.status_code == 403
    assert "conflict of interest arose" in answer.json()["detail"]
    queue = api.get("/api/cases", headers=bearer(setting["secret"]))
    assert queue.json() == []

    # The assignment ended with its reason; the ledger has the suspension, naming nobody.
    ended = Assignment.objects.get(case=case, user=caseworker)
    assert ended.ended_at is not None
    assert ended.end_reason == AssignmentEnd.CONFLICT
    assert "They belong to the respondent's party." in ended.end_note
    suspended = Entry.objects.get(action="case.assignment_suspended")
    assert suspended.object == f"case:{case.reference}"
    assert suspended.actor == "system:import"
    assert "casey" not in suspended.digest.lower()

    # The case is back in the pool, with a deadline to reassign in two working days.
    other = Client()
    sign_in(other, make_staff("another", Role.CASEWORKER))
    assert case.reference in other.get("/staff/cases").content.decode()
    item = case.deadlines.get(kind=DeadlineKind.REASSIGN, met_at__isnull=True)
    assert item.subject == "role:caseworker"
    assert item.due_on == policy.current().due(timezone.localdate(), 2)

    # Oversight was told, without who or why.
    sent = [m for m in mail.outbox if "oversight@example.org" in m.to]
    assert len(sent) == 1
    assert "must be reassigned" in sent[0].body
    assert "casey" not in sent[0].body.lower()
    assert case.reference not in sent[0].body

    # Oversight's dashboard lists the case as waiting for a new caseworker.
    board = Client()
    sign_in(board, setting["watcher"])
    dashboard = board.get("/staff/oversight").content.decode()
    waiting = dashboard.split('id="waiting-for-a-handler"')[1].split("</table>")[0]
    assert case.reference in waiting
    assert "Caseworker" in waiting

    # The investigator, with no conflict, keeps the case.
    assert case in assigned_cases(setting["investigator"])


def test_only_the_person_who_lost_access_is_told_why(
    client: Client,
    tmp_path: Path,
    setting: dict[str, Any],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    case: Case = setting["case"]
    _move_into_party(tmp_path, django_capture_on_commit_callbacks)
    stranger = make_staff("stranger", Role.CASEWORKER)
    sign_in(client, stranger)
    refused = client.get(f"/staff/cases/{case.reference}")
    assert refused.status_code == 403
    assert "conflict of interest" not in refused.content.decode()
    assert "no longer have access" not in refused.content.decode()


def test_the_case_is_taken_again_and_the_reassign_item_is_met(
    tmp_path: Path,
    setting: dict[str, Any],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    case: Case = setting["case"]
    _move_into_party(tmp_path, django_capture_on_commit_callbacks)
    # The conflicted caseworker cannot simply take it back.
    with pytest.raises(CaseError, match="respondent's party"):
        actions.assign(case, setting["caseworker"], AssignmentRole.CASEWORKER, actor="system:test")
    other = make_staff("another", Role.CASEWORKER, totp=False, password=None)
    actions.assign(case, other, AssignmentRole.CASEWORKER, actor=other)
    item = case.deadlines.get(kind=DeadlineKind.REASSIGN)
    assert item.met_at is not None


def test_an_import_that_changes_nobody_ends_nothing(
    setting: dict[str, Any], django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        import_directory(BEFORE.encode(), actor="system:test")
    assert not Entry.objects.filter(action="case.assignment_suspended").exists()
    assert Assignment.objects.filter(case=setting["case"], ended_at__isnull=True).count() == 2
    assert not mail.outbox


def test_a_new_line_manager_is_a_conflict_too(
    setting: dict[str, Any], django_capture_on_commit_callbacks: Capture
) -> None:
    # The respondent now manages the investigator: the investigator leaves, the caseworker stays.
    changed = BEFORE.replace(
        "S-2,Ira Investigator,staff,,Investigations,,",
        "S-2,Ira Investigator,staff,,Investigations,,M-1",
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_directory(changed.encode(), actor="system:test")
    case: Case = setting["case"]
    assert case not in assigned_cases(setting["investigator"])
    assert case in assigned_cases(setting["caseworker"])
    item = case.deadlines.get(kind=DeadlineKind.REASSIGN)
    assert item.subject == "role:investigator"
    assert case.assignments.filter(role="caseworker", ended_at__isnull=True).exists()


def test_the_page_says_why_in_welsh_too(
    client: Client,
    tmp_path: Path,
    setting: dict[str, Any],
    django_capture_on_commit_callbacks: Capture,
) -> None:
    case: Case = setting["case"]
    _move_into_party(tmp_path, django_capture_on_commit_callbacks)
    sign_in(client, setting["caseworker"])
    client.cookies["django_language"] = "cy"
    text = client.get(f"/staff/cases/{case.reference}").content.decode()
    assert "Nid oes gennych fynediad i'r achos hwn mwyach: cododd gwrthdaro buddiannau" in text
    assert "(Maen nhw&#x27;n perthyn i blaid yr atebydd)" in text


def test_a_declared_conflict_also_returns_the_case_for_reassignment(
    client: Client, setting: dict[str, Any], django_capture_on_commit_callbacks: Capture
) -> None:
    case: Case = setting["case"]
    caseworker: User = setting["caseworker"]
    with django_capture_on_commit_callbacks(execute=True):
        actions.declare_conflict(
            caseworker, person=Person.objects.get(identifier="M-1"), reason="An old friend."
        )
    item = case.deadlines.get(kind=DeadlineKind.REASSIGN, met_at__isnull=True)
    assert item.subject == "role:caseworker"
    assert [m.to for m in mail.outbox] == [["oversight@example.org"]]
    sign_in(client, caseworker)
    refused = client.get(f"/staff/cases/{case.reference}")
    assert refused.status_code == 403
    assert "(They declared a conflict of interest)" in refused.content.decode()
    assert case in assigned_cases(setting["investigator"])
