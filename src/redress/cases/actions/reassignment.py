"""Access follows conflicts, and leavers' cases go back: the system ends an assignment when a
change elsewhere makes it wrong, and the case waits for a new handler on a deadline.

A change to who is who (``directory_changed``: a directory import, a console edit) checks every
live assignment again with ``independence.conflicts``; a handler newly in conflict is taken off
at once, in the transaction of the change. Closing an account (``account_deactivated``) ends all
of its holder's assignments the same way. Either way the assignment keeps why it ended (the
case page tells the handler who lost access, and nobody else), the case gets a "reassign the
case" item due in ``policy.reassign`` working days (a caseworker's case is back in the pool at
once), oversight is emailed after commit, and the ledger has one entry per assignment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from redress.accounts.models import Role, User
from redress.cases import independence, schedule
from redress.cases.actions.base import _lock, _obj, _ref
from redress.cases.models import Assignment, AssignmentEnd, Case, DeadlineKind, Stage
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action


@dataclass(frozen=True)
class Ended:
    """One assignment the system ended: enough to tell oversight without saying who or why."""

    reference: str
    role: str
    # False for a closed case: nothing to reassign, nobody to tell.
    waiting: bool = True


def reassign_subject(role: str) -> str:
    """The subject of the "reassign the case" item for a place in ``role``: met when someone
    is next assigned in that role."""
    return f"role:{role}"


def end_assignment(
    assignment: Assignment,
    *,
    why: AssignmentEnd,
    note: str = "",
    actor: User | str,
) -> Ended | None:
    """End ``assignment`` for ``why``, ledgered, and put the case up for reassignment.

    Call inside a transaction. Returns None when the assignment had already ended.
    """
    case = _lock(assignment.case)
    ended = Assignment.objects.filter(pk=assignment.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=why, end_note=note[:1000]
    )
    if not ended:
        return None
    action = (
        Action.CASE_ASSIGNMENT_SUSPENDED
        if why == AssignmentEnd.CONFLICT
        else Action.CASE_UNASSIGNED
    )
    append(
        actor=_ref(actor),
        action=action,
        obj=_obj(case),
        digest=digest_of(f"user:{assignment.user_id}:{assignment.role}|{why}"),
    )
    return await_new_handler(case, assignment.role)


def await_new_handler(case: Case, role: str) -> Ended:
    """Start the "reassign the case" item for the place in ``role`` (one at a time), unless the
    case is closed. Call inside the transaction that emptied the place."""
    waiting = case.stage != Stage.CLOSED
    if waiting:
        subject = reassign_subject(role)
        if not schedule.open_items(case).filter(kind=DeadlineKind.REASSIGN, subject=subject):
            schedule.build(case, DeadlineKind.REASSIGN, subject=subject).save()
    return Ended(reference=case.reference, role=role, waiting=waiting)


def _reasons_in_english(user: User, assignment: Assignment) -> list[str]:
    # Kept in English, the messages' own ids, so the page can word them in the reader's language.
    with translation.override("en"):
        return independence.conflicts(user, assignment.case)


def recheck_assignments(*, actor: User | str) -> list[Ended]:
    """Take every handler now in conflict off the case; call inside the change's transaction."""
    ended: list[Ended] = []
    live = Assignment.objects.filter(ended_at__isnull=True).select_related(
        "user", "case__respondent"
    )
    with transaction.atomic():
        for assignment in live.order_by("pk"):
            reasons = _reasons_in_english(assignment.user, assignment)
            if not reasons:
                continue
            done = end_assignment(
                assignment, why=AssignmentEnd.CONFLICT, note="\n".join(reasons), actor=actor
            )
            if done is not None:
                ended.append(done)
        tell_oversight(ended)
    return ended


def end_assignments_of(user: User, *, actor: User | str) -> list[Ended]:
    """A closed account's assignments end, each case waiting for a new handler."""
    ended: list[Ended] = []
    live = Assignment.objects.filter(user=user, ended_at__isnull=True).select_related("case")
    with transaction.atomic():
        for assignment in live.order_by("pk"):
            done = end_assignment(assignment, why=AssignmentEnd.ACCOUNT_CLOSED, actor=actor)
            if done is not None:
                ended.append(done)
        tell_oversight(ended)
    return ended


def tell_oversight(ended: list[Ended]) -> None:
    """After commit, one email to each oversight account: how many cases wait for a new
    handler, and where to look. Never who lost access or why."""
    count = len({e.reference for e in ended if e.waiting})
    if not count:
        return
    transaction.on_commit(lambda: _send(count), robust=True)


def _send(count: int) -> int:
    watchers = (
        User.objects.filter(
            role_grants__role=Role.OVERSIGHT, role_grants__revoked_at__isnull=True, is_active=True
        )
        .exclude(email="")
        .distinct()
    )
    link = settings.SITE_URL.rstrip("/") + "/staff/oversight"
    sent = 0
    for user in watchers:
        send_mail(
            _("Redress: cases need a new handler"),
            ngettext(
                "%(count)s case lost a handler (a conflict of interest arose or an account was "
                "closed) and must be reassigned. Sign in to see it:\n\n%(link)s",
                "%(count)s cases lost a handler (a conflict of interest arose or an account was "
                "closed) and must be reassigned. Sign in to see them:\n\n%(link)s",
                count,
            )
            % {"count": count, "link": link},
            None,
            [user.email],
        )
        sent += 1
    return sent


def on_directory_changed(sender: Any, *, actor: str, **_: Any) -> None:
    """Receiver of ``directory_changed``: runs inside the change's transaction."""
    recheck_assignments(actor=actor)


def on_account_deactivated(sender: Any, *, user: User, actor: User | str, **_: Any) -> None:
    """Receiver of ``account_deactivated``: runs inside the deactivation's transaction."""
    end_assignments_of(user, actor=actor)
