"""Retention of closed cases and the legal holds that stop it.

``due`` says what the schedule would shred by a day, without changing anything; ``apply`` is
the one writer that shreds: for each due case, in a transaction of its own, the case's data
key (and any other key its messages, files and records were sealed under) is shredded, so its
content, messages and files can never be read again, while the case's skeleton (reference,
dates, stage, category, outcome) stays for statistics. The ledger is untouched: its entries
hold digests, not content. Nothing covered by a live hold is shredded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts.models import User
from redress.cases.models import Attachment, Case, CaseRecord, InterimMeasure, Message, Stage
from redress.core.refusals import Refused
from redress.directory.models import Person
from redress.disclosure.models import SealedIdentity
from redress.ledger.append import append, digest_of, keyed_digest_of
from redress.ledger.events import Action
from redress.retention.models import LegalHold
from redress.retention.schedule import due_on, register_expiries
from redress.vault.actions import shred
from redress.vault.models import DataKey

MAX_REASON = 1000


class RetentionError(Refused):
    """A refused act, with a plain message for the person who asked; ``field`` names the
    input it is about (``case``, ``person``, ``reason``, ``review_on``), for a form to show."""


@dataclass(frozen=True)
class Due:
    reference: str
    category: str
    decision: str
    due_on: dt.date
    why: str


def _live_holds() -> tuple[set[int], set[int]]:
    holds = LegalHold.objects.filter(lifted_at__isnull=True).values_list("case_id", "person_id")
    cases = {case for case, _person in holds if case is not None}
    people = {person for _case, person in holds if person is not None}
    return cases, people


def _held(case: Case, held_cases: set[int], held_people: set[int]) -> bool:
    return case.pk in held_cases or (
        case.respondent_id is not None and case.respondent_id in held_people
    )


def _candidates() -> list[Case]:
    return list(
        Case.objects.filter(stage=Stage.CLOSED, data_key__shredded_at__isnull=True).order_by(
            "stage_changed_at", "pk"
        )
    )


def due(as_of: dt.date | None = None, *, within_days: int = 0) -> list[Due]:
    """Closed, unshredded cases not under hold that the schedule shreds on or before
    ``as_of`` (today) plus ``within_days``, earliest first. Changes nothing."""
    as_of = as_of or timezone.localdate()
    limit = as_of + dt.timedelta(days=within_days)
    cases = _candidates()
    expiries = register_expiries([case.reference for case in cases])
    held_cases, held_people = _live_holds()
    found = []
    for case in cases:
        if _held(case, held_cases, held_people):
            continue
        when, why = due_on(case, expiries.get(case.reference))
        if when <= limit:
            found.append(Due(case.reference, case.category, case.decision, when, why))
    return sorted(found, key=lambda item: (item.due_on, item.reference))


def apply(as_of: dt.date | None = None, *, actor: str) -> list[Due]:
    """Shred every case ``due(as_of)`` lists, one transaction a case, and return those shredded.

    Inside each transaction the case (and its respondent) is locked and the schedule and holds
    are read again, so a hold placed meanwhile wins. Ledgered: ``retention.shredded`` on the
    case (a keyed digest of why and when), and the vault's own entry for each key shredded.
    """
    done = []
    for item in due(as_of):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update()
                .select_related("data_key")
                .get(reference=item.reference)
            )
            if case.respondent_id is not None:
                Person.objects.select_for_update().filter(pk=case.respondent_id).first()
            held_cases, held_people = _live_holds()
            if case.data_key.shredded_at is not None or _held(case, held_cases, held_people):
                continue
            when, why = due_on(case, register_expiries([case.reference]).get(case.reference))
            if case.stage != Stage.CLOSED or when > (as_of or timezone.localdate()):
                continue
            for key in _keys_of(case):
                shred(key, actor=actor, reason=f"retention: {case.reference} due {when}")
            append(
                actor=actor,
                action=Action.RETENTION_SHREDDED,
                obj=f"case:{case.reference}",
                digest=keyed_digest_of("retention", f"{case.reference}|{when}|{why}"),
            )
            done.append(Due(case.reference, case.category, case.decision, when, why))
    return done


def _keys_of(case: Case) -> list[DataKey]:
    ids = {case.data_key_id}
    # A confidential complainant's identity is sealed under a key of its own: it goes too.
    for model in (Message, Attachment, CaseRecord, InterimMeasure, SealedIdentity):
        ids.update(model.objects.filter(case=case).values_list("data_key_id", flat=True))
    return list(DataKey.objects.filter(pk__in=ids, shredded_at__isnull=True).order_by("pk"))


def shredded(case: Case) -> bool:
    return DataKey.objects.filter(pk=case.data_key_id, shredded_at__isnull=False).exists()


def _clean(text: str, *, empty: str) -> str:
    text = (text or "").strip()
    if not text:
        raise RetentionError(empty, field="reason")
    if len(text) > MAX_REASON:
        raise RetentionError(
            _("Reasons must be %(n)d characters or fewer.") % {"n": MAX_REASON}, field="reason"
        )
    return text


def _check_review(review_on: dt.date | None) -> dt.date:
    if review_on is None:
        raise RetentionError(_("Enter a review date."), field="review_on")
    if review_on <= timezone.localdate():
        raise RetentionError(_("The review date must be in the future."), field="review_on")
    return review_on


def place_hold(
    *,
    by: User,
    reason: str,
    review_on: dt.date | None,
    case: Case | None = None,
    person: Person | None = None,
) -> LegalHold:
    """Place a legal hold on one case, or on every case about ``person`` (as respondent).

    Refuses (RetentionError, nothing stored) a hold on neither or both, an empty reason, a
    review date not in the future, a case already shredded, and a second live hold on the same
    case or person. Ledgered as ``retention.hold_placed``.
    """
    if (case is None) == (person is None):
        raise RetentionError(_("Choose one case or one person to hold."), field="case")
    reason = _clean(reason, empty=_("Enter the reason for the hold."))
    review_on = _check_review(review_on)
    with transaction.atomic():
        if case is not None:
            locked_case = Case.objects.select_for_update().get(pk=case.pk)
            if shredded(locked_case):
                raise RetentionError(
                    _("Case %(reference)s was already deleted under the retention policy.")
                    % {"reference": locked_case.reference},
                    field="case",
                )
            existing = LegalHold.objects.filter(case=locked_case, lifted_at__isnull=True)
        else:
            assert person is not None
            Person.objects.select_for_update().get(pk=person.pk)
            existing = LegalHold.objects.filter(person=person, lifted_at__isnull=True)
        if existing.exists():
            raise RetentionError(
                _("There is already a live hold on it: review that one instead."),
                field="case" if case is not None else "person",
            )
        hold = LegalHold.objects.create(
            case=case, person=person, reason=reason, placed_by=by, review_on=review_on
        )
        append(
            actor=f"user:{by.pk}",
            action=Action.HOLD_PLACED,
            obj=_obj(hold),
            digest=digest_of(f"{_subject(hold)}|{reason}|{review_on}"),
        )
    return hold


def review_hold(hold: LegalHold, *, by: User, note: str, review_on: dt.date | None) -> LegalHold:
    """Keep a live hold, with a note and the next review date (in the future). Ledgered."""
    note = _clean(note, empty=_("Enter a note on why the hold is still needed."))
    review_on = _check_review(review_on)
    with transaction.atomic():
        locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if locked.lifted_at is not None:
            raise RetentionError(_("This hold was already lifted."))
        locked.review_on = review_on
        locked.review_note = note
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["review_on", "review_note", "reviewed_at"])
        append(
            actor=f"user:{by.pk}",
            action=Action.HOLD_REVIEWED,
            obj=_obj(locked),
            digest=digest_of(f"{note}|{review_on}"),
        )
    return locked


def lift_hold(hold: LegalHold, *, by: User, reason: str) -> LegalHold:
    """Lift a live hold, with a reason: the schedule applies again at the next run. Ledgered."""
    reason = _clean(reason, empty=_("Enter the reason for lifting the hold."))
    with transaction.atomic():
        locked = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if locked.lifted_at is not None:
            raise RetentionError(_("This hold was already lifted."))
        locked.lifted_at = timezone.now()
        locked.lifted_by = by
        locked.lift_reason = reason
        locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        append(
            actor=f"user:{by.pk}",
            action=Action.HOLD_LIFTED,
            obj=_obj(locked),
            digest=digest_of(reason),
        )
    return locked


def live_holds() -> list[LegalHold]:
    return list(LegalHold.objects.filter(lifted_at__isnull=True).select_related("case", "person"))


def reviews_due(on: dt.date | None = None) -> list[LegalHold]:
    """Live holds whose review date has come."""
    on = on or timezone.localdate()
    return [hold for hold in live_holds() if hold.review_on <= on]


def _obj(hold: LegalHold) -> str:
    return f"retention.hold:{hold.pk}"


def _subject(hold: LegalHold) -> str:
    return f"case:{hold.case.reference}" if hold.case else f"person:{hold.person_id}"


__all__ = [
    "Due",
    "RetentionError",
    "apply",
    "due",
    "lift_hold",
    "live_holds",
    "place_hold",
    "review_hold",
    "reviews_due",
]
