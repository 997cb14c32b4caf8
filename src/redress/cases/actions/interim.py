"""Interim measures while a case runs, and risk exceptions that delay telling the
respondent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts.models import User
from redress.cases import schedule
from redress.cases.actions.base import CaseError, _lock, _obj, _record, _ref, _require
from redress.cases.models import (
    AssignmentRole,
    Case,
    DeadlineKind,
    InterimMeasure,
    MeasureKind,
    RecordKind,
    RiskException,
    Source,
    Stage,
)
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action

_MEASURERS = frozenset(
    {AssignmentRole.CASEWORKER, AssignmentRole.INVESTIGATOR, AssignmentRole.DECISION_MAKER}
)


def record_measure(
    case: Case, kind: MeasureKind, details: str, *, actor: User, started_on: dt.date | None = None
) -> InterimMeasure:
    """An interim measure while the case runs (a party's withdrawal of the whip is recorded as
    a fact, not ordered), reviewed every interval until it ends."""
    if not details.strip():
        raise CaseError(_("Describe the measure."))
    with transaction.atomic():
        locked = _lock(case)
        _require(locked, actor, _MEASURERS)
        if locked.stage == Stage.CLOSED:
            raise CaseError(_("The case is closed."))
        measure = InterimMeasure(
            case=locked,
            kind=kind,
            data_key=locked.data_key,
            started_on=started_on or schedule.today(),
            recorded_by=actor,
        )
        measure.details = details
        measure.save()
        schedule.start(locked, DeadlineKind.INTERIM_REVIEW, subject=f"measure:{measure.pk}")
        append(
            actor=_ref(actor),
            action=Action.CASE_MEASURE_RECORDED,
            obj=_obj(locked),
            digest=digest_of(f"{kind}|{details}"),
        )
    return measure


def review_measure(
    measure: InterimMeasure, *, actor: User, notes: str, end: bool = False
) -> InterimMeasure:
    """Review a measure: it continues to its next review, or ends."""
    if not notes.strip():
        raise CaseError(_("Write what the review found."))
    with transaction.atomic():
        locked = _lock(measure.case)
        _require(locked, actor, _MEASURERS)
        current = InterimMeasure.objects.select_for_update().get(pk=measure.pk)
        if current.ended_on is not None:
            raise CaseError(_("This measure has ended."))
        subject = f"measure:{current.pk}"
        schedule.meet(locked, DeadlineKind.INTERIM_REVIEW, subject=subject)
        current.last_reviewed_on = schedule.today()
        if end:
            current.ended_on = schedule.today()
        else:
            schedule.start(locked, DeadlineKind.INTERIM_REVIEW, subject=subject)
        current.save(update_fields=["last_reviewed_on", "ended_on"])
        _record(locked, RecordKind.REVIEW, notes, source=Source.STAFF, author=actor)
        append(
            actor=_ref(actor),
            action=Action.CASE_MEASURE_ENDED if end else Action.CASE_MEASURE_REVIEWED,
            obj=_obj(locked),
            digest=digest_of(f"{subject}|{notes}"),
        )
    return current


def _live_exception(case: Case) -> RiskException | None:
    return (
        case.risk_exceptions.filter(approved_at__isnull=False, ended_at__isnull=True)
        .order_by("pk")
        .first()
    )


def request_risk_exception(case: Case, *, actor: User, reasons: str) -> RiskException:
    """Ask to delay telling the respondent, with documented reasons; the decision-maker decides."""
    if not reasons.strip():
        raise CaseError(_("Document the risk that justifies the delay."))
    with transaction.atomic():
        locked = _lock(case)
        _require(locked, actor, {AssignmentRole.CASEWORKER, AssignmentRole.INVESTIGATOR})
        if locked.respondent_notified_at is not None:
            raise CaseError(_("The respondent has already been told."))
        if locked.risk_exceptions.filter(ended_at__isnull=True).exists():
            raise CaseError(_("A risk exception is already open on this case."))
        record = _record(
            locked, RecordKind.RISK_EXCEPTION, reasons, source=Source.STAFF, author=actor
        )
        exception = RiskException.objects.create(case=locked, record=record, requested_by=actor)
        append(
            actor=_ref(actor),
            action=Action.CASE_RISK_EXCEPTION_REQUESTED,
            obj=_obj(locked),
            digest=digest_of(reasons),
        )
    return exception


def approve_risk_exception(exception: RiskException, *, actor: User) -> RiskException:
    """The decision-maker approves: the notification deadline pauses, reviewed every interval."""
    with transaction.atomic():
        locked = _lock(exception.case)
        _require(locked, actor, {AssignmentRole.DECISION_MAKER})
        current = RiskException.objects.select_for_update().get(pk=exception.pk)
        if current.approved_at is not None or current.ended_at is not None:
            raise CaseError(_("This risk exception has already been decided."))
        current.approved_by = actor
        current.approved_at = timezone.now()
        current.save(update_fields=["approved_by", "approved_at"])
        schedule.pause(schedule.open_items(locked).filter(kind=DeadlineKind.NOTIFY_RESPONDENT))
        schedule.start(locked, DeadlineKind.RISK_REVIEW, subject=f"exception:{current.pk}")
        append(actor=_ref(actor), action=Action.CASE_RISK_EXCEPTION_APPROVED, obj=_obj(locked))
    return current


def review_risk_exception(
    exception: RiskException, *, actor: User, notes: str, keep: bool
) -> RiskException:
    """The decision-maker reviews the exception: it continues to its next review, or ends and
    the notification deadline runs again. Ending an unapproved request refuses it."""
    if not notes.strip():
        raise CaseError(_("Write what the review found."))
    with transaction.atomic():
        locked = _lock(exception.case)
        _require(locked, actor, {AssignmentRole.DECISION_MAKER})
        current = RiskException.objects.select_for_update().get(pk=exception.pk)
        if current.ended_at is not None:
            raise CaseError(_("This risk exception has ended."))
        if keep and current.approved_at is None:
            raise CaseError(_("Approve the exception first."))
        subject = f"exception:{current.pk}"
        schedule.meet(locked, DeadlineKind.RISK_REVIEW, subject=subject)
        if keep:
            schedule.start(locked, DeadlineKind.RISK_REVIEW, subject=subject)
        else:
            current.ended_at = timezone.now()
            current.save(update_fields=["ended_at"])
            if locked.held_since is None:
                schedule.resume(
                    schedule.open_items(locked).filter(kind=DeadlineKind.NOTIFY_RESPONDENT)
                )
        _record(locked, RecordKind.REVIEW, notes, source=Source.STAFF, author=actor)
        append(
            actor=_ref(actor),
            action=(
                Action.CASE_RISK_EXCEPTION_REVIEWED if keep else Action.CASE_RISK_EXCEPTION_ENDED
            ),
            obj=_obj(locked),
            digest=digest_of(notes),
        )
    return current
