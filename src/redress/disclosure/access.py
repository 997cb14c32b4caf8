"""Who may ask for a sealed identity and who may decide: deny by default.

A handler assigned to the case asks; the case's decision-maker (assigned to it now) or the data
protection officer decides, never the person who asked. The data protection officer decides
from the request alone: the case's content stays closed to them.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from redress.accounts.access import is_staff_signed_in, rule
from redress.accounts.models import Role, User
from redress.cases.access import assigned_cases, is_partisan
from redress.cases.models import Assignment, AssignmentRole, Case
from redress.disclosure.models import IdentityRequest


def is_handler(user: User, case: Case) -> bool:
    """Assigned to the case now, in a role they still hold (the views' rules also ask that
    they signed in with both factors)."""
    return assigned_cases(user).filter(pk=case.pk).exists()


def is_protection_officer(user: User) -> bool:
    return user.is_active and user.has_role(Role.DATA_PROTECTION_OFFICER)


def is_case_decision_maker(user: User, case: Case) -> bool:
    return (
        is_handler(user, case)
        and user.has_role(Role.DECISION_MAKER)
        and Assignment.objects.filter(
            case=case, user=user, role=AssignmentRole.DECISION_MAKER, ended_at__isnull=True
        ).exists()
    )


def may_decide(user: User, request: IdentityRequest) -> bool:
    """A second pair of eyes: the case's decision-maker or the data protection officer, not
    the asker and not a member or party official."""
    if not isinstance(user, User) or user.pk == request.asked_by_id or is_partisan(user):
        return False
    return is_protection_officer(user) or is_case_decision_maker(user, request.case)


def deciders_see(user: User) -> list[IdentityRequest]:
    """The requests waiting for ``user``'s decision: every one for the data protection officer,
    those on their cases for a decision-maker; never their own."""
    waiting = (
        IdentityRequest.objects.filter(decided_at__isnull=True, data_key__shredded_at__isnull=True)
        .exclude(asked_by=user)
        .select_related("case", "asked_by")
        .order_by("asked_at", "pk")
    )
    if is_protection_officer(user) and not is_partisan(user):
        return list(waiting)
    return [request for request in waiting if is_case_decision_maker(user, request.case)]


@rule("disclosure.ask")
def may_ask(actor: Any, case: Any) -> bool:
    return isinstance(case, Case) and is_staff_signed_in(actor) and is_handler(actor, case)


@rule("disclosure.queue")
def may_see_queue(actor: Any, obj: Any = None) -> bool:
    return is_staff_signed_in(actor) and (
        is_protection_officer(actor) or actor.has_role(Role.DECISION_MAKER)
    )


@rule("disclosure.decide")
def may_decide_rule(actor: Any, request: Any) -> bool:
    return (
        isinstance(request, IdentityRequest)
        and is_staff_signed_in(actor)
        and may_decide(actor, request)
    )


def load_request(http_request: HttpRequest, pk: int, **_: Any) -> IdentityRequest:
    # A request on a case whose content was shredded went with it: its words cannot be read.
    found = (
        IdentityRequest.objects.select_related("case", "asked_by")
        .filter(pk=pk, data_key__shredded_at__isnull=True)
        .first()
    )
    if found is None:
        raise Http404
    return found
