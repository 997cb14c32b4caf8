"""Leaving: closing an account ends its sessions, tokens and roles at once, tells the apps above
in the same transaction, and is refused for the last administrator and one's own account."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.test import Client

from redress.accounts import leaving, roles, tokens
from redress.accounts.models import ApiToken, Role, RoleGrant, RoleRequest, Scope, User
from redress.accounts.roles import RoleRefused
from redress.accounts.signals import account_deactivated
from redress.ledger.append import digest_of
from redress.ledger.events import Action
from redress.ledger.models import Entry
from tests.factories import make_staff, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return make_staff("ada", Role.ADMINISTRATOR)


def snapshot() -> tuple[list[Any], ...]:
    return (
        list(User.objects.order_by("pk").values()),
        list(RoleGrant.objects.order_by("pk").values()),
        list(ApiToken.objects.order_by("pk").values()),
        list(Entry.objects.order_by("seq").values_list("seq", flat=True)),
        list(Session.objects.order_by("session_key").values_list("session_key", flat=True)),
    )


def test_a_signed_in_leaver_is_signed_out_at_their_next_request(admin: User) -> None:
    leaver = make_staff("lee", Role.CASEWORKER)
    client, other = Client(), Client()
    sign_in(client, leaver)
    sign_in(other, admin)
    assert client.get("/staff/").status_code == 200
    leaving.deactivate(leaver, actor=admin, reason="Left the scheme")
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in")
    assert Session.objects.count() == 1  # only the administrator's is left
    assert other.get("/staff/").status_code == 200
    # The password no longer opens the account either.
    response = client.post(
        "/staff/sign-in", {"username": "lee", "password": "correct horse battery staple"}
    )
    assert response.status_code == 400


def test_end_sessions_deletes_only_the_leavers_sessions(admin: User) -> None:
    leaver = make_staff("lee", Role.CASEWORKER)
    first, second, theirs = Client(), Client(), Client()
    sign_in(first, leaver)
    second.force_login(leaver)  # a code is accepted once, so the second comes in directly
    sign_in(theirs, admin)
    assert leaving.end_sessions(leaver) == 2
    assert Session.objects.count() == 1


def test_tokens_of_the_leaver_and_acting_for_them_are_revoked_and_refused(admin: User) -> None:
    leaver = make_staff("lee", Role.ADMINISTRATOR, password=None)
    handler = make_staff("han", Role.CASEWORKER, password=None)
    theirs = tokens.issue(name="HR system", scopes=[Scope.VETTING], actor=leaver)
    for_handler = tokens.issue(
        name="Case tool", scopes=[Scope.CASES_READ], actor=admin, acts_for=handler
    )
    kept = tokens.issue(name="Statistics", scopes=[Scope.STATISTICS], actor=admin)
    leaving.deactivate(leaver, actor=admin, reason="Left")
    leaving.deactivate(handler, actor=admin, reason="Left")
    assert tokens.authenticate_any(theirs.secret) is None
    assert tokens.authenticate_any(for_handler.secret) is None
    assert tokens.authenticate_any(kept.secret) is not None
    bearer = {"Authorization": f"Bearer {theirs.secret}"}
    assert Client().get("/api/token", headers=bearer).status_code == 401
    revoked = set(
        Entry.objects.filter(action=Action.TOKEN_REVOKED.value).values_list("object", flat=True)
    )
    assert revoked == {f"token:{theirs.token.pk}", f"token:{for_handler.token.pk}"}


def test_roles_end_open_requests_are_refused_and_all_is_ledgered(
    admin: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    leaver = make_staff("lee", Role.CASEWORKER, Role.INVESTIGATOR, password=None)
    leaver.email = "lee@example.org"
    leaver.save()
    asked = roles.request(leaver, Role.OVERSIGHT, actor=admin, reason="Audit")
    with django_capture_on_commit_callbacks(execute=True):
        leaving.deactivate(leaver, actor=admin, reason="Left the scheme")
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert leaver.deactivated_by == admin
    assert leaver.deactivated_at is not None
    assert not RoleGrant.objects.filter(user=leaver, revoked_at__isnull=True).exists()
    assert set(
        RoleGrant.objects.filter(user=leaver).values_list("revoked_by", "revoke_reason")
    ) == {(admin.pk, "Left the scheme")}
    asked.refresh_from_db()
    assert asked.approved is False
    actions = list(
        Entry.objects.filter(object=f"user:{leaver.pk}")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions[-4:] == [
        Action.ROLE_REVOKED.value,
        Action.ROLE_REVOKED.value,
        Action.ROLE_REQUEST_REFUSED.value,
        Action.ACCOUNT_DEACTIVATED.value,
    ]
    last = Entry.objects.order_by("-seq").first()
    assert last is not None
    assert last.digest == digest_of("Left the scheme")
    assert last.actor == f"user:{admin.pk}"
    assert [m.to for m in mail.outbox] == [["lee@example.org"]]
    assert "closed" in mail.outbox[0].body


def test_the_apps_above_are_told_inside_the_transaction(admin: User) -> None:
    leaver = make_staff("lee", Role.CASEWORKER, password=None)
    heard: list[tuple[int, str, bool]] = []

    def listen(sender: Any, user: User, actor: str, **kwargs: Any) -> None:
        in_transaction = transaction.get_connection().in_atomic_block
        heard.append((user.pk, actor, in_transaction and not user.is_active))

    account_deactivated.connect(listen, dispatch_uid="test.listen")
    try:
        leaving.deactivate(leaver, actor=admin, reason="Left")
    finally:
        account_deactivated.disconnect(dispatch_uid="test.listen")
    assert heard == [(leaver.pk, f"user:{admin.pk}", True)]


def test_a_receiver_that_fails_undoes_the_whole_act(admin: User) -> None:
    leaver = make_staff("lee", Role.CASEWORKER, password=None)
    before = snapshot()

    def fail(**kwargs: Any) -> None:
        raise RuntimeError("cannot end assignments")

    account_deactivated.connect(fail, dispatch_uid="test.fail")
    try:
        with pytest.raises(RuntimeError):
            leaving.deactivate(leaver, actor=admin, reason="Left")
    finally:
        account_deactivated.disconnect(dispatch_uid="test.fail")
    assert snapshot() == before


def test_the_last_administrator_cannot_be_deactivated(admin: User) -> None:
    before = snapshot()
    with pytest.raises(RoleRefused, match="last administrator"):
        leaving.deactivate(admin, actor=admin, reason="Leaving")
    assert snapshot() == before


def test_nobody_closes_their_own_account_or_one_already_closed(admin: User) -> None:
    other_admin = make_staff("bea", Role.ADMINISTRATOR, password=None)
    leaver = make_staff("lee", Role.CASEWORKER, password=None)
    before = snapshot()
    with pytest.raises(RoleRefused, match="your own account"):
        leaving.deactivate(admin, actor=admin, reason="Leaving")
    with pytest.raises(RoleRefused, match="Only an administrator"):
        leaving.deactivate(other_admin, actor=leaver, reason="Leaving")
    with pytest.raises(RoleRefused, match="Enter the reason"):
        leaving.deactivate(leaver, actor=admin, reason="")
    assert snapshot() == before
    leaving.deactivate(leaver, actor=admin, reason="Left")
    with pytest.raises(RoleRefused, match="already closed"):
        leaving.deactivate(leaver, actor=admin, reason="Again")


def test_a_closed_account_is_granted_nothing(admin: User) -> None:
    leaver = make_staff("lee", password=None)
    leaving.deactivate(leaver, actor=admin, reason="Left")
    with pytest.raises(RoleRefused, match="closed"):
        roles.grant(leaver, Role.CASEWORKER, actor=admin, reason="Back")
    with pytest.raises(RoleRefused, match="closed"):
        roles.request(leaver, Role.OVERSIGHT, actor=admin, reason="Back")
    assert not RoleRequest.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_administrators_closing_each_other_at_once_leave_one() -> None:
    """The live administrators' grants are locked while one is closed (PostgreSQL); SQLite lets
    one writer through at a time. Either way the scheme is never left without one."""
    ada = make_staff("ada", Role.ADMINISTRATOR, password=None)
    bea = make_staff("bea", Role.ADMINISTRATOR, password=None)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def close(actor: User, leaver: User) -> None:
        try:
            User.objects.exists()  # connected before the start
            barrier.wait()
            leaving.deactivate(leaver, actor=actor, reason="At once")
            outcomes[actor.username] = "closed"
        except RoleRefused as refused:
            outcomes[actor.username] = refused.message
        except DatabaseError:
            outcomes[actor.username] = "waited too long"  # SQLite's single writer
        finally:
            connection.close()

    def linger(**kwargs: Any) -> None:
        time.sleep(0.5)  # after the check, before the commit: the other one must wait

    threads = [
        threading.Thread(target=close, args=(ada, bea)),
        threading.Thread(target=close, args=(bea, ada)),
    ]
    account_deactivated.connect(linger, dispatch_uid="test.linger")
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        account_deactivated.disconnect(dispatch_uid="test.linger")
    assert sorted(outcomes.values()).count("closed") == 1
    if connection.vendor == "postgresql":
        # The second waited for the first, then was refused in words (not by a deadlock).
        assert "This is the last administrator. Their account cannot be closed." in (
            outcomes.values()
        )
    assert User.objects.filter(is_active=True).count() == 1
    assert RoleGrant.objects.filter(role=Role.ADMINISTRATOR, revoked_at__isnull=True).count() == 1
