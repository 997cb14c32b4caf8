"""Finding every case in which a person appears, by reading each case's sealed content.

Where a person appears: as **respondent** (the case names them from the directory, or its
description of the respondent names them), as **complainant** (the contact details given with
the report are theirs), as **witness** (the witnesses answer names them, or the case lists them
from the directory among the people involved) and **named in text** (the narrative or another
answer names them). Names and email addresses match ignoring case, accents and runs of
spaces; a name matches as whole words, so "Ann" is not found in "Annual".

Beyond the report itself, a case's file is read with it: its messages, its written records
(the respondent's answers among them), the reasons for its decision and its support requests.
Each is the person's wherever it names them; besides, a complainant gets every message on
their channel and what they put on the file, and a respondent the records shared with them
(allegations, findings, their answers, the appeal outcome), the decision's reasons and what
they put on the file. Evidence files are listed, by type and date, when the person gave them:
their content is not searched or copied (a file's words are not text this module can read or
redact), and the answer says how to ask for a copy. The file is loaded for a chunk of cases
at once, a few queries a chunk, so reading it costs decryption and little else.

How "every read is ledgered" is kept at the scale of a search over every case.
``cases.actions.read_content`` writes one ledger entry per case read; a search reads every
case, and 100,000 entries for one request would bury the ledger, hold its lock for minutes and
say nothing an auditor could not learn from one. So a search writes:

- one ``subjectaccess.searched`` entry whose digest is the SHA-256 of the newline-joined
  references of every case whose content was decrypted, in the order read. The list itself is
  kept beside the request (``SearchRun.references_read``): an auditor hashes it and compares,
  so no read can be added to or dropped from the list without the ledger disagreeing;
- one ``subjectaccess.case_read`` entry per case in which the person was found, because the
  content of those cases is copied into the request and will be shown to staff and released.

Reads happen before the entries are written, but nothing read leaves this module until the
entries, the findings and the search record are committed in one transaction: if the ledger
refuses, the request keeps nothing and nobody sees anything, as with ``read_content``.
Content whose data key was shredded cannot be read and is counted, not listed.

What is not searched: the content of evidence files, and the record of a support adviser's
contact with a respondent (``helpline.ContactAttempt``).
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from redress.accounts import acting
from redress.accounts.models import User
from redress.cases.models import (
    SHARED_WITH_RESPONDENT,
    Attachment,
    Case,
    CaseRecord,
    Message,
    Source,
)
from redress.directory.models import Person
from redress.disclosure import actions as disclosure
from redress.disclosure.models import SealedIdentity
from redress.helpline.models import Party, SupportRequest
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action
from redress.redaction.text import find_spans
from redress.subjectaccess.models import (
    Capacity,
    ComplainantConsent,
    DataRequest,
    Exemption,
    Finding,
    Redaction,
    SearchRun,
    State,
)
from redress.vault.errors import Shredded

CONTACT_KEYS = ("contact_name", "contact_email", "contact_phone")
# Stored as written; translated where shown.
COMPLAINANT_IDENTITY = gettext_noop("The complainant's identity")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_CHUNK = 2000


def fold(text: str) -> str:
    """``text`` as compared: case-folded, compatibility-decomposed, without accents, with every
    run of white space one space. ASCII text skips the Unicode steps (the common, fast case)."""
    folded = text.casefold()
    if not folded.isascii():
        folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    return " ".join(folded.split())


@dataclass(frozen=True)
class Subject:
    """Who is searched for: a name, and an email address and directory entry when known."""

    name: str
    email: str = ""
    person: Person | None = None

    def matcher(self) -> Matcher:
        return Matcher(fold(self.name), fold(self.email))


class Matcher:
    """Tests text for a folded name (as whole words) or email address.

    ASCII text is only case-folded (folding the rest changes nothing in it); other text is
    folded in full. A plain substring test for the name's first word, in C, rules out almost
    every text before the whole-word pattern runs: the pattern's leading look-behind would
    otherwise be tried at every character.
    """

    def __init__(self, name: str, email: str) -> None:
        self.name = name
        self.email = email
        self._first = name.split(" ")[0] if name else ""
        words = r"\s+".join(re.escape(word) for word in name.split(" "))
        self._name = re.compile(rf"(?<!\w){words}(?!\w)") if name else None

    def found_in(self, text: str | None) -> bool:
        if not text:
            return False
        folded = text.casefold() if text.isascii() else fold(text)
        if self.email and self.email in folded:
            return True
        return bool(self._name is not None and self._first in folded and self._name.search(folded))

    def is_same(self, name: str | None, email: str | None) -> bool:
        return bool(
            (self.email and email and fold(email) == self.email)
            or (self.name and name and fold(name) == self.name)
        )


@dataclass
class Appearance:
    """One field of one case in which the person appears, held in memory until committed."""

    case: Case
    role: Capacity
    field: str
    text: str
    protected: list[str] = dataclasses.field(default_factory=list)


@dataclass
class CaseFile:
    """What a case holds besides its report, loaded for a chunk of cases at once."""

    messages: list[Message] = dataclasses.field(default_factory=list)
    records: list[CaseRecord] = dataclasses.field(default_factory=list)
    support: list[SupportRequest] = dataclasses.field(default_factory=list)
    evidence: list[Attachment] = dataclasses.field(default_factory=list)


@dataclass(frozen=True)
class SearchResult:
    findings: int
    cases_read: int
    cases_unreadable: int


def contact_text(details: dict[str, Any]) -> str:
    """The contact answers of a report as lines of text, as they go into an answer."""
    labels = {"contact_name": "Name", "contact_email": "Email", "contact_phone": "Phone"}
    return "\n".join(f"{labels[k]}: {details[k]}" for k in CONTACT_KEYS if details.get(k))


def appearances_in(
    case: Case,
    matcher: Matcher,
    *,
    person_id: int | None,
    involved: bool,
    sealed_identity: bool = False,
    file: CaseFile | None = None,
) -> list[Appearance]:
    """Where the person appears in ``case`` (whose content is decrypted here), each field once.

    ``involved`` says the case lists the person from the directory among the people involved;
    ``sealed_identity`` that a confidential complainant's identity is sealed apart from it;
    ``file`` is the rest of the case's file, read as the module docstring says.
    """
    narrative = case.narrative or ""
    description = case.respondent_description or ""
    details: dict[str, Any] = json.loads(case.details or "{}")
    if sealed_identity:  # a confidential complainant's, sealed apart
        details.update(disclosure.contact_answers(case))
    found: dict[str, Appearance] = {}

    def add(role: Capacity, name: str, text: str) -> None:
        found.setdefault(name, Appearance(case, role, name, text))

    complainant = matcher.is_same(details.get("contact_name"), details.get("contact_email"))
    respondent = (person_id is not None and case.respondent_id == person_id) or matcher.found_in(
        description
    )
    if complainant:
        add(Capacity.COMPLAINANT, "contact_details", contact_text(details))
        add(Capacity.COMPLAINANT, "narrative", narrative)
    if respondent:
        add(Capacity.RESPONDENT, "respondent_description", description)
        add(Capacity.RESPONDENT, "narrative", narrative)
    witnesses = details.get("witnesses")
    if isinstance(witnesses, str) and matcher.found_in(witnesses):
        add(Capacity.WITNESS, "details.witnesses", witnesses)
    if involved:
        add(Capacity.WITNESS, "named_people", "")
    if matcher.found_in(narrative):
        add(Capacity.NAMED_IN_TEXT, "narrative", narrative)
    for key, value in sorted(details.items()):
        if key in CONTACT_KEYS or key == "witnesses" or not isinstance(value, str):
            continue
        if matcher.found_in(value):
            add(Capacity.NAMED_IN_TEXT, f"details.{key}", value)
    reasons = case.decision_reasons or ""
    if respondent and reasons:
        add(Capacity.RESPONDENT, "decision_reasons", reasons)
    elif matcher.found_in(reasons):
        add(Capacity.NAMED_IN_TEXT, "decision_reasons", reasons)
    if file is not None:
        _in_file(case, file, matcher, add, complainant=complainant, respondent=respondent)
    appearances = list(found.values())
    if appearances and all(a.role != Capacity.COMPLAINANT for a in appearances):
        protected = [str(details[k]) for k in CONTACT_KEYS if details.get(k)]
        for appearance in appearances:
            appearance.protected = protected
    return appearances


def _opened(row: Message | CaseRecord | SupportRequest, case: Case) -> str | None:
    """The row's sealed text, opened with its case's key already loaded when it is the same
    one (it is, for rows written by ``cases``); None when its key was shredded."""
    if row.data_key_id == case.data_key_id:
        row.data_key = case.data_key
    try:
        return row.words if isinstance(row, SupportRequest) else row.body
    except Shredded:
        return None


def _in_file(
    case: Case,
    file: CaseFile,
    matcher: Matcher,
    add: Callable[[Capacity, str, str], None],
    *,
    complainant: bool,
    respondent: bool,
) -> None:
    """Add where the person appears in a case's messages, records, support requests and
    evidence, as the module docstring says; ``add`` keeps each field once."""
    for message in file.messages:
        text = _opened(message, case)
        if text is None:
            continue
        if complainant:
            add(Capacity.COMPLAINANT, f"message:{message.pk}", text)
        elif matcher.found_in(text):
            add(Capacity.NAMED_IN_TEXT, f"message:{message.pk}", text)
    for record in file.records:
        text = _opened(record, case)
        if text is None:
            continue
        if complainant and record.source == Source.COMPLAINANT:
            add(Capacity.COMPLAINANT, f"record:{record.pk}", text)
        elif respondent and (
            record.source == Source.RESPONDENT or record.kind in SHARED_WITH_RESPONDENT
        ):
            add(Capacity.RESPONDENT, f"record:{record.pk}", text)
        elif matcher.found_in(text):
            add(Capacity.NAMED_IN_TEXT, f"record:{record.pk}", text)
    for support in file.support:
        text = _opened(support, case)
        if text is None:
            continue
        if complainant and support.party == Party.COMPLAINANT:
            add(Capacity.COMPLAINANT, f"support:{support.pk}", text)
        elif respondent and support.party == Party.RESPONDENT:
            add(Capacity.RESPONDENT, f"support:{support.pk}", text)
        elif matcher.found_in(text):
            add(Capacity.NAMED_IN_TEXT, f"support:{support.pk}", text)
    for evidence in file.evidence:
        if (complainant and evidence.source == Source.COMPLAINANT) or (
            respondent and evidence.source == Source.RESPONDENT
        ):
            role = Capacity.COMPLAINANT if complainant else Capacity.RESPONDENT
            add(role, f"evidence:{evidence.pk}", "")


def identity_spans(text: str, identifiers: Iterable[str]) -> list[tuple[int, int]]:
    """Every place in ``text`` where one of a complainant's identifiers appears: the whole
    name, each part of it of three letters or more as a whole word, the email address, and
    the phone number however its digits are spaced. Overlapping places are merged."""
    spans: list[tuple[int, int]] = []
    for identifier in identifiers:
        identifier = identifier.strip()
        digits = re.sub(r"\D", "", identifier)
        if len(digits) >= 6 and not re.search(r"[^\d\s+()\-.]", identifier):
            pattern = r"[\s()\-.]*".join(digits)
            spans += [m.span() for m in re.finditer(pattern, text)]
            continue
        spans += find_spans(text, identifier)
        if "@" not in identifier:
            for part in identifier.split():
                if len(part) >= 3:
                    spans += [s for s in find_spans(text, part) if _whole_word(text, *s)]
    return _merged(spans)


def _whole_word(text: str, start: int, end: int) -> bool:
    return (start == 0 or not text[start - 1].isalnum()) and (
        end == len(text) or not text[end].isalnum()
    )


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _chunks() -> Iterator[list[Case]]:
    """Every case with its data key, in order of creation, ``_CHUNK`` at a time."""
    last = 0
    while True:
        cases = Case.objects.select_related("data_key").filter(pk__gt=last).order_by("pk")
        chunk = list(cases[:_CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _files(first: int, last: int) -> dict[int, CaseFile]:
    """The messages, records, support requests and evidence of the cases ``first`` to ``last``
    (by key), four queries in all over an indexed range; a case with none has no entry."""
    files: dict[int, CaseFile] = defaultdict(CaseFile)
    within = {"case__pk__range": (first, last)}
    for message in Message.objects.filter(**within).order_by("case_id", "sent_at", "pk"):
        files[message.case_id].messages.append(message)
    for record in CaseRecord.objects.filter(**within).order_by("case_id", "pk"):
        files[record.case_id].records.append(record)
    for support in SupportRequest.objects.filter(**within).order_by("case_id", "pk"):
        files[support.case_id].support.append(support)
    evidence = Attachment.objects.filter(**within).order_by("case_id", "pk")
    for attachment in evidence.defer("original_name", "cleaning"):
        files[attachment.case_id].evidence.append(attachment)
    return files


def scan(subject: Subject) -> tuple[list[Appearance], list[str], int]:
    """Read every readable case and return where ``subject`` appears, the references read in
    order, and how many cases could not be read (their key was shredded). Writes nothing:
    only ``search`` below may keep or show what this returns."""
    matcher = subject.matcher()
    person_id = subject.person.pk if subject.person is not None else None
    involved: set[int] = set()
    if person_id is not None:
        through = Case.named_people.through.objects.filter(person_id=person_id)
        involved = set(through.values_list("case_id", flat=True))
    # Asked once, not once a case: only these cases have an identity sealed apart to read.
    sealed = set(SealedIdentity.objects.values_list("case_id", flat=True))
    appearances: list[Appearance] = []
    read: list[str] = []
    unreadable = 0
    for chunk in _chunks():
        readable = [case for case in chunk if case.data_key.shredded_at is None]
        unreadable += len(chunk) - len(readable)
        files = _files(chunk[0].pk, chunk[-1].pk)
        for case in readable:
            read.append(case.reference)
            appearances += appearances_in(
                case,
                matcher,
                person_id=person_id,
                involved=case.pk in involved,
                sealed_identity=case.pk in sealed,
                file=files.get(case.pk),
            )
    return appearances, read, unreadable


class SearchRefused(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def search(request: DataRequest, *, actor: User) -> SearchResult:
    """Search every case for the request's subject and keep what was found, replacing any
    earlier search's findings and redactions; ledgered as the module docstring says.

    Refused unless the request is open or searched (not yet assembled)."""
    if request.state not in (State.OPEN, State.SEARCHED):
        raise SearchRefused(_("This request's answer is already assembled; it cannot be searched."))
    person = None
    if request.subject_identifier:
        person = Person.objects.by_identifier(request.subject_identifier)
    subject = Subject(request.subject_name, request.subject_email, person)
    appearances, read, unreadable = scan(subject)
    consented = set(
        ComplainantConsent.objects.filter(request=request).values_list("case_id", flat=True)
    )
    obj = f"subjectaccess.request:{request.pk}"
    with transaction.atomic():
        locked = DataRequest.objects.select_for_update().get(pk=request.pk)
        if locked.state not in (State.OPEN, State.SEARCHED):
            raise SearchRefused(_("This request's answer is already assembled."))
        listing = "\n".join(read)
        listed = digest_of(listing)
        SearchRun.objects.create(
            request=locked,
            by=actor,
            references_read=listing,
            cases_read=len(read),
            cases_unreadable=unreadable,
            digest=listed,
        )
        Redaction.objects.filter(finding__request=locked).delete()
        Finding.objects.filter(request=locked).delete()
        for appearance in appearances:
            _keep(locked, appearance, redact=appearance.case.pk not in consented)
        locked.state = State.SEARCHED
        locked.searched_at = timezone.now()
        locked.save(update_fields=["state", "searched_at"])
        # Last in the transaction: the ledger's head stays locked from the first append to
        # the commit, so every other write waits only for these lines.
        append(actor=acting.ref(actor), action=Action.DATA_REQUEST_SEARCHED, obj=obj, digest=listed)
        for reference in sorted({a.case.reference for a in appearances}):
            append(
                actor=acting.ref(actor),
                action=Action.DATA_REQUEST_CASE_READ,
                obj=f"case:{reference}",
                digest=digest_of(obj),
            )
    request.state, request.searched_at = locked.state, locked.searched_at
    return SearchResult(len(appearances), len(read), unreadable)


def _keep(request: DataRequest, appearance: Appearance, *, redact: bool) -> None:
    finding = Finding(
        request=request,
        data_key=request.data_key,
        case=appearance.case,
        role=appearance.role,
        field=appearance.field,
    )
    finding.text = appearance.text
    finding.protected = json.dumps(appearance.protected) if appearance.protected else ""
    finding.save()
    if not redact:
        return
    redactions = []
    for start, end in identity_spans(appearance.text, appearance.protected):
        redaction = Redaction(
            finding=finding,
            data_key=request.data_key,
            start=start,
            end=end,
            exemption=Exemption.OTHER_INDIVIDUALS,
            automatic=True,
        )
        redaction.reason = COMPLAINANT_IDENTITY
        redactions.append(redaction)
    Redaction.objects.bulk_create(redactions)
