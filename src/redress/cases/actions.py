"""Every change to a case is one function here, atomic, with the actor as a required keyword,
and the ledger entry written in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Required, TypedDict, Unpack

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts.models import Role, User
from redress.cases import independence, lifecycle, schedule
from redress.cases.models import (
    SHARED_WITH_RESPONDENT,
    Appeal,
    AppealOutcome,
    Assignment,
    AssignmentRole,
    Attachment,
    Case,
    CaseRecord,
    Category,
    ConflictDeclaration,
    DeadlineKind,
    Decision,
    Direction,
    Identity,
    InterimMeasure,
    MeasureKind,
    Message,
    RecordKind,
    RespondentInvitation,
    RiskException,
    Sanction,
    Source,
    Stage,
)
from redress.directory.models import Office, Party, Person
from redress.ledger.models import Entry, Pending
from redress.ledger.services import append, digest_of
from redress.register import services as register
from redress.vault.models import DataKey
from redress.vault.services import new_data_key
from redress.vault.storage import EncryptingStorage

# Crockford's base-32 alphabet: no I, L, O or U, so references read aloud without confusion.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class CaseError(Exception):
    """An action was refused; the message says why, in words for the person who asked."""


def new_reference() -> str:
    """``R-7KQ2-M9XD``: 40 random bits, five to a symbol, so every symbol is equally likely in
    every place (one read of the system's randomness, not one per symbol)."""
    number = secrets.randbits(40)
    body = "".join(_ALPHABET[(number >> (5 * place)) & 0b11111] for place in range(8))
    return f"R-{body[:4]}-{body[4:]}"


class CaseContent(TypedDict, total=False):
    """What a new case is made of, as the keyword arguments of ``receive``, ``open_case`` and
    ``build_case``. ``data_key`` lets a draft's key become the case's, so evidence sealed while
    the report was being written needs no re-encryption; without it the case gets a new key."""

    category: Required[Category]
    identity: Required[Identity]
    narrative: Required[str]
    respondent: Person | None
    respondent_description: str
    details: dict[str, Any] | None
    data_key: DataKey | None


def receive(*, actor: str = "complainant", **content: Unpack[CaseContent]) -> Case:
    """Record a new complaint: its data key, sealed content and ledger entry, all or nothing."""
    with transaction.atomic():
        case = open_case(**content)
        record_received(case, actor=actor)
    return case


def open_case(**content: Unpack[CaseContent]) -> Case:
    """Save a new case with its sealed content, NOT yet ledgered.

    Only for callers that do more work in the same transaction and then call
    ``record_received`` as their last step, so the ledger's lock is held as briefly as possible.
    Refuses to run outside a transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise CaseError("open_case must run inside the transaction that records it")
    case = build_case(**content)
    case.save()
    schedule.start(case, *schedule.FIRST_KINDS)
    return case


def build_case(**content: Unpack[CaseContent]) -> Case:
    """A new case with its content assigned (sealed when it is written), not yet saved.

    For ``open_case`` and for writers that save a whole report in one statement; either way
    the case's first deadlines are ``schedule.first_items(case)``.
    """
    reference = new_reference()
    case = Case(
        reference=reference,
        data_key=content.get("data_key") or new_data_key(f"case:{reference}"),
        category=content["category"],
        identity=content["identity"],
        respondent=content.get("respondent"),
    )
    case.narrative = content["narrative"]
    case.respondent_description = content.get("respondent_description") or None
    case.details = json.dumps(content.get("details") or {}, sort_keys=True)
    return case


def record_received(case: Case, *, actor: str) -> Entry | Pending:
    """The ledger entry that proves when ``case`` was received; call it last in the act."""
    return append(**received_entry(case, actor=actor))


def received_entry(case: Case, *, actor: str) -> dict[str, str]:
    """What the ``case.received`` entry records, as ``append``'s keyword arguments."""
    return {
        "actor": actor,
        "action": "case.received",
        "obj": f"case:{case.reference}",
        "digest": digest_of(case.narrative or ""),
    }


class IllegalTransition(CaseError):
    """The lifecycle does not allow this move, or this person may not make it."""


COMPLAINANT = "complainant"
RESPONDENT = "respondent"
HANDLERS = frozenset(AssignmentRole)


def _ref(actor: User | str) -> str:
    return actor if isinstance(actor, str) else f"user:{actor.pk}"


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


# -- who handles the case ---------------------------------------------------------------------


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
        append(
            actor=_ref(actor),
            action="case.assigned",
            obj=_obj(locked),
            digest=digest_of(f"user:{user.pk}:{role}"),
        )
    return assignment


def unassign(assignment: Assignment, *, actor: User | str, reasons: str) -> None:
    """End an assignment (a handler leaves, or a conflict came to light). History is kept."""
    if not reasons.strip():
        raise CaseError(_("Give the reasons for taking them off the case."))
    with transaction.atomic():
        if not isinstance(actor, str) and actor != assignment.user:
            _require(
                assignment.case, actor, {AssignmentRole.CASEWORKER, AssignmentRole.DECISION_MAKER}
            )
        Assignment.objects.filter(pk=assignment.pk, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )
        append(
            actor=_ref(actor),
            action="case.unassigned",
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
    with transaction.atomic():
        declaration = ConflictDeclaration.objects.create(
            user=user, person=person, party=party, office=office, reason=reason.strip()[:500]
        )
        append(
            actor=_ref(user),
            action="conflict.declared",
            obj=f"user:{user.pk}",
            digest=digest_of(f"{person and person.pk}|{party and party.pk}|{office and office.pk}"),
        )
        # It counts at once: the declarer leaves every case it touches (a caseworker's case goes
        # back to the pool), with the ledger saying why.
        live = Assignment.objects.filter(user=user, ended_at__isnull=True).select_related("case")
        for assignment in live:
            if independence.conflicts(user, assignment.case):
                unassign(assignment, actor=user, reasons=_("They declared a conflict of interest."))
    return declaration


# -- reading ----------------------------------------------------------------------------------


def read_content(case: Case, *, actor: User) -> dict[str, str | None]:
    """The case's sealed content for a permitted reader; the read is ledgered first.

    The ledger entry and the decryption happen in one transaction: if the entry cannot be
    written, nothing is shown.
    """
    with transaction.atomic():
        append(actor=_ref(actor), action="case.viewed", obj=_obj(case))
        return {
            "narrative": case.narrative,
            "respondent_description": case.respondent_description,
            "details": case.details,
        }


# -- the lifecycle ----------------------------------------------------------------------------


def _illegal(stage: Stage, to: Stage) -> IllegalTransition:
    allowed = ", ".join(f"“{s.label}”" for s in lifecycle.next_stages(stage))
    return IllegalTransition(
        _("A case at “%(stage)s” cannot move to “%(to)s”.")
        % {"stage": Stage(stage).label, "to": Stage(to).label}
        + " "
        + (
            _("It can move to: %(allowed)s.") % {"allowed": allowed}
            if allowed
            else _("It is closed.")
        )
    )


def _move(locked: Case, to: Stage, *, by: set[str], actor: str, reasons: str) -> lifecycle.Move:
    """Check ``locked`` may move to ``to`` for someone acting as any of ``by``; set the stage."""
    step = lifecycle.move(locked.stage, to)
    if step is None:
        raise _illegal(Stage(locked.stage), to)
    if not by & {str(r) for r in step.by}:
        needed = " or ".join(lifecycle.label(r) for r in sorted(step.by))
        raise IllegalTransition(
            _("Only the case's assigned %(roles)s can make this step.") % {"roles": needed}
        )
    if locked.held_since is not None:
        raise IllegalTransition(_("The case is on hold. Resume it before moving it on."))
    previous = locked.stage
    locked.stage = to
    locked.stage_changed_at = timezone.now()
    _after_move(locked, Stage(previous), to)
    append(
        actor=actor,
        action="case.stage_changed",
        obj=_obj(locked),
        digest=digest_of(f"{previous}>{to}|{locked.decision}|{reasons}"),
    )
    return step


def _after_move(case: Case, previous: Stage, to: Stage) -> None:
    """The deadlines a move meets, starts and ends (DESIGN.md's lifecycle table)."""
    if to == Stage.ACKNOWLEDGED:
        case.acknowledged_at = case.stage_changed_at
        schedule.meet(case, DeadlineKind.ACKNOWLEDGE)
        schedule.start(case, DeadlineKind.FEEDBACK, DeadlineKind.SUBSTANTIVE_ANSWER)
    elif to == Stage.ASSESSED:
        case.assessed_at = case.stage_changed_at
        schedule.meet(case, DeadlineKind.ASSESS)
    elif to == Stage.NOT_TAKEN_FORWARD:
        schedule.meet(case, DeadlineKind.SUBSTANTIVE_ANSWER)
    elif to == Stage.INVESTIGATION:
        kinds = [DeadlineKind.INVESTIGATION]
        if case.respondent_id is not None and case.respondent_notified_at is None:
            kinds.append(DeadlineKind.NOTIFY_RESPONDENT)
        schedule.start(case, *kinds)
    elif to == Stage.FINDINGS:
        schedule.meet(case, DeadlineKind.INVESTIGATION)
        schedule.start(case, DeadlineKind.DECIDE)
    elif to == Stage.DECISION:
        schedule.meet(case, DeadlineKind.DECIDE, DeadlineKind.SUBSTANTIVE_ANSWER)
        schedule.cancel(case, [DeadlineKind.FEEDBACK])
    elif to == Stage.APPEAL_WINDOW:
        schedule.start(case, DeadlineKind.APPEAL_WINDOW)
    elif to == Stage.APPEAL:
        schedule.meet(case, DeadlineKind.APPEAL_WINDOW)
        schedule.start(case, DeadlineKind.APPEAL)
    elif to == Stage.CLOSED:
        schedule.meet(case, DeadlineKind.APPEAL_WINDOW, DeadlineKind.APPEAL)
        schedule.meet(case, DeadlineKind.SUBSTANTIVE_ANSWER)
        schedule.cancel(case)
        InterimMeasure.objects.filter(case=case, ended_on__isnull=True).update(
            ended_on=schedule.today()
        )


def transition(
    case: Case,
    to: Stage,
    *,
    actor: User,
    reasons: str,
    decision: Decision | None = None,
    sanction: Sanction | None = None,
) -> Case:
    """Move ``case`` to stage ``to``: checked against the lifecycle table and the actor's live
    assignment, with reasons recorded, deadlines updated and ledgered in the same transaction.

    Refuses (IllegalTransition, with a message for the person who asked): a move the table does
    not list; an actor not assigned to the case in a role allowed to make it; empty reasons; a
    deciding move without a decision, or with one that does not fit the move; an upheld decision
    without a sanction (which may be "no sanction"); closing before the appeal window has run;
    closing a case that has no decision; any move while the case is on hold.
    """
    if not reasons.strip():
        raise IllegalTransition(_("Give the reasons for this step."))
    with transaction.atomic():
        locked = _lock(case)
        step = lifecycle.move(locked.stage, to)
        if step is None:
            raise _illegal(Stage(locked.stage), to)
        if step.decides:
            if decision is None or decision not in _FITTING_DECISIONS[Stage(to)]:
                raise IllegalTransition(_("Record the decision for this step."))
            _decide(locked, decision, sanction, reasons)
        elif to == Stage.CLOSED and not locked.decision:
            raise IllegalTransition(_("A case cannot be closed without a decision and reasons."))
        if locked.stage == Stage.APPEAL_WINDOW and to == Stage.CLOSED:
            window = schedule.open_items(locked).filter(kind=DeadlineKind.APPEAL_WINDOW).first()
            if window is not None and window.due_on >= schedule.today():
                raise IllegalTransition(
                    _("The appeal window runs until %(day)s. The case can close after that.")
                    % {"day": window.due_on.strftime("%-d %B %Y")}
                )
        _move(locked, to, by=live_roles(locked, actor), actor=_ref(actor), reasons=reasons)
        if not step.decides:
            _record(locked, RecordKind.TRANSITION, reasons, source=Source.STAFF, author=actor)
        locked.save()
        if to == Stage.DECISION:
            _record_on_register(locked, actor=_ref(actor))
    return locked


_FITTING_DECISIONS: dict[Stage, set[Decision]] = {
    Stage.NOT_TAKEN_FORWARD: {Decision.NOT_TAKEN_FORWARD},
    Stage.CLOSED: {Decision.RESOLVED_INFORMALLY},
    Stage.DECISION: {Decision.UPHELD, Decision.PARTLY_UPHELD, Decision.NOT_UPHELD},
}


def _decide(case: Case, decision: Decision, sanction: Sanction | None, reasons: str) -> None:
    """Put the decision on the locked ``case``. An upheld finding needs a sanction (which may be
    "no sanction"); no other decision may carry one, or the respondent and the register would
    show a sanction for nothing found."""
    found = decision in register.FINDINGS
    if found and not sanction:
        raise IllegalTransition(_("Record the sanction, or that there is none."))
    if not found and sanction and sanction != Sanction.NONE:
        raise IllegalTransition(_("A sanction can follow only a finding that is upheld."))
    case.decision = decision
    case.decision_reasons = reasons
    case.decided_at = timezone.now()
    case.sanction = (sanction or "") if found else ""


def _record_on_register(case: Case, *, actor: str) -> None:
    """Make the sanctions register reflect the case's latest decision about a directory person."""
    if case.respondent is None:
        return
    register.record_outcome(
        person=case.respondent,
        case_reference=case.reference,
        category=case.category,
        decision=case.decision,
        sanction=case.sanction,
        decided_on=timezone.localdate(case.decided_at or timezone.now()),
        actor=actor,
    )


# -- hold -------------------------------------------------------------------------------------

_HOLDERS = frozenset({AssignmentRole.CASEWORKER, AssignmentRole.DECISION_MAKER})


@contextmanager
def _hold_act(
    case: Case, *, actor: User, text: str, missing: str, kind: RecordKind, action: str
) -> Iterator[Case]:
    """The shape of every act on a hold: a reason is required; the case is locked and the actor
    must hold it; the body acts; the reason goes on the file and, digested, in the ledger."""
    if not text.strip():
        raise CaseError(missing)
    with transaction.atomic():
        locked = _lock(case)
        _require(locked, actor, _HOLDERS)
        yield locked
        _record(locked, kind, text, source=Source.STAFF, author=actor)
        append(actor=_ref(actor), action=action, obj=_obj(locked), digest=digest_of(text))


def put_on_hold(case: Case, *, actor: User, reason: str) -> Case:
    """Stop every deadline's clock (for example during a police investigation), with a reason,
    and start the hold's own review deadline."""
    with _hold_act(
        case,
        actor=actor,
        text=reason,
        missing=_("Give the reason for putting the case on hold."),
        kind=RecordKind.HOLD,
        action="case.held",
    ) as locked:
        if locked.stage == Stage.CLOSED:
            raise CaseError(_("A closed case cannot be put on hold."))
        if locked.held_since is not None:
            raise CaseError(_("The case is already on hold."))
        locked.held_since = timezone.now()
        locked.hold_reason = reason
        locked.save(update_fields=["held_since", "hold_reason"])
        schedule.pause(schedule.open_items(locked))
        schedule.start(locked, DeadlineKind.HOLD_REVIEW)
    return locked


def review_hold(case: Case, *, actor: User, notes: str) -> Case:
    """The hold was reviewed and continues: its next review is due in its own interval."""
    with _hold_act(
        case,
        actor=actor,
        text=notes,
        missing=_("Write what the review found."),
        kind=RecordKind.REVIEW,
        action="case.hold_reviewed",
    ) as locked:
        if locked.held_since is None:
            raise CaseError(_("The case is not on hold."))
        schedule.meet(locked, DeadlineKind.HOLD_REVIEW)
        schedule.start(locked, DeadlineKind.HOLD_REVIEW)
    return locked


def resume(case: Case, *, actor: User, reasons: str) -> Case:
    """End the hold: every paused deadline runs again with the working days it had left."""
    with _hold_act(
        case,
        actor=actor,
        text=reasons,
        missing=_("Give the reasons for resuming the case."),
        kind=RecordKind.REVIEW,
        action="case.resumed",
    ) as locked:
        if locked.held_since is None:
            raise CaseError(_("The case is not on hold."))
        locked.held_since = None
        locked.hold_reason = None
        locked.save(update_fields=["held_since", "hold_reason"])
        schedule.meet(locked, DeadlineKind.HOLD_REVIEW)
        running = schedule.open_items(locked)
        if _live_exception(locked) is not None:
            running = running.exclude(kind=DeadlineKind.NOTIFY_RESPONDENT)
        schedule.resume(running)
    return locked


# -- the file: records, evidence, messages ----------------------------------------------------

# Who may write each kind of record on the case file.
_WRITERS: dict[RecordKind, frozenset[AssignmentRole]] = {
    RecordKind.ALLEGATIONS: frozenset({AssignmentRole.CASEWORKER, AssignmentRole.INVESTIGATOR}),
    RecordKind.EVIDENCE_NOTE: frozenset({AssignmentRole.CASEWORKER, AssignmentRole.INVESTIGATOR}),
    RecordKind.INTERVIEW: frozenset({AssignmentRole.INVESTIGATOR}),
    RecordKind.FINDINGS: frozenset({AssignmentRole.INVESTIGATOR}),
}


def add_record(case: Case, kind: RecordKind, body: str, *, actor: User) -> CaseRecord:
    """A staff record on the case file: the allegations as put to the respondent, evidence
    notes, interview notes, the findings report."""
    if kind not in _WRITERS:
        raise CaseError(_("Staff cannot write that kind of record here."))
    if not body.strip():
        raise CaseError(_("Write the record before saving it."))
    with transaction.atomic():
        locked = _lock(case)
        _require(locked, actor, _WRITERS[kind])
        if locked.stage == Stage.CLOSED:
            raise CaseError(_("The case is closed."))
        if kind == RecordKind.FINDINGS and locked.stage != Stage.INVESTIGATION:
            raise CaseError(_("The findings report is written during the investigation."))
        record = _record(locked, kind, body, source=Source.STAFF, author=actor)
        append(
            actor=_ref(actor),
            action=f"case.record_added.{kind}",
            obj=_obj(locked),
            digest=digest_of(body),
        )
    return record


def records_for_respondent(case: Case) -> list[CaseRecord]:
    """What the respondent may read: the allegations' substance, the findings, their own
    answers and the appeal's outcome. Never the complainant's words or identity."""
    if case.respondent_notified_at is None:
        return []
    return list(case.records.filter(kind__in=[str(k) for k in SHARED_WITH_RESPONDENT]))


def send_message_to_complainant(case: Case, body: str, *, actor: User) -> Message:
    """A message to the complainant on their channel; it counts as the regular update.

    The caller tells an opted-in complainant by email after this returns (intake's
    ``notify_update``), since that belongs to the complainant's front door.
    """
    if not body.strip():
        raise CaseError(_("Write the message before sending it."))
    with transaction.atomic():
        locked = _lock(case)
        _require(locked, actor, HANDLERS)
        message = Message(
            case=locked, data_key=locked.data_key, direction=Direction.TO_COMPLAINANT, author=actor
        )
        message.body = body
        message.save()
        if schedule.meet(locked, DeadlineKind.FEEDBACK):
            schedule.start(locked, DeadlineKind.FEEDBACK)
        append(
            actor=_ref(actor), action="case.message_sent", obj=_obj(locked), digest=digest_of(body)
        )
    return message


def attach(
    case: Case,
    data: bytes,
    *,
    kind: str,
    original_name: str,
    kept_original: bool,
    source: Source,
    actor: User | str,
) -> Attachment:
    """Evidence from a handler or the respondent, already checked and cleaned by the front door,
    sealed with the case's key."""
    if case.stage == Stage.CLOSED:
        raise CaseError(_("The case is closed."))
    stored = EncryptingStorage().save_sealed(data, case.data_key)
    with transaction.atomic():
        attachment = Attachment(
            case=case,
            data_key=case.data_key,
            stored_name=stored,
            kind=kind,
            size=len(data),
            kept_original=kept_original,
            source=source,
        )
        attachment.original_name = original_name[:200]
        attachment.save()
        append(
            actor=_ref(actor), action="case.evidence_added", obj=_obj(case), digest=digest_of(data)
        )
    return attachment


# -- interim measures -------------------------------------------------------------------------

_MEASURERS = frozenset(
    {AssignmentRole.CASEWORKER, AssignmentRole.INVESTIGATOR, AssignmentRole.DECISION_MAKER}
)


def record_measure(
    case: Case, kind: MeasureKind, details: str, *, actor: User, started_on: dt.date | None = None
) -> InterimMeasure:
    """An interim measure while the case runs (a party's withdrawal of the whip is recorded as
    a fact, not ordered), reviewed every interval until it ends."""
    if not details.strip():
        raise CaseError(_("Describe the measure."))
    with transaction.atomic():
        locked = _lock(case)
        _require(locked, actor, _MEASURERS)
        if locked.stage == Stage.CLOSED:
            raise CaseError(_("The case is closed."))
        measure = InterimMeasure(
            case=locked,
            kind=kind,
            data_key=locked.data_key,
            started_on=started_on or schedule.today(),
            recorded_by=actor,
        )
        measure.details = details
        measure.save()
        schedule.start(locked, DeadlineKind.INTERIM_REVIEW, subject=f"measure:{measure.pk}")
        append(
            actor=_ref(actor),
            action="case.measure_recorded",
            obj=_obj(locked),
            digest=digest_of(f"{kind}|{details}"),
        )
    return measure


def review_measure(
    measure: InterimMeasure, *, actor: User, notes: str, end: bool = False
) -> InterimMeasure:
    """Review a measure: it continues to its next review, or ends."""
    if not notes.strip():
        raise CaseError(_("Write what the review found."))
    with transaction.atomic():
        locked = _lock(measure.case)
        _require(locked, actor, _MEASURERS)
        current = InterimMeasure.objects.select_for_update().get(pk=measure.pk)
        if current.ended_on is not None:
            raise CaseError(_("This measure has ended."))
        subject = f"measure:{current.pk}"
        schedule.meet(locked, DeadlineKind.INTERIM_REVIEW, subject=subject)
        current.last_reviewed_on = schedule.today()
        if end:
            current.ended_on = schedule.today()
        else:
            schedule.start(locked, DeadlineKind.INTERIM_REVIEW, subject=subject)
        current.save(update_fields=["last_reviewed_on", "ended_on"])
        _record(locked, RecordKind.REVIEW, notes, source=Source.STAFF, author=actor)
        append(
            actor=_ref(actor),
            action="case.measure_ended" if end else "case.measure_reviewed",
            obj=_obj(locked),
            digest=digest_of(f"{subject}|{notes}"),
        )
    return current


# -- the respondent ---------------------------------------------------------------------------


def _live_exception(case: Case) -> RiskException | None:
    return (
        case.risk_exceptions.filter(approved_at__isnull=False, ended_at__isnull=True)
        .order_by("pk")
        .first()
    )


def request_risk_exception(case: Case, *, actor: User, reasons: str) -> RiskException:
    """Ask to delay telling the respondent, with documented reasons; the decision-maker decides."""
    if not reasons.strip():
        raise CaseError(_("Document the risk that justifies the delay."))
    with transaction.atomic():
        locked = _lock(case)
        _require(locked, actor, {AssignmentRole.CASEWORKER, AssignmentRole.INVESTIGATOR})
        if locked.respondent_notified_at is not None:
            raise CaseError(_("The respondent has already been told."))
        if locked.risk_exceptions.filter(ended_at__isnull=True).exists():
            raise CaseError(_("A risk exception is already open on this case."))
        record = _record(
            locked, RecordKind.RISK_EXCEPTION, reasons, source=Source.STAFF, author=actor
        )
        exception = RiskException.objects.create(case=locked, record=record, requested_by=actor)
        append(
            actor=_ref(actor),
            action="case.risk_exception_requested",
            obj=_obj(locked),
            digest=digest_of(reasons),
        )
    return exception


def approve_risk_exception(exception: RiskException, *, actor: User) -> RiskException:
    """The decision-maker approves: the notification deadline pauses, reviewed every interval."""
    with transaction.atomic():
        locked = _lock(exception.case)
        _require(locked, actor, {AssignmentRole.DECISION_MAKER})
        current = RiskException.objects.select_for_update().get(pk=exception.pk)
        if current.approved_at is not None or current.ended_at is not None:
            raise CaseError(_("This risk exception has already been decided."))
        current.approved_by = actor
        current.approved_at = timezone.now()
        current.save(update_fields=["approved_by", "approved_at"])
        schedule.pause(schedule.open_items(locked).filter(kind=DeadlineKind.NOTIFY_RESPONDENT))
        schedule.start(locked, DeadlineKind.RISK_REVIEW, subject=f"exception:{current.pk}")
        append(actor=_ref(actor), action="case.risk_exception_approved", obj=_obj(locked))
    return current


def review_risk_exception(
    exception: RiskException, *, actor: User, notes: str, keep: bool
) -> RiskException:
    """The decision-maker reviews the exception: it continues to its next review, or ends and
    the notification deadline runs again. Ending an unapproved request refuses it."""
    if not notes.strip():
        raise CaseError(_("Write what the review found."))
    with transaction.atomic():
        locked = _lock(exception.case)
        _require(locked, actor, {AssignmentRole.DECISION_MAKER})
        current = RiskException.objects.select_for_update().get(pk=exception.pk)
        if current.ended_at is not None:
            raise CaseError(_("This risk exception has ended."))
        if keep and current.approved_at is None:
            raise CaseError(_("Approve the exception first."))
        subject = f"exception:{current.pk}"
        schedule.meet(locked, DeadlineKind.RISK_REVIEW, subject=subject)
        if keep:
            schedule.start(locked, DeadlineKind.RISK_REVIEW, subject=subject)
        else:
            current.ended_at = timezone.now()
            current.save(update_fields=["ended_at"])
            if locked.held_since is None:
                schedule.resume(
                    schedule.open_items(locked).filter(kind=DeadlineKind.NOTIFY_RESPONDENT)
                )
        _record(locked, RecordKind.REVIEW, notes, source=Source.STAFF, author=actor)
        append(
            actor=_ref(actor),
            action="case.risk_exception_reviewed" if keep else "case.risk_exception_ended",
            obj=_obj(locked),
            digest=digest_of(notes),
        )
    return current


INVITATION_LIFETIME = dt.timedelta(days=30)


def invitation_digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def notify_respondent(case: Case, *, actor: User) -> str:
    """Tell the respondent the substance of the allegations: an emailed link to the respondent's
    pages, sent after commit. Returns the link's secret (shown to nobody else).

    Refuses: a respondent who is not in the directory or has no email address; a case not yet
    under investigation; no written substance of the allegations to show; a live risk exception.
    A second call sends a fresh link and ends the old one.
    """
    with transaction.atomic():
        locked = _lock(case)
        _require(locked, actor, {AssignmentRole.CASEWORKER, AssignmentRole.INVESTIGATOR})
        person = locked.respondent
        if person is None:
            raise CaseError(_("The respondent is not in the directory, so cannot be invited."))
        if not person.email:
            raise CaseError(_("The directory has no email address for the respondent."))
        if lifecycle.order(locked.stage) < lifecycle.order(Stage.INVESTIGATION):
            raise CaseError(_("The respondent is told once the case is under investigation."))
        if locked.stage == Stage.CLOSED:
            raise CaseError(_("The case is closed."))
        if _live_exception(locked) is not None:
            raise CaseError(_("An approved risk exception delays telling the respondent."))
        if not locked.records.filter(kind=RecordKind.ALLEGATIONS).exists():
            raise CaseError(_("Write the substance of the allegations first: it is what they see."))
        token = _send_invitation(locked, person)
        if locked.respondent_notified_at is None:
            locked.respondent_notified_at = timezone.now()
            locked.save(update_fields=["respondent_notified_at"])
        schedule.meet(locked, DeadlineKind.NOTIFY_RESPONDENT)
        append(actor=_ref(actor), action="case.respondent_notified", obj=_obj(locked))
    return token


def _send_invitation(case: Case, person: Person) -> str:
    """A fresh link for ``person`` on ``case``, emailed after commit; older links stop working."""
    token = secrets.token_urlsafe(32)
    case.invitations.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    RespondentInvitation.objects.create(
        case=case,
        person=person,
        token_digest=invitation_digest(token),
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    link = settings.SITE_URL.rstrip("/") + reverse("respond:open", args=[token])
    address = person.email
    transaction.on_commit(
        lambda: send_mail(
            _("A complaint about you: what happens next"),
            _(
                "A complaint has been made about you under %(scheme)s. You can read the "
                "substance of the allegations, the deadlines and how to answer, and find "
                "support, through this link (it works for 30 days; you can ask for a new "
                "one):\n\n%(link)s"
            )
            % {"scheme": settings.SCHEME_NAME, "link": link},
            None,
            [address],
        )
    )
    return token


def resend_invitation(email: str) -> int:
    """Send a fresh link for every open case whose notified respondent has this address.

    Says nothing about whether there were any (the caller answers the same either way).
    """
    email = email.strip()
    if not email:
        return 0
    sent = 0
    cases = Case.objects.filter(
        respondent__email__iexact=email, respondent_notified_at__isnull=False
    ).exclude(stage=Stage.CLOSED)
    for case in cases.select_related("respondent"):
        with transaction.atomic():
            locked = _lock(case)
            assert locked.respondent is not None
            _send_invitation(locked, locked.respondent)
            append(actor=RESPONDENT, action="case.respondent_link_resent", obj=_obj(locked))
        sent += 1
    return sent


def invitation_for(token: str) -> RespondentInvitation | None:
    """The live invitation behind an emailed link, or None. The first opening is ledgered."""
    invitation = (
        RespondentInvitation.objects.filter(
            token_digest=invitation_digest(token),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("case", "person")
        .first()
    )
    if invitation is not None and invitation.first_opened_at is None:
        with transaction.atomic():
            RespondentInvitation.objects.filter(pk=invitation.pk).update(
                first_opened_at=timezone.now()
            )
            append(actor=RESPONDENT, action="case.respondent_opened", obj=_obj(invitation.case))
    return invitation


def record_respondent_read(case: Case) -> None:
    """The respondent's page showed them what is on the file about them: ledgered, as every read
    of case content is."""
    append(actor=RESPONDENT, action="case.respondent_read", obj=_obj(case))


def answer_as_respondent(case: Case, body: str) -> CaseRecord:
    """The respondent's written answer to the allegations."""
    if not body.strip():
        raise CaseError(_("Write your answer before sending it."))
    with transaction.atomic():
        locked = _lock(case)
        if locked.respondent_notified_at is None or locked.stage == Stage.CLOSED:
            raise CaseError(_("This case is not open for your answer."))
        record = _record(locked, RecordKind.RESPONSE, body, source=Source.RESPONDENT, author=None)
        append(
            actor=RESPONDENT,
            action="case.respondent_answered",
            obj=_obj(locked),
            digest=digest_of(body),
        )
    return record


def comment_on_findings(case: Case, body: str, *, source: Source) -> CaseRecord:
    """A party's comment on the findings report's factual accuracy, before the decision."""
    if source not in (Source.COMPLAINANT, Source.RESPONDENT):
        raise CaseError(_("Only the complainant and the respondent comment on the findings."))
    if not body.strip():
        raise CaseError(_("Write your comment before sending it."))
    with transaction.atomic():
        locked = _lock(case)
        if (
            locked.stage != Stage.FINDINGS
            or not locked.records.filter(kind=RecordKind.FINDINGS).exists()
        ):
            raise CaseError(_("Comments are taken while the findings report is being checked."))
        record = _record(locked, RecordKind.ACCURACY_COMMENT, body, source=source, author=None)
        append(
            actor=str(source),
            action="case.findings_commented",
            obj=_obj(locked),
            digest=digest_of(body),
        )
    return record


def withdraw(case: Case, reason: str) -> None:
    """The complainant withdraws: the case is kept (nothing is deleted) and marked withdrawn,
    with their reasons, if they gave any, on the file for the handlers to read. Its deadlines
    still run: the handlers close the case, with a decision, as for any other."""
    with transaction.atomic():
        locked = _lock(case)
        if locked.withdrawn_at is not None:
            raise CaseError(_("This report was already withdrawn."))
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["withdrawn_at"])
        if reason.strip():
            _record(locked, RecordKind.WITHDRAWAL, reason, source=Source.COMPLAINANT, author=None)
        append(
            actor=COMPLAINANT, action="case.withdrawn", obj=_obj(locked), digest=digest_of(reason)
        )
    case.withdrawn_at = locked.withdrawn_at


def appeal_closes_on(case: Case) -> dt.date | None:
    window = schedule.open_items(case).filter(kind=DeadlineKind.APPEAL_WINDOW).first()
    return window.due_on if window else None


def lodge_appeal(case: Case, grounds: str, *, by: Source) -> Appeal:
    """The complainant or the respondent appeals the decision, within the window."""
    if by not in (Source.COMPLAINANT, Source.RESPONDENT):
        raise CaseError(_("Only the complainant and the respondent can appeal."))
    if not grounds.strip():
        raise CaseError(_("Give the grounds of your appeal."))
    with transaction.atomic():
        locked = _lock(case)
        closes = appeal_closes_on(locked)
        if locked.stage != Stage.APPEAL_WINDOW or closes is None:
            raise CaseError(_("This decision cannot be appealed now."))
        if schedule.today() > closes:
            raise CaseError(_("The time to appeal has passed."))
        record = _record(locked, RecordKind.APPEAL_GROUNDS, grounds, source=by, author=None)
        appeal = Appeal.objects.create(case=locked, by=by, grounds=record)
        _move(locked, Stage.APPEAL, by={str(by)}, actor=str(by), reasons=grounds)
        locked.save()
    return appeal


def decide_appeal(
    case: Case,
    *,
    actor: User,
    outcome: AppealOutcome,
    reasons: str,
    decision: Decision | None = None,
    sanction: Sanction | None = None,
) -> Case:
    """The appeals panel decides; the case closes. An allowed appeal changes the decision (and
    with it the sanctions register, at once)."""
    if not reasons.strip():
        raise IllegalTransition(_("Give the reasons for the appeal's outcome."))
    with transaction.atomic():
        locked = _lock(case)
        appeal = Appeal.objects.select_for_update().filter(case=locked).first()
        if appeal is None or appeal.outcome:
            raise IllegalTransition(_("There is no appeal waiting for a decision."))
        if outcome == AppealOutcome.ALLOWED:
            fitting = _FITTING_DECISIONS[Stage.DECISION]
            if decision is None or decision not in fitting or decision == locked.decision:
                raise IllegalTransition(_("An allowed appeal needs the changed decision."))
            _decide(locked, decision, sanction, reasons)
        _move(
            locked, Stage.CLOSED, by=live_roles(locked, actor), actor=_ref(actor), reasons=reasons
        )
        appeal.outcome = outcome
        appeal.decided_at = timezone.now()
        appeal.decided_by = actor
        appeal.save(update_fields=["outcome", "decided_at", "decided_by"])
        _record(locked, RecordKind.APPEAL_OUTCOME, reasons, source=Source.STAFF, author=actor)
        locked.save()
        if outcome == AppealOutcome.ALLOWED:
            _record_on_register(locked, actor=_ref(actor))
    return locked
