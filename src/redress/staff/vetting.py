"""The vetting officer's pages: ask the register about a named person for a stated purpose, and
read the dated answer (printable). An officer sees only their own checks."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from redress.accounts.access import requires
from redress.accounts.models import User
from redress.core.lengths import say_how_long
from redress.directory.models import Person
from redress.directory.search import find_people
from redress.vetting import access as _access  # noqa: F401  (registers the vetting rules)
from redress.vetting.access import load_check
from redress.vetting.actions import VettingError, run_check
from redress.vetting.models import VettingCheck
from redress.vetting.words import in_words


class CheckForm(forms.Form):
    subject = forms.CharField(
        label=_("Person to check"),
        error_messages={"required": _("Search for the person, then choose them")},
    )
    purpose = forms.CharField(
        label=_("Purpose of the check"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what the check is for, for example an appointment")},
    )
    requesting_body = forms.CharField(
        label=_("Who is asking"),
        max_length=200,
        error_messages={"required": _("Say who is asking for the check")},
    )

    def clean_subject(self) -> Person:
        person = Person.objects.by_identifier(self.cleaned_data["subject"])
        if person is None:
            raise forms.ValidationError(_("Choose a person from the search results"))
        return person


say_how_long(CheckForm)


@requires("vetting.use")
@require_GET
def checks(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    mine = VettingCheck.objects.filter(officer=user).select_related("subject")[:100]
    return render(request, "staff/vetting/list.html", {"checks": mine})


@requires("vetting.use")
@require_http_methods(["GET", "POST"])
def new_check(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    data = request.POST if request.method == "POST" else None
    form = CheckForm(data)
    search = (request.POST if request.method == "POST" else request.GET).get("search", "")
    if request.method == "POST" and form.is_valid():
        try:
            check = run_check(
                subject=form.cleaned_data["subject"],
                purpose=form.cleaned_data["purpose"],
                requesting_body=form.cleaned_data["requesting_body"],
                actor=user,
            )
        except VettingError as refused:
            form.add_error(None, str(refused))
        else:
            return redirect("staff:vetting-check", check.pk)
    return render(
        request,
        "staff/vetting/new.html",
        {"form": form, "found": find_people(search, limit=20), "search": search},
        status=400 if form.errors else 200,
    )


@requires("vetting.check", load=load_check)
@require_GET
def check_result(request: HttpRequest, pk: int, obj: VettingCheck) -> HttpResponse:
    return render(
        request, "staff/vetting/result.html", {"check": obj, "words": in_words(obj.result)}
    )
