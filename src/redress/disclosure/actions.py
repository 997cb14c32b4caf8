"""The acts on a confidential complainant's sealed identity, each one function, atomic, ledgered.

``seal`` is the one writer of the identity: intake calls it in the transaction that makes the
case, so the identity never enters the case's content. After that it opens only through a
request: a handler assigned to the case ``ask``s with a reason; a second role ``decide``s (the
case's decision-maker or the data protection officer, never the asker); for a disclosure outside
the scheme the complainant is told first (``notify``) unless the approver confirmed an exception
(it would jeopardise the investigation or judicial proceedings, EU Directive 2019/1937 Art.
16(3)), told afterwards once it is lifted (``lift_exception``); the asker then sees it once
(``open_identity``). Ledger entries hold digests and references, never the identity.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from redress.accounts import acting
from redress.accounts.models import User
from redress.cases import actions as case_actions
from redress.cases.models import Case, Identity
from redress.core.refusals import Refused
from redress.disclosure.access import is_handler, may_decide
from redress.disclosure.models import IdentityRequest, Scope, SealedIdentity
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action
from redress.vault.actions import new_data_key
from redress.vault.errors import Shredded

MAX_REASON = 1000
MAX_RECIPIENT = 200
# What identifies a confidential complainant, by the name each has in the sealed identity.
FIELDS = ("name", "email", "phone", "about")
# The report's answers that are these (intake keeps them out of the case's content).
ANSWERS = {"contact_name": "name", "contact_email": "email", "contact_phone": "phone"}


class DisclosureError(Refused):
    """A refused act, with a plain message for the person who asked; ``field`` names the
    input it is about (``reason``, ``recipient``, ``purpose``, ``exception_reason``)."""


def from_answers(answers: Mapping[str, Any]) -> dict[str, str]:
    """The identity in a report's answers, by the names of ``FIELDS``."""
    return {name: str(answers[key]) for key, name in ANSWERS.items() if answers.get(key)}


def seal(case: Case, identity: Mapping[str, str], *, actor: str = "complainant") -> SealedIdentity:
    """Seal a confidential complainant's identity under a data key of its own, beside the case.

    Refuses (DisclosureError) a case that is not confidential, a second identity for the same
    case and a field it does not know. Ledgered as ``disclosure.identity_sealed``, without it.
    """
    if case.identity != Identity.CONFIDENTIAL:
        raise DisclosureError(_("Only a confidential complainant's identity is sealed."))
    unknown = set(identity) - set(FIELDS)
    if unknown:
        raise DisclosureError(f"unknown identity fields: {', '.join(sorted(unknown))}")
    kept = {name: str(value).strip() for name, value in identity.items() if str(value).strip()}
    if SealedIdentity.objects.filter(case=case).exists():  # and the one-to-one forbids it
        raise DisclosureError(_("This complainant's identity is already sealed."))
    # Within the caller's transaction (intake's) a savepoint would only cost a round trip.
    with transaction.atomic(savepoint=False):
        row = SealedIdentity(case=case, data_key=new_data_key(f"identity:{case.reference}"))
        row.identity = json.dumps(kept, sort_keys=True)
        row.save(force_insert=True)
        append(actor=actor, action=Action.IDENTITY_SEALED, obj=_obj(case))
    return row


def contact_email(case: Case) -> str | None:
    """The sealed address, only for sending the content-free emails the complainant asked for
    (confirming it, update notices): never shown to anyone, so not ledgered as a read."""
    row = SealedIdentity.objects.select_related("data_key").filter(case=case).first()
    if row is None:
        return None
    try:
        email = json.loads(row.identity or "{}").get("email")
    except Shredded:
        return None
    return str(email) if email else None


def contact_answers(case: Case) -> dict[str, str]:
    """The sealed identity under the report's answer names (``contact_name`` ...), for subject
    access: its search adds them to the case's details, so a confidential complainant's own
    request still finds their case. Subject access ledgers its reads of the case; no page
    shows this to a handler."""
    row = SealedIdentity.objects.select_related("data_key").filter(case=case).first()
    if row is None or row.data_key.shredded_at is not None:
        return {}
    identity = json.loads(row.identity or "{}")
    return {key: str(identity[name]) for key, name in ANSWERS.items() if identity.get(name)}


@dataclass(frozen=True)
class Status:
    """What the case overview says about the complainant's identity, without it."""

    sealed: bool  # a confidential complainant's identity is held apart
    deleted: bool  # it was shredded with the case
    waiting: int  # requests waiting for a decision
    to_open: int  # approved requests not yet opened


def status_for(case: Case) -> Status:
    row = SealedIdentity.objects.select_related("data_key").filter(case=case).first()
    requests = IdentityRequest.objects.filter(case=case)
    return Status(
        sealed=row is not None,
        deleted=row is not None and row.data_key.shredded_at is not None,
        waiting=requests.filter(decided_at__isnull=True).count(),
        to_open=sum(
            1 for r in requests.filter(approved=True, opened_at__isnull=True) if r.may_open
        ),
    )


def _clean(text: str, *, field: str, empty: str, limit: int = MAX_REASON) -> str:
    text = (text or "").strip()
    if not text:
        raise DisclosureError(empty, field=field)
    if len(text) > limit:
        raise DisclosureError(
            _("This must be %(n)d characters or fewer.") % {"n": limit}, field=field
        )
    return text


def _sealed(case: Case) -> SealedIdentity:
    row = SealedIdentity.objects.select_related("data_key").filter(case=case).first()
    if row is None:
        raise DisclosureError(
            _("This complainant's identity is not sealed: there is none to ask for.")
        )
    if row.data_key.shredded_at is not None:
        raise DisclosureError(_("The complainant's identity was deleted with the case."))
    return row


def ask(
    case: Case, *, by: User, scope: str, reason: str, recipient: str = "", purpose: str = ""
) -> IdentityRequest:
    """A handler assigned to the case asks to read the identity, or to disclose it outside the
    scheme (to ``recipient``, for ``purpose``), with a reason. Ledgered as ``disclosure.asked``."""
    if scope not in Scope.values:
        raise DisclosureError(_("Choose whether to read it or to disclose it."), field="scope")
    reason = _clean(reason, field="reason", empty=_("Enter why you need the identity."))
    if scope == Scope.OUTSIDE:
        recipient = _clean(
            recipient,
            field="recipient",
            empty=_("Enter who it would be disclosed to."),
            limit=MAX_RECIPIENT,
        )
        purpose = _clean(purpose, field="purpose", empty=_("Enter what they need it for."))
    else:
        recipient = purpose = ""
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("data_key").get(pk=case.pk)
        if not is_handler(by, locked):
            raise DisclosureError(_("Only a handler assigned to the case can ask for this."))
        _sealed(locked)
        request = IdentityRequest(case=locked, data_key=locked.data_key, scope=scope, asked_by=by)
        request.reason = reason
        request.recipient = recipient or None
        request.purpose = purpose or None
        request.save()
        append(
            actor=acting.ref(by),
            action=Action.IDENTITY_ASKED,
            obj=_request_obj(request),
            digest=digest_of(f"{locked.reference}|{scope}|{reason}|{recipient}|{purpose}"),
        )
    return request


def _lock(request: IdentityRequest) -> IdentityRequest:
    return (
        IdentityRequest.objects.select_for_update(of=("self",))
        .select_related("case", "case__data_key", "data_key", "asked_by")
        .get(pk=request.pk)
    )


def decide(
    request: IdentityRequest,
    *,
    by: User,
    approve: bool,
    reason: str,
    tell_first: bool = True,
    exception_reason: str = "",
) -> IdentityRequest:
    """Approve or refuse a waiting request, with reasons; only a second role (see ``access``).

    Approving a disclosure outside the scheme also settles the notice: the complainant is told
    first (``tell_first``), or the approver records and confirms an exception, with its reason.
    Ledgered as ``disclosure.approved`` or ``disclosure.refused`` (and the exception).
    """
    reason = _clean(reason, field="reason", empty=_("Enter the reasons for your decision."))
    excepted = approve and not tell_first and request.scope == Scope.OUTSIDE
    if excepted:
        exception_reason = _clean(
            exception_reason,
            field="exception_reason",
            empty=_(
                "Enter why telling the complainant first would put the investigation or "
                "proceedings at risk."
            ),
        )
    with transaction.atomic():
        locked = _lock(request)
        if locked.asked_by_id == by.pk:
            raise DisclosureError(_("You cannot decide your own request: someone else must."))
        if not may_decide(by, locked):
            raise DisclosureError(
                _("Only the case's decision-maker or the data protection officer can decide this.")
            )
        if locked.decided_at is not None:
            raise DisclosureError(_("This request was already decided."))
        if approve:
            _sealed(locked.case)
        now = timezone.now()
        locked.decided_by, locked.decided_at, locked.approved = by, now, approve
        locked.decision_reason = reason
        fields = ["decided_by", "decided_at", "approved", "decision_reason"]
        if excepted:
            locked.exception_reason, locked.exception_at = exception_reason, now
            fields += ["exception_reason", "exception_at"]
        locked.save(update_fields=fields)
        append(
            actor=acting.ref(by),
            action=Action.IDENTITY_APPROVED if approve else Action.IDENTITY_REFUSED,
            obj=_request_obj(locked),
            digest=digest_of(reason),
        )
        if locked.exception_at is not None:
            append(
                actor=acting.ref(by),
                action=Action.IDENTITY_EXCEPTION_RECORDED,
                obj=_request_obj(locked),
                digest=digest_of(exception_reason),
            )
    return locked


def lift_exception(request: IdentityRequest, *, by: User) -> IdentityRequest:
    """The risk has passed: the complainant can now be told. Decided by a second role, like the
    exception. Ledgered as ``disclosure.exception_lifted``."""
    with transaction.atomic():
        locked = _lock(request)
        if not may_decide(by, locked):
            raise DisclosureError(
                _("Only the case's decision-maker or the data protection officer can lift this.")
            )
        if not locked.excepted:
            raise DisclosureError(_("There is no exception to lift on this request."))
        locked.exception_lifted_at = timezone.now()
        locked.save(update_fields=["exception_lifted_at"])
        append(
            actor=acting.ref(by), action=Action.IDENTITY_EXCEPTION_LIFTED, obj=_request_obj(locked)
        )
    return locked


def notice_text(request: IdentityRequest) -> str:
    """The message the complainant gets, in English and Welsh (their language is not kept):
    who the identity goes to and why, and, told after the fact, why they were not told first."""
    parts = []
    for language in ("en", "cy"):
        with translation.override(language):
            if request.opened_at is None:
                text = _("We are going to share who you are with %(recipient)s. Why: %(purpose)s")
            else:
                text = _(
                    "We shared who you are with %(recipient)s on %(day)s. Why: %(purpose)s\n\n"
                    "We did not tell you before, because telling you then could have put the "
                    "investigation or court proceedings at risk."
                )
            parts.append(
                text
                % {
                    "recipient": request.recipient,
                    "purpose": request.purpose,
                    "day": _day(request.opened_at),
                }
            )
    return "\n\n---\n\n".join(parts)


def _day(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y") if moment else ""


def notify(request: IdentityRequest, *, by: User) -> IdentityRequest:
    """Tell the complainant in writing, on their receipt-code channel (and by the content-free
    email if they opted in), who their identity goes to and why: before an approved disclosure
    outside the scheme, or after it once an exception is lifted. ``by`` is a handler assigned
    to the case. Ledgered as ``disclosure.notice_sent`` beside the message's own entry."""
    with transaction.atomic():
        locked = _lock(request)
        if locked.scope != Scope.OUTSIDE or not locked.approved:
            raise DisclosureError(_("Only an approved disclosure outside the scheme is told."))
        if locked.notified_at is not None:
            raise DisclosureError(_("The complainant was already told."))
        if locked.excepted:
            raise DisclosureError(
                _("An exception is recorded: the complainant is told once it is lifted.")
            )
        try:
            message = case_actions.send_message_to_complainant(
                locked.case, notice_text(locked), actor=by
            )
        except case_actions.CaseError as refused:
            raise DisclosureError(str(refused)) from None
        locked.notice, locked.notified_at = message, timezone.now()
        locked.save(update_fields=["notice", "notified_at"])
        append(actor=acting.ref(by), action=Action.IDENTITY_NOTICE_SENT, obj=_request_obj(locked))
    return locked


def open_identity(request: IdentityRequest, *, by: User) -> dict[str, str]:
    """The identity, once per approval, for the handler who asked and is still assigned. For a
    disclosure outside the scheme this marks it made, and is refused until the complainant was
    told or an exception recorded. Ledgered as ``disclosure.read`` or ``disclosure.disclosed``
    in the same transaction, so it is never shown unrecorded."""
    with transaction.atomic():
        locked = _lock(request)
        if locked.asked_by_id != by.pk:
            raise DisclosureError(_("Only the handler who asked can see it."))
        if not is_handler(by, locked.case):
            raise DisclosureError(_("You are no longer assigned to this case."))
        if not locked.approved:
            raise DisclosureError(_("This request has not been approved."))
        if locked.opened_at is not None:
            raise DisclosureError(_("It was shown once for this approval: ask again if needed."))
        if not locked.may_open:
            raise DisclosureError(
                _("Tell the complainant first, or have the approver record an exception.")
            )
        row = _sealed(locked.case)
        try:
            identity = {k: str(v) for k, v in json.loads(row.identity or "{}").items()}
        except Shredded:
            raise DisclosureError(
                _("The complainant's identity was deleted with the case.")
            ) from None
        locked.opened_at = timezone.now()
        locked.save(update_fields=["opened_at"])
        append(
            actor=acting.ref(by),
            action=Action.IDENTITY_DISCLOSED
            if locked.scope == Scope.OUTSIDE
            else Action.IDENTITY_READ,
            obj=_request_obj(locked),
        )
    return identity


@dataclass(frozen=True)
class Told:
    """One disclosure of the complainant's identity, as their page lists it."""

    told_on: dt.datetime
    made_on: dt.datetime | None
    recipient: str
    purpose: str
    after_the_fact: bool  # an exception delayed the notice


def disclosures_told(case: Case) -> list[Told]:
    """Every disclosure outside the scheme the complainant has been told of, newest first."""
    found = IdentityRequest.objects.filter(
        case=case, scope=Scope.OUTSIDE, notified_at__isnull=False
    ).select_related("data_key")
    try:
        return [
            Told(
                told_on=r.notified_at,
                made_on=r.opened_at,
                recipient=r.recipient or "",
                purpose=r.purpose or "",
                after_the_fact=r.exception_at is not None,
            )
            for r in found
            if r.notified_at is not None  # always, by the query: says so to the type checker
        ]
    except Shredded:
        return []


def _obj(case: Case) -> str:
    return f"case:{case.reference}"


def _request_obj(request: IdentityRequest) -> str:
    return f"disclosure.request:{request.pk}"


__all__ = [
    "DisclosureError",
    "Status",
    "Told",
    "ask",
    "contact_answers",
    "contact_email",
    "decide",
    "disclosures_told",
    "from_answers",
    "lift_exception",
    "notify",
    "open_identity",
    "seal",
    "status_for",
]
