"""The support adviser's pages: the queue of open support requests (waiting first, by due
date), one request with what can be done now, and a small page for each act (write to the
person, refer to a service, record what came of a referral, close). Each page parses, calls one
act of ``helpline.actions`` and renders. Nothing here reads a case's content: an adviser sees
the stage in words and what the person said about the support they want."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from redress.accounts.access import requires
from redress.accounts.models import User
from redress.core.refusals import show_on
from redress.helpline import actions, queries
from redress.helpline.actions import MAX_MESSAGE, HelplineError
from redress.helpline.models import (
    CloseReason,
    Party,
    Referral,
    ReferralOutcome,
    SupportRequest,
)
from redress.helpline.services import name_of, services


class ContactForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": gettext_lazy("Write the message before sending it"),
            "max_length": gettext_lazy("The message must be 5,000 characters or fewer"),
        },
    )


class ReferForm(forms.Form):
    service = forms.ChoiceField(
        label=gettext_lazy("Which support service?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Select a support service"),
            "invalid_choice": gettext_lazy("Select a support service"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(services().items())


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("What came of the referral?"),
        choices=ReferralOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Select what came of the referral"),
            "invalid_choice": gettext_lazy("Select what came of the referral"),
        },
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why is the request closed?"),
        choices=CloseReason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Select why the request is closed"),
            "invalid_choice": gettext_lazy("Select why the request is closed"),
        },
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _support_request(request: HttpRequest, pk: int, **_kwargs: Any) -> SupportRequest:
    found = SupportRequest.objects.select_related("case", "data_key").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@requires("helpline.queue")
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    rows = [
        {"request": item, "due": queries.due(item), "stage": queries.stage_words(item.case)}
        for item in queries.queue()
    ]
    return render(request, "staff/helpline/queue.html", {"rows": rows})


@requires("helpline.request", load=_support_request)
@require_GET
def detail(request: HttpRequest, pk: int, obj: SupportRequest) -> HttpResponse:
    contacts = obj.contacts.select_related("made_by", "message__data_key", "data_key")
    referrals = [(referral, name_of(referral.service)) for referral in obj.referrals.all()]
    context = {
        "item": obj,
        "due": queries.due(obj),
        "stage": queries.stage_words(obj.case),
        "contacts": contacts,
        "referrals": referrals,
        "is_open": obj.is_open,
        "channel_hint": _channel_hint(obj),
    }
    return render(request, "staff/helpline/request.html", context)


def _channel_hint(obj: SupportRequest) -> str:
    if obj.party == Party.COMPLAINANT:
        return _(
            "The complainant reads this on their report with their receipt code. If they "
            "chose email updates they are told there is a new message, never what it says."
        )
    return _(
        "The respondent reads this on their page. They are emailed that there is news, "
        "never what it says."
    )


def _act_page(
    request: HttpRequest,
    obj: SupportRequest,
    form: forms.Form,
    *,
    heading: str,
    button: str,
    hint: str = "",
    referral: tuple[Referral, str] | None = None,
) -> HttpResponse:
    context = {
        "item": obj,
        "form": form,
        "heading": heading,
        "button": button,
        "hint": hint,
        "referral": referral,
        "stage": queries.stage_words(obj.case),
    }
    return render(request, "staff/helpline/act.html", context, status=400 if form.errors else 200)


def _done(request: HttpRequest, obj: SupportRequest, words: str) -> HttpResponse:
    messages.success(request, words)
    return redirect("staff:helpline-request", pk=obj.pk)


@requires("helpline.request", load=_support_request)
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, pk: int, obj: SupportRequest) -> HttpResponse:
    form = ContactForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_contact(obj, form.cleaned_data["body"], by=_user(request))
        except HelplineError as refused:
            show_on(form, refused)
        else:
            return _done(request, obj, _("Your message was sent."))
    return _act_page(
        request,
        obj,
        form,
        heading=_("Write to %(who)s") % {"who": str(Party(obj.party).label).lower()},
        button=_("Send the message"),
        hint=_channel_hint(obj),
    )


@requires("helpline.request", load=_support_request)
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest, pk: int, obj: SupportRequest) -> HttpResponse:
    form = ReferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = actions.refer(obj, form.cleaned_data["service"], by=_user(request))
        except HelplineError as refused:
            show_on(form, refused)
        else:
            return _done(
                request,
                obj,
                _("The referral to %(service)s was recorded.")
                % {"service": name_of(referral.service)},
            )
    return _act_page(
        request, obj, form, heading=_("Refer to a support service"), button=_("Record referral")
    )


@requires("helpline.request", load=_support_request)
@require_http_methods(["GET", "POST"])
def outcome(request: HttpRequest, pk: int, referral: int, obj: SupportRequest) -> HttpResponse:
    found = obj.referrals.filter(pk=referral, outcome="").first()
    if found is None:
        raise Http404
    form = OutcomeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_referral_outcome(found, form.cleaned_data["outcome"], by=_user(request))
        except HelplineError as refused:
            show_on(form, refused)
        else:
            return _done(request, obj, _("What came of the referral was recorded."))
    return _act_page(
        request,
        obj,
        form,
        heading=_("Record what came of a referral"),
        button=_("Record outcome"),
        referral=(found, name_of(found.service)),
    )


@requires("helpline.request", load=_support_request)
@require_http_methods(["GET", "POST"])
def close(request: HttpRequest, pk: int, obj: SupportRequest) -> HttpResponse:
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.close(obj, form.cleaned_data["reason"], by=_user(request))
        except HelplineError as refused:
            show_on(form, refused)
        else:
            return _done(request, obj, _("The support request was closed."))
    return _act_page(
        request,
        obj,
        form,
        heading=_("Close the support request"),
        button=_("Close the request"),
        hint=_("They can ask for support again at any time."),
    )


@requires("helpline.counts")
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    """Oversight's view of the helpline: how many wait, how many are overdue, where support
    was asked for and where people were referred. Numbers only."""
    return render(request, "staff/helpline/counts.html", {"counts": queries.counts()})
