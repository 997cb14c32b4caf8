"""Reports taken by staff: a report given by phone or in person, written down by a support
adviser or caseworker for the reporter, who then checks the record with their receipt code and
confirms or corrects it (EU Directive 2019/1937, Art. 18(2)-(4)).

The case is made by the one path every report takes (``actions.submit_answers``, then
``cases.actions.receive``), in the same transaction as the ``TakenReport`` that says who took
it, how, and whether the reporter has agreed the record. Every step is ledgered. The receipt
code is read out from the page that shows it once, or emailed (the code and a link, nothing of
the report); only its keyed digest is kept, as for every report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from redress.accounts import acting
from redress.accounts.models import User
from redress.accounts.throttle import email_allowed
from redress.cases import actions as case_actions
from redress.cases.models import Case, Category, Identity
from redress.directory.models import Person
from redress.intake import actions
from redress.intake.forms import date_in_words
from redress.intake.models import TakenHow, TakenReport, TakenState
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action

_TAKEN = {
    TakenHow.PHONE: Action.REPORT_TAKEN_BY_PHONE,
    TakenHow.IN_PERSON: Action.REPORT_TAKEN_IN_PERSON,
}


@dataclass(frozen=True)
class Taken:
    """A report just taken: its case, and the code to read out now (None when it was emailed:
    the member of staff never sees it then)."""

    case: Case
    code: str | None
    emailed: bool


class AlreadyAnswered(Exception):
    """The reporter has already confirmed or corrected the record; it is not asked again."""


def take(
    answers: dict[str, Any], *, by: User, how: TakenHow, email_code_to: str | None = None
) -> Taken:
    """Make the case of a report ``by`` took down ``how``, all or nothing, and deliver its code.

    ``answers`` are checked as the wizard's (``IncompleteReport`` when a step is unanswered).
    With ``email_code_to`` the code goes by email once committed, unless too many emails have
    gone to that address this hour: then it is shown to be read out instead, as without one.
    The address is not kept.
    """
    actor = acting.ref(by)
    with transaction.atomic():
        submission = actions.submit_answers(answers, actor=actor)
        TakenReport.objects.create(case=submission.case, taken_by=by, how=how)
        obj = f"case:{submission.case.reference}"
        append(actor=actor, action=_TAKEN[TakenHow(how)], obj=obj)
        emailed = bool(email_code_to) and email_allowed(email_code_to or "", client=None)
        if emailed:
            _email_code(email_code_to or "", submission.code)
            append(actor=actor, action=Action.REPORT_RECEIPT_EMAILED, obj=obj)
        else:
            append(actor=actor, action=Action.REPORT_RECEIPT_READ_OUT, obj=obj)
    return Taken(case=submission.case, code=None if emailed else submission.code, emailed=emailed)


def _email_code(email: str, code: str) -> None:
    """The code and where to use it, in English and Welsh (the reporter's language is not
    kept), sent once the case is committed. Nothing of what the report says."""
    link = settings.SITE_URL.rstrip("/") + reverse("public:report-check-code")
    subjects, bodies = [], []
    for language in ("en", "cy"):
        with translation.override(language):
            subjects.append(_("Your receipt code"))
            bodies.append(
                _(
                    "You gave a report to our staff. Your receipt code is:\n\n%(code)s\n\n"
                    "Keep it safe: it is the only way into your report. Use it to check the "
                    "record of your report, and confirm or correct it:\n\n%(link)s\n\n"
                    "If you did not give a report, ignore this email."
                )
                % {"code": code, "link": link}
            )
    subject, body = " / ".join(subjects), "\n\n---\n\n".join(bodies)
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


@dataclass(frozen=True)
class TakenStatus:
    """What the staff side shows of a report taken by staff: who took it, how, when, and
    whether the reporter has agreed the record."""

    how: str
    taken_by: str
    taken_at: datetime
    state: str
    words: str  # the state in words, in the page's language
    answered_at: datetime | None
    awaiting: bool


def status_for(case: Case) -> TakenStatus | None:
    """The taken-by-staff status of ``case`` for any staff page, or None when the reporter
    made it themselves. Reads nothing sealed."""
    taken = TakenReport.objects.select_related("taken_by").filter(case=case).first()
    if taken is None:
        return None
    return TakenStatus(
        how=str(TakenHow(taken.how).label),
        taken_by=taken.taken_by.display_name or taken.taken_by.username,
        taken_at=taken.taken_at,
        state=taken.state,
        words=str(TakenState(taken.state).label),
        answered_at=taken.confirmed_at or taken.corrected_at,
        awaiting=taken.state == TakenState.AWAITING,
    )


def awaiting(case: Case) -> bool:
    """Whether the reporter has still to confirm or correct the record of ``case``."""
    return TakenReport.objects.filter(case=case, state=TakenState.AWAITING).exists()


def record_for(case: Case) -> dict[str, Any]:
    """The record as taken, for the reporter signed in with its code; showing it is ledgered
    in the same transaction as the decryption, as every read of case content is."""
    with transaction.atomic():
        append(actor=actions.COMPLAINANT, action=Action.REPORT_RECORD_SHOWN, obj=_obj(case))
        details: dict[str, Any] = json.loads(case.details or "{}")
        narrative = case.narrative
        described = case.respondent_description
    return {
        "what_happened": narrative,
        "category": str(Category(case.category).label),
        "who": _who(case, described),
        "when": _when(details),
        "where": details.get("where", ""),
        "identity": str(Identity(case.identity).label),
        "contact_name": details.get("contact_name", ""),
        "contact_email": details.get("contact_email", ""),
        "contact_phone": details.get("contact_phone", ""),
        "support": _("Yes") if details.get("support") == "yes" else _("No"),
    }


def _who(case: Case, described: str | None) -> str:
    person: Person | None = case.respondent
    if person is not None:
        return f"{person.name}, {person.role_title}" if person.role_title else person.name
    return described or ""


def _when(details: dict[str, Any]) -> str:
    kind = details.get("when_kind")
    if kind == "date" and details.get("when_date"):
        return date_in_words(details["when_date"])
    if kind == "period":
        return str(details.get("when_period", ""))
    return _("Not sure")


def _obj(case: Case) -> str:
    return f"case:{case.reference}"


def _awaiting_row(case: Case) -> TakenReport:
    taken = TakenReport.objects.select_for_update().filter(case=case).first()
    if taken is None or taken.state != TakenState.AWAITING:
        raise AlreadyAnswered
    return taken


def confirm(case: Case) -> None:
    """The reporter agrees the record as taken. Refuses (``AlreadyAnswered``) a second time."""
    with transaction.atomic():
        taken = _awaiting_row(case)
        taken.state = TakenState.CONFIRMED
        taken.confirmed_at = timezone.now()
        taken.save(update_fields=["state", "confirmed_at"])
        append(actor=actions.COMPLAINANT, action=Action.REPORT_RECORD_CONFIRMED, obj=_obj(case))


def correct(case: Case, correction: str) -> None:
    """The reporter corrects the record: their words go on the case as their message to the
    handlers (the case file's writer), headed so the handlers know what it is. Refuses
    (``AlreadyAnswered``) once answered, and (``ReportClosed``) once the report is withdrawn.
    """
    with translation.override(settings.LANGUAGE_CODE):
        heading = _("The reporter's correction to the record of their report as it was taken:")
    with transaction.atomic():
        taken = _awaiting_row(case)
        message = case_actions.receive_message_from_complainant(case, f"{heading}\n\n{correction}")
        taken.state = TakenState.CORRECTED
        taken.corrected_at = timezone.now()
        taken.correction = message
        taken.save(update_fields=["state", "corrected_at", "correction"])
        append(
            actor=actions.COMPLAINANT,
            action=Action.REPORT_RECORD_CORRECTED,
            obj=_obj(case),
            digest=digest_of(correction),
        )
