"""Every change to a case is one function here, atomic, with the actor as a required keyword,
and the ledger entry written in the same transaction as the change.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from redress.accounts.models import Role, User
from redress.cases import lifecycle
from redress.cases.models import (
    Assignment,
    AssignmentRole,
    Case,
    Category,
    Decision,
    Identity,
    Stage,
)
from redress.directory.models import Person
from redress.ledger.models import Entry, Pending
from redress.ledger.services import append, digest_of
from redress.vault.models import DataKey
from redress.vault.services import new_data_key

# Crockford's base-32 alphabet: no I, L, O or U, so references read aloud without confusion.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class CaseError(Exception):
    """An action was refused; the message says why, in words for the person who asked."""


def new_reference() -> str:
    body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"R-{body[:4]}-{body[4:]}"


def receive(
    *,
    category: Category,
    identity: Identity,
    narrative: str,
    respondent: Person | None = None,
    respondent_description: str = "",
    details: dict[str, Any] | None = None,
    data_key: DataKey | None = None,
    actor: str = "complainant",
) -> Case:
    """Record a new complaint: its data key, sealed content and ledger entry, all or nothing."""
    with transaction.atomic():
        case = open_case(
            category=category,
            identity=identity,
            narrative=narrative,
            respondent=respondent,
            respondent_description=respondent_description,
            details=details,
            data_key=data_key,
        )
        record_received(case, actor=actor)
    return case


def open_case(
    *,
    category: Category,
    identity: Identity,
    narrative: str,
    respondent: Person | None = None,
    respondent_description: str = "",
    details: dict[str, Any] | None = None,
    data_key: DataKey | None = None,
) -> Case:
    """Save a new case with its sealed content, NOT yet ledgered.

    Only for callers that do more work in the same transaction and then call
    ``record_received`` as their last step, so the ledger's lock is held as briefly as possible.
    ``data_key`` lets a draft's key become the case's, so evidence sealed while the report was
    being written needs no re-encryption. Refuses to run outside a transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise CaseError("open_case must run inside the transaction that records it")
    reference = new_reference()
    case = Case(
        reference=reference,
        data_key=data_key or new_data_key(f"case:{reference}"),
        category=category,
        identity=identity,
        respondent=respondent,
    )
    case.narrative = narrative
    case.respondent_description = respondent_description or None
    case.details = json.dumps(details or {}, sort_keys=True)
    case.save()
    return case


def record_received(case: Case, *, actor: str) -> Entry | Pending:
    """The ledger entry that proves when ``case`` was received; call it last in the act."""
    return append(
        actor=actor,
        action="case.received",
        obj=f"case:{case.reference}",
        digest=digest_of(case.narrative or ""),
    )


def assign(case: Case, user: User, role: AssignmentRole, *, actor: User | str) -> Assignment:
    """Put ``user`` on ``case`` as ``role``. Administrators and oversight can never be assigned."""
    if any(user.has_role(r) for r in (Role.ADMINISTRATOR, Role.OVERSIGHT)):
        raise CaseError("Administrators and oversight staff cannot handle cases.")
    if not user.has_role(role):
        raise CaseError(f"{user} does not hold the {role} role.")
    actor_ref = actor if isinstance(actor, str) else f"user:{actor.pk}"
    with transaction.atomic():
        assignment, _ = Assignment.objects.get_or_create(
            case=case, user=user, role=role, ended_at=None
        )
        append(
            actor=actor_ref,
            action="case.assigned",
            obj=f"case:{case.reference}",
            digest=digest_of(f"user:{user.pk}:{role}"),
        )
    return assignment


def read_content(case: Case, *, actor: User) -> dict[str, str | None]:
    """The case's sealed content for a permitted reader; the read is ledgered first.

    The ledger entry and the decryption happen in one transaction: if the entry cannot be
    written, nothing is shown.
    """
    with transaction.atomic():
        append(actor=f"user:{actor.pk}", action="case.viewed", obj=f"case:{case.reference}")
        return {
            "narrative": case.narrative,
            "respondent_description": case.respondent_description,
        }


class IllegalTransition(CaseError):
    """The lifecycle does not allow this move, or this person may not make it."""


def transition(
    case: Case,
    to: Stage,
    *,
    actor: User,
    reasons: str,
    decision: Decision | None = None,
) -> Case:
    """Move ``case`` to stage ``to``: checked against the lifecycle table and the actor's live
    assignment, with reasons recorded, and ledgered in the same transaction.

    Refuses (IllegalTransition, with a message for the person who asked): a move the table does
    not list; an actor not assigned to the case in a role allowed to make it; empty reasons; a
    deciding move without a decision, or with one that does not fit the move; closing a case
    that has no decision.
    """
    if not reasons.strip():
        raise IllegalTransition("Give the reasons for this step.")
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("data_key").get(pk=case.pk)
        step = lifecycle.move(locked.stage, to)
        if step is None:
            allowed = ", ".join(str(s.label) for s in lifecycle.next_stages(locked.stage))
            raise IllegalTransition(
                f"A case at “{Stage(locked.stage).label}” cannot move to “{Stage(to).label}”. "
                + (f"It can move to: {allowed}." if allowed else "It is closed.")
            )
        roles = set(
            Assignment.objects.filter(case=locked, user=actor, ended_at__isnull=True).values_list(
                "role", flat=True
            )
        )
        if not roles & {str(r) for r in step.by}:
            needed = " or ".join(str(r.label).lower() for r in step.by)
            raise IllegalTransition(f"Only the case's assigned {needed} can make this step.")
        if step.decides:
            if decision is None or decision not in _FITTING_DECISIONS[Stage(to)]:
                raise IllegalTransition("Record the decision for this step.")
            locked.decision = decision
            locked.decision_reasons = reasons
            locked.decided_at = timezone.now()
        elif to == Stage.CLOSED and not locked.decision:
            raise IllegalTransition("A case cannot be closed without a decision and reasons.")
        previous = locked.stage
        locked.stage = to
        locked.stage_changed_at = timezone.now()
        locked.save()
        append(
            actor=f"user:{actor.pk}",
            action="case.stage_changed",
            obj=f"case:{locked.reference}",
            digest=digest_of(f"{previous}>{to}|{locked.decision}|{reasons}"),
        )
    return locked


_FITTING_DECISIONS: dict[Stage, set[Decision]] = {
    Stage.NOT_TAKEN_FORWARD: {Decision.NOT_TAKEN_FORWARD},
    Stage.CLOSED: {Decision.RESOLVED_INFORMALLY},
    Stage.DECISION: {Decision.UPHELD, Decision.PARTLY_UPHELD, Decision.NOT_UPHELD},
}
