"""The acts on a case, each on its own page, each done by one action in ``cases.actions``.

An act's page is shown only to someone ``staff.case_tasks`` says may do it now. A refused act
shows its page again, with the refusal in the error summary and what was typed kept; an act
that succeeds goes back to the overview with a notice. Views never write case rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from redress.accounts.access import requires
from redress.accounts.models import User
from redress.cases import actions
from redress.cases.access import load_case
from redress.cases.actions import CaseError
from redress.cases.models import (
    Assignment,
    AssignmentRole,
    Case,
    InterimMeasure,
    MeasureKind,
    RecordKind,
    RiskException,
    Source,
    Stage,
)
from redress.intake import pages
from redress.intake.cleaning import cleaning_of, kept_as_uploaded
from redress.intake.filetypes import KINDS, MAX_BYTES
from redress.intake.sandbox import clean
from redress.intake.upload_words import UploadRefused
from redress.staff import case_forms, case_tasks
from redress.staff.evidence_details import content_disposition

Act = Callable[[dict[str, Any]], str]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _act_page(
    request: HttpRequest,
    case: Case,
    name: str,
    form: forms.Form,
    act: Act,
    *,
    situation: case_tasks.Situation | None = None,
    template: str = "",
    item: Any = None,
    **context: Any,
) -> HttpResponse:
    """One act's page. GET: the form, only to someone ``case_tasks`` says may do it now. POST:
    the act through ``cases.actions``; refused, the same page again with the refusal and what was
    typed (400); done, back to the overview with a notice. ``situation``, when the view has
    already worked it out, spares working it out again."""
    if request.method == "POST":
        if form.is_valid():
            try:
                notice = act(form.cleaned_data)
            except (CaseError, UploadRefused) as refused:
                form.add_error(None, getattr(refused, "message", None) or str(refused))
            else:
                messages.success(request, notice)
                return redirect("staff:case", case.reference)
        status = 400
    else:
        situation = situation or case_tasks.situation(case, _user(request))
        if not case_tasks.may(situation, name, item):
            raise PermissionDenied
        status = 200
    return render(
        request,
        template or f"staff/case/{name}.html",
        {
            "case": case,
            "form": form,
            "task": case_tasks.BY_NAME[name],
            "item": item,
            **context,
        },
        status=status,
    )


def _bound(request: HttpRequest) -> dict[str, Any]:
    """The form's data and files when the act is sent; nothing when its page is asked for."""
    if request.method == "POST":
        return {"data": request.POST, "files": request.FILES}
    return {}


@requires("case.take", load=load_case)
@require_POST
def take(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    try:
        actions.assign(obj, _user(request), AssignmentRole.CASEWORKER, actor=_user(request))
    except CaseError as refused:
        messages.error(request, str(refused))
        return redirect("staff:queue")
    messages.success(request, _("Case %(ref)s is yours.") % {"ref": obj.reference})
    return redirect("staff:case", obj.reference)


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    user = _user(request)
    s = case_tasks.situation(obj, user)
    stages = case_tasks.next_stages(s)
    form = case_forms.MoveForm(**_bound(request), stages=stages)

    def act(data: dict[str, Any]) -> str:
        case = actions.transition(obj, Stage(data["to"]), actor=user, reasons=data["reasons"])
        return _("The case is now at “%(stage)s”.") % {"stage": case.get_stage_display()}

    return _act_page(request, obj, "move", form, act, situation=s)


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def message(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        actions.send_message_to_complainant(obj, data["body"], actor=_user(request))
        return _("Your message is on the complainant's channel.")

    return _act_page(request, obj, "message", case_forms.MessageForm(**_bound(request)), act)


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    s = case_tasks.situation(obj, _user(request))
    kinds = case_tasks.record_kinds(s)
    form = case_forms.RecordForm(**_bound(request), kinds=kinds)

    def act(data: dict[str, Any]) -> str:
        actions.add_record(obj, RecordKind(data["kind"]), data["body"], actor=_user(request))
        return _("The record is on the case file.")

    return _act_page(request, obj, "record", form, act, situation=s)


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def evidence(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    form = case_forms.EvidenceForm(**_bound(request))
    user = _user(request)

    def act(data: dict[str, Any]) -> str:
        if not actions.live_roles(obj, user):
            raise CaseError(_("Only the case's handlers can add evidence."))
        upload = data["file"]
        cleaned = clean(
            upload.read(MAX_BYTES + 1),
            filename=upload.name or "",
            keep_original=bool(data.get("keep_original")),
        )
        actions.attach(
            obj,
            cleaned.data,
            kind=cleaned.kind,
            original_name=upload.name or "",
            kept_original=kept_as_uploaded(cleaned),
            source=Source.STAFF,
            actor=user,
            cleaning=cleaning_of(cleaned),
        )
        return _("The evidence is on the case file.")

    return _act_page(request, obj, "evidence", form, act)


@requires("case.read_content", load=load_case)
@require_GET
def evidence_file(request: HttpRequest, reference: str, pk: int, obj: Case) -> HttpResponse:
    attachment = obj.attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    data = actions.read_evidence(obj, attachment, actor=_user(request))

    content_type = KINDS.get(attachment.kind, ("application/octet-stream", "", ""))[0]
    response = HttpResponse(data, content_type=content_type)
    # Saved under a harmless form of the name it was given, ending in its real type.
    response["Content-Disposition"] = content_disposition(attachment)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@requires("case.read_content", load=load_case)
@require_GET
def evidence_pages(request: HttpRequest, reference: str, pk: int, obj: Case) -> HttpResponse:
    """A document shown as pictures of its pages, drawn in a limited child process, so the
    original need not be opened on a staff machine."""
    attachment = obj.attachments.filter(pk=pk).first()
    if attachment is None or not pages.can_render(attachment.kind):
        raise Http404
    data = actions.read_evidence(obj, attachment, actor=_user(request))
    problem, count = None, 0
    try:
        count = pages.page_count(data, attachment.kind)
    except pages.CannotRender as refused:
        problem = refused.message
    return render(
        request,
        "staff/evidence_pages.html",
        {
            "case": obj,
            "attachment": attachment,
            "pages": range(1, min(count, pages.PAGE_LIMIT) + 1),
            "count": count,
            "limit": pages.PAGE_LIMIT,
            "problem": problem,
        },
    )


@requires("case.read_content", load=load_case)
@require_GET
def evidence_page(
    request: HttpRequest, reference: str, pk: int, page: int, obj: Case
) -> HttpResponse:
    attachment = obj.attachments.filter(pk=pk).first()
    if attachment is None or not pages.can_render(attachment.kind) or page > pages.PAGE_LIMIT:
        raise Http404
    data = actions.read_evidence(obj, attachment, actor=_user(request))
    try:
        picture = pages.render_page(data, page, attachment.kind)
    except pages.CannotRender:
        raise Http404 from None
    response = HttpResponse(picture, content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def measure(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        actions.record_measure(
            obj, MeasureKind(data["kind"]), data["details"], actor=_user(request)
        )
        return _("The interim measure is recorded; its first review is scheduled.")

    return _act_page(request, obj, "measure", case_forms.MeasureForm(**_bound(request)), act)


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def measure_review(request: HttpRequest, reference: str, pk: int, obj: Case) -> HttpResponse:
    item = InterimMeasure.objects.filter(case=obj, pk=pk).first()
    if item is None:
        raise Http404

    def act(data: dict[str, Any]) -> str:
        actions.review_measure(
            item, actor=_user(request), notes=data["notes"], end=bool(data.get("end"))
        )
        return _("The review is recorded.")

    form = case_forms.ReviewForm(**_bound(request))
    return _act_page(
        request,
        obj,
        "measure-review",
        form,
        act,
        template="staff/case/measure_review.html",
        item=item,
    )


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        actions.assign(obj, data["user"], AssignmentRole(data["role"]), actor=_user(request))
        return _("%(user)s is assigned.") % {"user": data["user"]}

    # The overview's "Assign the appeals panel" comes with the role already chosen.
    role = request.GET.get("role", "")
    initial = {"role": role} if role in AssignmentRole.values else {}
    form = case_forms.AssignForm(**_bound(request), initial=initial)
    return _act_page(request, obj, "assign", form, act)


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def unassign(request: HttpRequest, reference: str, pk: int, obj: Case) -> HttpResponse:
    item = (
        Assignment.objects.filter(case=obj, pk=pk, ended_at__isnull=True)
        .select_related("user")
        .first()
    )
    if item is None:
        raise Http404

    def act(data: dict[str, Any]) -> str:
        actions.unassign(item, actor=_user(request), reasons=data["reasons"])
        return _("The assignment has ended.")

    form = case_forms.ReasonsForm(**_bound(request))
    return _act_page(
        request, obj, "unassign", form, act, template="staff/case/reasons.html", item=item
    )


# The three acts on a hold: each its own page; the first path also takes the step by name.
HOLD_STEPS = {"hold": "hold", "review": "hold-review", "resume": "resume"}


def _hold(request: HttpRequest, obj: Case, name: str) -> HttpResponse:
    user = _user(request)

    def act(data: dict[str, Any]) -> str:
        if name == "hold":
            actions.put_on_hold(obj, actor=user, reason=data["reasons"])
            return _("The case is on hold: its deadlines are paused.")
        if name == "hold-review":
            actions.review_hold(obj, actor=user, notes=data["reasons"])
            return _("The hold is reviewed and continues.")
        actions.resume(obj, actor=user, reasons=data["reasons"])
        return _("The hold has ended: the deadlines run again.")

    form = case_forms.ReasonsForm(**_bound(request))
    return _act_page(request, obj, name, form, act, template="staff/case/reasons.html")


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def hold(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    step = request.POST.get("step", "hold") if request.method == "POST" else "hold"
    if step not in HOLD_STEPS:
        raise Http404
    return _hold(request, obj, HOLD_STEPS[step])


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def hold_review(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    return _hold(request, obj, "hold-review")


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def resume(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    return _hold(request, obj, "resume")


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def risk(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        actions.request_risk_exception(obj, actor=_user(request), reasons=data["reasons"])
        return _("The risk exception is waiting for the decision-maker.")

    form = case_forms.ReasonsForm(**_bound(request))
    return _act_page(request, obj, "risk", form, act, template="staff/case/reasons.html")


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def risk_decide(request: HttpRequest, reference: str, pk: int, obj: Case) -> HttpResponse:
    """Approve a requested risk exception, or review one: both on the exception's page."""
    exception = RiskException.objects.filter(case=obj, pk=pk).select_related("record").first()
    if exception is None:
        raise Http404
    user = _user(request)
    approving = request.method == "POST" and "approve" in request.POST
    if approving:
        form: forms.Form = case_forms.ApproveForm(request.POST)

        def act(data: dict[str, Any]) -> str:
            actions.approve_risk_exception(exception, actor=user)
            return _("The risk exception is approved; notification is paused.")

    else:
        form = case_forms.RiskReviewForm(**_bound(request))

        def act(data: dict[str, Any]) -> str:
            actions.review_risk_exception(
                exception, actor=user, notes=data["notes"], keep=data["keep"] == "yes"
            )
            return _("The review of the risk exception is recorded.")

    review_form = case_forms.RiskReviewForm() if approving else form
    return _act_page(
        request,
        obj,
        "risk-decide",
        form,
        act,
        template="staff/case/risk_decide.html",
        item=exception,
        review_form=review_form,
    )


@requires("case.read_content", load=load_case)
@require_http_methods(["GET", "POST"])
def notify(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        actions.notify_respondent(obj, actor=_user(request))
        return _("The respondent has been sent a link to the allegations.")

    return _act_page(request, obj, "notify", case_forms.ApproveForm(**_bound(request)), act)
