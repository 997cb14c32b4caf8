"""A confidential complainant's sealed identity: the handler's page (it says "Sealed", takes a
request with a reason, and shows the identity once an approval allows), and the approver's pages
(the waiting requests, and the decision with the notice-or-exception choice). Each page parses,
calls one act of ``disclosure.actions`` and renders."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from redress.accounts.access import requires
from redress.accounts.models import User
from redress.cases.access import load_case
from redress.cases.models import Case, Identity
from redress.core.lengths import say_how_long
from redress.core.refusals import show_on
from redress.disclosure import actions
from redress.disclosure.access import deciders_see, load_request, may_decide
from redress.disclosure.actions import MAX_REASON, MAX_RECIPIENT, DisclosureError
from redress.disclosure.models import IdentityRequest, Scope

APPROVE, REFUSE = "approve", "refuse"
TELL, EXCEPTION = "tell", "exception"


class AskForm(forms.Form):
    scope = forms.ChoiceField(
        label=gettext_lazy("What do you need it for?"),
        choices=Scope.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whether to read it or to disclose it")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Why you need the complainant's identity"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Enter why you need the identity")},
    )
    recipient = forms.CharField(
        label=gettext_lazy("Who it would be disclosed to (outside the scheme only)"),
        max_length=MAX_RECIPIENT,
        required=False,
    )
    purpose = forms.CharField(
        label=gettext_lazy("What they need it for (outside the scheme only)"),
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Your decision"),
        choices=[
            (APPROVE, gettext_lazy("Approve")),
            (REFUSE, gettext_lazy("Refuse")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose whether to approve or refuse")},
    )
    reason = forms.CharField(
        label=gettext_lazy("The reasons for your decision"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Enter the reasons for your decision")},
    )
    notice = forms.ChoiceField(
        label=gettext_lazy("Before it is disclosed outside the scheme"),
        choices=[
            (TELL, gettext_lazy("Tell the complainant first, in writing")),
            (
                EXCEPTION,
                gettext_lazy(
                    "Do not tell them first: it would put the investigation or judicial "
                    "proceedings at risk"
                ),
            ),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    exception_reason = forms.CharField(
        label=gettext_lazy("Why telling them first would put it at risk"),
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, outside: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not outside:
            del self.fields["notice"]
            del self.fields["exception_reason"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "notice" in self.fields and data.get("decision") == APPROVE and not data.get("notice"):
            self.add_error("notice", _("Choose whether the complainant is told first"))
        return data


say_how_long(AskForm, DecideForm)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _request_on(case: Case, pk: int) -> IdentityRequest:
    found = IdentityRequest.objects.filter(case=case, pk=pk).select_related("asked_by").first()
    if found is None:
        raise Http404
    return found


def _case_page(
    request: HttpRequest, case: Case, form: AskForm, *, refused: str = "", status: int = 200
) -> HttpResponse:
    user = _user(request)
    context = {
        "case": case,
        "confidential": case.identity == Identity.CONFIDENTIAL,
        "status": actions.status_for(case),
        # Their words were sealed with the case's key: once it is shredded they are gone too.
        "requests": IdentityRequest.objects.filter(
            case=case, data_key__shredded_at__isnull=True
        ).select_related("asked_by", "decided_by", "data_key"),
        "user": user,
        "form": form,
        "refused": refused,
    }
    if form.errors:
        status = 400
    return render(request, "staff/identity/case.html", context, status=status)


@requires("disclosure.ask", load=load_case)
@require_http_methods(["GET", "POST"])
def case_identity(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    form = AskForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.ask(
                obj,
                by=_user(request),
                scope=data["scope"],
                reason=data["reason"],
                recipient=data["recipient"],
                purpose=data["purpose"],
            )
        except DisclosureError as refused:
            show_on(form, refused)
        else:
            messages.success(request, _("Your request was sent for a second person to decide."))
            return redirect("staff:case-identity", reference=obj.reference)
    return _case_page(request, obj, form)


@requires("disclosure.ask", load=load_case)
@require_POST
def notify(request: HttpRequest, reference: str, pk: int, obj: Case) -> HttpResponse:
    try:
        actions.notify(_request_on(obj, pk), by=_user(request))
    except DisclosureError as refused:
        return _case_page(request, obj, AskForm(), refused=refused.message, status=400)
    messages.success(request, _("The complainant was told who it goes to and why."))
    return redirect("staff:case-identity", reference=obj.reference)


@requires("disclosure.ask", load=load_case)
@require_POST
def reveal(request: HttpRequest, reference: str, pk: int, obj: Case) -> HttpResponse:
    asked = _request_on(obj, pk)
    try:
        identity = actions.open_identity(asked, by=_user(request))
    except DisclosureError as refused:
        return _case_page(request, obj, AskForm(), refused=refused.message, status=400)
    response = render(
        request, "staff/identity/shown.html", {"case": obj, "asked": asked, "identity": identity}
    )
    response["Cache-Control"] = "no-store"
    return response


@requires("disclosure.queue")
@require_GET
def waiting(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    excepted = [
        r
        for r in IdentityRequest.objects.filter(
            approved=True,
            exception_at__isnull=False,
            exception_lifted_at__isnull=True,
            data_key__shredded_at__isnull=True,
        ).select_related("case", "asked_by")
        if may_decide(user, r)
    ]
    context = {"waiting": deciders_see(user), "excepted": excepted}
    return render(request, "staff/identity/waiting.html", context)


def _decide_page(
    request: HttpRequest, asked: IdentityRequest, form: DecideForm | None
) -> HttpResponse:
    context = {"asked": asked, "form": form, "outside": asked.scope == Scope.OUTSIDE}
    status = 400 if form is not None and form.errors else 200
    return render(request, "staff/identity/decide.html", context, status=status)


@requires("disclosure.decide", load=load_request)
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, pk: int, obj: IdentityRequest) -> HttpResponse:
    if obj.decided_at is not None:
        return _decide_page(request, obj, None)
    outside = obj.scope == Scope.OUTSIDE
    form = DecideForm(request.POST if request.method == "POST" else None, outside=outside)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.decide(
                obj,
                by=_user(request),
                approve=data["decision"] == APPROVE,
                reason=data["reason"],
                tell_first=data.get("notice") != EXCEPTION,
                exception_reason=data.get("exception_reason") or "",
            )
        except DisclosureError as refused:
            show_on(form, refused)
        else:
            messages.success(request, _("Your decision was recorded."))
            return redirect("staff:identity-requests")
    return _decide_page(request, obj, form)


@requires("disclosure.decide", load=load_request)
@require_POST
def lift(request: HttpRequest, pk: int, obj: IdentityRequest) -> HttpResponse:
    try:
        actions.lift_exception(obj, by=_user(request))
    except DisclosureError as refused:
        messages.error(request, refused.message)
        return redirect("staff:identity-request", pk=obj.pk)
    messages.success(request, _("The exception was lifted: the handler now tells the complainant."))
    return redirect("staff:identity-requests")
