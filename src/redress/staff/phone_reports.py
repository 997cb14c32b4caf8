"""Taking a report given by phone or in person (EU Directive 2019/1937, Art. 18(2)-(4)).

A support adviser or caseworker writes down what the reporter tells them, with the same
questions as the online report, on one page that works without JavaScript. The case is made by
the path every report takes (``intake.taken.take``); the reporter then checks the record with
their receipt code and confirms or corrects it.

The code is shown once, on the answer to the form, to be read out; it is never kept where it
could be shown again. A page is sent once: the form carries a token the session holds until it
is used, so a second send (a refresh, a double click) makes no second case.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core.validators import validate_email
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from redress.accounts.access import requires
from redress.accounts.models import User
from redress.cases.models import Identity
from redress.directory.models import Person
from redress.intake import forms as step_forms
from redress.intake import taken
from redress.intake.models import TakenHow
from redress.intake.steps import missing_steps

# The token of the form on screen, used up when the report is made.
TAKING = "staff_taking_report"
# The reference of the last report made from this session, for a second send to name.
TAKEN_LAST = "staff_taken_report"
SEARCH_LIMIT = 25


class TakingForm(forms.Form):
    """How the report was given, and how the reporter gets their code."""

    how = forms.ChoiceField(
        label=_("How was the report given?"),
        choices=TakenHow.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select how the report was given"),
            "invalid_choice": _("Select how the report was given"),
        },
    )
    receipt = forms.ChoiceField(
        label=_("How does the reporter want their receipt code?"),
        choices=[
            ("read_out", _("Read out to them now")),
            ("email", _("By email, to an address they give")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select how the reporter wants their receipt code"),
            "invalid_choice": _("Select how the reporter wants their receipt code"),
        },
    )
    receipt_email = forms.CharField(
        label=_("Email address for the receipt code"),
        required=False,
        max_length=254,
        validators=[validate_email],
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
            "max_length": _("The email address must be 254 characters or fewer"),
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        wanted = cleaned.get("receipt") == "email"
        if wanted and not cleaned.get("receipt_email") and "receipt_email" not in self.errors:
            self.add_error("receipt_email", _("Enter the email address for the receipt code"))
        return cleaned


# The wizard's steps this page asks, in its order; contact details only for a named or
# confidential reporter, as the wizard asks them.
_STEP_FORMS: tuple[type[step_forms.StepForm], ...] = (
    step_forms.WhatHappenedForm,
    step_forms.CategoryForm,
    step_forms.WhoForm,
    step_forms.WhenForm,
    step_forms.WhereForm,
    step_forms.SupportForm,
    step_forms.IdentityForm,
)
# The wizard speaks to the reporter; here the adviser reads the questions.
_LABELS = {
    "what_happened": _("What happened, in the reporter's words"),
    "category": _("What kind of behaviour was it?"),
    "where": _("Where did it happen? (optional)"),
    "support": _("Would the reporter like support from an independent adviser?"),
    "identity": _("Who should know who the reporter is?"),
    "contact_name": _("The reporter's name"),
    "contact_email": _("The reporter's email address (optional)"),
    "contact_phone": _("The reporter's phone number (optional)"),
}


def _bound(data: Any | None) -> dict[str, forms.Form]:
    """The page's forms, bound to what was sent; the contact details only when they are asked
    (an anonymous reporter's are never checked, nor kept)."""
    built: dict[str, forms.Form] = {"taking": TakingForm(data)}
    for form_class in _STEP_FORMS:
        built[form_class.__name__] = form_class(data)
    if _named(data):
        built["ContactForm"] = step_forms.ContactForm(data)
    else:
        typed = {n: data.get(n) for n in step_forms.ContactForm.base_fields} if data else None
        built["ContactForm"] = step_forms.ContactForm(initial=typed)
    for form in built.values():
        for name, label in _LABELS.items():
            if name in form.fields:
                form.fields[name].label = label
    return built


def _named(data: Any) -> bool:
    return data is not None and data.get("identity") in {Identity.NAMED, Identity.CONFIDENTIAL}


def _checked(built: dict[str, forms.Form], data: Any) -> dict[str, Any] | None:
    """The report's answers when every asked part is right, else None (each form then holds
    its errors beside its fields)."""
    asked = [built["taking"], *(built[f.__name__] for f in _STEP_FORMS)]
    if _named(data):
        asked.append(built["ContactForm"])
    valid = [form.is_valid() for form in asked]  # every form checked, so every error shows
    if not all(valid):
        return None
    answers: dict[str, Any] = {}
    for form in asked[1:]:
        answers.update(form.cleaned_data)
    for part in ("when_day", "when_month", "when_year"):
        answers.pop(part, None)
    if missing_steps(answers):  # the forms ask every required step: a guard, not a path
        return None
    return answers


def _people(data: Any | None) -> tuple[str, list[Person], str]:
    """The directory search, as the wizard's: posted with the form, never in the address."""
    query = ((data or {}).get("q") or "").strip()[:100]
    chosen = (data or {}).get("respondent_id") or ""
    people: list[Person] = []
    if query:
        people = list(
            Person.objects.filter(
                Q(name__icontains=query)
                | Q(role_title__icontains=query)
                | Q(constituency__icontains=query)
                | Q(office__name__icontains=query)
                | Q(party__name__icontains=query)
            ).select_related("party", "office")[:SEARCH_LIMIT]
        )
    if chosen and chosen != "not-listed" and all(p.identifier != chosen for p in people):
        person = Person.objects.select_related("party", "office").by_identifier(chosen)
        if person is not None:
            people = [person, *people]
    return query, people, chosen


def _page(
    request: HttpRequest, built: dict[str, forms.Form], data: Any | None, *, status: int
) -> HttpResponse:
    query, people, chosen = _people(data)
    errors = status == 400
    return render(
        request,
        "staff/phone_reports/new.html",
        {
            "forms": built,
            "taking": built["taking"],
            "step": {name: form for name, form in built.items() if name != "taking"},
            "errors": errors,
            "token": request.session.get(TAKING, ""),
            "query": query,
            "people": people,
            "chosen": chosen,
        },
        status=status,
    )


@never_cache
@requires("intake.take_report")
@require_http_methods(["GET", "POST"])
def new_report(request: HttpRequest) -> HttpResponse:
    """The form; a search of the directory, kept with what was typed; or the report made."""
    user = request.user
    assert isinstance(user, User)
    if request.method == "GET":
        request.session[TAKING] = secrets.token_urlsafe(16)
        return _page(request, _bound(None), None, status=200)
    data = request.POST
    if "search" in data:
        # Not checked yet: what was typed is shown again, without errors, with the people found.
        built = _bound(None)
        for form in built.values():
            form.initial = {name: data.get(name) for name in form.fields}
        return _page(request, built, data, status=200)
    token = data.get("token", "")
    if not token or not secrets.compare_digest(token, request.session.get(TAKING) or ""):
        return render(
            request,
            "staff/phone_reports/sent_already.html",
            {"reference": request.session.get(TAKEN_LAST)},
            status=409,
        )
    built = _bound(data)
    answers = _checked(built, data)
    if answers is None:
        return _page(request, built, data, status=400)
    taking = built["taking"].cleaned_data
    done = taken.take(
        answers,
        by=user,
        how=TakenHow(taking["how"]),
        email_code_to=taking["receipt_email"] if taking["receipt"] == "email" else None,
    )
    request.session.pop(TAKING, None)
    request.session[TAKEN_LAST] = done.case.reference
    return render(
        request,
        "staff/phone_reports/taken.html",
        {
            "reference": done.case.reference,
            "code": done.code,
            "emailed": done.emailed,
            "asked_email": taking["receipt"] == "email",
        },
    )
