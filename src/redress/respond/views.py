"""The respondent's pages: reached by an emailed link, never with an account.

The respondent sees the substance of the allegations once notified, the deadlines that concern
them, the findings, the outcome and the appeal window; they answer in writing with evidence and
may comment on the findings and appeal. They never see the complainant's own words, identity,
contact details, evidence or messages (``cases.actions.records_for_respondent``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from redress.accounts.throttle import Throttle, email_allowed
from redress.cases import actions, lifecycle, schedule
from redress.cases.actions import CaseError
from redress.cases.models import (
    Case,
    CaseRecord,
    DeadlineKind,
    RecordKind,
    RespondentInvitation,
    Source,
    Stage,
)
from redress.core.deferred import run_after
from redress.core.middleware import client_fingerprint
from redress.core.routes import public
from redress.helpline.models import Party
from redress.helpline.queries import offer_for
from redress.intake.cleaning import cleaning_of
from redress.intake.filetypes import MAX_BYTES
from redress.intake.sandbox import clean
from redress.intake.upload_words import UploadRefused
from redress.respond import forms
from redress.vetting import words

SESSION_KEY = "respondent_invitation"

# What each stage means for the respondent, in plain words. A respondent is told only once the
# case is under investigation, so earlier stages never show here.
STAGE_WORDS = {
    Stage.INVESTIGATION: gettext_lazy(
        "An investigator is looking into the allegations. Answer them in writing below."
    ),
    Stage.FINDINGS: gettext_lazy(
        "The investigator has written their findings. You may comment on their factual accuracy."
    ),
    Stage.DECISION: gettext_lazy("A decision has been made."),
    Stage.APPEAL_WINDOW: gettext_lazy(
        "A decision has been made. You, or the person who complained, may appeal."
    ),
    Stage.APPEAL: gettext_lazy("The decision is under appeal. The appeals panel will decide."),
    Stage.CLOSED: gettext_lazy("The case is closed."),
}

# Headings for what the respondent reads, in their terms.
RECORD_HEADINGS = {
    RecordKind.ALLEGATIONS: gettext_lazy("What is alleged"),
    RecordKind.FINDINGS: gettext_lazy("The investigator's findings"),
    RecordKind.RESPONSE: gettext_lazy("Your answer"),
    RecordKind.ACCURACY_COMMENT: gettext_lazy("Your comment on the findings"),
    RecordKind.APPEAL_GROUNDS: gettext_lazy("Your appeal"),
    RecordKind.APPEAL_OUTCOME: gettext_lazy("The appeal's outcome"),
}

# The dates that concern the respondent, in their terms.
DATE_WORDS = {
    DeadlineKind.INVESTIGATION: gettext_lazy(
        "The investigation should end. Send your answer before then."
    ),
    DeadlineKind.DECIDE: gettext_lazy("A decision on the findings is due."),
    DeadlineKind.APPEAL_WINDOW: gettext_lazy("The time to appeal the decision ends."),
    DeadlineKind.APPEAL: gettext_lazy("The appeals panel should decide."),
}


@dataclass(frozen=True)
class DueDate:
    words: str
    due_on: dt.date | None  # None while the case is on hold


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
    # An idle timeout: the session is saved on every request, so this is time since the last.
    request.session.set_expiry(settings.FOLLOW_UP_SESSION_SECONDS)
    # The secret leaves the address bar (and the browser's history) at once.
    return redirect("respond:case")


def _records(case: Case) -> list[tuple[str, CaseRecord]]:
    """What the respondent reads, with a heading each, oldest first: the shared records (the
    findings only once the investigation has ended, never a draft) and their own comments and
    appeal grounds."""
    shown = [
        r
        for r in actions.records_for_respondent(case)
        if r.kind != RecordKind.FINDINGS
        or lifecycle.order(case.stage) >= lifecycle.order(Stage.FINDINGS)
    ]
    if case.respondent_notified_at is not None:
        shown += case.records.filter(
            kind__in=[RecordKind.ACCURACY_COMMENT, RecordKind.APPEAL_GROUNDS],
            source=Source.RESPONDENT,
        )
    shown.sort(key=lambda r: (r.created_at, r.pk))
    return [(str(RECORD_HEADINGS[RecordKind(r.kind)]), r) for r in shown]


def _dates(case: Case) -> list[DueDate]:
    items = schedule.open_items(case).filter(kind__in=[str(k) for k in DATE_WORDS])
    return [
        DueDate(
            str(DATE_WORDS[DeadlineKind(item.kind)]),
            None if item.paused_remaining is not None else item.due_on,
        )
        for item in items.order_by("due_on", "pk")
    ]


def _sanction_terms(case: Case) -> dict[str, str] | None:
    """The sanction's terms in words, for the person they bind: its dates and length, and its
    conditions as the decision-maker wrote them."""
    if case.sanction_starts_on is None:
        return None
    return {"said": words.case_sanction_words(case), "conditions": words.conditions_of(case)}


def _context(case: Case, **bound: Any) -> dict[str, Any]:
    stage = Stage(case.stage)
    decided = bool(case.decision) and lifecycle.order(stage) >= lifecycle.order(Stage.DECISION)
    appeal_closes = actions.appeal_closes_on(case) if stage == Stage.APPEAL_WINDOW else None
    return {
        "case": case,
        "stage_words": str(STAGE_WORDS.get(stage, "")),
        "records": [r for r in _records(case) if r[1].kind != RecordKind.APPEAL_OUTCOME],
        "appeal": actions.appeal_told(case),
        "dates": _dates(case) if case.respondent_notified_at else [],
        "evidence": case.attachments.filter(source=Source.RESPONDENT).order_by("added_at"),
        "decided": decided,
        "sanction_terms": _sanction_terms(case) if decided else None,
        "appeal_closes": appeal_closes,
        "can_appeal": appeal_closes is not None and schedule.today() <= appeal_closes,
        "can_comment": case.respondent_notified_at is not None
        and stage == Stage.FINDINGS
        and case.records.filter(kind=RecordKind.FINDINGS).exists(),
        "can_answer": actions.answering_open(case),
        "answer_form": bound.get("answer") or forms.AnswerForm(auto_id="answer-%s"),
        "comment_form": bound.get("comment") or forms.CommentForm(auto_id="comment-%s"),
        "appeal_form": bound.get("appeal") or forms.AppealForm(auto_id="appeal-%s"),
        "evidence_form": bound.get("evidence") or forms.EvidenceForm(auto_id="evidence-%s"),
        "support_text": settings.RESPONDENT_SUPPORT,
        "support_offer": offer_for(case, Party.RESPONDENT) if case.respondent_notified_at else None,
        "refused": next((f for f in bound.values() if f.errors), None),
        "idle_minutes": settings.FOLLOW_UP_SESSION_SECONDS // 60,
    }


# Each posted act: its form and the field a refusal is shown against.
_FORMS: dict[str, tuple[type[Form], str]] = {
    "answer": (forms.AnswerForm, "body"),
    "comment": (forms.CommentForm, "body"),
    "appeal": (forms.AppealForm, "grounds"),
    "evidence": (forms.EvidenceForm, "file"),
}


def _act(case: Case, act: str, form: Any) -> str:
    """Carry out one valid posted act; returns what to tell the respondent. Raises CaseError or
    UploadRefused with words for them."""
    if act == "answer":
        actions.answer_as_respondent(case, form.cleaned_data["body"])
        return _("Your answer has been sent to the investigator.")
    if act == "comment":
        actions.comment_on_findings(case, form.cleaned_data["body"], source=Source.RESPONDENT)
        return _("Your comment on the findings has been sent.")
    if act == "appeal":
        actions.lodge_appeal(case, form.cleaned_data["grounds"], by=Source.RESPONDENT)
        return _("Your appeal has been lodged. The appeals panel will decide.")
    if not actions.answering_open(case):
        raise CaseError(_("This case is not open for your answer."))
    upload = form.cleaned_data["file"]
    cleaned = clean(upload.read(MAX_BYTES + 1), filename=upload.name or "")
    actions.attach(
        case,
        cleaned.data,
        kind=cleaned.kind,
        original_name=upload.name or "",
        kept_original=False,
        source=Source.RESPONDENT,
        actor=lifecycle.RESPONDENT,
        cleaning=cleaning_of(cleaned),
    )
    return _("Your evidence has been added.")


@public
@require_http_methods(["GET", "POST"])
def case(request: HttpRequest) -> HttpResponse:
    invitation = _invitation(request)
    if invitation is None:
        return render(
            request,
            "respond/signed_out.html",
            {"idle_minutes": settings.FOLLOW_UP_SESSION_SECONDS // 60},
        )
    case = Case.objects.select_related("data_key").get(pk=invitation.case_id)
    if request.method == "GET":
        actions.record_respondent_read(case)
        return render(request, "respond/case.html", _context(case))
    act = request.POST.get("act", "")
    if act not in _FORMS:
        return render(request, "respond/case.html", _context(case), status=400)
    form_class, field = _FORMS[act]
    form = form_class(request.POST, request.FILES, auto_id=f"{act}-%s")
    if form.is_valid():
        try:
            done = _act(case, act, form)
        except (CaseError, UploadRefused) as refused:
            form.add_error(field, getattr(refused, "message", None) or str(refused))
        else:
            messages.success(request, done)
            return redirect("respond:case")
    case.refresh_from_db()
    actions.record_respondent_read(case)
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
        client = client_fingerprint(request)
        # Every request counts: the answer is the same either way.
        if not _link_throttle().take(client):
            form.add_error("email", _("Too many requests. Try again later."))
        else:
            email = form.cleaned_data["email"]
            response = render(request, "respond/link_sent.html")
            if not email_allowed(email, client=client):
                return response  # the same answer, and no email: one inbox is not flooded
            # Looked up and sent after the answer, so the request does the same work, and
            # takes the same time, whether or not the address is a respondent's.
            return run_after(response, lambda: actions.resend_invitation(email))
    return render(
        request, "respond/new_link.html", {"form": form}, status=400 if form.errors else 200
    )


@public
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect("respond:case")
