"""The roles an invitation brings, granted or requested through ``accounts.roles``.

Handling and other roles are granted (``roles.grant``) when the invitation is accepted;
administrator and oversight are requested (``roles.request``) when the person is invited, and
take effect only once a second administrator approves. Whether a person may hold a handling role
at all (members and party officials never do) is asked at invitation as well as at the grant,
so that an administrator hears of it before a link is sent.

The first administrator is the one grant made here: ``redress create-admin`` runs while the
scheme has no administrator, so nobody could approve it and ``roles.grant`` rightly refuses
administrator. It is granted by nobody, ledgered as the command's act.
"""

from __future__ import annotations

from redress.accounts import roles
from redress.accounts.models import Role, RoleGrant, RoleRequest, User
from redress.accounts.signals import role_grant_check
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action

NEEDS_SECOND_ADMINISTRATOR = roles.APPROVED_ROLES
REASON = "invitation"
WITHDRAWN = "invitation withdrawn"
FIRST_ADMINISTRATOR = "first administrator"

RoleRefused = roles.RoleRefused


def refusal(user: User, role: Role) -> str | None:
    """Why ``user`` may not hold ``role``, in words, or None when they may (so far as known)."""
    if role not in roles.HANDLING_ROLES:
        return None
    for _receiver, answer in role_grant_check.send(sender=User, user=user, role=role):
        if answer:
            return str(answer)
    return None


def request_if_needed(user: User, role: Role, *, actor: User) -> None:
    """Ask a second administrator for ``role``, unless a request for it is already open (an
    invitation sent again keeps the one made the first time)."""
    if not RoleRequest.objects.filter(user=user, role=role, decided_at__isnull=True).exists():
        roles.request(user, role, actor=actor, reason=REASON)


def grant(user: User, role: Role, *, actor: User) -> RoleGrant:
    return roles.grant(user, role, actor=actor, reason=REASON)


def close_requests(user: User, *, actor: User) -> None:
    """Refuse the open role requests made for ``user``, whose invitation was withdrawn."""
    for open_request in RoleRequest.objects.filter(user=user, decided_at__isnull=True):
        roles.refuse(open_request, actor=actor, reason=WITHDRAWN)


def grant_first_administrator(user: User) -> RoleGrant:
    """The first administrator's role, granted by nobody: the scheme has no one to ask."""
    made = RoleGrant.objects.create(
        user=user, role=Role.ADMINISTRATOR, granted_by=None, reason=FIRST_ADMINISTRATOR
    )
    append(
        actor="system:create-admin",
        action=Action.ROLE_GRANTED,
        obj=f"user:{user.pk}",
        digest=digest_of(f"{Role.ADMINISTRATOR}\n{FIRST_ADMINISTRATOR}"),
    )
    user.__dict__.pop("_roles_cache", None)
    return made
