"""A handler's own conflict declarations: whom they must not judge. Each counts at every later
assignment (``cases.independence``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from redress.accounts.access import requires
from redress.accounts.models import User
from redress.cases import actions
from redress.cases.actions import CaseError
from redress.cases.models import ConflictDeclaration
from redress.directory.models import Person
from redress.directory.search import find_people
from redress.staff.case_forms import ConflictForm


@requires("case.queue")
@require_http_methods(["GET", "POST"])
def conflicts(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ConflictForm(request.POST if request.method == "POST" else request.GET or None)
    found: list[Person] = []
    if request.method == "GET" and request.GET.get("search"):
        found = find_people(request.GET["search"], limit=20)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            person = None
            if form.cleaned_data["person"]:
                person = Person.objects.by_identifier(form.cleaned_data["person"])
            try:
                actions.declare_conflict(
                    user,
                    reason=form.cleaned_data["reason"],
                    person=person,
                    party=form.cleaned_data["party"],
                    office=form.cleaned_data["office"],
                )
            except CaseError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Your declaration is recorded."))
                return redirect("staff:conflicts")
        status = 400
        found = find_people(request.POST.get("search", ""), limit=20)
    declared = ConflictDeclaration.objects.filter(
        user=user, withdrawn_at__isnull=True
    ).select_related("person", "party", "office")
    return render(
        request,
        "staff/conflicts.html",
        {
            "form": form,
            "found": found,
            "declared": declared,
            "search": (request.POST if request.method == "POST" else request.GET).get("search", ""),
        },
        status=status,
    )
