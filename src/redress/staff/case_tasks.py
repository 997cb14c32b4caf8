"""The acts on a case, in one place: what each is called, where its page is, and who may do it
now. The case overview offers exactly these, and each act's page checks the same rule before
it shows its form, so what is offered and what is allowed cannot drift apart.

The rules follow what ``cases.actions`` refuses (roles, stage, hold, the respondent's
notification): an act is offered only when its action would not refuse it for who is asking.
The action still decides when the form is sent; a refusal then is shown on the act's page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redress.accounts.models import User
from redress.cases import lifecycle, schedule
from redress.cases.actions import appeal_closes_on, live_roles
from redress.cases.actions.case_file import _WRITERS
from redress.cases.models import (
    Appeal,
    Assignment,
    AssignmentRole,
    Case,
    InterimMeasure,
    RecordKind,
    RiskException,
    Stage,
)

CASEWORKER = AssignmentRole.CASEWORKER
INVESTIGATOR = AssignmentRole.INVESTIGATOR
DECISION_MAKER = AssignmentRole.DECISION_MAKER
APPEALS_PANEL = AssignmentRole.APPEALS_PANEL
# Who may record and review interim measures (``cases.actions.interim``).
MEASURERS = (CASEWORKER, INVESTIGATOR, DECISION_MAKER)


@dataclass
class Situation:
    """What the rules look at, read once a request: the case, the viewer's live roles on it,
    and the case's open business."""

    case: Case
    user: User
    roles: set[str]
    today: dt.date
    assignments: list[Assignment]
    measures: list[InterimMeasure]
    exceptions: list[RiskException]
    appeal: Appeal | None
    has_allegations: bool
    appeal_closes: dt.date | None

    def holds(self, *roles: AssignmentRole) -> bool:
        return bool(self.roles & {str(r) for r in roles})

    @property
    def is_open(self) -> bool:
        return self.case.stage != Stage.CLOSED

    @property
    def live_exception(self) -> bool:
        return any(e.approved_at and not e.ended_at for e in self.exceptions)

    @property
    def open_exception(self) -> bool:
        return any(not e.ended_at for e in self.exceptions)

    @property
    def appeal_waiting(self) -> bool:
        return (
            self.case.stage == Stage.APPEAL and self.appeal is not None and not self.appeal.outcome
        )


def situation(case: Case, user: User) -> Situation:
    return Situation(
        case=case,
        user=user,
        roles=live_roles(case, user),
        today=schedule.today(),
        assignments=list(
            Assignment.objects.filter(case=case, ended_at__isnull=True)
            .select_related("user")
            .order_by("role", "pk")
        ),
        measures=list(case.measures.order_by("pk")),
        exceptions=list(case.risk_exceptions.select_related("record").order_by("-pk")),
        appeal=Appeal.objects.filter(case=case).first(),
        has_allegations=case.records.filter(kind=RecordKind.ALLEGATIONS).exists(),
        appeal_closes=appeal_closes_on(case),
    )


# --- What the rules need ------------------------------------------------------------------------


def next_stages(s: Situation) -> list[Stage]:
    """The stages this viewer may move the case to now, without recording a decision (the
    decision has its own page). The appeal's stage ends only with the appeal's outcome."""
    case = s.case
    if case.held_since is not None or case.stage == Stage.APPEAL:
        return []
    stages = []
    for step in lifecycle.MOVES[Stage(case.stage)]:
        if step.decides or not step.by & s.roles:
            continue
        if step.to == Stage.CLOSED:
            if not case.decision:
                continue
            if case.stage == Stage.APPEAL_WINDOW and (
                s.appeal_closes is not None and s.appeal_closes >= s.today
            ):
                continue
        stages.append(step.to)
    return stages


def deciding_stages(s: Situation) -> list[Stage]:
    """The stages this viewer may move the case to by recording its decision."""
    if s.case.held_since is not None:
        return []
    return [m.to for m in lifecycle.MOVES[Stage(s.case.stage)] if m.decides and m.by & s.roles]


def record_kinds(s: Situation) -> list[RecordKind]:
    """The kinds of record this viewer may put on the file now."""
    if not s.is_open:
        return []
    kinds = [kind for kind, writers in _WRITERS.items() if s.holds(*writers)]
    if s.case.stage != Stage.INVESTIGATION:
        kinds = [k for k in kinds if k != RecordKind.FINDINGS]
    return kinds


def _may_notify(s: Situation) -> bool:
    person = s.case.respondent
    return (
        s.holds(CASEWORKER, INVESTIGATOR)
        and person is not None
        and bool(person.email)
        and lifecycle.order(s.case.stage) >= lifecycle.order(Stage.INVESTIGATION)
        and s.is_open
        and not s.live_exception
        and s.has_allegations
    )


def _needs_appeals_panel(s: Situation) -> bool:
    return (
        s.appeal_waiting
        and s.holds(CASEWORKER, DECISION_MAKER)
        and not any(a.role == APPEALS_PANEL for a in s.assignments)
    )


# --- The acts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One act: its name, its title (the words of the link, in the imperative), the URL name of
    its page, and whether the viewer may do it now (on ``item`` for an act on one measure,
    assignment or risk exception)."""

    name: str
    title: Promise
    url: str
    may: Callable[[Situation, Any], bool]
    # The kind of thing the act is done to, when it is done to one of several.
    per: str = ""
    query: str = ""
    # The heading of the act's page: the one question it asks.
    question: Promise | str = ""


TASKS: tuple[Task, ...] = (
    Task(
        "decide",
        gettext_lazy("Record the decision"),
        "staff:case-decide",
        lambda s, _i: bool(deciding_stages(s)),
    ),
    Task(
        "appeal",
        gettext_lazy("Decide the appeal"),
        "staff:case-appeal",
        lambda s, _i: s.appeal_waiting and s.holds(APPEALS_PANEL),
    ),
    Task(
        "appeals-panel",
        gettext_lazy("Assign the appeals panel"),
        "staff:case-assign",
        lambda s, _i: _needs_appeals_panel(s),
        query="?role=appeals_panel",
    ),
    Task(
        "move",
        gettext_lazy("Move the case to its next stage"),
        "staff:case-move",
        lambda s, _i: bool(next_stages(s)),
        question=gettext_lazy("Which stage does the case move to?"),
    ),
    Task(
        "notify",
        gettext_lazy("Notify the respondent"),
        "staff:case-notify",
        lambda s, _i: _may_notify(s),
        question=gettext_lazy("Tell the respondent about the allegations now?"),
    ),
    Task(
        "message",
        gettext_lazy("Send a message to the complainant"),
        "staff:case-message",
        lambda s, _i: bool(s.roles) and s.case.withdrawn_at is None,
        question=gettext_lazy("What do you want to tell the complainant?"),
    ),
    Task(
        "record",
        gettext_lazy("Add a record to the case file"),
        "staff:case-record",
        lambda s, _i: bool(record_kinds(s)),
        question=gettext_lazy("What are you adding to the case file?"),
    ),
    Task(
        "evidence",
        gettext_lazy("Add evidence"),
        "staff:case-evidence",
        lambda s, _i: bool(s.roles) and s.is_open,
        question=gettext_lazy("Which file are you adding as evidence?"),
    ),
    Task(
        "measure",
        gettext_lazy("Record an interim measure"),
        "staff:case-measure",
        lambda s, _i: s.holds(*MEASURERS) and s.is_open,
        question=gettext_lazy("Which interim measure are you recording?"),
    ),
    Task(
        "measure-review",
        gettext_lazy("Review the interim measure"),
        "staff:case-measure-review",
        lambda s, item: s.holds(*MEASURERS) and item is not None and item.ended_on is None,
        per="measure",
        question=gettext_lazy("What did the review of the interim measure find?"),
    ),
    Task(
        "assign",
        gettext_lazy("Assign someone to the case"),
        "staff:case-assign",
        lambda s, _i: s.holds(CASEWORKER, DECISION_MAKER) and s.is_open,
        question=gettext_lazy("Who are you assigning to the case?"),
    ),
    Task(
        "unassign",
        gettext_lazy("End the assignment"),
        "staff:case-unassign",
        lambda s, item: (
            item is not None
            and item.ended_at is None
            and (item.user_id == s.user.pk or s.holds(CASEWORKER, DECISION_MAKER))
        ),
        per="assignment",
        question=gettext_lazy("Why is this assignment ending?"),
    ),
    Task(
        "hold",
        gettext_lazy("Put the case on hold"),
        "staff:case-hold",
        lambda s, _i: s.holds(CASEWORKER, DECISION_MAKER) and s.is_open and not s.case.held_since,
        question=gettext_lazy("Why are you putting the case on hold?"),
    ),
    Task(
        "hold-review",
        gettext_lazy("Review the hold"),
        "staff:case-hold-review",
        lambda s, _i: s.holds(CASEWORKER, DECISION_MAKER) and bool(s.case.held_since),
        question=gettext_lazy("What did the review of the hold find?"),
    ),
    Task(
        "resume",
        gettext_lazy("End the hold"),
        "staff:case-resume",
        lambda s, _i: s.holds(CASEWORKER, DECISION_MAKER) and bool(s.case.held_since),
        question=gettext_lazy("Why is the hold ending?"),
    ),
    Task(
        "risk",
        gettext_lazy("Ask to delay telling the respondent (risk exception)"),
        "staff:case-risk",
        lambda s, _i: (
            s.holds(CASEWORKER, INVESTIGATOR)
            and s.is_open
            and s.case.respondent_notified_at is None
            and not s.open_exception
        ),
        question=gettext_lazy("Why should the respondent not be told yet?"),
    ),
    Task(
        "risk-decide",
        gettext_lazy("Decide on the risk exception"),
        "staff:case-risk-decide",
        lambda s, item: s.holds(DECISION_MAKER) and item is not None and item.ended_at is None,
        per="exception",
        question=gettext_lazy("Does the risk exception go ahead?"),
    ),
)
BY_NAME = {task.name: task for task in TASKS}


def may(s: Situation, name: str, item: Any = None) -> bool:
    """Whether the viewer may do the act ``name`` now (on ``item``, for an act on one thing)."""
    return bool(BY_NAME[name].may(s, item))


@dataclass(frozen=True)
class Offer:
    """An act the viewer may do now, as a link: its words, where it goes, and a hint."""

    name: str
    title: str
    href: str
    hint: str = ""


def _href(task: Task, case: Case, *args: Any) -> str:
    return reverse(task.url, args=[case.reference, *args]) + task.query


def offers(s: Situation) -> list[Offer]:
    """The task list: every act the viewer may do now, in the order they usually come."""
    items: dict[str, list[Any]] = {
        "measure": [m for m in s.measures if m.ended_on is None],
        "exception": s.exceptions,
        # Ending an assignment is offered beside each person on the case, not in the list.
        "assignment": [],
    }
    found = []
    for task in TASKS:
        targets = items[task.per] if task.per else [None]
        for item in targets:
            if not task.may(s, item):
                continue
            href = _href(task, s.case, *([item.pk] if item is not None else []))
            title, hint = str(task.title), ""
            if task.name == "notify" and s.case.respondent_notified_at:
                title = _("Send the respondent a new link")
            if isinstance(item, InterimMeasure):
                hint = item.get_kind_display()
            elif isinstance(item, RiskException):
                hint = _("Approved") if item.approved_at else _("Waiting for your decision")
            found.append(Offer(task.name, title, href, hint))
    return found


def end_links(s: Situation) -> dict[int, str]:
    """For each live assignment the viewer may end, the page that ends it."""
    task = BY_NAME["unassign"]
    return {
        a.pk: reverse(task.url, args=[s.case.reference, a.pk])
        for a in s.assignments
        if task.may(s, a)
    }
