"""The respondent: told of the allegations through an emailed link, reading what concerns
them, and answering."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts.models import User
from redress.cases import lifecycle, schedule
from redress.cases.actions.base import RESPONDENT, CaseError, _lock, _obj, _record, _ref, _require
from redress.cases.actions.interim import _live_exception
from redress.cases.models import (
    SHARED_WITH_RESPONDENT,
    AssignmentRole,
    Case,
    CaseRecord,
    DeadlineKind,
    RecordKind,
    RespondentInvitation,
    Source,
    Stage,
)
from redress.directory.models import Person
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action


def records_for_respondent(case: Case) -> list[CaseRecord]:
    """What the respondent may read: the allegations' substance, the findings, their own
    answers and the appeal's outcome. Never the complainant's words or identity."""
    if case.respondent_notified_at is None:
        return []
    return list(case.records.filter(kind__in=[str(k) for k in SHARED_WITH_RESPONDENT]))


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
        append(actor=_ref(actor), action=Action.CASE_RESPONDENT_NOTIFIED, obj=_obj(locked))
    return token


def _send_invitation(case: Case, person: Person, *, keep_working: bool = False) -> str:
    """A fresh link for ``person`` on ``case``, emailed after commit.

    Sent by staff, it ends every older link. Asked for by the respondent (``keep_working``), it
    leaves the working link alone until the new one is first opened (``invitation_for``), so a
    stranger who asks in their name cannot cut them off; earlier new links never opened end, so
    at most the first link, one opened link and the newest are live at once.
    """
    token = secrets.token_urlsafe(32)
    live = case.invitations.filter(revoked_at__isnull=True)
    if keep_working:
        first = live.order_by("sent_at", "pk").values_list("pk", flat=True).first()
        live = live.filter(first_opened_at__isnull=True).exclude(pk=first or 0)
    live.update(revoked_at=timezone.now())
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

    Says nothing about whether there were any (the caller answers the same either way, and
    runs this after its answer has gone). The working link keeps working until the new one is
    opened.
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
            _send_invitation(locked, locked.respondent, keep_working=True)
            append(actor=RESPONDENT, action=Action.CASE_RESPONDENT_LINK_RESENT, obj=_obj(locked))
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
            now = timezone.now()
            RespondentInvitation.objects.filter(pk=invitation.pk).update(first_opened_at=now)
            # A new link in use: the older ones it replaces stop working.
            RespondentInvitation.objects.filter(
                case=invitation.case, revoked_at__isnull=True, pk__lt=invitation.pk
            ).update(revoked_at=now)
            append(
                actor=RESPONDENT, action=Action.CASE_RESPONDENT_OPENED, obj=_obj(invitation.case)
            )
    return invitation


def record_respondent_read(case: Case) -> None:
    """The respondent's page showed them what is on the file about them: ledgered, as every read
    of case content is."""
    append(actor=RESPONDENT, action=Action.CASE_RESPONDENT_READ, obj=_obj(case))


def answering_open(case: Case) -> bool:
    """The respondent answers the allegations (and adds evidence) from being told of them until
    the decision; after it, what is left to them is to comment or appeal."""
    return case.respondent_notified_at is not None and lifecycle.order(
        Stage(case.stage)
    ) < lifecycle.order(Stage.DECISION)


def answer_as_respondent(case: Case, body: str) -> CaseRecord:
    """The respondent's written answer to the allegations."""
    if not body.strip():
        raise CaseError(_("Write your answer before sending it."))
    with transaction.atomic():
        locked = _lock(case)
        if not answering_open(locked):
            raise CaseError(_("This case is not open for your answer."))
        record = _record(locked, RecordKind.RESPONSE, body, source=Source.RESPONDENT, author=None)
        append(
            actor=RESPONDENT,
            action=Action.CASE_RESPONDENT_ANSWERED,
            obj=_obj(locked),
            digest=digest_of(body),
        )
    return record
