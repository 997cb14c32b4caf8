"""The decision page: a deciding move (and an appeal's outcome) asked one thing a page, checked,
then recorded through ``cases.actions``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from redress.accounts.access import requires
from redress.cases.access import load_case
from redress.cases.models import Case


@requires("case.decide", load=load_case)
def decide(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    return redirect("staff:case", obj.reference)
