"""The complainant's acts: writing a draft, staging evidence, submitting, following up.

Every change is one function, atomic, ledgered in the same transaction. Complainants are never
identified in the ledger: their acts are recorded with the actor ``complainant``.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from redress.accounts.throttle import Reservation, Throttle
from redress.cases import actions as case_actions
from redress.cases.actions import MAX_COMPLAINANT_FILES, SealedFile

# The case's refusals of the complainant's evidence and messages, named for their pages too.
from redress.cases.actions import CaseFull as CaseFull
from redress.cases.actions import ReportClosed as ReportClosed
from redress.cases.actions import complainant_files as complainant_files
from redress.cases.models import Attachment, Case, Category, Identity, Message, Source
from redress.directory.models import Person
from redress.disclosure import actions as disclosure
from redress.helpline import actions as helpline
from redress.helpline.models import OfferedAt, Party
from redress.intake import contact, receipts
from redress.intake.cleaning import cleaning_of, cleaning_of_staged, kept_as_uploaded
from redress.intake.models import Draft, Receipt
from redress.intake.sandbox import CleanedFile, clean
from redress.intake.steps import missing_steps
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action
from redress.ledger.models import Entry
from redress.vault import actions as vault
from redress.vault.actions import new_data_key, shred
from redress.vault.models import DataKey
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


# Evidence after submission: the case's limit, which ``cases.actions.attach`` enforces.
MAX_CASE_FILES = MAX_COMPLAINANT_FILES


@dataclass(frozen=True)
class Submission:
    case: Case
    code: str
    first_time: bool  # False when this was a repeat of a submission already made
    # Whether the confirmation email went to the address given with it: None when none was
    # given (or on a repeat), False when too many had gone to that address or from that client.
    email_sent: bool | None = None

    @cached_property
    def entry(self) -> Entry:
        """The ``case.received`` entry: the proof of when the report arrived (read when an
        acknowledgement is made, not for every report)."""
        return Entry.objects.get(action=Action.CASE_RECEIVED, object=f"case:{self.case.reference}")


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
        "removed_names": list(cleaned.removed_names),
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


def _details(answers: dict[str, Any]) -> dict[str, Any]:
    keys = DETAIL_ANSWERS if _anonymous(answers) else DETAIL_ANSWERS + CONTACT_ANSWERS
    if answers.get("identity") == Identity.CONFIDENTIAL:  # sealed apart: ``disclosure.seal``
        answers = {k: v for k, v in answers.items() if k not in disclosure.ANSWERS}
    return {k: answers[k] for k in keys if answers.get(k) not in (None, "")}


def submit(draft_id: Any, *, actor: str = COMPLAINANT, client: str | None = None) -> Submission:
    """Turn a complete draft into a case in one transaction, and issue its receipt code.

    The draft row is locked, so a double click, a back-button resubmission or a retried request
    makes one case: a repeat returns the same case and the same code (held sealed in the draft
    until the complainant confirms they saved it). Refuses with ``IncompleteReport`` when a step
    is unanswered. ``client`` (an in-memory fingerprint) is who asked, for the limit on email.
    """
    with transaction.atomic():
        draft = Draft.objects.select_for_update().select_related("data_key").get(pk=draft_id)
        if draft.case_id is not None:
            case = draft.case
            assert case is not None
            return Submission(case=case, code=draft.receipt or "", first_time=False)
        return _file(
            answers_of(draft), data_key=draft.data_key, actor=actor, draft=draft, client=client
        )


def submit_answers(
    answers: dict[str, Any], *, actor: str = COMPLAINANT, client: str | None = None
) -> Submission:
    """A complete report that arrives in one piece (the API): the same case, receipt and ledger
    entry as ``submit``, through the same writer, without the draft a wizard needs."""
    if wants_support(answers):
        # The request for support is made in the case's transaction (``helpline``).
        with transaction.atomic():
            return _file(answers, data_key=None, actor=actor, draft=None, client=client)
    # A confidential complainant's identity is sealed apart in the case's transaction; any other
    # report stays one statement (on PostgreSQL) and one commit.
    confidential = answers.get("identity") == Identity.CONFIDENTIAL
    with transaction.atomic() if confidential else contextlib.nullcontext():
        return _file(answers, data_key=None, actor=actor, draft=None, client=client)


def _file(
    answers: dict[str, Any],
    *,
    data_key: DataKey | None,
    actor: str,
    draft: Draft | None,
    client: str | None = None,
) -> Submission:
    """Make the case of a complete report (``cases.actions.receive``), with its receipt and,
    for a wizard's draft, the draft's link to it. Refuses with ``IncompleteReport`` when a step
    is unanswered."""
    missing = missing_steps(answers)
    if missing:
        raise IncompleteReport(missing)
    respondent = None
    if answers.get("respondent_id"):
        respondent = Person.objects.by_identifier(answers["respondent_id"])
    code = receipts.new_code()
    email = _email_to_verify(answers)
    receipt = Receipt(
        digest=receipts.digest(receipts.normalise(code) or ""),
        email_digest=contact.email_digest(email) if email else None,
        email_updates=bool(email and answers.get("email_updates")),
    )

    def keep_receipt(case: Case) -> list[Receipt]:
        receipt.case = case
        return [receipt]

    case = case_actions.receive(
        category=Category(answers["category"]),
        identity=Identity(answers["identity"]),
        narrative=answers["what_happened"],
        respondent=respondent,
        respondent_description=answers.get("respondent_description", ""),
        details=_details(answers),
        data_key=data_key,
        evidence=[
            SealedFile(
                stored_name=item["stored_name"],
                kind=item["kind"],
                size=item["size"],
                kept_original=item["kept_original"],
                original_name=item["original_name"],
                cleaning=cleaning_of_staged(item),
            )
            for item in answers.get("evidence", [])
        ],
        beside=keep_receipt,
        actor=actor,
    )
    if case.identity == Identity.CONFIDENTIAL:
        disclosure.seal(case, disclosure.from_answers(answers), actor=actor)
    if wants_support(answers):
        # A report made by the complainant, or taken from them by an adviser (by phone).
        point = OfferedAt.ACKNOWLEDGEMENT if actor == COMPLAINANT else OfferedAt.PHONE
        helpline.ask_for_support(case, Party.COMPLAINANT, point, actor=actor)
    email_sent = contact.send_verification(receipt, email, client=client) if email else None
    if draft is not None:
        draft.case = case
        draft.receipt = code
        # The case now holds the content; the draft keeps only the code, for a while.
        draft.answers = "{}"
        draft.updated_at = timezone.now()
        draft.save(update_fields=["case", "receipt", "answers", "updated_at"])
    return Submission(case=case, code=code, first_time=True, email_sent=email_sent)


def wants_support(answers: dict[str, Any]) -> bool:
    """The complainant said yes to support: the helpline's advisers will contact them."""
    return answers.get("support") == "yes"


def _email_to_verify(answers: dict[str, Any]) -> str | None:
    email = answers.get("contact_email")
    return email if email and not _anonymous(answers) else None


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
        append(actor=COMPLAINANT, action=Action.RECEIPT_REFUSED, obj="receipt:unknown")
        if client_paused:
            append(actor=COMPLAINANT, action=Action.RECEIPT_ENTRY_PAUSED, obj="receipt:one-client")
        if service_paused:
            append(actor=COMPLAINANT, action=Action.RECEIPT_ENTRY_PAUSED, obj="receipt:everyone")


def _open(case: Case) -> None:
    if case.withdrawn_at is not None:
        raise ReportClosed("This report was withdrawn.")


def send_message_from_complainant(case: Case, body: str) -> Message:
    """A message on the anonymous channel from the complainant to the handlers. Refuses
    (``ReportClosed``) once the report is withdrawn."""
    return case_actions.receive_message_from_complainant(case, body)


def add_evidence(case: Case, cleaned: CleanedFile, *, original_name: str) -> Attachment:
    """Evidence added after submission, sealed with the case's key.

    Refuses with ``CaseFull`` once the case holds ``MAX_CASE_FILES`` of the complainant's
    files, and with ``ReportClosed`` once the report is withdrawn (``cases.actions.attach``).
    """
    return case_actions.attach(
        case,
        cleaned.data,
        kind=cleaned.kind,
        original_name=original_name,
        kept_original=kept_as_uploaded(cleaned),
        source=Source.COMPLAINANT,
        actor=COMPLAINANT,
        cleaning=cleaning_of(cleaned),
    )


# A file the complainant asked to keep as it was is held, sealed with the case's key, until they
# have been told what it reveals and said yes: evidence cannot be taken off a case once added.
HELD_NAME = "intake.pending-evidence.name"


@dataclass(frozen=True)
class HeldEvidence:
    """A held file as the complainant's session keeps it: the stored file's random name, the
    file's own name sealed with the case's key, and the labels of what it shows."""

    stored_name: str
    sealed_name: bytes
    found: tuple[str, ...]


def hold_evidence(case: Case, cleaned: CleanedFile, *, original_name: str) -> HeldEvidence:
    """Keep a file aside, sealed, until the complainant has seen what it reveals. Refuses
    (``ReportClosed``) once the report is withdrawn."""
    _open(case)
    stored = EncryptingStorage().save_sealed(cleaned.data, case.data_key)
    sealed_name = vault.seal(case.data_key, original_name.encode(), purpose=HELD_NAME)
    return HeldEvidence(stored_name=stored, sealed_name=sealed_name, found=tuple(cleaned.found))


def held_name(case: Case, held: HeldEvidence) -> str:
    return vault.open_sealed(case.data_key, held.sealed_name, purpose=HELD_NAME).decode()


def add_held_evidence(
    case: Case, held: HeldEvidence, *, keep_original: bool
) -> tuple[Attachment, CleanedFile]:
    """The complainant said yes to a held file: clean it again (keeping its details, or not, as
    they chose) and add it as ``add_evidence`` does. The held copy is removed either way."""
    try:
        name = held_name(case, held)
        original = EncryptingStorage().open_sealed(held.stored_name, case.data_key)
        cleaned = clean(original, filename=name, keep_original=keep_original)
        return add_evidence(case, cleaned, original_name=name), cleaned
    finally:
        discard_held_evidence(held)


def discard_held_evidence(held: HeldEvidence) -> None:
    EncryptingStorage().delete(held.stored_name)


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
                action=Action.STORAGE_ORPHANS_REMOVED,
                obj="storage:vault",
                digest=digest_of(str(removed)),
            )
    return removed


class CodeEntryPaused(Exception):
    """Too many wrong codes from this client, or across the service: entry is paused."""


@dataclass(frozen=True)
class _CodeThrottles:
    per_client: Throttle
    # Wrong codes from one network (IPv4 /24, IPv6 /48) count together too, so many addresses
    # in one block pause only that block, and a service-wide pause takes addresses in many.
    per_network: Throttle
    everyone: Throttle

    def paused(self, client: str, network: str | None) -> bool:
        return (
            self.per_client.is_locked(client)
            or (network is not None and self.per_network.is_locked(network))
            or self.everyone.is_locked("all")
        )

    def reserve(
        self, client: str, network: str | None
    ) -> tuple[Reservation, Reservation | None, Reservation] | None:
        """Count one code against the client, its network and everyone before it is looked
        up; None (and nothing kept) when any of them is paused."""
        taken: list[Reservation] = []
        for throttle, key in (
            (self.per_client, client),
            (self.per_network, network),
            (self.everyone, "all"),
        ):
            if key is None:
                continue
            attempt = throttle.reserve(key)
            if attempt is None:
                for earlier in taken:
                    earlier.forgive()
                return None
            taken.append(attempt)
        if network is None:
            return taken[0], None, taken[1]
        return taken[0], taken[1], taken[2]


def _code_throttles() -> _CodeThrottles:
    window = settings.RECEIPT_LOCKOUT_SECONDS
    return _CodeThrottles(
        per_client=Throttle("receipt", limit=settings.RECEIPT_MAX_FAILURES, window=window),
        per_network=Throttle(
            "receipt-network", limit=settings.RECEIPT_NETWORK_MAX_FAILURES, window=window
        ),
        everyone=Throttle(
            "receipt-all", limit=settings.RECEIPT_GLOBAL_FAILURES_PER_MINUTE, window=60
        ),
    )


def code_entry_paused(client: str, network: str | None = None) -> bool:
    """True while ``client`` (an in-memory fingerprint), its ``network`` (likewise), or
    everyone, may not try a code: after too many wrong ones, or while the throttles' counts
    cannot be read."""
    return _code_throttles().paused(client, network)


def open_with_code(typed_code: str, *, client: str, network: str | None = None) -> Case | None:
    """The case a typed receipt code opens, throttled per client and across the service.

    ``client`` is an in-memory fingerprint, never stored. A wrong code counts against both
    throttles and is ledgered without any client identity, and so is the pause it starts, if
    it is the one that locks a throttle. A right code is ledgered too (``receipt.read`` on the
    case, nothing of who): every read of a report with its code leaves a trace, so someone who
    has taken a complainant's code cannot read the report unseen. Raises CodeEntryPaused while
    either throttle is locked, whatever the code.
    """
    attempts = _code_throttles().reserve(client, network)
    if attempts is None:
        raise CodeEntryPaused
    case = find_case(typed_code)
    if case is None:
        client_attempt, network_attempt, service_attempt = attempts
        record_failed_code(
            client_paused=client_attempt.locks
            or (network_attempt is not None and network_attempt.locks),
            service_paused=service_attempt.locks,
        )
    else:
        for attempt in attempts:
            if attempt is not None:
                attempt.forgive()
        append(actor=COMPLAINANT, action=Action.RECEIPT_READ, obj=f"case:{case.reference}")
    # A right code does not clear the wrong ones: anyone with a code of their own could otherwise
    # guess without end, a few at a time. They expire with the throttle's window.
    return case


def last_read(case: Case) -> datetime | None:
    """When the report was opened with its receipt code before the latest opening, or None.

    Called just after ``open_with_code`` has opened it, this is the visit before the one under
    way: the complainant sees it, so a read they did not make (a code someone else has) shows.
    """
    times = (
        Entry.objects.filter(action=Action.RECEIPT_READ, object=f"case:{case.reference}")
        .order_by("-seq")
        .values_list("time", flat=True)[:2]
    )
    earlier = list(times)[1:]
    return earlier[0] if earlier else None
