"""The access review: who holds which role, since when, granted by whom, and when they last
signed in; which accounts went unused; which are closed.

Read by oversight and administrators to find access that should have ended. An account is
unused when nobody signed in to it for ``UNUSED_AFTER``: counted from the last sign-in, or,
for someone who never signed in, from the grant, so a role given and never used is flagged too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from redress.accounts.models import Role, RoleGrant, User

UNUSED_AFTER = timedelta(days=90)


@dataclass(frozen=True)
class ReviewRow:
    grant: RoleGrant
    user: User
    role_label: str
    last_sign_in: datetime | None
    unused: bool


@dataclass(frozen=True)
class AccessReview:
    rows: list[ReviewRow]
    unused: int
    closed: list[User]


def is_unused(last_sign_in: datetime | None, since: datetime, now: datetime) -> bool:
    return (last_sign_in or since) < now - UNUSED_AFTER


def access_review(now: datetime | None = None) -> AccessReview:
    """Every live grant of an open account, by person then role, and the closed accounts."""
    now = now or timezone.now()
    labels = dict(Role.choices)
    grants = (
        RoleGrant.objects.filter(revoked_at__isnull=True, user__deactivated_at__isnull=True)
        .select_related("user", "granted_by")
        .order_by("user__display_name", "user__username", "role")
    )
    rows = [
        ReviewRow(
            grant=grant,
            user=grant.user,
            role_label=str(labels.get(grant.role, grant.role)),
            last_sign_in=grant.user.last_login,
            unused=is_unused(grant.user.last_login, grant.granted_at, now),
        )
        for grant in grants
    ]
    closed = list(
        User.objects.filter(deactivated_at__isnull=False)
        .select_related("deactivated_by")
        .order_by("-deactivated_at", "username")
    )
    return AccessReview(rows=rows, unused=sum(row.unused for row in rows), closed=closed)
