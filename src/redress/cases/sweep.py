"""The deadline sweep: set-based SQL over every open item, not a Python loop over cases.

One pass, in one transaction: items past their due date become overdue and their owners are
told; overdue items past their escalation date (five working days after the due date) escalate
to oversight. The pass is ledgered once, with a digest of what it changed. Emails (one per
recipient, without case content) go after commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts.models import Role, User
from redress.cases.models import Audience, Notification
from redress.ledger.services import append, digest_of

# Plain SQL that runs alike on SQLite and PostgreSQL; the partial indexes on Deadline
# (deadline_watch, deadline_escalation_watch) serve the two UPDATEs.
_MARK_OVERDUE = """
UPDATE cases_deadline SET overdue_at = %s
WHERE met_at IS NULL AND cancelled_at IS NULL AND paused_remaining IS NULL
  AND overdue_at IS NULL AND due_on < %s
"""
_TELL_OWNERS = """
INSERT INTO cases_notification (deadline_id, case_id, audience, recipient_id, created_at)
SELECT d.id, d.case_id, %s, a.user_id, %s FROM cases_deadline d
LEFT JOIN cases_assignment a
  ON a.case_id = d.case_id AND a.role = d.owner_role AND a.ended_at IS NULL
WHERE d.overdue_at = %s
"""
_ESCALATE = """
UPDATE cases_deadline SET escalated_at = %s
WHERE met_at IS NULL AND cancelled_at IS NULL AND paused_remaining IS NULL
  AND overdue_at IS NOT NULL AND escalated_at IS NULL AND escalate_on < %s
"""
_TELL_OVERSIGHT = """
INSERT INTO cases_notification (deadline_id, case_id, audience, recipient_id, created_at)
SELECT d.id, d.case_id, %s, NULL, %s FROM cases_deadline d WHERE d.escalated_at = %s
"""


@dataclass(frozen=True)
class SweepResult:
    overdue: int
    escalated: int


def sweep(*, today: dt.date | None = None, now: dt.datetime | None = None) -> SweepResult:
    """Mark overdue and escalate, exactly once per item; tell owners and oversight."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    # Values as the ORM writes them, so raw and ORM reads of these columns agree.
    stamp = connection.ops.adapt_datetimefield_value(now)
    day = connection.ops.adapt_datefield_value(today)
    with transaction.atomic(), connection.cursor() as cursor:
        # The stamp ``now`` marks this pass's rows, so the notifications that follow name
        # exactly the items this pass changed.
        cursor.execute(_MARK_OVERDUE, [stamp, day])
        overdue = cursor.rowcount
        cursor.execute(_TELL_OWNERS, [str(Audience.OWNER), stamp, stamp])
        cursor.execute(_ESCALATE, [stamp, day])
        escalated = cursor.rowcount
        cursor.execute(_TELL_OVERSIGHT, [str(Audience.OVERSIGHT), stamp, stamp])
        if overdue or escalated:
            append(
                actor="system:sweep",
                action="deadline.swept",
                obj="deadlines",
                digest=digest_of(f"{today.isoformat()}|{overdue}|{escalated}|{now.isoformat()}"),
            )
        transaction.on_commit(lambda: send_notifications(until=now))
    return SweepResult(overdue=overdue, escalated=escalated)


def send_notifications(*, until: dt.datetime | None = None) -> int:
    """One email per person with new notifications, saying how many and where to look."""
    pending = Notification.objects.filter(
        emailed_at__isnull=True, created_at__lte=until or timezone.now()
    )
    link = settings.SITE_URL.rstrip("/") + "/staff/"
    sent = 0
    owners = (
        pending.filter(audience=Audience.OWNER, recipient__isnull=False)
        .values("recipient")
        .annotate(items=Count("id"))
    )
    by_user = {row["recipient"]: row["items"] for row in owners}
    recipients: dict[str, int] = {}
    for user in User.objects.filter(pk__in=by_user, is_active=True).exclude(email=""):
        recipients[user.email] = recipients.get(user.email, 0) + by_user[user.pk]
    escalations = pending.filter(audience=Audience.OVERSIGHT).count()
    if escalations:
        for user in User.objects.filter(
            role_grants__role=Role.OVERSIGHT, role_grants__revoked_at__isnull=True, is_active=True
        ).exclude(email=""):
            recipients[user.email] = recipients.get(user.email, 0) + escalations
    for address, items in recipients.items():
        send_mail(
            _("Redress: deadlines need your attention"),
            _("%(items)s deadline items are overdue or escalated. Sign in to see them:\n\n%(link)s")
            % {"items": items, "link": link},
            None,
            [address],
        )
        sent += 1
    pending.update(emailed_at=timezone.now())
    return sent
