"""The respondent's pages: reached by an emailed link, never with an account.

The respondent sees the substance of the allegations once notified, the deadlines that concern
them, the findings, the outcome and the appeal window; they answer in writing with evidence and
may comment on the findings and appeal. They never see the complainant's own words, identity,
contact details, evidence or messages (``cases.actions.records_for_respondent``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from redress.accounts.throttle import Throttle
from redress.cases import actions
from redress.cases.actions import CaseError
from redress.cases.models import Case, RespondentInvitation, Source, Stage
from redress.core.middleware import client_fingerprint
from redress.core.routes import public
from redress.intake.uploads import MAX_BYTES, UploadRefused, clean
from redress.respond import forms

SESSION_KEY = "respondent_invitation"
SESSION_SECONDS = 1800

# What each stage means for the respondent, in plain words.
STAGE_WORDS = {
    Stage.INVESTIGATION: gettext_lazy(
        "An investigator is looking into the allegations. Answer them in writing below."
    ),
    Stage.FINDINGS: gettext_lazy(
        "The investigator has written their findings. You may comment on their factual accuracy."
    ),
    Stage.DECISION: gettext_lazy("A decision has been made."),
    Stage.APPEAL_WINDOW: gettext_lazy(
        "A decision has been made. You may appeal within the window below."
    ),
    Stage.APPEAL: gettext_lazy("The decision is under appeal. The appeals panel will decide."),
    Stage.CLOSED: gettext_lazy("The case is closed."),
}


def _invitation(request: HttpRequest) -> RespondentInvitation | None:
    pk = request.session.get(SESSION_KEY)
    if pk is None:
        return None
    return (
        RespondentInvitation.objects.filter(
            pk=pk, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("case", "person")
        .first()
    )


@public
@require_GET
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    invitation = actions.invitation_for(token)
    if invitation is None:
        return render(request, "respond/bad_link.html", status=400)
    request.session.cycle_key()
    request.session[SESSION_KEY] = invitation.pk
    request.session.set_expiry(SESSION_SECONDS)
    # The secret leaves the address bar (and the browser's history) at once.
    return redirect("respond:case")


def _context(case: Case, **bound: Any) -> dict[str, Any]:
    decided = bool(case.decision) and case.stage in (
        Stage.DECISION,
        Stage.APPEAL_WINDOW,
        Stage.APPEAL,
        Stage.CLOSED,
    )
    appeal_closes = actions.appeal_closes_on(case)
    return {
        "case": case,
        "stage_words": str(STAGE_WORDS.get(Stage(case.stage), "")),
        "records": actions.records_for_respondent(case),
        "decided": decided,
        "appeal_closes": appeal_closes if case.stage == Stage.APPEAL_WINDOW else None,
        "can_comment": case.stage == Stage.FINDINGS,
        "can_answer": case.stage not in (Stage.CLOSED,),
        "answer_form": bound.get("answer") or forms.AnswerForm(auto_id="answer-%s"),
        "comment_form": bound.get("comment") or forms.CommentForm(auto_id="comment-%s"),
        "appeal_form": bound.get("appeal") or forms.AppealForm(auto_id="appeal-%s"),
        "evidence_form": bound.get("evidence") or forms.EvidenceForm(auto_id="evidence-%s"),
        "support_text": getattr(settings, "REDRESS_RESPONDENT_SUPPORT", ""),
        "refused": next((f for f in bound.values() if f.errors), None),
    }


@public
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest) -> HttpResponse:
    invitation = _invitation(request)
    if invitation is None:
        return render(request, "respond/signed_out.html", status=200)
    case = Case.objects.select_related("data_key").get(pk=invitation.case_id)
    if request.method == "GET":
        return render(request, "respond/case.html", _context(case))
    act = request.POST.get("act", "")
    form: Any
    try:
        if act == "answer":
            form = forms.AnswerForm(request.POST, auto_id="answer-%s")
            if form.is_valid():
                actions.answer_as_respondent(case, form.cleaned_data["body"])
                messages.success(request, _("Your answer has been sent to the investigator."))
                return redirect("respond:case")
        elif act == "comment":
            form = forms.CommentForm(request.POST, auto_id="comment-%s")
            if form.is_valid():
                actions.comment_on_findings(
                    case, form.cleaned_data["body"], source=Source.RESPONDENT
                )
                messages.success(request, _("Your comment on the findings has been sent."))
                return redirect("respond:case")
        elif act == "appeal":
            form = forms.AppealForm(request.POST, auto_id="appeal-%s")
            if form.is_valid():
                actions.lodge_appeal(case, form.cleaned_data["grounds"], by=Source.RESPONDENT)
                messages.success(
                    request, _("Your appeal has been lodged. The appeals panel will decide.")
                )
                return redirect("respond:case")
        elif act == "evidence":
            form = forms.EvidenceForm(request.POST, request.FILES, auto_id="evidence-%s")
            if form.is_valid():
                upload = form.cleaned_data["file"]
                cleaned = clean(upload.read(MAX_BYTES + 1), filename=upload.name or "")
                actions.attach(
                    case,
                    cleaned.data,
                    kind=cleaned.kind,
                    original_name=upload.name or "",
                    kept_original=False,
                    source=Source.RESPONDENT,
                    actor="respondent",
                )
                messages.success(request, _("Your evidence has been added."))
                return redirect("respond:case")
        else:
            return render(request, "respond/case.html", _context(case), status=400)
    except (CaseError, UploadRefused) as refused:
        form.add_error(None, getattr(refused, "message", None) or str(refused))
    case.refresh_from_db()
    return render(request, "respond/case.html", _context(case, **{act: form}), status=400)


def _link_throttle() -> Throttle:
    return Throttle(
        "respondent-link",
        limit=settings.RECEIPT_MAX_FAILURES,
        window=settings.RECEIPT_LOCKOUT_SECONDS,
    )


@public
@require_http_methods(["GET", "POST"])
def new_link(request: HttpRequest) -> HttpResponse:
    form = forms.EmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        throttle = _link_throttle()
        client = client_fingerprint(request)
        if throttle.is_locked(client):
            form.add_error("email", _("Too many requests. Try again later."))
        else:
            throttle.fail(client)  # every request counts: the answer is the same either way
            actions.resend_invitation(form.cleaned_data["email"])
            return render(request, "respond/link_sent.html")
    return render(
        request, "respond/new_link.html", {"form": form}, status=400 if form.errors else 200
    )


@public
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("respond:case")
