"""Who handles a case: assignment, leaving it, and declared conflicts of interest."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts.models import Role, User
from redress.cases import independence, schedule
from redress.cases.actions import reassignment
from redress.cases.actions.base import CaseError, _lock, _obj, _ref, _require
from redress.cases.models import (
    Assignment,
    AssignmentEnd,
    AssignmentRole,
    Case,
    ConflictDeclaration,
    DeadlineKind,
)
from redress.directory.models import Office, Party, Person
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action

# The longest reason a conflict declaration records (ConflictDeclaration.reason).
CONFLICT_REASON_MAX = 500


def assign(case: Case, user: User, role: AssignmentRole, *, actor: User | str) -> Assignment:
    """Put ``user`` on ``case`` as ``role``, after the independence checks.

    Refuses administrators and oversight, anyone without the role, anyone with a conflict (each
    reason named), and a person who asks without being the case's caseworker or decision-maker
    (a caseworker may take an unassigned case for themselves). System actors (strings) skip the
    last check: the demo loader and tests.
    """
    if any(user.has_role(r) for r in (Role.ADMINISTRATOR, Role.OVERSIGHT)):
        raise CaseError(_("Administrators and oversight staff cannot handle cases."))
    if not user.has_role(role):
        raise CaseError(
            _("%(user)s does not hold the %(role)s role.")
            % {"user": user, "role": str(AssignmentRole(role).label).lower()}
        )
    reasons = independence.conflicts(user, case)
    if reasons:
        raise CaseError(
            _("%(user)s cannot handle this case: %(reasons)s")
            % {"user": user, "reasons": " ".join(reasons)}
        )
    with transaction.atomic():
        locked = _lock(case)
        if not isinstance(actor, str):
            taking_unassigned = (
                actor == user
                and role == AssignmentRole.CASEWORKER
                and not locked.assignments.filter(
                    role=AssignmentRole.CASEWORKER, ended_at__isnull=True
                ).exists()
            )
            if not taking_unassigned:
                _require(locked, actor, {AssignmentRole.CASEWORKER, AssignmentRole.DECISION_MAKER})
        assignment, _created = Assignment.objects.get_or_create(
            case=locked, user=user, role=role, ended_at=None
        )
        # A place the system emptied (a conflict arose, a handler left) is filled again.
        schedule.meet(locked, DeadlineKind.REASSIGN, subject=f"role:{role}")
        if role == AssignmentRole.APPEALS_PANEL:
            schedule.meet(locked, DeadlineKind.ASSIGN_APPEALS_PANEL)
        append(
            actor=_ref(actor),
            action=Action.CASE_ASSIGNED,
            obj=_obj(locked),
            digest=digest_of(f"user:{user.pk}:{role}"),
        )
    return assignment


def unassign(
    assignment: Assignment,
    *,
    actor: User | str,
    reasons: str,
    why: AssignmentEnd = AssignmentEnd.HANDED_OVER,
    note: str = "",
) -> None:
    """End an assignment (a handler leaves, or a conflict came to light). History is kept;
    ``why`` and ``note`` stay on the assignment for the case page to tell its holder."""
    if not reasons.strip():
        raise CaseError(_("Give the reasons for taking them off the case."))
    with transaction.atomic():
        if not isinstance(actor, str) and actor != assignment.user:
            _require(
                assignment.case, actor, {AssignmentRole.CASEWORKER, AssignmentRole.DECISION_MAKER}
            )
        Assignment.objects.filter(pk=assignment.pk, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=why, end_note=note[:1000]
        )
        append(
            actor=_ref(actor),
            action=Action.CASE_UNASSIGNED,
            obj=_obj(assignment.case),
            digest=digest_of(f"user:{assignment.user_id}:{assignment.role}|{reasons}"),
        )


def declare_conflict(
    user: User,
    *,
    reason: str,
    person: Person | None = None,
    party: Party | None = None,
    office: Office | None = None,
) -> ConflictDeclaration:
    """A handler declares whom they must not judge. It takes them off the cases it touches now,
    and counts at every later assignment."""
    if person is None and party is None and office is None:
        raise CaseError(_("Choose the person, party or office you have a conflict with."))
    if not reason.strip():
        raise CaseError(_("Say briefly why you have a conflict."))
    if len(reason.strip()) > CONFLICT_REASON_MAX:
        # Refused, never cut: a reason cut short would be recorded as if it were whole.
        raise CaseError(_("The reason must be 500 characters or fewer."))
    with transaction.atomic():
        declaration = ConflictDeclaration.objects.create(
            user=user, person=person, party=party, office=office, reason=reason.strip()
        )
        append(
            actor=_ref(user),
            action=Action.CONFLICT_DECLARED,
            obj=f"user:{user.pk}",
            digest=digest_of(f"{person and person.pk}|{party and party.pk}|{office and office.pk}"),
        )
        # It counts at once: the declarer leaves every case it touches (a caseworker's case goes
        # back to the pool), with the ledger saying why.
        # Each case it leaves waits for a new handler on a deadline, and oversight is told.
        ended: list[reassignment.Ended] = []
        live = Assignment.objects.filter(user=user, ended_at__isnull=True).select_related("case")
        for assignment in live:
            if independence.conflicts(user, assignment.case):
                unassign(
                    assignment,
                    actor=user,
                    reasons=_("They declared a conflict of interest."),
                    why=AssignmentEnd.CONFLICT,
                    # In English, the message's own id: the case page words it for its reader.
                    note="They declared a conflict of interest.",
                )
                ended.append(reassignment.await_new_handler(assignment.case, assignment.role))
        reassignment.tell_oversight(ended)
    return declaration
