"""The case queue and its transitions for integrations (for example a case-management system
that a scheme already runs). A token acts for the member of staff it was issued to, with the
same checks as the web console: only their assigned cases, only the steps their role may take.
A token made by someone else works here only once that person has approved it, and what it
does is ledgered as theirs through the token."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from redress.accounts import acting
from redress.accounts.models import ApiToken, Scope, User
from redress.api.auth import TokenScope
from redress.api.errors import FieldErrors
from redress.cases import actions, lifecycle, schedule
from redress.cases.access import assigned_cases, lost_access, with_due_dates
from redress.cases.models import AppealOutcome, Case, Deadline, Decision, Sanction, Stage
from redress.cases.sanctions import CONDITIONS_MAX, MONTHS_MAX, Terms
from redress.vault.errors import Shredded

router = Router(tags=["cases"])


class CaseOut(Schema):
    reference: str
    stage: str
    category: str
    received_at: dt.datetime
    next_due: dt.date | None
    working_days_left: int | None = Field(
        description=(
            "Working days from today to next_due in the scheme's calendar (weekends and bank "
            "holidays never count): 0 on the due date, negative once overdue. Null when "
            "nothing is due or the case is on hold."
        )
    )
    overdue: bool
    on_hold: bool


class DeadlineOut(Schema):
    kind: str
    due_on: dt.date
    working_days_left: int = Field(
        description=(
            "Working days from today to due_on in the scheme's calendar: 0 on the due date, "
            "negative once overdue. For a paused item, the working days it will have when "
            "its clock restarts."
        )
    )
    overdue: bool
    paused: bool


class DecisionOut(Schema):
    decision: str
    sanction: str = Field(description="Empty when the decision upholds nothing.")
    sanction_starts_on: dt.date | None
    sanction_months: int | None
    sanction_ends_on: dt.date | None = Field(
        description="The last day of the sanction, worked out from its start and length."
    )
    sanction_conditions: str | None = Field(
        description="The conditions as written for the sanctions register; null when deleted "
        "under the retention policy."
    )


class CaseDetailOut(CaseOut):
    deadlines: list[DeadlineOut]
    next_stages: list[str]
    decided: DecisionOut | None = Field(
        description="The decision and its sanction's terms, once decided, for those who may "
        "read the case's content (reading it is ledgered)."
    )


class TermsIn(Schema):
    """A sanction's terms, for a decision that upholds a finding; the sanction's kind says which
    it needs (``cases.sanctions``)."""

    starts_on: dt.date | None = Field(
        default=None, description="The day the sanction starts, for a sanction that has one."
    )
    months: int | None = Field(
        default=None,
        description=f"How many whole months the sanction lasts (1 to {MONTHS_MAX}); the end is "
        "worked out from it.",
    )
    conditions: str = Field(
        default="",
        description=f"The sanction's conditions, at most {CONDITIONS_MAX} characters, written "
        "for the sanctions register: do not name the complainant.",
    )

    def terms(self) -> Terms:
        return Terms(starts_on=self.starts_on, months=self.months, conditions=self.conditions)


class TransitionIn(TermsIn):
    to: Stage
    reasons: str
    decision: Decision | None = None
    sanction: Sanction | None = None


class AppealDecisionIn(TermsIn):
    outcome: AppealOutcome
    reasons: str
    decision: Decision | None = Field(
        default=None, description="For an allowed appeal: the decision as it now stands."
    )
    sanction: Sanction | None = Field(
        default=None, description="For an allowed appeal that upholds a finding: its sanction."
    )


def _user(request: HttpRequest) -> User:
    token: ApiToken = request.api_token  # type: ignore[attr-defined]
    return token.staff_member


def _rows(user: User) -> Any:
    return with_due_dates(assigned_cases(user))


def _out(case: Any) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "stage": case.stage,
        "category": case.category,
        "received_at": case.received_at,
        "next_due": case.next_due,
        "working_days_left": (
            None
            if case.next_due is None or case.held_since is not None
            else schedule.working_days_left(case.next_due)
        ),
        "overdue": case.overdue,
        "on_hold": case.held_since is not None,
    }


@router.get(
    "/cases",
    response=list[CaseOut],
    auth=TokenScope(Scope.CASES_READ),
    summary="The queue of the token holder's assigned cases, soonest due first",
)
def case_queue(
    request: HttpRequest, stage: Stage | None = None, overdue: bool | None = None
) -> list[dict[str, Any]]:
    rows = _rows(_user(request))
    if stage is not None:
        rows = rows.filter(stage=stage)
    if overdue:
        rows = rows.filter(overdue=True)
    return [_out(c) for c in rows.order_by(F("next_due").asc(nulls_last=True), "received_at")]


def _case(request: HttpRequest, reference: str) -> Any:
    case = _rows(_user(request)).filter(reference=reference).first()
    if case is None:
        if lost_access(_user(request), reference) is not None:
            # Only the handler a conflict took off the case learns why; nobody else does.
            raise HttpError(
                403,
                "You no longer have access to this case: a conflict of interest arose. "
                "It has been returned for reassignment.",
            )
        # Not assigned and not existing look the same: existence is not revealed.
        raise HttpError(404, "No case with that reference is assigned to you.")
    return case


def _decided(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The decision and the sanction's terms. The case came from the holder's assigned cases,
    the same refusals as reading it in the console; the read is ledgered, through the token,
    like any other, since the conditions are sealed with the case's key."""
    if not case.decision:
        return None
    with acting.through(request.api_token):  # type: ignore[attr-defined]
        actions.read_content(case, actor=_user(request))
    try:
        conditions: str | None = case.sanction_conditions or ""
    except Shredded:
        conditions = None
    return {
        "decision": case.decision,
        "sanction": case.sanction,
        "sanction_starts_on": case.sanction_starts_on,
        "sanction_months": case.sanction_months,
        "sanction_ends_on": case.sanction_ends_on,
        "sanction_conditions": conditions,
    }


def _detail(request: HttpRequest, case: Any) -> dict[str, Any]:
    roles = actions.live_roles(case, _user(request))
    items = Deadline.objects.filter(case=case, met_at__isnull=True, cancelled_at__isnull=True)
    return {
        **_out(case),
        "deadlines": [
            {
                "kind": d.kind,
                "due_on": d.due_on,
                "working_days_left": (
                    d.paused_remaining
                    if d.paused_remaining is not None
                    else schedule.working_days_left(d.due_on)
                ),
                "overdue": d.overdue_at is not None,
                "paused": d.paused_remaining is not None,
            }
            for d in items.order_by("due_on")
        ],
        "next_stages": [str(m.to) for m in lifecycle.MOVES[Stage(case.stage)] if m.by & roles],
        "decided": _decided(request, case),
    }


@router.get(
    "/cases/{reference}",
    response={200: CaseDetailOut, 403: FieldErrors, 404: FieldErrors},
    auth=TokenScope(Scope.CASES_READ),
    summary="One assigned case: its open deadlines and the steps the token holder may take",
)
def case_detail(request: HttpRequest, reference: str) -> dict[str, Any]:
    return _detail(request, _case(request, reference))


@router.post(
    "/cases/{reference}/transitions",
    response={200: CaseDetailOut, 403: FieldErrors, 404: FieldErrors, 409: FieldErrors},
    auth=TokenScope(Scope.CASES_WRITE),
    summary="Move an assigned case to its next stage, with reasons",
    description=(
        "Checked against the lifecycle and the token holder's role on the case, exactly as in "
        "the console. A decision that upholds a finding needs its sanction and the terms the "
        "sanction takes (a suspension or restricted access: starts_on and months; restricted "
        "access and other sanctions: conditions). A refused step, or terms that do not fit "
        "the sanction, answers 409 with the reason; nothing changes."
    ),
)
def case_transition(request: HttpRequest, reference: str, body: TransitionIn) -> Any:
    case = _case(request, reference)
    try:
        # The ledger names the member of staff and the token: "user:1 via token:3".
        with acting.through(request.api_token):  # type: ignore[attr-defined]
            actions.transition(
                case,
                body.to,
                actor=_user(request),
                reasons=body.reasons,
                decision=body.decision,
                sanction=body.sanction,
                terms=body.terms(),
            )
    except actions.CaseError as refused:
        return Status(409, {"detail": str(refused)})
    return _detail(request, _case(request, reference))


@router.post(
    "/cases/{reference}/appeal-decision",
    response={200: CaseDetailOut, 403: FieldErrors, 404: FieldErrors, 409: FieldErrors},
    auth=TokenScope(Scope.CASES_WRITE),
    summary="Record the appeals panel's outcome on an appealed case, which closes it",
    description=(
        "For the case's assigned appeals panel, exactly as in the console. An allowed appeal "
        "gives the decision as it now stands, with the sanction and its terms when a finding is "
        "upheld, and must change one of them; the sanctions register follows at once. A refusal "
        "answers 409 with the reason; nothing changes."
    ),
)
def case_appeal_decision(request: HttpRequest, reference: str, body: AppealDecisionIn) -> Any:
    case = _case(request, reference)
    try:
        with acting.through(request.api_token):  # type: ignore[attr-defined]
            actions.decide_appeal(
                case,
                actor=_user(request),
                outcome=body.outcome,
                reasons=body.reasons,
                decision=body.decision,
                sanction=body.sanction,
                terms=body.terms(),
            )
    except actions.CaseError as refused:
        return Status(409, {"detail": str(refused)})
    return _detail(request, _case(request, reference))
