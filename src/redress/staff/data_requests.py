"""The data protection officer's pages for subject access, erasure and rectification requests:
the list by due date, recording a request, the search and its findings, marking words for
removal, extensions, a complainant's consent, assembly, a second officer's approval, and the
release link, shown once. Each page parses, calls one act of ``subjectaccess.actions`` (or the
search) and renders; a refusal is shown beside the field with what was typed kept."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from redress.accounts.access import requires
from redress.accounts.models import User
from redress.core.refusals import show_on
from redress.redaction.text import find_spans
from redress.subjectaccess import actions
from redress.subjectaccess.actions import RequestRefused
from redress.subjectaccess.deadlines import days_left
from redress.subjectaccess.models import (
    Capacity,
    DataRequest,
    Exemption,
    Finding,
    Kind,
    Outcome,
    Redaction,
    State,
)
from redress.subjectaccess.search import SearchRefused, search

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

RULE = "subjectaccess.manage"


class DateInput(forms.DateInput):
    input_type = "date"


def _reasons(label: StrOrPromise, required: StrOrPromise, limit: int = 2000) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": required},
    )


class RecordForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the person asks for"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what the person asks for")},
    )
    subject_name = forms.CharField(
        label=gettext_lazy("Their full name"),
        max_length=200,
        error_messages={"required": gettext_lazy("Enter the person's name")},
    )
    subject_email = forms.CharField(
        label=gettext_lazy("Their email address (optional)"), max_length=254, required=False
    )
    subject_identifier = forms.CharField(
        label=gettext_lazy("Their identifier in the directory, if they are in it (optional)"),
        max_length=64,
        required=False,
    )
    identity_check = _reasons(
        gettext_lazy("How their identity was checked"),
        gettext_lazy("Say how the person's identity was checked"),
    )
    asked = forms.CharField(
        label=gettext_lazy("What they asked for, in their words (optional)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    received_on = forms.DateField(
        label=gettext_lazy("Date received"),
        widget=DateInput(format="%Y-%m-%d"),
        error_messages={
            "required": gettext_lazy("Enter the date the request was received"),
            "invalid": gettext_lazy("Enter the date received as a real date, like 2027-03-31"),
        },
    )


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label=gettext_lazy("Extend by"),
        choices=[("1", gettext_lazy("One month")), ("2", gettext_lazy("Two months"))],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose one or two months")},
    )
    reason = _reasons(
        gettext_lazy("Why more time is needed (the person is told)"),
        gettext_lazy("Enter the reasons for the extension"),
    )


class RedactForm(forms.Form):
    words = forms.CharField(
        label=gettext_lazy("Words to remove (every place they appear in this text)"),
        max_length=500,
        error_messages={"required": gettext_lazy("Enter the words to remove")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=500,
        error_messages={"required": gettext_lazy("Enter the reason for removing these words")},
    )
    exemption = forms.ChoiceField(
        label=gettext_lazy("Exemption relied on"),
        choices=Exemption.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the exemption relied on")},
    )


class ConsentForm(forms.Form):
    case = forms.ChoiceField(
        label=gettext_lazy("Case"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the case")},
    )
    how = _reasons(
        gettext_lazy("How and when the complainant consented"),
        gettext_lazy("Say how and when the complainant consented"),
        limit=1000,
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("What was done"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose what was done")},
    )
    outcome_details = _reasons(
        gettext_lazy("What was done and why (the person is told)"),
        gettext_lazy("Say what was done and why"),
        limit=4000,
    )


class RefuseForm(forms.Form):
    reason = _reasons(
        gettext_lazy("Why the request is refused (the person is told)"),
        gettext_lazy("Enter the reasons for refusing the request"),
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _request(http: HttpRequest, pk: int, **_kwargs: Any) -> DataRequest:
    found = DataRequest.objects.select_related("data_key").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _finding(http: HttpRequest, pk: int, finding: int) -> Finding:
    found = (
        Finding.objects.select_related("request", "case", "data_key")
        .filter(pk=finding, request_id=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _form_page(
    request: HttpRequest, form: forms.Form, obj: DataRequest | None, heading: str, button: str
) -> HttpResponse:
    context = {"form": form, "obj": obj, "heading": heading, "button": button}
    return render(
        request, "staff/data_requests/form.html", context, status=400 if form.errors else 200
    )


@requires(RULE)
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = [
        {
            "obj": obj,
            "days_left": days_left(obj.due_on, today),
            "overdue": not obj.is_closed and obj.due_on < today,
        }
        for obj in DataRequest.objects.select_related("data_key")
    ]
    return render(request, "staff/data_requests/list.html", {"rows": rows})


@requires(RULE)
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest) -> HttpResponse:
    form = RecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            obj = actions.record(actor=_user(request), **form.cleaned_data)
        except RequestRefused as refused:
            show_on(form, refused)
        else:
            messages.success(request, _("The request was recorded."))
            return redirect("staff:data-request", pk=obj.pk)
    return _form_page(request, form, None, _("Record a data protection request"), _("Record"))


def _answer(obj: DataRequest, actor: User) -> list[dict[str, Any]]:
    if obj.assembled_at is None:
        return []
    answer = actions.read_answer(obj, actor=actor)
    appearances: list[dict[str, Any]] = json.loads(answer or "{}").get("appearances", [])
    for item in appearances:
        item["role_text"] = str(Capacity(item["role"]).label)
        for removal in item["redactions"]:
            removal["exemption_text"] = str(Exemption(removal["exemption"]).label)
    return appearances


@requires(RULE, load=_request)
@require_GET
def detail(request: HttpRequest, pk: int, obj: DataRequest) -> HttpResponse:
    today = timezone.localdate()
    findings = list(
        Finding.objects.filter(request=obj)
        .select_related("case", "data_key")
        .prefetch_related("redactions")
    )
    context = {
        "obj": obj,
        "findings": findings,
        "days_left": days_left(obj.due_on, today),
        "overdue": not obj.is_closed and obj.due_on < today,
        "extensions": obj.extensions.select_related("data_key", "by"),
        "consents": obj.consents.select_related("case"),
        "answer": _answer(obj, _user(request)),
        "protected": any(f.protected for f in findings),
        "search": obj.searches.order_by("-at").first(),
        "may_approve": obj.state == State.ASSEMBLED
        and _user(request).pk not in (obj.handler_id, obj.assembled_by_id),
    }
    return render(request, "staff/data_requests/detail.html", context)


@requires(RULE, load=_request)
@require_POST
def run_search(request: HttpRequest, pk: int, obj: DataRequest) -> HttpResponse:
    try:
        result = search(obj, actor=_user(request))
    except SearchRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            _("%(read)s cases were read; the person appears in %(found)s places.")
            % {"read": result.cases_read, "found": result.findings},
        )
    return redirect("staff:data-request", pk=obj.pk)


@requires(RULE, load=_finding)
@require_http_methods(["GET", "POST"])
def finding(request: HttpRequest, pk: int, finding: int, obj: Finding) -> HttpResponse:
    form = RedactForm(request.POST if request.method == "POST" else None)
    text = actions.read_finding(obj, actor=_user(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.mark_redaction(
                obj,
                find_spans(text, data["words"]),
                reason=data["reason"],
                exemption=data["exemption"],
                actor=_user(request),
            )
        except RequestRefused as refused:
            show_on(form, refused)
        else:
            messages.success(request, _("The words will be removed from the answer."))
            return redirect("staff:data-request-finding", pk=pk, finding=obj.pk)
    redactions = list(Redaction.objects.filter(finding=obj).select_related("data_key"))
    pieces, at = [], 0
    for redaction in redactions:
        pieces.append({"text": text[at : redaction.start], "removed": False})
        pieces.append({"text": text[redaction.start : redaction.end], "removed": True})
        at = redaction.end
    pieces.append({"text": text[at:], "removed": False})
    context = {
        "form": form,
        "finding": obj,
        "obj": obj.request,
        "pieces": pieces,
        "redactions": redactions,
        "editable": obj.request.state == State.SEARCHED,
    }
    status = 400 if form.errors else 200
    return render(request, "staff/data_requests/finding.html", context, status=status)


def _redaction(http: HttpRequest, pk: int, finding: int, redaction: int) -> Redaction:
    found = (
        Redaction.objects.select_related("finding__request")
        .filter(pk=redaction, finding_id=finding, finding__request_id=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


@requires(RULE, load=_redaction)
@require_POST
def unredact(
    request: HttpRequest, pk: int, finding: int, redaction: int, obj: Redaction
) -> HttpResponse:
    try:
        actions.remove_redaction(obj, actor=_user(request))
    except RequestRefused as refused:
        context = {"obj": obj.finding.request, "why": refused.message}
        return render(request, "staff/data_requests/refused.html", context, status=400)
    messages.success(request, _("Those words are back in the answer."))
    return redirect("staff:data-request-finding", pk=pk, finding=finding)


@requires(RULE, load=_request)
@require_http_methods(["GET", "POST"])
def extend(request: HttpRequest, pk: int, obj: DataRequest) -> HttpResponse:
    form = ExtendForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.extend(obj, actor=_user(request), **form.cleaned_data)
        except RequestRefused as refused:
            show_on(form, refused)
        else:
            messages.success(request, _("The time limit was extended."))
            return redirect("staff:data-request", pk=obj.pk)
    return _form_page(request, form, obj, _("Extend the time limit"), _("Extend"))


@requires(RULE, load=_request)
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, pk: int, obj: DataRequest) -> HttpResponse:
    form = ConsentForm(request.POST if request.method == "POST" else None)
    cases = {
        f.case.reference: f.case
        for f in obj.findings.select_related("case", "data_key")
        if f.protected
    }
    choices = [(reference, reference) for reference in sorted(cases)]
    form.fields["case"].choices = choices  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_consent(
                obj,
                cases[form.cleaned_data["case"]],
                how=form.cleaned_data["how"],
                actor=_user(request),
            )
        except RequestRefused as refused:
            show_on(form, refused)
        else:
            messages.success(request, _("The complainant's consent was recorded."))
            return redirect("staff:data-request", pk=obj.pk)
    return _form_page(request, form, obj, _("Record a complainant's consent"), _("Record"))


@requires(RULE, load=_request)
@require_http_methods(["GET", "POST"])
def assemble(request: HttpRequest, pk: int, obj: DataRequest) -> HttpResponse:
    form: forms.Form = (OutcomeForm if obj.kind != Kind.ACCESS else forms.Form)(
        request.POST if request.method == "POST" else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.assemble(obj, actor=_user(request), **form.cleaned_data)
        except RequestRefused as refused:
            show_on(form, refused)
        else:
            messages.success(request, _("The answer was assembled. A second officer approves it."))
            return redirect("staff:data-request", pk=obj.pk)
    return _form_page(request, form, obj, _("Assemble the answer"), _("Assemble"))


@requires(RULE, load=_request)
@require_POST
def approve(request: HttpRequest, pk: int, obj: DataRequest) -> HttpResponse:
    try:
        actions.approve(obj, actor=_user(request))
    except RequestRefused as refused:
        messages.error(request, refused.message)
        return render(
            request,
            "staff/data_requests/refused.html",
            {"obj": obj, "why": refused.message},
            status=400,
        )
    messages.success(request, _("The answer was approved for release."))
    return redirect("staff:data-request", pk=obj.pk)


@requires(RULE, load=_request)
@require_POST
def release(request: HttpRequest, pk: int, obj: DataRequest) -> HttpResponse:
    try:
        token = actions.release(obj, actor=_user(request))
    except RequestRefused as refused:
        return render(
            request,
            "staff/data_requests/refused.html",
            {"obj": obj, "why": refused.message},
            status=400,
        )
    link = request.build_absolute_uri(reverse("public:data-request", args=[token]))
    context = {"obj": obj, "link": link, "expires": obj.release_expires_at}
    response = render(request, "staff/data_requests/released.html", context)
    response["Cache-Control"] = "no-store"
    return response


@requires(RULE, load=_request)
@require_http_methods(["GET", "POST"])
def refuse(request: HttpRequest, pk: int, obj: DataRequest) -> HttpResponse:
    form = RefuseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.refuse(obj, reason=form.cleaned_data["reason"], actor=_user(request))
        except RequestRefused as refused:
            show_on(form, refused)
        else:
            messages.success(request, _("The request was refused."))
            return redirect("staff:data-request", pk=obj.pk)
    return _form_page(request, form, obj, _("Refuse the request"), _("Refuse"))
