"""What every act on a case shares: its refusals, the case row's lock, the actor's live
roles, and the record written on the file."""

from __future__ import annotations

from django.utils.translation import gettext as _

from redress.accounts import acting
from redress.accounts.models import User
from redress.cases.models import Assignment, AssignmentRole, Case, CaseRecord, RecordKind, Source


class CaseError(Exception):
    """An action was refused; the message says why, in words for the person who asked."""


class IllegalTransition(CaseError):
    """The lifecycle does not allow this move, or this person may not make it."""


COMPLAINANT = "complainant"
RESPONDENT = "respondent"
HANDLERS = frozenset(AssignmentRole)


def _ref(actor: User | str) -> str:
    """The ledger's actor: a member of staff acting through an API token is named with it
    ("user:1 via token:3"; see ``accounts.acting``)."""
    return actor if isinstance(actor, str) else acting.ref(actor)


def _obj(case: Case) -> str:
    return f"case:{case.reference}"


def live_roles(case: Case, user: User) -> set[str]:
    """The roles ``user`` holds on ``case`` now: live assignments whose role they still hold."""
    assigned = Assignment.objects.filter(case=case, user=user, ended_at__isnull=True)
    return set(assigned.values_list("role", flat=True)) & user.roles()


def _require(
    case: Case, actor: User, roles: frozenset[AssignmentRole] | set[AssignmentRole]
) -> None:
    if not live_roles(case, actor) & {str(r) for r in roles}:
        needed = " or ".join(str(AssignmentRole(r).label).lower() for r in sorted(roles))
        raise CaseError(_("Only the case's assigned %(roles)s can do this.") % {"roles": needed})


def _lock(case: Case) -> Case:
    # Only the case row is locked: the respondent is a nullable join, which PostgreSQL cannot lock.
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("data_key", "respondent")
        .get(pk=case.pk)
    )


def _record(
    case: Case, kind: RecordKind, body: str, *, source: Source, author: User | None
) -> CaseRecord:
    record = CaseRecord(case=case, kind=kind, source=source, author=author, data_key=case.data_key)
    record.body = body
    record.save()
    return record
