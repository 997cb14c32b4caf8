"""Putting a case on hold, reviewing the hold and resuming: every deadline's clock stops
and runs again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts.models import User
from redress.cases import schedule
from redress.cases.actions.base import CaseError, _lock, _obj, _record, _ref, _require
from redress.cases.actions.interim import _live_exception
from redress.cases.models import AssignmentRole, Case, DeadlineKind, RecordKind, Source, Stage
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action

_HOLDERS = frozenset({AssignmentRole.CASEWORKER, AssignmentRole.DECISION_MAKER})


@contextmanager
def _hold_act(
    case: Case, *, actor: User, text: str, missing: str, kind: RecordKind, action: Action
) -> Iterator[Case]:
    """The shape of every act on a hold: a reason is required; the case is locked and the actor
    must hold it; the body acts; the reason goes on the file and, digested, in the ledger."""
    if not text.strip():
        raise CaseError(missing)
    with transaction.atomic():
        locked = _lock(case)
        _require(locked, actor, _HOLDERS)
        yield locked
        _record(locked, kind, text, source=Source.STAFF, author=actor)
        append(actor=_ref(actor), action=action, obj=_obj(locked), digest=digest_of(text))


def put_on_hold(case: Case, *, actor: User, reason: str) -> Case:
    """Stop every deadline's clock (for example during a police investigation), with a reason,
    and start the hold's own review deadline."""
    with _hold_act(
        case,
        actor=actor,
        text=reason,
        missing=_("Give the reason for putting the case on hold."),
        kind=RecordKind.HOLD,
        action=Action.CASE_HELD,
    ) as locked:
        if locked.stage == Stage.CLOSED:
            raise CaseError(_("A closed case cannot be put on hold."))
        if locked.held_since is not None:
            raise CaseError(_("The case is already on hold."))
        locked.held_since = timezone.now()
        locked.hold_reason = reason
        locked.save(update_fields=["held_since", "hold_reason"])
        schedule.pause(schedule.open_items(locked))
        schedule.start(locked, DeadlineKind.HOLD_REVIEW)
    return locked


def review_hold(case: Case, *, actor: User, notes: str) -> Case:
    """The hold was reviewed and continues: its next review is due in its own interval."""
    with _hold_act(
        case,
        actor=actor,
        text=notes,
        missing=_("Write what the review found."),
        kind=RecordKind.REVIEW,
        action=Action.CASE_HOLD_REVIEWED,
    ) as locked:
        if locked.held_since is None:
            raise CaseError(_("The case is not on hold."))
        schedule.meet(locked, DeadlineKind.HOLD_REVIEW)
        schedule.start(locked, DeadlineKind.HOLD_REVIEW)
    return locked


def resume(case: Case, *, actor: User, reasons: str) -> Case:
    """End the hold: every paused deadline runs again with the working days it had left."""
    with _hold_act(
        case,
        actor=actor,
        text=reasons,
        missing=_("Give the reasons for resuming the case."),
        kind=RecordKind.REVIEW,
        action=Action.CASE_RESUMED,
    ) as locked:
        if locked.held_since is None:
            raise CaseError(_("The case is not on hold."))
        locked.held_since = None
        locked.hold_reason = None
        locked.save(update_fields=["held_since", "hold_reason"])
        schedule.meet(locked, DeadlineKind.HOLD_REVIEW)
        running = schedule.open_items(locked)
        if _live_exception(locked) is not None:
            running = running.exclude(kind=DeadlineKind.NOTIFY_RESPONDENT)
        schedule.resume(running)
    return locked
