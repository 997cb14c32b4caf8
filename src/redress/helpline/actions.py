"""The helpline's acts: the one writer of support requests, contacts and referrals.

Each act is atomic and ledgered in its transaction, on the case (``case:<reference>``), so a
case's timeline shows that support was asked for and answered; the digests are keyed, since
what a person asks for is often a word or two. A refused act raises ``HelplineError`` and
changes nothing. The adviser reaches a complainant by a message on their receipt-code channel
(``cases.actions.send_support_message_to_complainant``) and a respondent by a note on their
page with the usual content-free email.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts import acting
from redress.accounts.models import User
from redress.cases import actions as case_actions
from redress.cases import policy as policies
from redress.cases.models import Case, Stage
from redress.cases.notices import tell_respondent
from redress.core.refusals import Refused
from redress.helpline.access import may_answer
from redress.helpline.models import (
    Channel,
    CloseReason,
    ContactAttempt,
    OfferedAt,
    Party,
    Referral,
    ReferralOutcome,
    Status,
    SupportRequest,
)
from redress.helpline.services import services
from redress.ledger.append import append, keyed_digest_of
from redress.ledger.events import Action

# What a person may say about the support they want, and what an adviser may write to them.
MAX_WORDS = 2000
MAX_MESSAGE = 5000


class HelplineError(Refused):
    """A refused act, with a plain message for the person who asked; ``field`` names the input
    it is about (``words``, ``body``, ``service``, ``outcome``, ``reason``), for a form."""


def due_on(asked_on: dt.date) -> dt.date:
    """When first contact is due: ``SUPPORT_FIRST_CONTACT_DAYS`` working days of the scheme's
    nation after the request."""
    return policies.current().due(asked_on, settings.SUPPORT_FIRST_CONTACT_DAYS)


def _obj(request: SupportRequest) -> str:
    return f"case:{request.case.reference}"


def _actor(actor: User | str) -> str:
    return actor if isinstance(actor, str) else acting.ref(actor)


def _digest(*parts: object) -> str:
    return keyed_digest_of("helpline", "|".join(str(part) for part in parts))


def ask_for_support(
    case: Case,
    party: Party | str,
    offered_at: OfferedAt | str,
    words: str = "",
    *,
    actor: User | str | None = None,
) -> SupportRequest:
    """Record that ``party`` asked for support where it was offered, in their ``words``
    (optional), due for first contact within the configured working days.

    The party acts for themselves (ledgered as ``complainant`` or ``respondent``); a request
    taken by phone is recorded by the adviser (``actor``: their account, or for a report taken
    by phone the ledger name intake files the report under). Refuses a second open request
    from the same party on the same case, and a respondent who has not been told of the
    complaint.
    """
    if party not in Party.values:
        raise HelplineError(_("Say who is asking for support."), field="party")
    if offered_at not in OfferedAt.values:
        raise HelplineError(_("Say where support was offered."), field="offered_at")
    words = (words or "").strip()
    if len(words) > MAX_WORDS:
        raise HelplineError(
            _("What support you would like must be %(n)s characters or fewer.")
            % {"n": f"{MAX_WORDS:,}"},
            field="words",
        )
    if isinstance(actor, User) and not actor.has_role("support_adviser"):
        raise HelplineError(_("Only a support adviser can record a request for someone."))
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("data_key").get(pk=case.pk)
        if party == Party.RESPONDENT and locked.respondent_notified_at is None:
            raise HelplineError(_("The respondent has not been told of the complaint yet."))
        if (
            SupportRequest.objects.filter(case=locked, party=party)
            .exclude(status=Status.CLOSED)
            .exists()
        ):
            raise HelplineError(
                _("You have already asked for support. An adviser will contact you."),
                field="words",
            )
        request = SupportRequest(
            case=locked,
            party=party,
            offered_at=offered_at,
            data_key=locked.data_key,
            due_on=due_on(timezone.localdate()),
        )
        request.words = words or None
        request.save()
        append(
            actor=_actor(actor) if actor is not None else str(party),
            action=Action.SUPPORT_REQUESTED,
            obj=_obj(request),
            digest=_digest(party, offered_at, words),
        )
    return request


def _open(request: SupportRequest, by: User) -> SupportRequest:
    """The request locked, refusing an adviser who may not answer it or a closed request."""
    locked = (
        SupportRequest.objects.select_for_update(of=("self",))
        .select_related("case", "data_key")
        .get(pk=request.pk)
    )
    if not may_answer(by, locked):
        raise HelplineError(_("Only a support adviser can do this."))
    if locked.status == Status.CLOSED:
        raise HelplineError(_("This support request is closed."))
    return locked


def record_contact(request: SupportRequest, body: str, *, by: User) -> ContactAttempt:
    """The adviser writes to the person through their own channel: a message on the
    complainant's report (read with the receipt code), or a note on the respondent's page with
    an email saying only that there is news. The request counts as contacted."""
    body = (body or "").strip()
    if not body:
        raise HelplineError(_("Write the message before sending it."), field="body")
    if len(body) > MAX_MESSAGE:
        raise HelplineError(
            _("The message must be %(n)s characters or fewer.") % {"n": f"{MAX_MESSAGE:,}"},
            field="body",
        )
    with transaction.atomic():
        locked = _open(request, by)
        contact = ContactAttempt(request=locked, made_by=by, data_key=locked.data_key)
        if locked.party == Party.COMPLAINANT:
            try:
                contact.message = case_actions.send_support_message_to_complainant(
                    locked.case, body, actor=by
                )
            except case_actions.CaseError as refused:
                raise HelplineError(str(refused), field="body") from None
            contact.channel = Channel.RECEIPT_CODE
        else:
            contact.channel = Channel.RESPONDENT_PAGE
            contact.body = body
            tell_respondent(locked.case)
        contact.save()
        locked.status = Status.CONTACTED
        locked.first_contact_at = locked.first_contact_at or contact.made_at
        locked.save(update_fields=["status", "first_contact_at"])
        append(
            actor=acting.ref(by),
            action=Action.SUPPORT_CONTACTED,
            obj=_obj(locked),
            digest=_digest(locked.pk, contact.channel, body),
        )
    return contact


def refer(request: SupportRequest, service: str, *, by: User) -> Referral:
    """Refer the person to one of the configured support services."""
    if service not in services():
        raise HelplineError(_("Select a support service from the list."), field="service")
    with transaction.atomic():
        locked = _open(request, by)
        referral = Referral.objects.create(request=locked, service=service, referred_by=by)
        append(
            actor=acting.ref(by),
            action=Action.SUPPORT_REFERRED,
            obj=_obj(locked),
            digest=_digest(locked.pk, service),
        )
    return referral


def record_referral_outcome(referral: Referral, outcome: str, *, by: User) -> Referral:
    """What came of a referral, recorded once, while the request is open."""
    if outcome not in ReferralOutcome.values:
        raise HelplineError(_("Select what came of the referral."), field="outcome")
    with transaction.atomic():
        locked = _open(referral.request, by)
        current = Referral.objects.select_for_update().get(pk=referral.pk, request=locked)
        if current.outcome:
            raise HelplineError(_("What came of this referral is already recorded."))
        current.outcome = outcome
        current.outcome_at = timezone.now()
        current.save(update_fields=["outcome", "outcome_at"])
        append(
            actor=acting.ref(by),
            action=Action.SUPPORT_REFERRAL_OUTCOME,
            obj=_obj(locked),
            digest=_digest(locked.pk, current.service, outcome),
        )
    return current


def close(request: SupportRequest, reason: str, *, by: User) -> SupportRequest:
    """Close the request, saying why; the person may ask again later."""
    if reason not in CloseReason.values:
        raise HelplineError(_("Select why the request is closed."), field="reason")
    with transaction.atomic():
        locked = _open(request, by)
        locked.status = Status.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_by = by
        locked.close_reason = reason
        locked.save(update_fields=["status", "closed_at", "closed_by", "close_reason"])
        append(
            actor=acting.ref(by),
            action=Action.SUPPORT_CLOSED,
            obj=_obj(locked),
            digest=_digest(locked.pk, reason),
        )
    return locked


def offer_point(case: Case, party: Party | str) -> OfferedAt:
    """Where a party asking from their own page is in the case: what the request records."""
    stage = Stage(case.stage)
    if stage == Stage.APPEAL:
        return OfferedAt.APPEAL
    if case.decision:
        return OfferedAt.DECISION
    return OfferedAt.NOTIFICATION if party == Party.RESPONDENT else OfferedAt.ACKNOWLEDGEMENT
