"""Oversight's retention pages: what the schedule will delete in the next 30 days (references,
categories, outcomes and dates only, never content), and legal holds, placed on a case or on
a person from the directory, reviewed and lifted. Each page parses, calls one act of
``retention.actions`` and renders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from redress.accounts.access import requires
from redress.accounts.models import User
from redress.cases.models import Case, Category, Decision
from redress.core.refusals import show_on
from redress.directory.models import Person
from redress.retention import actions
from redress.retention.actions import MAX_REASON, RetentionError
from redress.retention.models import LegalHold

AHEAD_DAYS = 30


class DateInput(forms.DateInput):
    input_type = "date"


def _review_field() -> forms.DateField:
    return forms.DateField(
        label=gettext_lazy("Review the hold on"),
        widget=DateInput(format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Enter a review date"),
            "invalid": gettext_lazy("Enter the review date as a real date, like 2027-03-31"),
        },
    )


class PlaceHoldForm(forms.Form):
    case = forms.CharField(
        label=gettext_lazy("Case reference"), max_length=20, required=False, strip=True
    )
    person = forms.CharField(
        label=gettext_lazy("Or the person's identifier in the directory"),
        max_length=64,
        required=False,
        strip=True,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why the records must be kept"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Enter the reason for the hold")},
    )
    review_on = _review_field()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reference, identifier = data.get("case"), data.get("person")
        if bool(reference) == bool(identifier):
            self.add_error("case", _("Enter a case reference or a person's identifier, not both"))
            return data
        if reference:
            data["case_obj"] = Case.objects.filter(reference=reference.upper()).first()
            if data["case_obj"] is None:
                self.add_error("case", _("There is no case with that reference"))
        else:
            data["person_obj"] = Person.objects.by_identifier(str(identifier))
            if data["person_obj"] is None:
                self.add_error("person", _("There is nobody in the directory with that identifier"))
        return data


class ReviewHoldForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the hold is still needed"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Enter a note on why the hold is still needed")},
    )
    review_on = _review_field()


class LiftHoldForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the hold can be lifted"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Enter the reason for lifting the hold")},
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _live_hold(request: HttpRequest, pk: int) -> LegalHold:
    hold = LegalHold.objects.filter(pk=pk, lifted_at__isnull=True).select_related("case", "person")
    found = hold.first()
    if found is None:
        raise Http404
    return found


def _label(choices: type[Category] | type[Decision], value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@requires("retention.manage")
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    coming = [
        {
            "reference": item.reference,
            "category": _label(Category, item.category),
            "outcome": _label(Decision, item.decision),
            "due_on": item.due_on,
            "why": item.why,
        }
        for item in actions.due(today, within_days=AHEAD_DAYS)
    ]
    holds = actions.live_holds()
    context = {
        "coming": coming,
        "holds": holds,
        "review_due": {hold.pk for hold in holds if hold.review_on <= today},
        "ahead": AHEAD_DAYS,
    }
    return render(request, "staff/retention/overview.html", context)


def _form_page(
    request: HttpRequest, form: forms.Form, *, heading: str, button: str, hold: LegalHold | None
) -> HttpResponse:
    context = {"form": form, "heading": heading, "button": button, "hold": hold}
    status = 400 if form.errors else 200
    return render(request, "staff/retention/hold_form.html", context, status=status)


@requires("retention.manage")
@require_http_methods(["GET", "POST"])
def place(request: HttpRequest) -> HttpResponse:
    form = PlaceHoldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.place_hold(
                by=_user(request),
                reason=data["reason"],
                review_on=data["review_on"],
                case=data.get("case_obj"),
                person=data.get("person_obj"),
            )
        except RetentionError as refused:
            show_on(form, refused)
        else:
            messages.success(request, _("The hold was placed. Nothing it covers will be deleted."))
            return redirect("staff:retention")
    return _form_page(
        request, form, heading=_("Place a legal hold"), button=_("Place hold"), hold=None
    )


@requires("retention.manage", load=_live_hold)
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int, obj: LegalHold) -> HttpResponse:
    initial = {"review_on": obj.review_on + dt.timedelta(days=90)}
    form = ReviewHoldForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.review_hold(
                obj,
                by=_user(request),
                note=form.cleaned_data["reason"],
                review_on=form.cleaned_data["review_on"],
            )
        except RetentionError as refused:
            show_on(form, refused)
        else:
            messages.success(request, _("The hold was reviewed and stays in place."))
            return redirect("staff:retention")
    return _form_page(
        request, form, heading=_("Review the legal hold"), button=_("Keep the hold"), hold=obj
    )


@requires("retention.manage", load=_live_hold)
@require_http_methods(["GET", "POST"])
def lift(request: HttpRequest, pk: int, obj: LegalHold) -> HttpResponse:
    form = LiftHoldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.lift_hold(obj, by=_user(request), reason=form.cleaned_data["reason"])
        except RetentionError as refused:
            show_on(form, refused)
        else:
            messages.success(
                request, _("The hold was lifted. The retention schedule applies again.")
            )
            return redirect("staff:retention")
    return _form_page(
        request, form, heading=_("Lift the legal hold"), button=_("Lift the hold"), hold=obj
    )
