"""Roles are granted and revoked with a reason, ledgered; administrator and oversight need a
second administrator; members and party officials never hold handling roles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from redress.accounts import roles
from redress.accounts.models import Role, RoleGrant, RoleRequest, User
from redress.accounts.roles import RoleRefused
from redress.cases.models import DirectoryLink
from redress.directory.models import Person, PersonKind
from redress.ledger.append import digest_of
from redress.ledger.events import Action
from redress.ledger.models import Entry
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return make_staff("ada", Role.ADMINISTRATOR, password=None)


@pytest.fixture
def second_admin() -> User:
    return make_staff("bea", Role.ADMINISTRATOR, password=None)


def newcomer(username: str = "cal", **extra: Any) -> User:
    user = make_staff(username, password=None)
    user.email = f"{username}@example.org"
    user.save()
    return user


def in_directory(user: User, kind: PersonKind) -> None:
    person = Person.objects.create(identifier=f"D-{user.pk}", name=f"Person {user.pk}", kind=kind)
    DirectoryLink.objects.create(user=user, person=person)


def snapshot() -> tuple[list[Any], list[Any], int]:
    grants = list(RoleGrant.objects.order_by("pk").values())
    requests = list(RoleRequest.objects.order_by("pk").values())
    return grants, requests, Entry.objects.count()


def test_a_grant_takes_effect_with_its_reason_ledgered_and_the_person_told(
    admin: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    cal = newcomer()
    with django_capture_on_commit_callbacks(execute=True):
        made = roles.grant(cal, Role.CASEWORKER, actor=admin, reason="Joined the triage team")
    assert made.granted_by == admin
    assert made.reason == "Joined the triage team"
    assert User.objects.get(pk=cal.pk).has_role(Role.CASEWORKER)
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.actor, entry.object) == (
        Action.ROLE_GRANTED.value,
        f"user:{admin.pk}",
        f"user:{cal.pk}",
    )
    assert entry.digest == digest_of("caseworker\nJoined the triage team")
    assert "cal" not in entry.actor + entry.object
    assert [m.to for m in mail.outbox] == [["cal@example.org"]]
    assert "Caseworker" in mail.outbox[0].body


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.OVERSIGHT])
def test_administrator_and_oversight_are_never_granted_directly(admin: User, role: Role) -> None:
    cal = newcomer()
    before = snapshot()
    with pytest.raises(RoleRefused, match="second administrator"):
        roles.grant(cal, role, actor=admin, reason="Needed")
    assert snapshot() == before


@pytest.mark.parametrize("kind", [PersonKind.MEMBER, PersonKind.PARTY_OFFICIAL])
@pytest.mark.parametrize("role", sorted(roles.HANDLING_ROLES))
def test_members_and_party_officials_never_hold_handling_roles(
    admin: User, kind: PersonKind, role: Role
) -> None:
    cal = newcomer()
    in_directory(cal, kind)
    before = snapshot()
    with pytest.raises(RoleRefused, match="Members and party officials can never hold"):
        roles.grant(cal, role, actor=admin, reason="Needed")
    assert snapshot() == before


def test_staff_in_the_directory_may_handle_and_members_may_hold_oversight(
    admin: User, second_admin: User
) -> None:
    staff, member = newcomer("sam"), newcomer("mo")
    in_directory(staff, PersonKind.STAFF)
    in_directory(member, PersonKind.MEMBER)
    roles.grant(staff, Role.INVESTIGATOR, actor=admin, reason="Investigations")
    asked = roles.request(member, Role.OVERSIGHT, actor=admin, reason="Audit committee")
    roles.approve(asked, actor=second_admin)
    assert User.objects.get(pk=member.pk).has_role(Role.OVERSIGHT)


def test_only_an_administrator_grants_and_a_reason_is_needed(admin: User) -> None:
    cal, caseworker = newcomer(), make_staff("cw", Role.CASEWORKER, password=None)
    before = snapshot()
    with pytest.raises(RoleRefused, match="Only an administrator"):
        roles.grant(cal, Role.CASEWORKER, actor=caseworker, reason="Help")
    with pytest.raises(RoleRefused, match="Enter the reason"):
        roles.grant(cal, Role.CASEWORKER, actor=admin, reason="   ")
    roles.grant(cal, Role.CASEWORKER, actor=admin, reason="Triage")
    after_first = snapshot()
    with pytest.raises(RoleRefused, match="already hold"):
        roles.grant(cal, Role.CASEWORKER, actor=admin, reason="Again")
    assert snapshot() == after_first
    assert after_first != before


def test_a_request_takes_effect_only_when_a_second_administrator_approves(
    admin: User, second_admin: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    cal = newcomer()
    asked = roles.request(cal, Role.ADMINISTRATOR, actor=admin, reason="Deputy")
    assert not User.objects.get(pk=cal.pk).has_role(Role.ADMINISTRATOR)
    assert Entry.objects.order_by("-seq").first().action == Action.ROLE_REQUESTED.value  # type: ignore[union-attr]
    with django_capture_on_commit_callbacks(execute=True):
        made = roles.approve(asked, actor=second_admin)
    assert made.granted_by == second_admin
    assert made.reason == "Deputy"
    asked.refresh_from_db()
    assert asked.approved is True
    assert asked.requested_by == admin
    assert asked.decided_by == second_admin
    assert User.objects.get(pk=cal.pk).has_role(Role.ADMINISTRATOR)
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.action == Action.ROLE_REQUEST_APPROVED.value
    assert (entry.actor, entry.object) == (f"user:{second_admin.pk}", f"user:{cal.pk}")
    assert [m.to for m in mail.outbox] == [["cal@example.org"]]


def test_nobody_approves_their_own_request_or_a_role_for_themselves(
    admin: User, second_admin: User
) -> None:
    cal = newcomer()
    asked = roles.request(cal, Role.OVERSIGHT, actor=admin, reason="Audit")
    about_bea = roles.request(second_admin, Role.OVERSIGHT, actor=admin, reason="Audit too")
    before = snapshot()
    with pytest.raises(RoleRefused, match="another administrator must approve"):
        roles.approve(asked, actor=admin)
    with pytest.raises(RoleRefused, match="Nobody can approve a role for themselves"):
        roles.approve(about_bea, actor=second_admin)
    assert snapshot() == before


def test_a_refused_request_grants_nothing_and_cannot_be_decided_again(
    admin: User, second_admin: User
) -> None:
    cal = newcomer()
    asked = roles.request(cal, Role.OVERSIGHT, actor=admin, reason="Audit")
    roles.refuse(asked, actor=second_admin, reason="Not needed")
    assert asked.approved is False
    assert asked.decided_by == second_admin
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.action == Action.ROLE_REQUEST_REFUSED.value
    before = snapshot()
    with pytest.raises(RoleRefused, match="already decided"):
        roles.approve(asked, actor=second_admin)
    assert snapshot() == before
    assert not User.objects.get(pk=cal.pk).has_role(Role.OVERSIGHT)


def test_a_second_request_for_the_same_role_waits_for_the_first(admin: User) -> None:
    cal = newcomer()
    roles.request(cal, Role.OVERSIGHT, actor=admin, reason="Audit")
    before = snapshot()
    with pytest.raises(RoleRefused, match="waiting for approval"):
        roles.request(cal, Role.OVERSIGHT, actor=admin, reason="Audit again")
    with pytest.raises(RoleRefused, match="granted directly"):
        roles.request(cal, Role.CASEWORKER, actor=admin, reason="Triage")
    assert snapshot() == before


def test_a_revoked_role_ends_at_once_ledgered_with_its_reason(
    admin: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    cal = newcomer()
    held = roles.grant(cal, Role.CASEWORKER, actor=admin, reason="Triage")
    with django_capture_on_commit_callbacks(execute=True):
        roles.revoke(held, actor=admin, reason="Moved team")
    assert (held.revoked_by, held.revoke_reason) == (admin, "Moved team")
    assert not User.objects.get(pk=cal.pk).has_role(Role.CASEWORKER)
    entry = Entry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.action == Action.ROLE_REVOKED.value
    assert entry.digest == digest_of("caseworker\nMoved team")
    assert "removed" in mail.outbox[-1].body
    with pytest.raises(RoleRefused, match="already removed"):
        roles.revoke(held, actor=admin, reason="Twice")


def test_the_last_administrator_keeps_the_role(admin: User, second_admin: User) -> None:
    mine = RoleGrant.objects.get(user=admin, role=Role.ADMINISTRATOR)
    theirs = RoleGrant.objects.get(user=second_admin, role=Role.ADMINISTRATOR)
    roles.revoke(theirs, actor=admin, reason="Left the board")
    before = snapshot()
    with pytest.raises(RoleRefused, match="last administrator"):
        roles.revoke(mine, actor=admin, reason="Stepping down")
    assert snapshot() == before
