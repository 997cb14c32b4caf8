"""The acts on a case, each a POST from the case page to one action in ``cases.actions``.

A refused act shows the case page again, with the refusal in the error summary and what was
typed kept; an act that succeeds redirects back with a notice. Views never write case rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from redress.accounts.access import requires
from redress.accounts.models import User
from redress.cases import actions, lifecycle
from redress.cases.access import load_case
from redress.cases.actions import CaseError
from redress.cases.models import (
    AppealOutcome,
    Assignment,
    AssignmentRole,
    Case,
    Decision,
    InterimMeasure,
    MeasureKind,
    RecordKind,
    RiskException,
    Sanction,
    Source,
    Stage,
)
from redress.intake import pages
from redress.intake.cleaning import cleaning_of, kept_as_uploaded
from redress.intake.filetypes import KINDS, MAX_BYTES
from redress.intake.sandbox import clean
from redress.intake.upload_words import UploadRefused
from redress.staff import case_forms
from redress.staff.cases import case_context
from redress.staff.evidence_details import content_disposition

Act = Callable[[dict[str, Any]], str]


def _perform(
    request: HttpRequest, case: Case, name: str, form: forms.Form, act: Act
) -> HttpResponse:
    """Run ``act`` with the form's cleaned data; on refusal, show the case page again."""
    if form.is_valid():
        try:
            notice = act(form.cleaned_data)
        except (CaseError, UploadRefused) as refused:
            form.add_error(None, getattr(refused, "message", None) or str(refused))
        else:
            messages.success(request, notice)
            return redirect("staff:case", case.reference)
    user = request.user
    assert isinstance(user, User)
    fresh = Case.objects.select_related("data_key", "respondent").get(pk=case.pk)
    return render(
        request, "staff/case.html", case_context(request, fresh, user, **{name: form}), status=400
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


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
@require_POST
def move(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    user = _user(request)
    roles = actions.live_roles(obj, user)
    stages = [m.to for m in lifecycle.MOVES[Stage(obj.stage)] if m.by & roles]
    form = case_forms.MoveForm(request.POST, stages=stages, auto_id="move-%s")

    def act(data: dict[str, Any]) -> str:
        case = actions.transition(
            obj,
            Stage(data["to"]),
            actor=user,
            reasons=data["reasons"],
            decision=Decision(data["decision"]) if data.get("decision") else None,
            sanction=Sanction(data["sanction"]) if data.get("sanction") else None,
        )
        return _("The case is now at “%(stage)s”.") % {"stage": case.get_stage_display()}

    return _perform(request, obj, "move", form, act)


@requires("case.read_content", load=load_case)
@require_POST
def message(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        actions.send_message_to_complainant(obj, data["body"], actor=_user(request))
        return _("Your message is on the complainant's channel.")

    return _perform(
        request, obj, "message", case_forms.MessageForm(request.POST, auto_id="message-%s"), act
    )


@requires("case.read_content", load=load_case)
@require_POST
def record(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        actions.add_record(obj, RecordKind(data["kind"]), data["body"], actor=_user(request))
        return _("The record is on the case file.")

    return _perform(
        request, obj, "record", case_forms.RecordForm(request.POST, auto_id="record-%s"), act
    )


@requires("case.read_content", load=load_case)
@require_POST
def evidence(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    form = case_forms.EvidenceForm(request.POST, request.FILES, auto_id="evidence-%s")
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

    return _perform(request, obj, "evidence", form, act)


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
@require_POST
def measure(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        actions.record_measure(
            obj, MeasureKind(data["kind"]), data["details"], actor=_user(request)
        )
        return _("The interim measure is recorded; its first review is scheduled.")

    return _perform(
        request, obj, "measure", case_forms.MeasureForm(request.POST, auto_id="measure-%s"), act
    )


@requires("case.read_content", load=load_case)
@require_POST
def measure_review(request: HttpRequest, reference: str, pk: int, obj: Case) -> HttpResponse:
    item = InterimMeasure.objects.filter(case=obj, pk=pk).first()
    if item is None:
        raise Http404

    def act(data: dict[str, Any]) -> str:
        actions.review_measure(
            item, actor=_user(request), notes=data["notes"], end=bool(data.get("end"))
        )
        return _("The review is recorded.")

    return _perform(
        request,
        obj,
        f"review-{item.pk}",
        case_forms.ReviewForm(request.POST, auto_id=f"review-{item.pk}-%s"),
        act,
    )


@requires("case.read_content", load=load_case)
@require_POST
def assign(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        actions.assign(obj, data["user"], AssignmentRole(data["role"]), actor=_user(request))
        return _("%(user)s is assigned.") % {"user": data["user"]}

    return _perform(
        request, obj, "assign", case_forms.AssignForm(request.POST, auto_id="assign-%s"), act
    )


@requires("case.read_content", load=load_case)
@require_POST
def unassign(request: HttpRequest, reference: str, pk: int, obj: Case) -> HttpResponse:
    item = Assignment.objects.filter(case=obj, pk=pk, ended_at__isnull=True).first()
    if item is None:
        raise Http404

    def act(data: dict[str, Any]) -> str:
        actions.unassign(item, actor=_user(request), reasons=data["reasons"])
        return _("The assignment has ended.")

    form = case_forms.ReasonsForm(request.POST, auto_id=f"end-{item.pk}-%s")
    return _perform(request, obj, f"end-{item.pk}", form, act)


@requires("case.read_content", load=load_case)
@require_POST
def hold(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    step = request.POST.get("step", "")
    user = _user(request)

    def act(data: dict[str, Any]) -> str:
        if step == "hold":
            actions.put_on_hold(obj, actor=user, reason=data["reasons"])
            return _("The case is on hold: its deadlines are paused.")
        if step == "review":
            actions.review_hold(obj, actor=user, notes=data["reasons"])
            return _("The hold is reviewed and continues.")
        if step == "resume":
            actions.resume(obj, actor=user, reasons=data["reasons"])
            return _("The hold has ended: the deadlines run again.")
        raise CaseError(_("Choose what to do with the hold."))

    return _perform(
        request, obj, "hold", case_forms.ReasonsForm(request.POST, auto_id="hold-%s"), act
    )


@requires("case.read_content", load=load_case)
@require_POST
def risk(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        actions.request_risk_exception(obj, actor=_user(request), reasons=data["reasons"])
        return _("The risk exception is waiting for the decision-maker.")

    return _perform(
        request, obj, "risk", case_forms.ReasonsForm(request.POST, auto_id="risk-%s"), act
    )


@requires("case.read_content", load=load_case)
@require_POST
def risk_decide(request: HttpRequest, reference: str, pk: int, obj: Case) -> HttpResponse:
    exception = RiskException.objects.filter(case=obj, pk=pk).first()
    if exception is None:
        raise Http404
    user = _user(request)
    if "approve" in request.POST:
        try:
            actions.approve_risk_exception(exception, actor=user)
        except CaseError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("The risk exception is approved; notification is paused."))
        return redirect("staff:case", obj.reference)

    def act(data: dict[str, Any]) -> str:
        actions.review_risk_exception(
            exception, actor=user, notes=data["notes"], keep=data["keep"] == "yes"
        )
        return _("The review of the risk exception is recorded.")

    form = case_forms.RiskReviewForm(request.POST, auto_id=f"exception-{exception.pk}-%s")
    return _perform(request, obj, f"exception-{exception.pk}", form, act)


@requires("case.read_content", load=load_case)
@require_POST
def notify(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    try:
        actions.notify_respondent(obj, actor=_user(request))
    except CaseError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The respondent has been sent a link to the allegations."))
    return redirect("staff:case", obj.reference)


@requires("case.read_content", load=load_case)
@require_POST
def appeal(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    def act(data: dict[str, Any]) -> str:
        actions.decide_appeal(
            obj,
            actor=_user(request),
            outcome=AppealOutcome(data["outcome"]),
            reasons=data["reasons"],
            decision=Decision(data["decision"]) if data.get("decision") else None,
            sanction=Sanction(data["sanction"]) if data.get("sanction") else None,
        )
        return _("The appeal is decided and the case is closed.")

    return _perform(
        request,
        obj,
        "appeal",
        case_forms.AppealDecisionForm(request.POST, auto_id="appeal-%s"),
        act,
    )
