"""What a complainant is told about their report: where it is, what happens next, by when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.cases.deadlines import acknowledgement_due, assessment_due
from redress.cases.models import Case, Stage


@dataclass(frozen=True)
class NextStep:
    stage: str
    what_next: str
    due: dt.date | None


def next_step(case: Case) -> NextStep:
    received = timezone.localdate(case.received_at)
    nation = settings.REDRESS_NATION
    if case.withdrawn_at is not None:
        return NextStep(
            _("Withdrawn"), _("You withdrew this report. Nothing more will happen."), None
        )
    if case.stage == Stage.RECEIVED:
        return NextStep(
            _("Received"),
            _("A caseworker will acknowledge your report and tell you what happens next."),
            acknowledgement_due(received, nation),
        )
    if case.stage == Stage.ACKNOWLEDGED:
        return NextStep(
            _("Acknowledged"),
            _("A caseworker will assess your report and decide how it should be handled."),
            assessment_due(received, nation),
        )
    if case.stage == Stage.CLOSED:
        return NextStep(
            _("Closed"), _("Your case is closed. The outcome is in your messages."), None
        )
    return NextStep(
        str(case.get_stage_display()),
        _("Your caseworker will update you at least every 20 working days."),
        None,
    )
