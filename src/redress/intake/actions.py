"""The complainant's acts: writing a draft, staging evidence, submitting, following up.

Every change is one function, atomic, ledgered in the same transaction. Complainants are never
identified in the ledger: their acts are recorded with the actor ``complainant``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from redress.accounts.throttle import Throttle
from redress.cases import actions as case_actions
from redress.cases import schedule
from redress.cases.actions import (
    CaseContent,
    build_case,
    open_case,
    received_entry,
    record_received,
)
from redress.cases.models import (
    Attachment,
    Case,
    Category,
    Direction,
    Identity,
    Message,
    Source,
)
from redress.core.oneshot import OneStatement
from redress.directory.models import Person
from redress.intake import contact, receipts
from redress.intake.models import Draft, Receipt
from redress.intake.uploads import CleanedFile
from redress.ledger.models import Entry, Pending
from redress.ledger.services import (
    append,
    append_call,
    can_append_in_statement,
    digest_of,
    entry_from_row,
)
from redress.vault.models import DataKey
from redress.vault.services import make_data_key, new_data_key, shred
from redress.vault.storage import EncryptingStorage

COMPLAINANT = "complainant"
# How long an untouched draft lives before the sweep shreds it.
DRAFT_LIFETIME = timedelta(hours=4)
# How long a submitted draft keeps the receipt code for a lost response or a double click.
RECEIPT_HOLD = timedelta(hours=24)


class IncompleteReport(Exception):
    """Submission was refused: these steps still need an answer."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


# Evidence after submission: at most this many of the complainant's files on a case in all
# (the wizard's ten included), so the front door cannot be used to fill the store.
MAX_CASE_FILES = 20


class CaseFull(Exception):
    """The case already has as many of the complainant's files as it may."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"a case takes at most {limit} files from the complainant")
        self.limit = limit


def complainant_files(case: Case) -> int:
    return case.attachments.filter(source=Source.COMPLAINANT).count()


class ReportClosed(Exception):
    """The report was withdrawn or closed, so it takes no more messages or evidence."""


@dataclass(frozen=True)
class Submission:
    case: Case
    code: str
    entry: Entry | Pending  # resolve with ledger.services.chained() after commit
    first_time: bool  # False when this was a repeat of a submission already made


def start_draft(draft_id: uuid.UUID | None = None) -> Draft:
    """A new, empty draft with its own data key (the key the case will inherit).

    With ``draft_id`` (an idempotent API request), a draft of that id that already exists makes
    this raise IntegrityError instead of making a second one.
    """
    with transaction.atomic():
        draft = Draft(pk=draft_id or uuid.uuid4(), data_key=new_data_key("draft"))
        draft.answers = "{}"
        draft.save(force_insert=True)
    return draft


def answers_of(draft: Draft) -> dict[str, Any]:
    return dict(json.loads(draft.answers or "{}"))


# What identifies a complainant who is not anonymous, and nothing else does.
CONTACT_ANSWERS = ("contact_name", "contact_email", "contact_phone", "email_updates")
# The rest of the answers a case keeps in its sealed details.
DETAIL_ANSWERS = (
    "when_kind",
    "when_date",
    "when_period",
    "where",
    "witnesses",
    "impact",
    "outcome",
    "support",
)


def _anonymous(answers: dict[str, Any]) -> bool:
    """An anonymous report keeps no contact answer and no way to reach its author."""
    return answers.get("identity") == Identity.ANONYMOUS


def save_answers(draft: Draft, changes: dict[str, Any]) -> dict[str, Any]:
    """Merge ``changes`` into the draft's sealed answers; returns the whole set.

    Choosing to be anonymous forgets any contact details given before, so none can reach the case.
    """
    answers = answers_of(draft)
    answers.update(changes)
    if _anonymous(answers):
        for key in CONTACT_ANSWERS:
            answers.pop(key, None)
    draft.answers = json.dumps(answers, sort_keys=True)
    draft.updated_at = timezone.now()
    draft.save(update_fields=["answers", "updated_at"])
    return answers


def stage_evidence(draft: Draft, cleaned: CleanedFile, *, original_name: str) -> dict[str, Any]:
    """Seal a cleaned file with the draft's key and list it among the draft's evidence."""
    stored = EncryptingStorage().save_sealed(cleaned.data, draft.data_key)
    item = {
        "stored_name": stored,
        "kind": cleaned.kind,
        "size": len(cleaned.data),
        "kept_original": bool(cleaned.found) and not cleaned.removed,
        "original_name": original_name[:200],
        "removed": list(cleaned.removed),
        # What the file still shows when kept as it was: the wizard tells the complainant.
        "found": list(cleaned.found),
    }
    answers = answers_of(draft)
    save_answers(draft, {"evidence": [*answers.get("evidence", []), item]})
    return item


def remove_evidence(draft: Draft, stored_name: str) -> None:
    answers = answers_of(draft)
    kept = [e for e in answers.get("evidence", []) if e["stored_name"] != stored_name]
    if len(kept) != len(answers.get("evidence", [])):
        save_answers(draft, {"evidence": kept})
        EncryptingStorage().delete(stored_name)


REQUIRED = {
    "what_happened": "what-happened",
    "category": "category",
    "when_kind": "when",
    "support": "support",
    "identity": "identity",
}


def missing_steps(answers: dict[str, Any]) -> list[str]:
    """The wizard steps that still need an answer before the report can be sent."""
    missing = [step for key, step in REQUIRED.items() if not answers.get(key)]
    if not (answers.get("respondent_id") or answers.get("respondent_description")):
        missing.insert(2, "who")
    if answers.get("identity") in {Identity.NAMED, Identity.CONFIDENTIAL} and not answers.get(
        "contact_name"
    ):
        missing.append("contact")
    return missing


def _details(answers: dict[str, Any]) -> dict[str, Any]:
    keys = DETAIL_ANSWERS if _anonymous(answers) else DETAIL_ANSWERS + CONTACT_ANSWERS
    return {k: answers[k] for k in keys if answers.get(k) not in (None, "")}


def submit(draft_id: Any, *, actor: str = COMPLAINANT) -> Submission:
    """Turn a complete draft into a case in one transaction, and issue its receipt code.

    The draft row is locked, so a double click, a back-button resubmission or a retried request
    makes one case: a repeat returns the same case and the same code (held sealed in the draft
    until the complainant confirms they saved it). Refuses with ``IncompleteReport`` when a step
    is unanswered.
    """
    with transaction.atomic():
        draft = Draft.objects.select_for_update().select_related("data_key").get(pk=draft_id)
        if draft.case_id is not None:
            case = draft.case
            assert case is not None
            received = Entry.objects.filter(
                action="case.received", object=f"case:{case.reference}"
            ).first() or Pending.objects.get(
                action="case.received", object=f"case:{case.reference}"
            )
            return Submission(case=case, code=draft.receipt or "", entry=received, first_time=False)
        answers = answers_of(draft)
        case, code, entry = _make_case(answers, data_key=draft.data_key, actor=actor, draft=draft)
    return Submission(case=case, code=code, entry=entry, first_time=True)


def submit_answers(answers: dict[str, Any], *, actor: str = COMPLAINANT) -> Submission:
    """A complete report that arrives in one piece (the API without an idempotency key): the
    same case, receipt and ledger entry as ``submit``, without the draft a wizard needs."""
    if can_append_in_statement() and not answers.get("evidence"):
        return _submit_in_one_statement(answers, actor=actor)
    with transaction.atomic():
        key = new_data_key("case")
        case, code, entry = _make_case(answers, data_key=key, actor=actor, draft=None)
    return Submission(case=case, code=code, entry=entry, first_time=True)


def _submit_in_one_statement(answers: dict[str, Any], *, actor: str) -> Submission:
    """``submit_answers`` on PostgreSQL: the same rows as ``_make_case``, in one statement.

    Data key, case, first deadlines, receipt and the ``case.received`` ledger entry go to the
    server together and commit together (or, inside a caller's transaction, with it): one round
    trip instead of ten, and the ledger's lock is held only inside the server.
    """
    case = build_case(**_case_fields(answers, data_key=make_data_key("case")))
    code = receipts.new_code()
    statement = OneStatement()
    statement.insert("new_key", [case.data_key])
    statement.insert("new_case", [case], returning="id")
    items = schedule.first_items(case)
    for item in items:
        item.case_id = statement.ref("new_case")
    statement.insert("new_deadlines", items)
    receipt = Receipt(case_id=statement.ref("new_case"), digest=_code_digest(code))
    email = _email_to_verify(answers)
    if email:
        contact.set_email(receipt, email, updates=bool(answers.get("email_updates")))
    statement.insert("new_receipt", [receipt], returning="id")
    entry = received_entry(case, actor=actor)
    append_sql, append_params = append_call(**entry)
    row = statement.run(
        "SELECT (SELECT id FROM new_case), (SELECT id FROM new_receipt), "  # noqa: S608
        f"e.seq, e.time, e.prev_hash, e.hash FROM {append_sql} AS e",  # a fixed function call
        append_params,
    )
    case.pk, receipt.pk = row[0], row[1]
    receipt.case = case
    if email:
        contact.send_verification(receipt, email)
    return Submission(case=case, code=code, entry=entry_from_row(row[2:], **entry), first_time=True)


def _case_fields(answers: dict[str, Any], *, data_key: DataKey) -> CaseContent:
    """What a case is made of, from a report's answers and the key it is sealed with;
    ``IncompleteReport`` if a step is unanswered."""
    missing = missing_steps(answers)
    if missing:
        raise IncompleteReport(missing)
    respondent = None
    if answers.get("respondent_id"):
        respondent = Person.objects.filter(identifier=answers["respondent_id"]).first()
    return {
        "category": Category(answers["category"]),
        "identity": Identity(answers["identity"]),
        "narrative": answers["what_happened"],
        "respondent": respondent,
        "respondent_description": answers.get("respondent_description", ""),
        "details": _details(answers),
        "data_key": data_key,
    }


def _code_digest(code: str) -> bytes:
    return receipts.digest(receipts.normalise(code) or "")


def _email_to_verify(answers: dict[str, Any]) -> str | None:
    email = answers.get("contact_email")
    return email if email and not _anonymous(answers) else None


def _make_case(
    answers: dict[str, Any], *, data_key: DataKey, actor: str, draft: Draft | None
) -> tuple[Case, str, Entry | Pending]:
    """The case, its evidence, its receipt and its ledger entry, inside the caller's transaction.

    Refuses with ``IncompleteReport`` when a step is unanswered.
    """
    case = open_case(**_case_fields(answers, data_key=data_key))
    for item in answers.get("evidence", []):
        attachment = Attachment(
            case=case,
            data_key=data_key,
            stored_name=item["stored_name"],
            kind=item["kind"],
            size=item["size"],
            kept_original=item["kept_original"],
        )
        attachment.original_name = item["original_name"]
        attachment.save()
    code = receipts.new_code()
    receipt = Receipt.objects.create(case=case, digest=_code_digest(code))
    email = _email_to_verify(answers)
    if email:
        contact.remember_email(receipt, email, updates=bool(answers.get("email_updates")))
    if draft is not None:
        draft.case = case
        draft.receipt = code
        # The case now holds the content; the draft keeps only the code, for a while.
        draft.answers = "{}"
        draft.updated_at = timezone.now()
        draft.save(update_fields=["case", "receipt", "answers", "updated_at"])
    # Last, so the ledger's lock is held only for the entry and the commit.
    return case, code, record_received(case, actor=actor)


def confirm_receipt_saved(draft: Draft) -> None:
    """The complainant says they saved the code: the draft forgets it for good."""
    draft.receipt = None
    draft.receipt_confirmed_at = timezone.now()
    draft.save(update_fields=["receipt", "receipt_confirmed_at"])


def find_case(typed_code: str) -> Case | None:
    """The case a receipt code opens, or None. Never says whether a code is close."""
    code = receipts.normalise(typed_code)
    if code is None:
        return None
    receipt = Receipt.objects.select_related("case", "case__data_key").filter(
        digest=receipts.digest(code)
    )
    found = receipt.first()
    return found.case if found else None


def record_failed_code(*, client_paused: bool = False, service_paused: bool = False) -> None:
    """Count a wrong code in the ledger, without anything that identifies who typed it.

    When that code is the one that pauses code entry, for its client or across the service,
    the pause is recorded too: codes typed while entry is paused are not checked, so are not
    ledgered one by one, but an auditor can still see that guessing was stopped, and when.
    """
    with transaction.atomic():
        append(actor=COMPLAINANT, action="receipt.refused", obj="receipt:unknown")
        if client_paused:
            append(actor=COMPLAINANT, action="receipt.entry_paused", obj="receipt:one-client")
        if service_paused:
            append(actor=COMPLAINANT, action="receipt.entry_paused", obj="receipt:everyone")


def _open(case: Case) -> None:
    if case.withdrawn_at is not None:
        raise ReportClosed("This report was withdrawn.")


def send_message_from_complainant(case: Case, body: str) -> Message:
    """A message on the anonymous channel from the complainant to the handlers."""
    _open(case)
    with transaction.atomic():
        message = Message(case=case, data_key=case.data_key, direction=Direction.FROM_COMPLAINANT)
        message.body = body
        message.save()
        append(
            actor=COMPLAINANT,
            action="case.message_received",
            obj=f"case:{case.reference}",
            digest=digest_of(body),
        )
    return message


def add_evidence(case: Case, cleaned: CleanedFile, *, original_name: str) -> Attachment:
    """Evidence added after submission, sealed with the case's key.

    Refuses with ``CaseFull`` once the case holds ``MAX_CASE_FILES`` of the complainant's
    files; the count is taken with the case's row locked, so two uploads at once cannot both
    take the last place.
    """
    _open(case)
    storage = EncryptingStorage()
    stored = storage.save_sealed(cleaned.data, case.data_key)
    try:
        return _attach(case, cleaned, stored=stored, original_name=original_name)
    except BaseException:
        storage.delete(stored)  # nothing names it: the row was never committed
        raise


def _attach(case: Case, cleaned: CleanedFile, *, stored: str, original_name: str) -> Attachment:
    with transaction.atomic():
        # On SQLite the transaction itself holds the write lock from its start.
        Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").first()
        if complainant_files(case) >= MAX_CASE_FILES:
            raise CaseFull(MAX_CASE_FILES)
        attachment = Attachment(
            case=case,
            data_key=case.data_key,
            stored_name=stored,
            kind=cleaned.kind,
            size=len(cleaned.data),
            kept_original=bool(cleaned.found) and not cleaned.removed,
        )
        attachment.original_name = original_name[:200]
        attachment.save()
        append(
            actor=COMPLAINANT,
            action="case.evidence_added",
            obj=f"case:{case.reference}",
            digest=digest_of(cleaned.data),
        )
    return attachment


def withdraw(case: Case, *, reason: str) -> None:
    """The complainant withdraws. The case is kept (nothing is deleted) and marked withdrawn, and
    the reasons go on the case file for the handlers."""
    _open(case)
    try:
        case_actions.withdraw(case, reason)
    except case_actions.CaseError as refused:
        raise ReportClosed(str(refused)) from None


def expire_drafts(now: Any = None) -> int:
    """Shred abandoned drafts and the codes of old submissions; returns how many were ended."""
    now = now or timezone.now()
    ended = 0
    abandoned = Draft.objects.filter(case__isnull=True, updated_at__lt=now - DRAFT_LIFETIME)
    for draft in abandoned.select_related("data_key"):
        for item in answers_of(draft).get("evidence", []):
            EncryptingStorage().delete(item["stored_name"])
        with transaction.atomic():
            shred(draft.data_key, actor="system:sweep", reason="draft abandoned")
            draft.delete()
        ended += 1
    held = Draft.objects.filter(
        case__isnull=False, receipt_confirmed_at__isnull=True, updated_at__lt=now - RECEIPT_HOLD
    )
    for draft in held.select_related("data_key"):
        confirm_receipt_saved(draft)
        ended += 1
    return ended


# How old an unreferenced file must be before it is taken for an orphan: far longer than an
# upload takes between being stored and its row being committed.
ORPHAN_AGE = timedelta(days=1)


def remove_orphan_files(now: Any = None) -> int:
    """Delete sealed files that nothing refers to; returns how many.

    A file is kept while an attachment or a live draft's evidence names it. Others are left by
    an upload whose transaction never committed (a crash, a refusal), or by a file held on
    "Check your report" for a choice the complainant never made before their session ended.
    Each is already unreadable once its key is shredded; removing it leaves nothing to decrypt
    even with the key. Only files older than ``ORPHAN_AGE`` are considered.
    """
    now = now or timezone.now()
    storage = EncryptingStorage()
    in_drafts = {
        item["stored_name"]
        for draft in Draft.objects.filter(case__isnull=True).select_related("data_key")
        for item in answers_of(draft).get("evidence", [])
    }
    removed = 0
    for bucket in storage.buckets():
        candidates = set(storage.stored_before(bucket, now - ORPHAN_AGE)) - in_drafts
        if not candidates:
            continue
        attached = set(
            Attachment.objects.filter(stored_name__in=candidates).values_list(
                "stored_name", flat=True
            )
        )
        for name in sorted(candidates - attached):
            storage.delete(name)
            removed += 1
    if removed:
        with transaction.atomic():
            append(
                actor="system:sweep",
                action="storage.orphans_removed",
                obj="storage:vault",
                digest=digest_of(str(removed)),
            )
    return removed


class CodeEntryPaused(Exception):
    """Too many wrong codes from this client, or across the service: entry is paused."""


def _code_throttles() -> tuple[Throttle, Throttle]:
    per_client = Throttle(
        "receipt", limit=settings.RECEIPT_MAX_FAILURES, window=settings.RECEIPT_LOCKOUT_SECONDS
    )
    everyone = Throttle("receipt-all", limit=settings.RECEIPT_GLOBAL_FAILURES_PER_MINUTE, window=60)
    return per_client, everyone


def code_entry_paused(client: str) -> bool:
    """True while ``client`` (an in-memory fingerprint), or everyone, may not try a code:
    after too many wrong ones, or while the throttles' counts cannot be read."""
    return _paused(*_code_throttles(), client)


def _paused(per_client: Throttle, everyone: Throttle, client: str) -> bool:
    return per_client.is_locked(client) or everyone.is_locked("all")


def open_with_code(typed_code: str, *, client: str) -> Case | None:
    """The case a typed receipt code opens, throttled per client and across the service.

    ``client`` is an in-memory fingerprint, never stored. A wrong code counts against both
    throttles and is ledgered without any client identity, and so is the pause it starts, if
    it is the one that locks a throttle. Raises CodeEntryPaused while either throttle is
    locked, whatever the code.
    """
    per_client, everyone = _code_throttles()
    if _paused(per_client, everyone, client):
        raise CodeEntryPaused
    case = find_case(typed_code)
    if case is None:
        (client_count,) = per_client.fail(client)
        (service_count,) = everyone.fail("all")
        record_failed_code(
            client_paused=per_client.locks_at(client_count),
            service_paused=everyone.locks_at(service_count),
        )
    # A right code does not clear the wrong ones: anyone with a code of their own could otherwise
    # guess without end, a few at a time. They expire with the throttle's window.
    return case
