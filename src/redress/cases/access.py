"""Who may see which case. Deny by default; a live assignment opens a case, a role never does.

Administrators and oversight never read case content, even if someone assigned them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from redress.accounts.access import has_any_role, is_staff_signed_in, rule
from redress.accounts.models import Role, User
from redress.cases import lifecycle
from redress.cases.actions.base import live_roles
from redress.cases.models import (
    Appeal,
    Assignment,
    AssignmentEnd,
    AssignmentRole,
    Case,
    Deadline,
    DirectoryLink,
    Stage,
)
from redress.directory.models import PersonKind

HANDLER_ROLES = (Role.CASEWORKER, Role.INVESTIGATOR, Role.DECISION_MAKER, Role.APPEALS_PANEL)
NEVER_CONTENT = (Role.ADMINISTRATOR, Role.OVERSIGHT)


def is_partisan(user: User) -> bool:
    """A member or a party official by their directory entry: never a handler of complaints."""
    return DirectoryLink.objects.filter(
        user=user, person__kind__in=[PersonKind.MEMBER, PersonKind.PARTY_OFFICIAL]
    ).exists()


def cases_for(user: User) -> QuerySet[Case]:
    """The cases ``user`` is assigned to now: the only case queryset views may start from.

    Nobody sees a case through a role alone; administrators, oversight, members and party
    officials see none even if an assignment says otherwise.
    """
    if not is_staff_signed_in(user):
        return Case.objects.none()
    return assigned_cases(user)


def assigned_cases(user: User) -> QuerySet[Case]:
    """The cases ``user`` is assigned to now, for a caller that has already authenticated them
    another way (an API token issued to them). Same refusals as ``cases_for``."""
    if not user.is_active or any(user.has_role(r) for r in NEVER_CONTENT) or is_partisan(user):
        return Case.objects.none()
    # An assignment opens a case only while its holder still holds the role it was made for.
    return Case.objects.filter(
        assignments__user=user,
        assignments__ended_at__isnull=True,
        assignments__role__in=sorted(user.roles()),
    ).distinct()


def unassigned_pool(user: User) -> QuerySet[Case]:
    """Open cases with no caseworker yet, for caseworkers to take: reference, stage and dates
    only; the content opens once they are assigned."""
    if not is_staff_signed_in(user) or not user.has_role(Role.CASEWORKER) or is_partisan(user):
        return Case.objects.none()
    # One subquery, so that "a live caseworker" is one assignment: excluding across the relation
    # with two conditions would also hide a case whose caseworker left while others stay on it.
    live_caseworker = Assignment.objects.filter(
        case=OuterRef("pk"), role="caseworker", ended_at__isnull=True
    )
    return Case.objects.exclude(stage="closed").exclude(Exists(live_caseworker))


def with_due_dates(cases: QuerySet[Case]) -> QuerySet[Case]:
    """``cases`` with ``next_due`` (the earliest open item's due date), ``overdue`` and
    ``escalated``: what every queue orders and flags by."""
    open_items = Deadline.objects.filter(
        case=OuterRef("pk"), met_at__isnull=True, cancelled_at__isnull=True
    )
    return cases.annotate(
        next_due=Min(
            "deadlines__due_on",
            filter=Q(deadlines__met_at__isnull=True, deadlines__cancelled_at__isnull=True),
        ),
        overdue=Exists(open_items.filter(overdue_at__isnull=False)),
        escalated=Exists(open_items.filter(escalated_at__isnull=False)),
    )


def lost_access(user: User, reference: str) -> Assignment | None:
    """The assignment a conflict took from ``user`` on the case ``reference``, if that is why
    they may not read it now: the case page then tells them, and only them, why. None when they
    were never assigned, or still have access another way."""
    ended = (
        Assignment.objects.filter(
            user=user, case__reference=reference, end_reason=AssignmentEnd.CONFLICT
        )
        .order_by("-ended_at")
        .first()
    )
    if ended is None or cases_for(user).filter(reference=reference).exists():
        return None
    return ended


@rule("case.take")
def may_take(actor: Any, case: Any) -> bool:
    if not isinstance(case, Case) or not isinstance(actor, User):
        return False
    return unassigned_pool(actor).filter(pk=case.pk).exists()


@rule("case.read_content")
def may_read_content(actor: Any, case: Any) -> bool:
    if not isinstance(case, Case) or not isinstance(actor, User):
        return False
    return cases_for(actor).filter(pk=case.pk).exists()


rule("case.queue")(has_any_role(*HANDLER_ROLES))


@rule("case.decide")
def may_decide(actor: Any, case: Any) -> bool:
    """Someone who may read the case and make one of its deciding moves from where it is now:
    the check ``actions.transition`` makes, asked before the decision page is shown."""
    if not may_read_content(actor, case):
        return False
    roles = live_roles(case, actor)  # the roles the actions accept
    return any(m.decides and m.by & roles for m in lifecycle.MOVES[Stage(case.stage)])


@rule("case.decide_appeal")
def may_decide_appeal(actor: Any, case: Any) -> bool:
    """The case's assigned appeals panel, while its appeal waits for an outcome."""
    if not may_read_content(actor, case) or case.stage != Stage.APPEAL:
        return False
    if str(AssignmentRole.APPEALS_PANEL) not in live_roles(case, actor):
        return False
    return Appeal.objects.filter(case=case, outcome="").exists()


def load_case(request: HttpRequest, reference: str, **_: Any) -> Case:
    """The case named in the URL, or 404; the access rule then decides whether it is shown."""
    case = Case.objects.filter(reference=reference).select_related("data_key").first()
    if case is None:
        raise Http404
    return case
