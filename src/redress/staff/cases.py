"""The caseworker's queue and case page. Cases are reached only through ``cases.access``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from redress.accounts.access import requires
from redress.accounts.models import User
from redress.cases.access import cases_for, load_case
from redress.cases.actions import read_content
from redress.cases.models import Case
from redress.vault.errors import Shredded


@requires("case.queue")
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    cases = cases_for(user).select_related("respondent").order_by("received_at")
    return render(request, "staff/queue.html", {"cases": cases})


@requires("case.read_content", load=load_case)
@require_GET
def case_detail(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    try:
        content = read_content(obj, actor=user)
        shredded = False
    except Shredded:
        content, shredded = {}, True
    return render(
        request, "staff/case.html", {"case": obj, "content": content, "shredded": shredded}
    )
