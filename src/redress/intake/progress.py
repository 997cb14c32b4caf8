"""What a complainant is told about their report: where it is, what happens next and by when,
read from the case's own deadline items. Never the hold's reason or anything about the
respondent's side."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redress.cases.actions import appeal_closes_on
from redress.cases.models import Case, Deadline, DeadlineKind, RecordKind, Stage

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
        "The investigator has written their findings. You can comment on their factual accuracy."
    ),
    Stage.DECISION: gettext_lazy("A decision has been made. It is below."),
    Stage.APPEAL_WINDOW: gettext_lazy(
        "A decision has been made. You, or the person you complained about, may appeal."
    ),
    Stage.APPEAL: gettext_lazy("The decision is under appeal. The appeals panel will decide."),
    Stage.CLOSED: gettext_lazy("Your case is closed. The outcome is below and in your messages."),
}

# The items a complainant is told the date of, soonest first.
TOLD = [
    DeadlineKind.ACKNOWLEDGE,
    DeadlineKind.ASSESS,
    DeadlineKind.DECIDE,
    DeadlineKind.SUBSTANTIVE_ANSWER,
    DeadlineKind.FEEDBACK,
    DeadlineKind.APPEAL,
]


@dataclass(frozen=True)
class NextStep:
    stage: str
    what_next: str
    due: dt.date | None
    on_hold: bool = False
    appeal_closes: dt.date | None = None
    show_findings: bool = False
    decided: bool = False


def next_step(case: Case) -> NextStep:
    if case.withdrawn_at is not None:
        return NextStep(
            _("Withdrawn"), _("You withdrew this report. Nothing more will happen."), None
        )
    stage = Stage(case.stage)
    items = {
        item.kind: item
        for item in Deadline.objects.filter(
            case=case,
            kind__in=[str(k) for k in TOLD],
            met_at__isnull=True,
            cancelled_at__isnull=True,
        ).order_by("-due_on")
    }
    due = next(
        (items[k].due_on for k in TOLD if k in items and items[k].paused_remaining is None), None
    )
    on_hold = case.held_since is not None
    what_next = str(NEXT[stage])
    if on_hold:
        what_next = _(
            "Your case is paused for now, and its deadlines with it. "
            "We will tell you when it starts again."
        )
        due = None
    return NextStep(
        stage=str(case.get_stage_display()),
        what_next=what_next,
        due=due,
        on_hold=on_hold,
        appeal_closes=appeal_closes_on(case) if stage == Stage.APPEAL_WINDOW else None,
        show_findings=stage == Stage.FINDINGS
        and case.records.filter(kind=RecordKind.FINDINGS).exists(),
        decided=bool(case.decision),
    )
