"""The case file: staff records, the messages on the complainant's channel (the one writer of
message rows), and the parties' comments on the findings. Evidence is in ``evidence``."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from redress.accounts.models import Role, User
from redress.cases import schedule
from redress.cases.actions.base import (
    COMPLAINANT,
    HANDLERS,
    CaseError,
    _lock,
    _obj,
    _record,
    _ref,
    _require,
)
from redress.cases.actions.evidence import ReportClosed
from redress.cases.models import (
    AssignmentRole,
    Case,
    CaseRecord,
    DeadlineKind,
    Direction,
    Message,
    RecordKind,
    Source,
    Stage,
)
from redress.cases.notices import tell_complainant
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action

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
            action=Action.record_added(kind),
            obj=_obj(locked),
            digest=digest_of(body),
        )
    return record


def send_message_to_complainant(case: Case, body: str, *, actor: User) -> Message:
    """A message to the complainant on their channel; it counts as the regular update.

    An opted-in complainant is told by email, without what it says, once it is committed.
    """
    return _to_complainant(case, body, actor, update=True)


def send_support_message_to_complainant(case: Case, body: str, *, actor: User) -> Message:
    """A support adviser's message to the complainant on their channel: the helpline's one way
    to reach someone who may be anonymous. Not a handler's update, so no deadline is met.

    Only ``helpline.actions.record_contact`` calls this, inside its transaction, after checking
    under lock that the complainant has an open support request; here the actor must hold the
    support adviser role. The complainant is told by email, without what it says, as for any
    message.
    """
    return _to_complainant(case, body, actor, update=False)


def _to_complainant(case: Case, body: str, actor: User, *, update: bool) -> Message:
    """The one writer of messages to the complainant: a handler's ``update``, which meets the
    regular update's deadline and starts the next, or a support adviser's message."""
    if not body.strip():
        raise CaseError(_("Write the message before sending it."))
    if not update and not actor.has_role(Role.SUPPORT_ADVISER):
        raise CaseError(_("Only a support adviser can do this."))
    with transaction.atomic():
        locked = _lock(case)
        if update:
            _require(locked, actor, HANDLERS)
        message = _message(locked, body, Direction.TO_COMPLAINANT, author=actor)
        if update and schedule.meet(locked, DeadlineKind.FEEDBACK):
            schedule.start(locked, DeadlineKind.FEEDBACK)
        append(
            actor=_ref(actor),
            action=Action.CASE_MESSAGE_SENT,
            obj=_obj(locked),
            digest=digest_of(body),
        )
        tell_complainant(locked)
    return message


def receive_message_from_complainant(case: Case, body: str) -> Message:
    """A message on the complainant's channel to the handlers. Refuses (``ReportClosed``) once
    the report is withdrawn."""
    with transaction.atomic():
        locked = _lock(case)
        if locked.withdrawn_at is not None:
            raise ReportClosed("This report was withdrawn.")
        message = _message(locked, body, Direction.FROM_COMPLAINANT, author=None)
        append(
            actor=COMPLAINANT,
            action=Action.CASE_MESSAGE_RECEIVED,
            obj=_obj(locked),
            digest=digest_of(body),
        )
    return message


def _message(case: Case, body: str, direction: Direction, *, author: User | None) -> Message:
    message = Message(case=case, data_key=case.data_key, direction=direction, author=author)
    message.body = body
    message.save()
    return message


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
            action=Action.CASE_FINDINGS_COMMENTED,
            obj=_obj(locked),
            digest=digest_of(body),
        )
    return record
