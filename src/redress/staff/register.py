"""Oversight's page of the sanctions register: live findings with their sanction and how long
they stay, and those withdrawn or expired. Every view of it is ledgered."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from redress.accounts.access import requires
from redress.accounts.models import User
from redress.register import access as _access  # noqa: F401  (registers register.review)
from redress.register.actions import REVIEW_LIMIT, review


@requires("register.review")
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    shown = review(actor=f"user:{user.pk}")
    return render(request, "staff/register.html", {"review": shown, "limit": REVIEW_LIMIT})
