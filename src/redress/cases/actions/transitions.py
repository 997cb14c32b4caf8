"""The lifecycle: moving a case between stages, with the decisions and deadlines a move
brings."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts.models import User
from redress.cases import lifecycle, sanctions, schedule
from redress.cases.actions.base import (
    CaseError,
    IllegalTransition,
    _lock,
    _obj,
    _record,
    _ref,
    live_roles,
)
from redress.cases.models import (
    Case,
    DeadlineKind,
    Decision,
    InterimMeasure,
    RecordKind,
    Sanction,
    Source,
    Stage,
)
from redress.cases.notices import tell_complainant, tell_respondent
from redress.ledger.append import append, digest_of
from redress.ledger.events import Action
from redress.register import actions as register


def _illegal(stage: Stage, to: Stage) -> IllegalTransition:
    allowed = ", ".join(f"“{s.label}”" for s in lifecycle.next_stages(stage))
    return IllegalTransition(
        _("A case at “%(stage)s” cannot move to “%(to)s”.")
        % {"stage": Stage(stage).label, "to": Stage(to).label}
        + " "
        + (
            _("It can move to: %(allowed)s.") % {"allowed": allowed}
            if allowed
            else _("It is closed.")
        )
    )


def _move(locked: Case, to: Stage, *, by: set[str], actor: str, reasons: str) -> lifecycle.Move:
    """Check ``locked`` may move to ``to`` for someone acting as any of ``by``; set the stage."""
    step = lifecycle.move(locked.stage, to)
    if step is None:
        raise _illegal(Stage(locked.stage), to)
    if not by & {str(r) for r in step.by}:
        needed = " or ".join(lifecycle.label(r) for r in sorted(step.by))
        raise IllegalTransition(
            _("Only the case's assigned %(roles)s can make this step.") % {"roles": needed}
        )
    if locked.held_since is not None:
        raise IllegalTransition(_("The case is on hold. Resume it before moving it on."))
    previous = locked.stage
    locked.stage = to
    locked.stage_changed_at = timezone.now()
    _after_move(locked, Stage(previous), to)
    append(
        actor=actor,
        action=Action.CASE_STAGE_CHANGED,
        obj=_obj(locked),
        digest=digest_of(f"{previous}>{to}|{locked.decision}|{reasons}"),
    )
    return step


def _after_move(case: Case, previous: Stage, to: Stage) -> None:
    """The deadlines a move meets, starts and ends (DESIGN.md's lifecycle table)."""
    if to == Stage.ACKNOWLEDGED:
        case.acknowledged_at = case.stage_changed_at
        schedule.meet(case, DeadlineKind.ACKNOWLEDGE)
        schedule.start(case, DeadlineKind.FEEDBACK, DeadlineKind.SUBSTANTIVE_ANSWER)
    elif to == Stage.ASSESSED:
        case.assessed_at = case.stage_changed_at
        schedule.meet(case, DeadlineKind.ASSESS)
    elif to == Stage.NOT_TAKEN_FORWARD:
        schedule.meet(case, DeadlineKind.SUBSTANTIVE_ANSWER)
    elif to == Stage.INVESTIGATION:
        kinds = [DeadlineKind.INVESTIGATION]
        if case.respondent_id is not None and case.respondent_notified_at is None:
            kinds.append(DeadlineKind.NOTIFY_RESPONDENT)
        schedule.start(case, *kinds)
    elif to == Stage.FINDINGS:
        schedule.meet(case, DeadlineKind.INVESTIGATION)
        schedule.start(case, DeadlineKind.DECIDE)
    elif to == Stage.DECISION:
        schedule.meet(case, DeadlineKind.DECIDE, DeadlineKind.SUBSTANTIVE_ANSWER)
        schedule.cancel(case, [DeadlineKind.FEEDBACK])
    elif to == Stage.APPEAL_WINDOW:
        schedule.start(case, DeadlineKind.APPEAL_WINDOW)
    elif to == Stage.APPEAL:
        schedule.meet(case, DeadlineKind.APPEAL_WINDOW)
        schedule.start(case, DeadlineKind.APPEAL)
    elif to == Stage.CLOSED:
        schedule.meet(case, DeadlineKind.APPEAL_WINDOW, DeadlineKind.APPEAL)
        schedule.meet(case, DeadlineKind.SUBSTANTIVE_ANSWER)
        schedule.cancel(case)
        InterimMeasure.objects.filter(case=case, ended_on__isnull=True).update(
            ended_on=schedule.today()
        )


def transition(
    case: Case,
    to: Stage,
    *,
    actor: User,
    reasons: str,
    decision: Decision | None = None,
    sanction: Sanction | None = None,
    terms: sanctions.Terms = sanctions.NO_TERMS,
) -> Case:
    """Move ``case`` to stage ``to``: checked against the lifecycle table and the actor's live
    assignment, with reasons recorded, deadlines updated and ledgered in the same transaction.

    Refuses (IllegalTransition, with a message for the person who asked): a move the table does
    not list; an actor not assigned to the case in a role allowed to make it; empty reasons; a
    deciding move without a decision, or with one that does not fit the move; an upheld decision
    without a sanction (which may be "no sanction"), or with terms that do not fit it
    (``cases.sanctions``); any sanction or terms for a decision that upholds nothing; closing
    before the appeal window has run; closing a case that has no decision; any move while the
    case is on hold.

    An opted-in complainant is told by email that there is news once the move is committed.
    """
    if not reasons.strip():
        raise IllegalTransition(_("Give the reasons for this step."))
    with transaction.atomic():
        locked = _lock(case)
        step = lifecycle.move(locked.stage, to)
        if step is None:
            raise _illegal(Stage(locked.stage), to)
        if step.decides:
            if decision is None or decision not in _FITTING_DECISIONS[Stage(to)]:
                raise IllegalTransition(_("Record the decision for this step."))
            _decide(locked, decision, sanction, terms, reasons)
        elif to == Stage.CLOSED and not locked.decision:
            raise IllegalTransition(_("A case cannot be closed without a decision and reasons."))
        if locked.stage == Stage.APPEAL_WINDOW and to == Stage.CLOSED:
            window = schedule.open_items(locked).filter(kind=DeadlineKind.APPEAL_WINDOW).first()
            if window is not None and window.due_on >= schedule.today():
                raise IllegalTransition(
                    _("The appeal window runs until %(day)s. The case can close after that.")
                    % {"day": window.due_on.strftime("%-d %B %Y")}
                )
        _move(locked, to, by=live_roles(locked, actor), actor=_ref(actor), reasons=reasons)
        if not step.decides:
            _record(locked, RecordKind.TRANSITION, reasons, source=Source.STAFF, author=actor)
        locked.save()
        if to == Stage.DECISION:
            _record_on_register(locked, actor=_ref(actor))
        tell_complainant(locked)
        if step.decides or to == Stage.CLOSED:
            tell_respondent(locked)  # the outcome concerns them too, once they know of the case
    return locked


_FITTING_DECISIONS: dict[Stage, set[Decision]] = {
    Stage.NOT_TAKEN_FORWARD: {Decision.NOT_TAKEN_FORWARD},
    Stage.CLOSED: {Decision.RESOLVED_INFORMALLY},
    Stage.DECISION: {Decision.UPHELD, Decision.PARTLY_UPHELD, Decision.NOT_UPHELD},
}


def fitting_decisions(to: Stage) -> list[Decision]:
    """The decisions a deciding move to ``to`` may record, in the order a page offers them."""
    fitting = _FITTING_DECISIONS.get(Stage(to), set())
    return [decision for decision in Decision if decision in fitting]


def _decide(
    case: Case,
    decision: Decision,
    sanction: Sanction | None,
    terms: sanctions.Terms,
    reasons: str,
) -> None:
    """Put the decision on the locked ``case``. An upheld finding needs a sanction (which may be
    "no sanction") with terms that fit it; no other decision may carry one, or the respondent
    and the register would show a sanction for nothing found."""
    found = decision in register.FINDINGS
    if found and not sanction:
        raise IllegalTransition(_("Record the sanction, or that there is none."))
    if not found and ((sanction and sanction != Sanction.NONE) or not terms.empty):
        raise IllegalTransition(_("A sanction can follow only a finding that is upheld."))
    if found:
        try:
            terms = sanctions.check(
                sanction or "",
                terms,
                received_on=timezone.localdate(case.received_at),
                today=schedule.today(),
            )
        except ValueError as refused:
            raise CaseError(str(refused)) from None
    case.decision = decision
    case.decision_reasons = reasons
    case.decided_at = timezone.now()
    case.sanction = (sanction or "") if found else ""
    case.sanction_starts_on = terms.starts_on
    case.sanction_months = terms.months
    case.sanction_ends_on = terms.ends_on
    case.sanction_conditions = terms.conditions or None


def terms_of(case: Case) -> sanctions.Terms:
    """The terms of the sanction recorded on ``case`` (a read of its sealed conditions)."""
    return sanctions.Terms(
        starts_on=case.sanction_starts_on,
        months=case.sanction_months,
        conditions=case.sanction_conditions or "",
    )


def _record_on_register(case: Case, *, actor: str) -> None:
    """Make the sanctions register reflect the case's latest decision about a directory person."""
    if case.respondent is None:
        return
    register.record_outcome(
        person=case.respondent,
        case_reference=case.reference,
        category=case.category,
        decision=case.decision,
        sanction=case.sanction,
        terms=register.SanctionTerms(
            starts_on=case.sanction_starts_on,
            months=case.sanction_months,
            ends_on=case.sanction_ends_on,
            conditions=case.sanction_conditions or "",
        ),
        decided_on=timezone.localdate(case.decided_at or timezone.now()),
        actor=actor,
    )
