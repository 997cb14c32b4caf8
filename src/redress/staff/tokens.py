"""Administrators issue and revoke API tokens. The secret is shown once, then only its digest."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from redress.accounts import tokens
from redress.accounts.access import requires
from redress.accounts.models import ApiToken, Scope, User
from redress.staff.forms import IssueTokenForm


def _token(request: HttpRequest, pk: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=pk).first()
    if token is None:
        raise Http404
    return token


@requires("accounts.manage")
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = IssueTokenForm(request.POST if request.method == "POST" else None)
    issued = None
    if request.method == "POST" and form.is_valid():
        user = request.user
        assert isinstance(user, User)
        issued = tokens.issue(
            name=form.cleaned_data["name"],
            scopes=[Scope(s) for s in form.cleaned_data["scopes"]],
            actor=user,
            acts_for=form.cleaned_data["acts_for"],
        )
        form = IssueTokenForm()
    context = {
        "form": form,
        "issued": issued,
        "tokens": ApiToken.objects.order_by("-created_at"),
        "scope_labels": dict(Scope.choices),
    }
    status = 400 if form.errors else (201 if issued else 200)
    return render(request, "staff/tokens.html", context, status=status)


@requires("accounts.manage", load=_token)
@require_POST
def token_revoke(request: HttpRequest, pk: int, obj: ApiToken) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    tokens.revoke(obj, actor=user)
    messages.success(request, _("Token “%(name)s” was revoked.") % {"name": obj.name})
    return redirect("staff:tokens")
