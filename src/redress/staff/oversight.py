"""Oversight's dashboard: overdue and escalated items by stage and owner, time-to-stage
percentiles, deadlines met, the ledger's last verification, and heavy use of vetting. Never case
content or names of the people involved: references and counts only (staff are named as the
owners of overdue items and as the officers who made too many vetting checks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from redress.accounts.access import has_any_role, requires, rule
from redress.accounts.models import Role, User
from redress.cases.models import (
    Assignment,
    AssignmentRole,
    Deadline,
    DeadlineKind,
    Stage,
)
from redress.cases.schedule import working_days_overdue
from redress.ledger.models import Checkpoint, Head, Verification
from redress.reports import periods
from redress.reports.figures import compute
from redress.reports.presentation import days_text, share_text
from redress.vetting.actions import flagged_checks

rule("oversight.dashboard")(has_any_role(Role.OVERSIGHT))

# How far back the dashboard shows days with vetting checks beyond the daily limit.
HEAVY_VETTING_DAYS = 30

_OPEN = Q(met_at__isnull=True, cancelled_at__isnull=True, paused_remaining__isnull=True)


def overdue_by_stage_and_owner() -> list[dict[str, Any]]:
    """Open items past due, grouped by the case's stage and the role that owns them."""
    rows = (
        Deadline.objects.filter(_OPEN, overdue_at__isnull=False)
        .values("case__stage", "owner_role")
        .annotate(overdue=Count("id"), escalated=Count("id", filter=Q(escalated_at__isnull=False)))
        .order_by("case__stage", "owner_role")
    )
    return [
        {
            "stage": Stage(row["case__stage"]).label,
            "owner": AssignmentRole(row["owner_role"]).label,
            "overdue": row["overdue"],
            "escalated": row["escalated"],
        }
        for row in rows
    ]


def overdue_by_person() -> list[dict[str, Any]]:
    """Open overdue items by the person who owns them (the live holder of the owning role)."""
    owned = (
        Assignment.objects.filter(
            ended_at__isnull=True,
            case__deadlines__met_at__isnull=True,
            case__deadlines__cancelled_at__isnull=True,
            case__deadlines__paused_remaining__isnull=True,
            case__deadlines__overdue_at__isnull=False,
            case__deadlines__owner_role=F("role"),
        )
        .values("user")
        .annotate(items=Count("case__deadlines"))
        .order_by("-items")
    )
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=[row["user"] for row in owned])}
    return [{"owner": names.get(row["user"], "?"), "items": row["items"]} for row in owned]


def last_verification() -> dict[str, Any]:
    head = Head.objects.filter(pk=1).first()
    return {
        "record": Verification.objects.order_by("-time").first(),
        "checkpoint": Checkpoint.objects.order_by("-seq").first(),
        "head": head.seq if head else 0,
    }


def waiting_for_a_handler() -> list[dict[str, Any]]:
    """Cases that lost a handler (a conflict arose, an account was closed): reference, the
    place to fill and when it is due. Never who left or why."""
    items = (
        Deadline.objects.filter(
            kind=DeadlineKind.REASSIGN, met_at__isnull=True, cancelled_at__isnull=True
        )
        .select_related("case")
        .order_by("due_on", "pk")[:100]
    )
    rows = []
    for item in items:
        role = item.subject.removeprefix("role:")
        label = AssignmentRole(role).label if role in AssignmentRole.values else role
        rows.append({"reference": item.case.reference, "role": label, "due": item.due_on})
    return rows


@requires("oversight.dashboard")
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    year = timezone.localdate().year
    figures = compute(*periods.year(year), sign=False)
    escalations = (
        Deadline.objects.filter(_OPEN, escalated_at__isnull=False)
        .select_related("case")
        .order_by("due_on")[:100]
    )
    today = timezone.localdate()
    return render(
        request,
        "staff/oversight.html",
        {
            "groups": overdue_by_stage_and_owner(),
            "people": overdue_by_person(),
            "escalations": [
                {
                    "reference": item.case.reference,
                    "item": item.get_kind_display(),
                    "due": item.due_on,
                    "days": working_days_overdue(item.due_on, today),
                }
                for item in escalations
            ],
            "timeliness": [
                {"title": t.title, "p50": days_text(t.p50), "p90": days_text(t.p90)}
                for t in figures.timeliness
            ],
            "deadlines": [
                {"title": d.title, "share": share_text(d.share)} for d in figures.deadlines
            ],
            "verification": last_verification(),
            "waiting": waiting_for_a_handler(),
            "heavy_vetting": flagged_checks(since=today - dt.timedelta(days=HEAVY_VETTING_DAYS)),
            "vetting_limit": settings.VETTING_DAILY_LIMIT,
            "vetting_days": HEAVY_VETTING_DAYS,
            "year": year,
        },
    )
