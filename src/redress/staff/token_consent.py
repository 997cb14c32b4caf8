"""The handler's side of API tokens: the tokens that act for them, to approve or refuse.

A token someone else made to read or move a handler's cases works only once that handler
approves it (``accounts.tokens.approve``). Approving and refusing each have a confirmation page:
consent is given on purpose, never by a stray click. A refusal revokes the token.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from redress.accounts import tokens
from redress.accounts.access import is_staff_signed_in, requires, rule
from redress.accounts.models import ApiToken, Role, User
from redress.accounts.token_notices import scope_words


@rule("accounts.token_consent")
def _may_see_consent(actor: Any, obj: Any) -> bool:
    """Any member of staff sees the tokens acting for them. A token's own page: the person it
    acts for, or an administrator (who is told plainly that only that person may approve it)."""
    if not is_staff_signed_in(actor):
        return False
    if obj is None:
        return True
    return bool(obj.acts_for_id == actor.pk or actor.has_role(Role.ADMINISTRATOR))


def _token(request: HttpRequest, pk: int) -> ApiToken:
    token = ApiToken.objects.filter(pk=pk).select_related("created_by", "acts_for").first()
    if token is None:
        raise Http404
    return token


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@requires("accounts.token_consent")
@require_GET
def tokens_mine(request: HttpRequest) -> HttpResponse:
    rows = (
        ApiToken.objects.filter(acts_for=_user(request))
        .exclude(created_by=_user(request))
        .select_related("created_by")
        .order_by("revoked_at", "-created_at")
    )
    return render(
        request,
        "staff/tokens_mine.html",
        {"tokens": [(token, scope_words(token)) for token in rows]},
    )


class ConsentForm(forms.Form):
    """Nothing to fill in; it carries a refusal's words to the error summary."""


APPROVE = "approve"
REFUSE = "refuse"


def _consent(request: HttpRequest, token: ApiToken, what: str) -> HttpResponse:
    user = _user(request)
    form = ConsentForm(request.POST if request.method == "POST" else None)
    status = 200
    if token.acts_for_id != user.pk:
        # Said before anything is tried, and again by the act itself if it is posted.
        form.add_error(
            None,
            _("Only %(name)s, for whom this token acts, can approve or refuse it.")
            % {"name": token.acts_for or token.created_by},
        )
        status = 403
    if request.method == "POST":
        try:
            if what == APPROVE:
                tokens.approve(token, actor=user)
                messages.success(request, _("Token “%(name)s” approved.") % {"name": token.name})
            else:
                tokens.refuse(token, actor=user)
                messages.success(request, _("Token “%(name)s” refused.") % {"name": token.name})
        except tokens.TokenRefused as refused:
            form = ConsentForm(request.POST)
            form.add_error(None, str(refused))
            status = status if status != 200 else 400
        else:
            return redirect("staff:tokens-mine")
    context = {
        "form": form,
        "token": token,
        "scopes": scope_words(token),
        "what": what,
        "can_consent": token.acts_for_id == user.pk and token.revoked_at is None,
    }
    return render(request, "staff/token_consent.html", context, status=status)


@requires("accounts.token_consent", load=_token)
@require_http_methods(["GET", "POST"])
def token_approve(request: HttpRequest, pk: int, obj: ApiToken) -> HttpResponse:
    return _consent(request, obj, APPROVE)


@requires("accounts.token_consent", load=_token)
@require_http_methods(["GET", "POST"])
def token_refuse(request: HttpRequest, pk: int, obj: ApiToken) -> HttpResponse:
    return _consent(request, obj, REFUSE)
