"""Appeals: the window after a decision, lodging an appeal, and the panel's decision."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts.models import User
from redress.cases import sanctions, schedule
from redress.cases.actions.base import (
    CaseError,
    IllegalTransition,
    _lock,
    _record,
    _ref,
    live_roles,
)
from redress.cases.actions.transitions import (
    _FITTING_DECISIONS,
    _decide,
    _move,
    _record_on_register,
    terms_of,
)
from redress.cases.models import (
    Appeal,
    AppealOutcome,
    AssignmentRole,
    Case,
    CaseRecord,
    DeadlineKind,
    Decision,
    RecordKind,
    Sanction,
    Source,
    Stage,
)
from redress.cases.notices import tell_both, tell_complainant, tell_respondent


def appeal_closes_on(case: Case) -> dt.date | None:
    window = schedule.open_items(case).filter(kind=DeadlineKind.APPEAL_WINDOW).first()
    return window.due_on if window else None


def lodge_appeal(case: Case, grounds: str, *, by: Source) -> Appeal:
    """The complainant or the respondent appeals the decision, within the window."""
    if by not in (Source.COMPLAINANT, Source.RESPONDENT):
        raise CaseError(_("Only the complainant and the respondent can appeal."))
    if not grounds.strip():
        raise CaseError(_("Give the grounds of your appeal."))
    with transaction.atomic():
        locked = _lock(case)
        closes = appeal_closes_on(locked)
        if locked.stage != Stage.APPEAL_WINDOW or closes is None:
            raise CaseError(_("This decision cannot be appealed now."))
        if schedule.today() > closes:
            raise CaseError(_("The time to appeal has passed."))
        record = _record(locked, RecordKind.APPEAL_GROUNDS, grounds, source=by, author=None)
        appeal = Appeal.objects.create(case=locked, by=by, grounds=record)
        _move(locked, Stage.APPEAL, by={str(by)}, actor=str(by), reasons=grounds)
        # The caseworker finds the appeals panel, unless one is on the case already.
        panel = locked.assignments.filter(role=AssignmentRole.APPEALS_PANEL, ended_at=None)
        if not panel.exists():
            schedule.start(locked, DeadlineKind.ASSIGN_APPEALS_PANEL)
        locked.save()
        # The other party learns that the decision is under appeal.
        if by == Source.RESPONDENT:
            tell_complainant(locked)
        else:
            tell_respondent(locked)
    return appeal


def decide_appeal(
    case: Case,
    *,
    actor: User,
    outcome: AppealOutcome,
    reasons: str,
    decision: Decision | None = None,
    sanction: Sanction | None = None,
    terms: sanctions.Terms = sanctions.NO_TERMS,
) -> Case:
    """The appeals panel decides; the case closes. An allowed appeal changes the decision, or
    only the sanction or its terms, and with it the sanctions register at once: an overturned
    finding is withdrawn, a varied one changed in place. An opted-in complainant is told there
    is news."""
    if not reasons.strip():
        raise IllegalTransition(_("Give the reasons for the appeal's outcome."))
    with transaction.atomic():
        locked = _lock(case)
        appeal = Appeal.objects.select_for_update().filter(case=locked).first()
        if appeal is None or appeal.outcome:
            raise IllegalTransition(_("There is no appeal waiting for a decision."))
        if outcome == AppealOutcome.ALLOWED:
            if decision is None or decision not in _FITTING_DECISIONS[Stage.DECISION]:
                raise IllegalTransition(_("An allowed appeal needs the changed decision."))
            before = (locked.decision, locked.sanction, terms_of(locked))
            _decide(locked, decision, sanction, terms, reasons)
            if (locked.decision, locked.sanction, terms_of(locked)) == before:
                raise IllegalTransition(
                    _("An allowed appeal must change the decision, the sanction or its terms.")
                )
        _move(
            locked, Stage.CLOSED, by=live_roles(locked, actor), actor=_ref(actor), reasons=reasons
        )
        appeal.outcome = outcome
        appeal.decided_at = timezone.now()
        appeal.decided_by = actor
        appeal.save(update_fields=["outcome", "decided_at", "decided_by"])
        _record(locked, RecordKind.APPEAL_OUTCOME, reasons, source=Source.STAFF, author=actor)
        locked.save()
        if outcome == AppealOutcome.ALLOWED:
            _record_on_register(locked, actor=_ref(actor))
        tell_both(locked)
    return locked


@dataclass(frozen=True)
class AppealTold:
    """An appeal as the parties see it: who lodged it and when, and once decided, the outcome
    and the panel's reasons (a record shared with both)."""

    by: str
    lodged_at: dt.datetime
    outcome: str
    outcome_words: str
    reasons: CaseRecord | None


def appeal_told(case: Case) -> AppealTold | None:
    """The case's appeal for the parties' pages, or None when there is none."""
    appeal = Appeal.objects.filter(case=case).first()
    if appeal is None:
        return None
    reasons = None
    if appeal.outcome:
        reasons = case.records.filter(kind=RecordKind.APPEAL_OUTCOME).order_by("-pk").first()
    return AppealTold(
        by=appeal.by,
        lodged_at=appeal.lodged_at,
        outcome=appeal.outcome,
        outcome_words=str(appeal.get_outcome_display()) if appeal.outcome else "",
        reasons=reasons,
    )
