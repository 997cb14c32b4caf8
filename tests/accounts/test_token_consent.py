"""Tokens act only with their holder's consent (issue 20, item 5).

The attack repeated: an administrator, who may never handle a case, made a token acting for a
caseworker and used it to acknowledge, decide "not taken forward" and close a complaint, under
the caseworker's name alone and without their knowing. Now the token reads and moves nothing
until the caseworker approves it, the caseworker is emailed when it is made and when it is first
used, and the ledger names both ("user:1 via token:3").
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from redress.accounts import acting, tokens
from redress.accounts.models import ApiToken, Role, Scope, User
from redress.cases import actions
from redress.cases.models import AssignmentRole, Case, Category, Identity, Stage
from redress.ledger.events import Action
from redress.ledger.models import Entry
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db

CASE_SCOPES = ["cases:read", "cases:write"]


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _worker(username: str = "casey", name: str = "Casey Worker") -> User:
    worker = make_staff(username, Role.CASEWORKER)
    worker.display_name = name
    worker.email = f"{username}@example.org"
    worker.save(update_fields=["display_name", "email"])
    return worker


def _admin() -> User:
    admin = make_staff("sian", Role.ADMINISTRATOR)
    admin.display_name = "Siân Admin"
    admin.save(update_fields=["display_name"])
    return admin


def _assigned_case(worker: User) -> Case:
    case = actions.receive(category=Category.OTHER, identity=Identity.ANONYMOUS, narrative="x")
    actions.assign(case, worker, AssignmentRole.CASEWORKER, actor="system:test")
    return case


def _signed_in(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def _issue_on_console(console: Client, worker: User, capture: Any) -> tuple[ApiToken, str]:
    """The administrator signed in on ``console`` issues a case token acting for ``worker``."""
    with capture(execute=True):
        page = console.post(
            "/staff/tokens", {"name": "Case system", "scopes": CASE_SCOPES, "acts_for": worker.pk}
        )
    assert page.status_code == 201
    found = re.search(r'id="issued-token">([^<]+)<', page.content.decode())
    assert found is not None
    return ApiToken.objects.get(), found.group(1)


def _step(secret: str, case: Case, to: str, **extra: str) -> Any:
    return Client().post(
        f"/api/cases/{case.reference}/transitions",
        {"to": to, "reasons": "Through the token.", **extra},
        content_type="application/json",
        headers=bearer(secret),
    )


def test_an_administrators_token_does_nothing_until_the_caseworker_approves(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    admin, worker = _admin(), _worker()
    case = _assigned_case(worker)
    console = _signed_in(admin)
    token, secret = _issue_on_console(console, worker, django_capture_on_commit_callbacks)
    assert token.approved_at is None

    # The attack: read the queue, acknowledge the case. Both refused, nothing changes.
    assert Client().get("/api/cases", headers=bearer(secret)).status_code == 403
    refused = _step(secret, case, "acknowledged")
    assert refused.status_code == 403
    assert "has not approved it" in refused.json()["detail"]
    case.refresh_from_db()
    assert case.stage == Stage.RECEIVED
    assert not Entry.objects.filter(action=Action.CASE_STAGE_CHANGED).exists()

    # The caseworker approves it, on a confirmation page.
    handler = Client()
    sign_in(handler, worker)
    assert handler.get(f"/staff/tokens/{token.pk}/approve").status_code == 200
    assert handler.post(f"/staff/tokens/{token.pk}/approve").status_code == 302
    token.refresh_from_db()
    assert token.approved_at is not None
    assert Entry.objects.filter(
        action=Action.TOKEN_APPROVED, actor=f"user:{worker.pk}", object=f"token:{token.pk}"
    ).exists()

    # Now it works, and every step is ledgered as the caseworker's, through the token.
    with django_capture_on_commit_callbacks(execute=True):
        assert _step(secret, case, "acknowledged").status_code == 200
    assert _step(secret, case, "assessed").status_code == 200
    ntf = _step(secret, case, "not_taken_forward", decision="not_taken_forward")
    assert ntf.status_code == 200, ntf.json()
    assert _step(secret, case, "closed").status_code == 200
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    moves = Entry.objects.filter(action=Action.CASE_STAGE_CHANGED, object=f"case:{case.reference}")
    assert set(moves.values_list("actor", flat=True)) == {f"user:{worker.pk} via token:{token.pk}"}
    assert acting.parse(moves.first().actor) == acting.StaffActor(worker.pk, token.pk)  # type: ignore[union-attr]

    # The caseworker was told when it was made, and when first used: exactly one each.
    to_worker = [m for m in mailoutbox if m.to == [worker.email]]
    assert len(to_worker) == 2
    made, used = to_worker
    assert "waits for your approval" in made.subject
    assert "Siân Admin" in made.body
    assert "Case system" in made.body
    assert "Move cases through their stages" in made.body
    assert "/staff/tokens/mine" in made.body
    assert "used for the first time" in used.subject


def test_approval_by_someone_it_does_not_act_for_is_refused_and_nothing_changes(
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin, worker, other = _admin(), _worker(), _worker("ffion", "Ffion Other")
    console = _signed_in(admin)
    token, secret = _issue_on_console(console, worker, django_capture_on_commit_callbacks)
    for someone in (admin, other):
        with pytest.raises(tokens.TokenRefused, match="Only Casey Worker"):
            tokens.approve(token, actor=someone)
    # On the console: the administrator is told plainly; another caseworker is refused.
    page = console.post(f"/staff/tokens/{token.pk}/approve")
    assert page.status_code == 403
    assert "Only Casey Worker, for whom this token acts, can approve" in page.content.decode()
    assert console.post(f"/staff/tokens/{token.pk}/refuse").status_code == 403
    stranger = Client()
    sign_in(stranger, other)
    assert stranger.post(f"/staff/tokens/{token.pk}/approve").status_code == 403
    token.refresh_from_db()
    assert token.approved_at is None
    assert token.is_live
    assert not Entry.objects.filter(action=Action.TOKEN_APPROVED).exists()
    assert tokens.authenticate(secret, Scope.CASES_READ) is None


def test_a_handlers_own_token_works_at_once_and_sends_nothing(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    worker = _worker()
    case = _assigned_case(worker)
    with django_capture_on_commit_callbacks(execute=True):
        issued = tokens.issue(name="Mine", scopes=[Scope.CASES_READ], actor=worker)
        rows = Client().get("/api/cases", headers=bearer(issued.secret)).json()
    assert issued.token.approved_at is not None
    assert [row["reference"] for row in rows] == [case.reference]
    assert mailoutbox == []


def test_the_handler_refuses_a_token_and_it_stops(django_capture_on_commit_callbacks: Any) -> None:
    admin, worker = _admin(), _worker()
    console = _signed_in(admin)
    token, secret = _issue_on_console(console, worker, django_capture_on_commit_callbacks)
    handler = Client()
    sign_in(handler, worker)
    assert "/staff/tokens/mine" in handler.get("/staff/").content.decode()
    mine = handler.get("/staff/tokens/mine").content.decode()
    assert "Case system" in mine
    assert "Waiting for your approval" in mine
    assert "Refuse this token" in handler.get(f"/staff/tokens/{token.pk}/refuse").content.decode()
    assert handler.post(f"/staff/tokens/{token.pk}/refuse").status_code == 302
    token.refresh_from_db()
    assert not token.is_live
    assert Entry.objects.filter(action=Action.TOKEN_REVOKED, actor=f"user:{worker.pk}").exists()
    assert Client().get("/api/cases", headers=bearer(secret)).status_code == 401
    refused = handler.post(f"/staff/tokens/{token.pk}/approve")
    assert refused.status_code == 400
    assert "This token was revoked" in refused.content.decode()


def test_the_administrators_list_and_the_case_timeline_name_the_token(
    django_capture_on_commit_callbacks: Any,
) -> None:
    admin, worker = _admin(), _worker()
    case = _assigned_case(worker)
    console = _signed_in(admin)
    token, secret = _issue_on_console(console, worker, django_capture_on_commit_callbacks)
    listed = console.get("/staff/tokens").content.decode()
    assert "Waiting for Casey Worker\u2019s approval" in listed
    tokens.approve(token, actor=worker)
    assert "Waiting for" not in console.get("/staff/tokens").content.decode()
    assert _step(secret, case, "acknowledged").status_code == 200
    handler = Client()
    sign_in(handler, worker)
    page = handler.get(f"/staff/cases/{case.reference}/history").content.decode()
    assert "Casey Worker (through the token “Case system”)" in page


def test_first_use_is_told_once_however_often_it_is_used(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    admin, worker = _admin(), _worker()
    console = _signed_in(admin)
    token, secret = _issue_on_console(console, worker, django_capture_on_commit_callbacks)
    tokens.approve(token, actor=worker)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert tokens.authenticate(secret, Scope.CASES_READ) is not None
    assert [m.subject for m in mailoutbox] == [
        "A token acting for you on Redress was used for the first time"
    ]


def test_the_acting_context_names_only_the_tokens_member_of_staff() -> None:
    admin, worker = _admin(), _worker()
    issued = tokens.issue(name="x", scopes=[Scope.CASES_READ], actor=admin, acts_for=worker)
    with acting.through(issued.token):
        assert acting.ref(worker) == f"user:{worker.pk} via token:{issued.token.pk}"
        assert acting.ref(admin) == f"user:{admin.pk}"
    assert acting.ref(worker) == f"user:{worker.pk}"
    assert acting.parse("user:12") == acting.StaffActor(12)
    assert acting.parse("token:3") is None
    assert acting.parse("user:1 via token:x") is None
