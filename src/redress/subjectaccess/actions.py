"""Every act on a subject access, erasure or rectification request: one function each,
atomic, with the actor as a required keyword and the ledger entry in the same transaction.

The search that fills a request's findings is ``subjectaccess.search.search``; assembling
the answer's documents is ``subjectaccess.answer``. A refused act raises ``RequestRefused``
with a plain message (and the form field it is about) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts import acting
from redress.accounts.models import Role, User
from redress.cases.models import Case
from redress.core.refusals import Refused
from redress.directory.models import Person
from redress.ledger.append import append, digest_of, keyed_digest_of
from redress.ledger.events import Action
from redress.redaction.errors import RedactionError
from redress.redaction.text import Span, redact_text
from redress.subjectaccess import answer
from redress.subjectaccess.deadlines import MAX_EXTENSION_MONTHS, due_on
from redress.subjectaccess.models import (
    ComplainantConsent,
    DataRequest,
    Exemption,
    Extension,
    Finding,
    Kind,
    Outcome,
    Redaction,
    State,
)
from redress.vault.actions import new_data_key

RELEASE_LIFETIME = dt.timedelta(days=14)


class RequestRefused(Refused):
    """A refused act, with a plain message; ``field`` names the input it is about."""


class LinkRefused(Exception):
    """A release link that does not open: ``used``, ``expired`` or ``unknown``."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass(frozen=True)
class Download:
    reference: str
    answer_json: str
    answer_pdf: bytes


def _obj(request: DataRequest) -> str:
    return f"subjectaccess.request:{request.pk}"


def _required(value: str, message: str, field: str) -> str:
    if not value.strip():
        raise RequestRefused(message, field=field)
    return value.strip()


def _officer(actor: User) -> None:
    if Role.DATA_PROTECTION_OFFICER not in actor.roles():
        raise RequestRefused(_("Only a data protection officer can do this."))


def _lock(request: DataRequest) -> DataRequest:
    return DataRequest.objects.select_for_update().select_related("data_key").get(pk=request.pk)


def _sync(request: DataRequest) -> None:
    """The caller's instance sees what the act committed."""
    request.refresh_from_db()


def read_finding(finding: Finding, *, actor: User) -> str:
    """The text copied from a case into a finding, for an officer; the read is ledgered first,
    in the same transaction, as ``cases.actions.read_content`` ledgers a case's."""
    _officer(actor)
    with transaction.atomic():
        append(
            actor=acting.ref(actor),
            action=Action.DATA_REQUEST_READ,
            obj=_obj(finding.request),
            digest=digest_of(f"finding:{finding.pk}"),
        )
        return finding.text or ""


def read_answer(request: DataRequest, *, actor: User) -> str | None:
    """The assembled answer's JSON for an officer reviewing or approving it; ledgered first."""
    _officer(actor)
    if request.answer_json is None:
        return None
    with transaction.atomic():
        append(
            actor=acting.ref(actor),
            action=Action.DATA_REQUEST_READ,
            obj=_obj(request),
            digest=digest_of("answer"),
        )
        return request.answer_json


def record(
    *,
    kind: Kind,
    subject_name: str,
    subject_email: str = "",
    subject_identifier: str = "",
    identity_check: str,
    asked: str = "",
    received_on: dt.date,
    actor: User,
) -> DataRequest:
    """Record a request received on ``received_on``; due one calendar month later.

    Refuses a missing name or identity check, an email that is not one, a directory identifier
    nobody has, and a receipt date in the future."""
    _officer(actor)
    name = _required(subject_name, _("Enter the person's name"), "subject_name")
    check = _required(
        identity_check, _("Say how the person's identity was checked"), "identity_check"
    )
    email = subject_email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise RequestRefused(
                _("Enter an email address like name@example.org"), field="subject_email"
            ) from None
    identifier = subject_identifier.strip()
    if identifier and Person.objects.by_identifier(identifier) is None:
        raise RequestRefused(
            _("There is nobody in the directory with that identifier"), field="subject_identifier"
        )
    if received_on > timezone.localdate():
        raise RequestRefused(_("The date received cannot be in the future"), field="received_on")
    with transaction.atomic():
        request = DataRequest(
            kind=kind,
            data_key=new_data_key("subjectaccess:request"),
            received_on=received_on,
            due_on=due_on(received_on),
            handler=actor,
        )
        request.subject_name = name
        request.subject_email = email
        request.subject_identifier = identifier
        request.identity_check = check
        request.asked = asked.strip()
        request.save()
        append(
            actor=acting.ref(actor),
            action=Action.DATA_REQUEST_RECORDED,
            obj=_obj(request),
            digest=keyed_digest_of("subjectaccess.subject", f"{kind}\n{name}\n{email}"),
        )
    return request


def extend(request: DataRequest, *, months: int, reason: str, actor: User) -> Extension:
    """Add ``months`` to the time limit, with the reasons the person will be told.

    Refuses an extension without reasons, one that would make more than two months in all,
    and one on a request already released or refused."""
    _officer(actor)
    why = _required(reason, _("Enter the reasons for the extension"), "reason")
    if months < 1:
        raise RequestRefused(_("Choose one or two months"), field="months")
    with transaction.atomic():
        locked = _lock(request)
        if locked.is_closed:
            raise RequestRefused(_("This request is closed; its time limit cannot change."))
        if locked.extended_months + months > MAX_EXTENSION_MONTHS:
            left = MAX_EXTENSION_MONTHS - locked.extended_months
            raise RequestRefused(
                _(
                    "The time limit can be extended by two months at most in all; "
                    "%(left)s more can be added."
                )
                % {"left": left},
                field="months",
            )
        extension = Extension(request=locked, data_key=locked.data_key, months=months, by=actor)
        extension.reason = why
        extension.save()
        locked.extended_months += months
        locked.due_on = due_on(locked.received_on, locked.extended_months)
        locked.save(update_fields=["extended_months", "due_on"])
        append(
            actor=acting.ref(actor),
            action=Action.DATA_REQUEST_EXTENDED,
            obj=_obj(locked),
            digest=digest_of(why),
        )
    _sync(request)
    return extension


def mark_redaction(
    finding: Finding,
    spans: Sequence[tuple[int, int]],
    *,
    reason: str,
    exemption: str,
    actor: User,
) -> list[Redaction]:
    """Remove ``spans`` of a finding's text from the answer, for ``reason`` under ``exemption``.

    Refuses a missing reason or exemption, no span, and spans that overlap each other or one
    already marked (``redress.redaction`` decides overlap): the officer marks words once."""
    _officer(actor)
    why = _required(reason, _("Enter the reason for removing these words"), "reason")
    if exemption not in Exemption.values:
        raise RequestRefused(_("Choose the exemption relied on"), field="exemption")
    if not spans:
        raise RequestRefused(_("Those words are not in this text"), field="words")
    with transaction.atomic():
        locked = _lock(finding.request)
        if locked.state != State.SEARCHED:
            raise RequestRefused(_("Words can be removed only after a search and before assembly."))
        text = finding.text or ""
        kept = [
            Span(r.start, r.end, "", r.exemption) for r in Redaction.objects.filter(finding=finding)
        ]
        try:
            redact_text(text, [*kept, *(Span(s, e, why, exemption) for s, e in spans)])
        except RedactionError as refused:
            raise RequestRefused(refused.message, field="words") from None
        marked = []
        for start, end in spans:
            redaction = Redaction(
                finding=finding,
                data_key=locked.data_key,
                start=start,
                end=end,
                exemption=exemption,
                by=actor,
            )
            redaction.reason = why
            redaction.save()
            marked.append(redaction)
        append(
            actor=acting.ref(actor),
            action=Action.DATA_REQUEST_REDACTION_MARKED,
            obj=_obj(locked),
            digest=digest_of(f"{finding.pk}:{sorted(spans)}:{exemption}"),
        )
    return marked


def remove_redaction(redaction: Redaction, *, actor: User) -> None:
    """Take back a redaction the officer marked. One the search made to protect a complainant
    is refused: only the complainant's recorded consent lifts those."""
    _officer(actor)
    if redaction.automatic:
        raise RequestRefused(
            _("This protects the complainant's identity; only their consent can lift it.")
        )
    with transaction.atomic():
        locked = _lock(redaction.finding.request)
        if locked.state != State.SEARCHED:
            raise RequestRefused(_("Redactions can change only before the answer is assembled."))
        redaction.delete()
        append(
            actor=acting.ref(actor),
            action=Action.DATA_REQUEST_REDACTION_REMOVED,
            obj=_obj(locked),
        )


def record_consent(
    request: DataRequest, case: Case, *, how: str, actor: User
) -> ComplainantConsent:
    """Record that the complainant of ``case`` consented to their identity being in this
    request's answer, and lift the redactions that protected it.

    Refuses without a note of how consent was given, after assembly, and twice for one case."""
    _officer(actor)
    note = _required(how, _("Say how and when the complainant consented"), "how")
    with transaction.atomic():
        locked = _lock(request)
        if locked.state not in (State.OPEN, State.SEARCHED):
            raise RequestRefused(_("Consent can be recorded only before the answer is assembled."))
        if ComplainantConsent.objects.filter(request=locked, case=case).exists():
            raise RequestRefused(_("Consent for this case is already recorded."), field="case")
        consent = ComplainantConsent(request=locked, case=case, data_key=locked.data_key, by=actor)
        consent.how = note
        consent.save()
        Redaction.objects.filter(
            finding__request=locked, finding__case=case, automatic=True
        ).delete()
        append(
            actor=acting.ref(actor),
            action=Action.DATA_REQUEST_CONSENT_RECORDED,
            obj=f"case:{case.reference}",
            digest=digest_of(_obj(locked)),
        )
    return consent


def assemble(
    request: DataRequest, *, actor: User, outcome: str = "", outcome_details: str = ""
) -> DataRequest:
    """Build the answer (JSON and PDF) from the findings with their redactions, and seal it.

    For erasure and rectification the outcome and what was done are required. Refuses before a
    search, after assembly, and (from ``answer``) an answer that would still hold a
    complainant's identity."""
    _officer(actor)
    if request.kind != Kind.ACCESS:
        if outcome not in Outcome.values:
            raise RequestRefused(_("Choose what was done"), field="outcome")
        outcome_details = _required(
            outcome_details, _("Say what was done and why"), "outcome_details"
        )
    with transaction.atomic():
        locked = _lock(request)
        if locked.state != State.SEARCHED:
            raise RequestRefused(_("Search the cases before assembling the answer."))
        if locked.kind != Kind.ACCESS:
            locked.outcome = outcome
            locked.outcome_details = outcome_details
        try:
            document = answer.build(locked)
        except answer.IdentityLeft as left:
            raise RequestRefused(left.message) from None
        except RedactionError as refused:
            raise RequestRefused(refused.message) from None
        locked.answer_json = document.json
        locked.answer_pdf = document.pdf
        locked.state = State.ASSEMBLED
        locked.assembled_at = timezone.now()
        locked.assembled_by = actor
        locked.save()
        append(
            actor=acting.ref(actor),
            action=Action.DATA_REQUEST_ASSEMBLED,
            obj=_obj(locked),
            digest=digest_of(document.json),
        )
    _sync(request)
    return request


def approve(request: DataRequest, *, actor: User) -> DataRequest:
    """A second data protection officer approves the assembled answer for release.

    Refuses the request's handler and whoever assembled it, and anything not assembled."""
    _officer(actor)
    with transaction.atomic():
        locked = _lock(request)
        if actor.pk in (locked.handler_id, locked.assembled_by_id):
            raise RequestRefused(
                _("A second data protection officer must approve: not the handler or assembler.")
            )
        if locked.state != State.ASSEMBLED:
            raise RequestRefused(_("Only an assembled answer can be approved."))
        locked.state = State.APPROVED
        locked.approver = actor
        locked.approved_at = timezone.now()
        locked.save(update_fields=["state", "approver", "approved_at"])
        append(actor=acting.ref(actor), action=Action.DATA_REQUEST_APPROVED, obj=_obj(locked))
    _sync(request)
    return request


def link_digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def release(request: DataRequest, *, actor: User) -> str:
    """Issue the one-time link to the approved answer; returns its secret, shown once.

    Only the link's digest is kept. Refuses an answer not approved by a second officer."""
    _officer(actor)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        locked = _lock(request)
        if locked.state != State.APPROVED:
            raise RequestRefused(
                _(
                    "This answer cannot be released: a second data protection officer has not "
                    "approved it."
                )
            )
        locked.release_digest = link_digest(token)
        locked.release_expires_at = timezone.now() + RELEASE_LIFETIME
        locked.state = State.RELEASED
        locked.released_at = timezone.now()
        locked.save(update_fields=["release_digest", "release_expires_at", "state", "released_at"])
        append(actor=acting.ref(actor), action=Action.DATA_REQUEST_RELEASED, obj=_obj(locked))
    _sync(request)
    return token


def _live(found: DataRequest | None) -> DataRequest:
    """``found`` if its release link still works; else ``LinkRefused`` saying why not."""
    if found is None:
        raise LinkRefused("unknown")
    if found.release_used_at is not None:
        raise LinkRefused("used")
    if found.release_expires_at is None or found.release_expires_at <= timezone.now():
        raise LinkRefused("expired")
    return found


def check_link(token: str) -> DataRequest:
    """The request behind a release link that still works, without using it: what the page
    before the download shows. Opening a link (as mail scanners do) spends nothing.

    Raises ``LinkRefused`` with ``used``, ``expired`` or ``unknown``."""
    return _live(DataRequest.objects.filter(release_digest=link_digest(token)).first())


def use_link(token: str) -> Download:
    """The answer behind a release link, once: the first use is ledgered and spends the link.

    Raises ``LinkRefused`` with ``used``, ``expired`` or ``unknown``."""
    with transaction.atomic():
        found = _live(
            DataRequest.objects.select_for_update()
            .select_related("data_key")
            .filter(release_digest=link_digest(token))
            .first()
        )
        found.release_used_at = timezone.now()
        found.save(update_fields=["release_used_at"])
        append(actor="subject", action=Action.DATA_REQUEST_DOWNLOADED, obj=_obj(found))
        return Download(found.reference, found.answer_json or "{}", found.answer_pdf or b"")


def refuse(request: DataRequest, *, reason: str, actor: User) -> DataRequest:
    """Refuse the request (manifestly unfounded or excessive, Art. 12(5)), with reasons.

    Refuses without reasons, and once released or refused already."""
    _officer(actor)
    why = _required(reason, _("Enter the reasons for refusing the request"), "reason")
    with transaction.atomic():
        locked = _lock(request)
        if locked.is_closed:
            raise RequestRefused(_("This request is already closed."))
        locked.state = State.REFUSED
        locked.refusal_reason = why
        locked.refused_at = timezone.now()
        locked.save(update_fields=["state", "refusal_reason", "refused_at"])
        append(
            actor=acting.ref(actor),
            action=Action.DATA_REQUEST_REFUSED,
            obj=_obj(locked),
            digest=digest_of(why),
        )
    _sync(request)
    return request
