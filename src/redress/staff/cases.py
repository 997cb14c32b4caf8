"""The caseworker's queue, the case overview and the pages of its sections. Cases are reached
only through ``cases.access``.

Reading any page of a case is ledgered (``read_content``). The overview lists what the viewer
can do now (``staff.case_tasks``); each act has its own page in ``staff.casework``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from redress.accounts.access import is_staff_signed_in, requires
from redress.accounts.models import User
from redress.cases import schedule
from redress.cases.access import (
    cases_for,
    load_case,
    lost_access,
    unassigned_pool,
    with_due_dates,
)
from redress.cases.actions import read_content
from redress.cases.models import (
    AssignmentRole,
    Case,
    Deadline,
    DeadlineKind,
    Identity,
    Stage,
)
from redress.disclosure.actions import status_for as identity_status
from redress.helpline.queries import case_summary as support_summary
from redress.intake import pages
from redress.intake.forms import date_in_words
from redress.intake.taken import status_for as taken_status
from redress.ledger.models import Entry
from redress.staff import case_tasks
from redress.staff.actor_words import ActorWords
from redress.staff.evidence_details import describe, evidence_rows
from redress.staff.templatetags.working_days import working_days_words
from redress.vault.errors import Shredded
from redress.vetting.words import case_sanction_words, conditions_of

_OPEN = Q(met_at__isnull=True, cancelled_at__isnull=True)


def _queue_rows(cases: Any) -> Any:
    return with_due_dates(cases).select_related("respondent")


def owned_overdue(user: User) -> Any:
    """Open overdue items on the user's cases whose owning role they hold there."""
    return (
        Deadline.objects.filter(
            _OPEN,
            overdue_at__isnull=False,
            case__assignments__user=user,
            case__assignments__ended_at__isnull=True,
            case__assignments__role=F("owner_role"),
        )
        .select_related("case")
        .order_by("due_on")[:50]
    )


class QueueFilter(forms.Form):
    stage = forms.ChoiceField(
        label=gettext_lazy("Stage"),
        choices=[("", gettext_lazy("Any stage")), *Stage.choices],
        required=False,
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Your role on the case"),
        choices=[("", gettext_lazy("Any role")), *AssignmentRole.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)


@requires("case.queue")
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    filters = QueueFilter(request.GET or None)
    cases = cases_for(user)
    if filters.is_valid():
        if filters.cleaned_data["stage"]:
            cases = cases.filter(stage=filters.cleaned_data["stage"])
        if filters.cleaned_data["role"]:
            cases = cases.filter(
                assignments__user=user,
                assignments__role=filters.cleaned_data["role"],
                assignments__ended_at__isnull=True,
            )
    rows = _queue_rows(cases)
    if filters.is_valid() and filters.cleaned_data["overdue"]:
        rows = rows.filter(overdue=True)
    rows = rows.order_by(F("next_due").asc(nulls_last=True), "received_at")
    pool = _queue_rows(unassigned_pool(user)).order_by("received_at")
    notices = owned_overdue(user)
    return render(
        request,
        "staff/queue.html",
        {
            "cases": rows,
            "pool": pool,
            "filters": filters,
            "notices": notices,
            "today": timezone.localdate(),
        },
        status=200 if filters.is_bound is False or filters.is_valid() else 400,
    )


# What each ledger action means on a case's timeline.
TIMELINE_WORDS = {
    "case.received": gettext_lazy("Report received"),
    "case.viewed": gettext_lazy("Case read"),
    "case.assigned": gettext_lazy("Someone was assigned"),
    "case.unassigned": gettext_lazy("An assignment ended"),
    "case.assignment_suspended": gettext_lazy(
        "A handler lost access: a conflict of interest arose"
    ),
    "case.stage_changed": gettext_lazy("Moved to a new stage"),
    "case.message_sent": gettext_lazy("Message sent to the complainant"),
    "case.message_received": gettext_lazy("Message from the complainant"),
    "case.evidence_added": gettext_lazy("Evidence added"),
    "case.evidence_viewed": gettext_lazy("Evidence opened"),
    "case.withdrawn": gettext_lazy("The complainant withdrew the report"),
    "case.held": gettext_lazy("Put on hold"),
    "case.hold_reviewed": gettext_lazy("Hold reviewed"),
    "case.resumed": gettext_lazy("Hold ended"),
    "case.measure_recorded": gettext_lazy("Interim measure recorded"),
    "case.measure_reviewed": gettext_lazy("Interim measure reviewed"),
    "case.measure_ended": gettext_lazy("Interim measure ended"),
    "case.risk_exception_requested": gettext_lazy("Risk exception requested"),
    "case.risk_exception_approved": gettext_lazy("Risk exception approved"),
    "case.risk_exception_reviewed": gettext_lazy("Risk exception reviewed"),
    "case.risk_exception_ended": gettext_lazy("Risk exception ended"),
    "case.respondent_notified": gettext_lazy("Respondent told of the allegations"),
    "case.respondent_opened": gettext_lazy("Respondent opened their link"),
    "case.respondent_read": gettext_lazy("Respondent read their page"),
    "case.respondent_answered": gettext_lazy("Respondent answered"),
    "case.findings_commented": gettext_lazy("Comment on the findings"),
    "receipt.reissued": gettext_lazy("Receipt code replaced"),
    "receipt.read": gettext_lazy("The report was opened with its receipt code"),
    "receipt.email_verified": gettext_lazy("Complainant's email address confirmed"),
    "case.respondent_link_resent": gettext_lazy("Respondent sent a new link"),
    "report.taken_by_phone": gettext_lazy("Report taken by phone"),
    "report.taken_in_person": gettext_lazy("Report taken in person"),
    "report.receipt_read_out": gettext_lazy("Receipt code read out to the reporter"),
    "report.receipt_emailed": gettext_lazy("Receipt code emailed to the reporter"),
    "report.record_shown": gettext_lazy("The reporter read the record taken"),
    "report.record_confirmed": gettext_lazy("The reporter confirmed the record"),
    "report.record_corrected": gettext_lazy("The reporter corrected the record"),
    "disclosure.identity_sealed": gettext_lazy("Complainant's identity sealed"),
    "disclosure.asked": gettext_lazy("Someone asked for the complainant's identity"),
    "disclosure.approved": gettext_lazy("A request for the identity was approved"),
    "disclosure.refused": gettext_lazy("A request for the identity was refused"),
    "disclosure.exception_recorded": gettext_lazy("An exception to telling the complainant"),
    "disclosure.exception_lifted": gettext_lazy("The exception to telling them ended"),
    "disclosure.notice_sent": gettext_lazy("Complainant told of a disclosure"),
    "disclosure.read": gettext_lazy("The complainant's identity was read"),
    "disclosure.disclosed": gettext_lazy("The identity was disclosed outside the scheme"),
    "helpline.support_requested": gettext_lazy("Support asked for"),
    "helpline.contacted": gettext_lazy("A support adviser made contact"),
    "helpline.referred": gettext_lazy("Referred to a support service"),
    "helpline.referral_outcome": gettext_lazy("Outcome of a referral recorded"),
    "helpline.closed": gettext_lazy("Support request closed"),
    "subjectaccess.case_read": gettext_lazy("Read for a data protection request"),
}


def timeline(case: Case) -> list[dict[str, Any]]:
    """The case's history from the ledger, in words; each row names its ledger position."""
    entries = list(Entry.objects.filter(object=f"case:{case.reference}").order_by("seq"))
    who = ActorWords(e.actor for e in entries)
    rows = []
    for entry in entries:
        action = entry.action
        words = str(TIMELINE_WORDS.get(action, action))
        if action.startswith("case.record_added."):
            words = _("Record added to the file")
        rows.append(
            {
                "seq": entry.seq,
                "time": entry.time,
                "who": who(entry.actor),
                "what": words,
            }
        )
    return rows


def deadline_rows(case: Case) -> list[dict[str, Any]]:
    today = timezone.localdate()
    rows = []
    for item in case.deadlines.order_by("due_on", "pk"):
        if item.met_at is not None:
            status = (
                _("Met on time")
                if timezone.localdate(item.met_at) <= item.due_on
                else _("Met late")
            )
            tag = (
                "green"
                if "time" in status or timezone.localdate(item.met_at) <= item.due_on
                else "orange"
            )
        elif item.cancelled_at is not None:
            status, tag = _("No longer needed"), "grey"
        elif item.paused_remaining is not None:
            status, tag = _("Paused"), "grey"
        elif item.escalated_at is not None:
            status, tag = _("Escalated to oversight"), "red"
        elif item.overdue_at is not None or item.due_on < today:
            status, tag = _("Overdue"), "red"
        else:
            status, tag = _("Open"), "blue"
        rows.append({"item": item, "status": status, "tag": tag})
    return rows


def when_words(details: dict[str, Any]) -> str:
    """The complainant's answer to "When did it happen?", as the report wizard stored it."""
    kind = details.get("when_kind")
    if kind == "date" and details.get("when_date"):
        return _("On %(day)s") % {"day": date_in_words(details["when_date"])}
    if kind == "period" and details.get("when_period"):
        return _("Over a period: %(period)s") % {"period": details["when_period"]}
    if kind == "not_sure":
        return _("Not sure")
    return ""


def support_words(details: dict[str, Any]) -> str:
    """The complainant's answer to "Would you like support from an independent adviser?"."""
    answer = str(details.get("support") or "")
    return {"yes": _("Yes"), "no": _("No")}.get(answer, answer)


# What happens next at each stage when the viewer has nothing to do, and the item it is due by.
NEXT_STEP: dict[Stage, tuple[Any, DeadlineKind | None]] = {
    Stage.RECEIVED: (
        gettext_lazy("The caseworker will acknowledge the report."),
        DeadlineKind.ACKNOWLEDGE,
    ),
    Stage.ACKNOWLEDGED: (
        gettext_lazy("The caseworker will assess the report."),
        DeadlineKind.ASSESS,
    ),
    Stage.ASSESSED: (
        gettext_lazy("The caseworker will decide how the case goes on."),
        DeadlineKind.SUBSTANTIVE_ANSWER,
    ),
    Stage.NOT_TAKEN_FORWARD: (gettext_lazy("The caseworker will close the case."), None),
    Stage.INFORMAL_RESOLUTION: (
        gettext_lazy(
            "The caseworker will record how the matter was resolved, or open an investigation."
        ),
        DeadlineKind.SUBSTANTIVE_ANSWER,
    ),
    Stage.INVESTIGATION: (
        gettext_lazy("The investigator will send findings."),
        DeadlineKind.INVESTIGATION,
    ),
    Stage.FINDINGS: (gettext_lazy("The decision-maker will decide."), DeadlineKind.DECIDE),
    Stage.DECISION: (gettext_lazy("The decision-maker will open the appeal window."), None),
    Stage.APPEAL_WINDOW: (
        gettext_lazy("The parties may appeal until the window closes; then the case closes."),
        DeadlineKind.APPEAL_WINDOW,
    ),
    Stage.APPEAL: (gettext_lazy("The appeals panel will decide the appeal."), DeadlineKind.APPEAL),
    Stage.CLOSED: (
        gettext_lazy(
            "The case is closed. Its records are kept until the retention policy deletes them."
        ),
        None,
    ),
}
# How many of each kind of thing the overview shows before linking to the rest.
LATEST = 3


def next_step(case: Case, open_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """What happens next, by whom, and when it is due (in working days)."""
    words, kind = NEXT_STEP[Stage(case.stage)]
    if case.held_since is not None:
        words = _("The case is on hold. The caseworker will review the hold.")
        kind = DeadlineKind.HOLD_REVIEW
    due = next((row for row in open_rows if row["item"].kind == kind), None)
    return {"words": str(words), "due": due}


def open_deadline_rows(case: Case) -> list[dict[str, Any]]:
    """The case's open items, each with its due date and how far off it is in working days."""
    today = schedule.today()
    rows = []
    for item in case.deadlines.filter(_OPEN).order_by("due_on", "pk"):
        if item.paused_remaining is not None:
            left = item.paused_remaining
            words = _("Paused: %(left)s") % {
                "left": ngettext("%(n)s working day left", "%(n)s working days left", left)
                % {"n": left}
            }
            tag = "grey"
        else:
            words = working_days_words(item.due_on)
            tag = "red" if item.due_on < today else "blue"
        rows.append({"item": item, "words": words, "tag": tag})
    return rows


def _visible_details(case: Case, content: dict[str, Any], roles: set[str]) -> dict[str, Any]:
    """The report's details, without a confidential complainant's contact for anyone but their
    caseworker. Reports since sealing keep a confidential complainant's identity apart
    (``redress.disclosure``), read only with a second person's approval; this shows only what
    earlier reports stored with the content, to those it was shown to then."""
    details: dict[str, Any] = {}
    if content.get("details"):
        details = json.loads(content["details"] or "{}")
    contact_visible = case.identity == Identity.NAMED or (
        case.identity == Identity.CONFIDENTIAL and str(AssignmentRole.CASEWORKER) in roles
    )
    if not contact_visible:
        for key in ("contact_name", "contact_email", "contact_phone"):
            details.pop(key, None)
    return details


def _sanction_said(case: Case) -> str:
    """The sanction with its terms in words, as the register and the vetting answer say it."""
    if not case.sanction:
        return ""
    return case_sanction_words(case, conditions=conditions_of(case))


def read_case(case: Case, user: User) -> tuple[dict[str, Any], bool]:
    """The case's content, the read ledgered; and whether the retention policy deleted it."""
    try:
        return read_content(case, actor=user), False
    except Shredded:
        return {}, True


def case_context(request: HttpRequest, case: Case, user: User) -> dict[str, Any]:
    """Everything the case overview shows: the summary, the open items, what the viewer can do
    now (or what happens next), and the latest of each section, linking to the rest."""
    content, shredded = read_case(case, user)
    s = case_tasks.situation(case, user)
    details = _visible_details(case, content, s.roles)
    deadlines = open_deadline_rows(case)
    tasks = case_tasks.offers(s)
    reviews = {
        row["item"].subject: row["item"].due_on
        for row in deadlines
        if row["item"].kind == DeadlineKind.INTERIM_REVIEW
    }
    for measure in s.measures:
        measure.next_review = reviews.get(f"measure:{measure.pk}")  # type: ignore[attr-defined]
    links = case_tasks.end_links(s)
    for assignment in s.assignments:
        assignment.end_link = links.get(assignment.pk)  # type: ignore[attr-defined]
    messages_on_case = case.messages.select_related("author", "data_key")
    records = case.records.select_related("author", "data_key")
    # Only the latest files are described: each description opens its sealed name.
    files = case.attachments.select_related("data_key", "added_by")
    attachments = [describe(a) for a in files.order_by("-added_at", "-pk")[:LATEST]][::-1]
    return {
        "case": case,
        "content": content,
        "details": details,
        "when": when_words(details),
        "support": support_words(details),
        "shredded": shredded,
        "sanction_said": _sanction_said(case),
        "identity": identity_status(case) if case.identity == Identity.CONFIDENTIAL else None,
        "taken": taken_status(case),
        "support_lines": support_summary(case),
        "role_names": [str(AssignmentRole(r).label) for r in sorted(s.roles)],
        "deadlines": deadlines,
        "tasks": tasks,
        "next_step": next_step(case, deadlines),
        # Each body is opened with its data key: fetched with the row, not one query a row.
        "latest_messages": list(messages_on_case.order_by("-sent_at", "-pk")[:LATEST])[::-1],
        "message_count": messages_on_case.count(),
        "latest_records": list(records.order_by("-created_at", "-pk")[:LATEST])[::-1],
        "record_count": records.count(),
        "attachments": attachments,
        "attachment_count": files.count(),
        "page_kinds": [kind for kind in ("pdf", "docx") if pages.can_render(kind)],
        "measures": s.measures,
        "assignments": s.assignments,
        "exceptions": s.exceptions,
        "appeal": s.appeal,
        "appeal_closes": s.appeal_closes,
    }


def explain_lost_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Outside the access check: a handler whom a conflict took off the case is told so, and
    why, instead of a bare refusal. Nobody else learns anything, and no case content is shown."""

    @functools.wraps(view)
    def explained(request: HttpRequest, reference: str, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, reference=reference, **kwargs)
        except PermissionDenied:
            user = request.user
            ended = None
            if isinstance(user, User) and is_staff_signed_in(user):
                ended = lost_access(user, reference)
            if ended is None:
                raise
            # Each reason in the reader's language, without its full stop: they go in brackets.
            reasons = [_(line).rstrip(".") for line in ended.end_note.splitlines() if line.strip()]
            return render(
                request,
                "staff/case_lost_access.html",
                {"ended": ended, "reasons": "; ".join(reasons)},
                status=403,
            )

    return explained


@explain_lost_access
@requires("case.read_content", load=load_case)
@require_GET
def case_detail(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(request, "staff/case/overview.html", case_context(request, obj, user))


def _section(template: str, build: Callable[[Case], dict[str, Any]]) -> Callable[..., HttpResponse]:
    """A page of one section of the case, its whole list: reading it is ledgered like the
    overview, and a handler a conflict took off the case is told why."""

    @explain_lost_access
    @requires("case.read_content", load=load_case)
    @require_GET
    def page(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
        user = request.user
        assert isinstance(user, User)
        _content, shredded = read_case(obj, user)
        return render(request, template, {"case": obj, "shredded": shredded, **build(obj)})

    return page


case_messages = _section(
    "staff/case/messages.html",
    lambda case: {"messages_on_case": case.messages.select_related("author", "data_key")},
)
case_file = _section(
    "staff/case/file.html",
    lambda case: {"records": case.records.select_related("author", "data_key")},
)
case_evidence = _section(
    "staff/case/evidence_list.html",
    lambda case: {
        "attachments": evidence_rows(case),
        "page_kinds": [kind for kind in ("pdf", "docx") if pages.can_render(kind)],
    },
)
case_history = _section(
    "staff/case/history.html",
    lambda case: {"deadlines": deadline_rows(case), "timeline": timeline(case)},
)
