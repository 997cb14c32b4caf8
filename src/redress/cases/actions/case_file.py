"""The case file: staff records, messages to the complainant, evidence, and the parties'
comments on the findings."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from redress.accounts.models import User
from redress.cases import schedule
from redress.cases.actions.base import HANDLERS, CaseError, _lock, _obj, _record, _ref, _require
from redress.cases.models import (
    AssignmentRole,
    Attachment,
    Case,
    CaseRecord,
    DeadlineKind,
    Direction,
    Message,
    RecordKind,
    Source,
    Stage,
)
from redress.ledger.services import append, digest_of
from redress.vault.storage import EncryptingStorage

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
