"""What a complainant is told about their report: where it is, what happens next and by when,
read from the case's own deadline items. Never the hold's reason or anything about the
respondent's side."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redress.cases import lifecycle, schedule
from redress.cases.actions import appeal_closes_on, withdrawal_open
from redress.cases.models import Case, DeadlineKind, RecordKind, Stage

# What happens next at each stage, for the complainant.
NEXT = {
    Stage.RECEIVED: gettext_lazy(
        "A caseworker will acknowledge your report and tell you what happens next."
    ),
    Stage.ACKNOWLEDGED: gettext_lazy(
        "A caseworker will assess your report and decide how it should be handled."
    ),
    Stage.ASSESSED: gettext_lazy("Your caseworker will tell you how your report will be handled."),
    Stage.NOT_TAKEN_FORWARD: gettext_lazy(
        "Your report will not be taken forward. The reasons are below."
    ),
    Stage.INFORMAL_RESOLUTION: gettext_lazy(
        "Your caseworker is trying to resolve this informally, with your agreement."
    ),
    Stage.INVESTIGATION: gettext_lazy(
        "An investigator is looking into your report. Your caseworker will keep you updated."
    ),
    Stage.FINDINGS: gettext_lazy(
        "The investigator has written their findings. You can comment on their factual "
        "accuracy, then a decision-maker decides."
    ),
    Stage.DECISION: gettext_lazy("A decision has been made. It is below."),
    Stage.APPEAL_WINDOW: gettext_lazy(
        "A decision has been made. You, or the person you complained about, may appeal."
    ),
    Stage.APPEAL: gettext_lazy("The decision is under appeal. The appeals panel will decide."),
    Stage.CLOSED: gettext_lazy("Your case is closed. The outcome is below."),
}

# The items a complainant is told the date of, in their words, listed soonest first.
TOLD = {
    DeadlineKind.ACKNOWLEDGE: gettext_lazy("Your report is acknowledged."),
    DeadlineKind.ASSESS: gettext_lazy("Your report is assessed."),
    DeadlineKind.DECIDE: gettext_lazy("A decision is made on the findings."),
    DeadlineKind.APPEAL: gettext_lazy("The appeals panel decides."),
    DeadlineKind.SUBSTANTIVE_ANSWER: gettext_lazy("You get a full answer on your report."),
    DeadlineKind.FEEDBACK: gettext_lazy("Your caseworker updates you, at the latest."),
    DeadlineKind.APPEAL_WINDOW: gettext_lazy("The time to appeal the decision ends."),
}


# The item whose date "what happens next" gives, at each stage.
NEXT_ITEM = {
    Stage.RECEIVED: DeadlineKind.ACKNOWLEDGE,
    Stage.ACKNOWLEDGED: DeadlineKind.ASSESS,
    Stage.ASSESSED: DeadlineKind.FEEDBACK,
    Stage.INFORMAL_RESOLUTION: DeadlineKind.FEEDBACK,
    Stage.INVESTIGATION: DeadlineKind.FEEDBACK,
    Stage.FINDINGS: DeadlineKind.DECIDE,
    Stage.APPEAL: DeadlineKind.APPEAL,
}


@dataclass(frozen=True)
class DueDate:
    words: str
    due_on: dt.date | None  # None while the case is on hold


@dataclass(frozen=True)
class NextStep:
    stage: str
    what_next: str
    due: dt.date | None
    on_hold: bool = False
    appeal_closes: dt.date | None = None
    show_findings: bool = False
    decided: bool = False
    dates: list[DueDate] = field(default_factory=list)
    can_comment: bool = False
    can_appeal: bool = False
    # A report can be withdrawn until it is decided; after that its outcome stands.
    can_withdraw: bool = False


def next_step(case: Case) -> NextStep:
    if case.withdrawn_at is not None:
        return NextStep(
            _("Withdrawn"), _("You withdrew this report. Nothing more will happen."), None
        )
    stage = Stage(case.stage)
    on_hold = case.held_since is not None
    items = list(
        schedule.open_items(case).filter(kind__in=[str(k) for k in TOLD]).order_by("due_on", "pk")
    )
    # One line per kind, the soonest (feedback may have more than one open item).
    first: dict[str, DueDate] = {}
    for item in items:
        first.setdefault(
            item.kind,
            DueDate(
                str(TOLD[DeadlineKind(item.kind)]),
                None if on_hold or item.paused_remaining is not None else item.due_on,
            ),
        )
    told_next = first.get(NEXT_ITEM[stage]) if stage in NEXT_ITEM else None
    due = told_next.due_on if told_next else None
    what_next = str(NEXT[stage])
    if on_hold:
        what_next = _(
            "Your case is paused for now, and its deadlines with it. "
            "We will tell you when it starts again."
        )
    has_findings = case.records.filter(kind=RecordKind.FINDINGS).exists()
    appeal_closes = appeal_closes_on(case) if stage == Stage.APPEAL_WINDOW else None
    return NextStep(
        stage=str(case.get_stage_display()),
        what_next=what_next,
        due=due,
        on_hold=on_hold,
        appeal_closes=appeal_closes,
        show_findings=has_findings and lifecycle.order(stage) >= lifecycle.order(Stage.FINDINGS),
        decided=bool(case.decision),
        dates=sorted(first.values(), key=lambda d: (d.due_on is None, d.due_on or dt.date.max)),
        can_comment=has_findings and stage == Stage.FINDINGS,
        can_appeal=appeal_closes is not None and schedule.today() <= appeal_closes,
        can_withdraw=withdrawal_open(case),
    )
