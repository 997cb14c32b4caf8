"""The deadline sweep: set-based SQL over every open item, not a Python loop over cases.

One pass, in one transaction: items past their due date become overdue; overdue items past
their escalation date (five working days after the due date) escalate to oversight. The same
statement that marks the items counts them per owner (the live holder of the owning role), so
owners are told by one email each, after commit, without content. The pass is ledgered once.
The consoles read the marks directly: the owner's queue lists their overdue items, oversight's
dashboard the escalated ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts.models import Role, User
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action

_RUNNING = "met_at IS NULL AND cancelled_at IS NULL AND paused_remaining IS NULL"
# Plain SQL; the partial indexes on Deadline (deadline_watch, deadline_escalation_watch) serve
# the two UPDATEs. On PostgreSQL the marking and the count per owner are one statement.
_MARK = f"""
UPDATE cases_deadline SET overdue_at = %s
WHERE {_RUNNING} AND overdue_at IS NULL AND due_on < %s
"""  # noqa: S608 - constants only; values are parameters
_MARK_AND_COUNT = f"""
WITH marked AS ({_MARK} RETURNING case_id, owner_role)
SELECT a.user_id, count(*), (SELECT count(*) FROM marked) FROM marked
LEFT JOIN cases_assignment a
  ON a.case_id = marked.case_id AND a.role = marked.owner_role AND a.ended_at IS NULL
GROUP BY a.user_id
"""  # noqa: S608
_COUNT_MARKED = """
SELECT a.user_id, count(*) FROM cases_deadline d
LEFT JOIN cases_assignment a
  ON a.case_id = d.case_id AND a.role = d.owner_role AND a.ended_at IS NULL
WHERE d.overdue_at = %s
GROUP BY a.user_id
"""
_ESCALATE = f"""
UPDATE cases_deadline SET escalated_at = %s
WHERE {_RUNNING} AND overdue_at IS NOT NULL AND escalated_at IS NULL AND escalate_on < %s
"""  # noqa: S608


@dataclass(frozen=True)
class SweepResult:
    overdue: int
    escalated: int
    # Newly overdue items per owner (user id; None for items whose role nobody holds yet).
    owners: dict[int | None, int] = field(default_factory=dict)


def sweep(*, today: dt.date | None = None, now: dt.datetime | None = None) -> SweepResult:
    """Mark overdue and escalate, exactly once per item; tell owners and oversight by email."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    # Values as the ORM writes them, so raw and ORM reads of these columns agree.
    stamp = connection.ops.adapt_datetimefield_value(now)
    day = connection.ops.adapt_datefield_value(today)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_MARK_AND_COUNT, [stamp, day])
            rows = cursor.fetchall()
            owners = {user: int(count) for user, count, _total in rows}
            overdue = int(rows[0][2]) if rows else 0
        else:
            cursor.execute(_MARK, [stamp, day])
            overdue = cursor.rowcount
            cursor.execute(_COUNT_MARKED, [stamp])
            owners = {user: int(count) for user, count in cursor.fetchall()}
        cursor.execute(_ESCALATE, [stamp, day])
        escalated = cursor.rowcount
        if overdue or escalated:
            append(
                actor="system:sweep",
                action=Action.DEADLINE_SWEPT,
                obj="deadlines",
                digest=digest_of(f"{today.isoformat()}|{overdue}|{escalated}|{now.isoformat()}"),
            )
        result = SweepResult(overdue=overdue, escalated=escalated, owners=owners)
        transaction.on_commit(lambda: tell(result))
    return result


def tell(result: SweepResult) -> int:
    """One email per owner with newly overdue items and per oversight account when items
    escalated: how many, and where to look. Never what the cases are about."""
    counts: dict[str, int] = {}
    owners = {pk: n for pk, n in result.owners.items() if pk is not None}
    for user in User.objects.filter(pk__in=owners, is_active=True).exclude(email=""):
        counts[user.email] = counts.get(user.email, 0) + owners[user.pk]
    if result.escalated:
        watchers = User.objects.filter(
            role_grants__role=Role.OVERSIGHT, role_grants__revoked_at__isnull=True, is_active=True
        ).exclude(email="")
        for user in watchers.distinct():
            counts[user.email] = counts.get(user.email, 0) + result.escalated
    link = settings.SITE_URL.rstrip("/") + "/staff/"
    for address, items in counts.items():
        send_mail(
            _("Redress: deadlines need your attention"),
            _("%(items)s deadline items are overdue or escalated. Sign in to see them:\n\n%(link)s")
            % {"items": items, "link": link},
            None,
            [address],
        )
    return len(counts)
