"""People on the console: administrators grant and remove roles, approve the grants that need a
second administrator, and close the accounts of people who left; oversight reviews access.

Each view parses a form, calls one act of ``accounts.roles`` or ``accounts.leaving`` and renders.
A refused act (``RoleRefused``) is shown as the form's error, with what was typed kept; nothing
is stored. Roles are shown by their labels, never by their stored values.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from redress.accounts import leaving, roles
from redress.accounts.access import requires
from redress.accounts.models import Role, RoleGrant, RoleRequest, User
from redress.accounts.review import access_review
from redress.accounts.roles import RoleRefused
from redress.staff.people_forms import DeactivateForm, GrantRoleForm, ReasonForm

LABELS = dict(Role.choices)


def _me(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _person(request: HttpRequest, pk: int) -> User:
    person = User.objects.filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def _live_grant(request: HttpRequest, pk: int, grant: int) -> RoleGrant:
    found = (
        RoleGrant.objects.filter(pk=grant, user_id=pk, revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if found is None:
        raise Http404
    return found


def _open_request(request: HttpRequest, pk: int) -> RoleRequest:
    found = (
        RoleRequest.objects.filter(pk=pk, decided_at__isnull=True)
        .select_related("user", "requested_by")
        .first()
    )
    if found is None:
        raise Http404
    return found


def _label(role: str) -> str:
    return str(LABELS.get(role, role))


def _status(status: int, form: Any) -> int:
    return 400 if form.errors else status


@requires("accounts.manage")
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    accounts = User.objects.order_by("deactivated_at", "display_name", "username")
    live = RoleGrant.objects.filter(revoked_at__isnull=True)
    held: dict[int, list[str]] = {}
    for user_id, role in live.values_list("user_id", "role").order_by("role"):
        held.setdefault(user_id, []).append(_label(role))
    rows = [(account, held.get(account.pk, [])) for account in accounts]
    waiting = RoleRequest.objects.filter(decided_at__isnull=True).count()
    return render(request, "staff/people/list.html", {"rows": rows, "waiting": waiting})


@requires("accounts.manage", load=_person)
@require_GET
def person(request: HttpRequest, pk: int, obj: User) -> HttpResponse:
    grants = (
        RoleGrant.objects.filter(user=obj, revoked_at__isnull=True)
        .select_related("granted_by")
        .order_by("role")
    )
    waiting = RoleRequest.objects.filter(user=obj, decided_at__isnull=True).order_by("role")
    context = {
        "person": obj,
        "grants": [(grant, _label(grant.role)) for grant in grants],
        "waiting": [(asked, _label(asked.role)) for asked in waiting],
    }
    return render(request, "staff/people/person.html", context)


@requires("accounts.manage", load=_person)
@require_http_methods(["GET", "POST"])
def grant_role(request: HttpRequest, pk: int, obj: User) -> HttpResponse:
    """Grant a role; administrator and oversight are asked for, for a second administrator."""
    form = GrantRoleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        role, reason = Role(form.cleaned_data["role"]), form.cleaned_data["reason"]
        try:
            if role in roles.APPROVED_ROLES:
                roles.request(obj, role, actor=_me(request), reason=reason)
                done = _(
                    "%(role)s for %(name)s is waiting for a second administrator to approve it."
                )
            else:
                roles.grant(obj, role, actor=_me(request), reason=reason)
                done = _("%(name)s now holds the role %(role)s.")
        except RoleRefused as refused:
            form.add_error("role", refused.message)
        else:
            messages.success(request, done % {"role": role.label, "name": obj})
            return redirect("staff:person", pk=obj.pk)
    context = {"person": obj, "form": form}
    return render(request, "staff/people/grant.html", context, status=_status(200, form))


@requires("accounts.manage", load=_live_grant)
@require_http_methods(["GET", "POST"])
def remove_role(request: HttpRequest, pk: int, grant: int, obj: RoleGrant) -> HttpResponse:
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            roles.revoke(obj, actor=_me(request), reason=form.cleaned_data["reason"])
        except RoleRefused as refused:
            form.add_error("reason", refused.message)
        else:
            messages.success(
                request,
                _("The role %(role)s was removed from %(name)s.")
                % {"role": _label(obj.role), "name": obj.user},
            )
            return redirect("staff:person", pk=pk)
    context = {"person": obj.user, "grant": obj, "role": _label(obj.role), "form": form}
    return render(request, "staff/people/remove_role.html", context, status=_status(200, form))


@requires("accounts.manage", load=_person)
@require_http_methods(["GET", "POST"])
def deactivate(request: HttpRequest, pk: int, obj: User) -> HttpResponse:
    form = DeactivateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            leaving.deactivate(obj, actor=_me(request), reason=form.cleaned_data["reason"])
        except RoleRefused as refused:
            form.add_error("reason", refused.message)
        else:
            messages.success(request, _("The account of %(name)s was closed.") % {"name": obj})
            return redirect("staff:person", pk=pk)
    context = {"person": obj, "form": form}
    return render(request, "staff/people/deactivate.html", context, status=_status(200, form))


@requires("accounts.manage")
@require_GET
def role_requests(request: HttpRequest) -> HttpResponse:
    waiting = (
        RoleRequest.objects.filter(decided_at__isnull=True)
        .select_related("user", "requested_by")
        .order_by("requested_at")
    )
    rows = [(asked, _label(asked.role)) for asked in waiting]
    return render(request, "staff/people/requests.html", {"rows": rows})


@requires("accounts.manage", load=_open_request)
@require_http_methods(["GET", "POST"])
def role_request(request: HttpRequest, pk: int, obj: RoleRequest) -> HttpResponse:
    """Approve or refuse one request. The person who asked and the person it is for may only
    refuse (withdraw) it; approving is for a second administrator."""
    decision = request.POST.get("decision") if request.method == "POST" else None
    form = ReasonForm(request.POST if decision == "refuse" else None)
    approve_error = ""
    labels = {"role": _label(obj.role), "name": obj.user}
    if decision == "approve":
        try:
            roles.approve(obj, actor=_me(request))
        except RoleRefused as refused:
            approve_error = refused.message
        else:
            messages.success(request, _("%(name)s now holds the role %(role)s.") % labels)
            return redirect("staff:role-requests")
    elif decision == "refuse" and form.is_valid():
        try:
            roles.refuse(obj, actor=_me(request), reason=form.cleaned_data["reason"])
        except RoleRefused as refused:
            form.add_error("reason", refused.message)
        else:
            messages.success(request, _("%(role)s for %(name)s was refused.") % labels)
            return redirect("staff:role-requests")
    context = {"asked": obj, "role": _label(obj.role), "form": form, "approve_error": approve_error}
    status = 400 if approve_error or form.errors else 200
    return render(request, "staff/people/request.html", context, status=status)


@requires("accounts.review")
@require_GET
def review(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/people/review.html", {"review": access_review()})
