"""Check your report: the complainant comes back with the receipt code, no account needed.

Wrong codes are throttled per client (the client is known only to an in-memory counter) and
across the whole service, and each is counted in the ledger without saying who typed it.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from redress.accounts.throttle import Throttle
from redress.cases import actions as case_actions
from redress.cases.models import Case, RecordKind, Source
from redress.core.deferred import send_after
from redress.core.middleware import client_fingerprint
from redress.core.routes import public
from redress.intake import actions, contact
from redress.intake.forms import (
    AppealForm,
    CheckCodeForm,
    FindingsCommentForm,
    LostCodeForm,
    MessageForm,
    WithdrawForm,
)
from redress.intake.progress import next_step
from redress.intake.uploads import MAX_BYTES, UploadRefused, clean

FOLLOW_UP = "intake_case"


def _lost_code_throttle() -> Throttle:
    return Throttle(
        "lost-code", limit=settings.RECEIPT_MAX_FAILURES, window=settings.RECEIPT_LOCKOUT_SECONDS
    )


def _case(request: HttpRequest) -> Case | None:
    pk = request.session.get(FOLLOW_UP)
    if pk is None:
        return None
    return Case.objects.select_related("data_key").filter(pk=pk).first()


@public
@require_http_methods(["GET", "POST"])
def check_code(request: HttpRequest) -> HttpResponse:
    form = CheckCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            case = actions.open_with_code(
                form.cleaned_data["code"], client=client_fingerprint(request)
            )
        except actions.CodeEntryPaused:
            minutes = settings.RECEIPT_LOCKOUT_SECONDS // 60
            form.add_error(
                "code",
                _("Too many codes were not recognised. Try again in %(minutes)d minutes.")
                % {"minutes": minutes},
            )
        else:
            if case is None:
                form.add_error(
                    "code",
                    _("We could not find a report with that code. Check it and try again"),
                )
            else:
                request.session.cycle_key()
                request.session[FOLLOW_UP] = case.pk
                request.session.set_expiry(settings.FOLLOW_UP_SESSION_SECONDS)
                return redirect("public:report-status")
    return render(
        request, "public/followup/check.html", {"form": form}, status=400 if form.errors else 200
    )


@public
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    case = _case(request)
    if case is None:
        return redirect("public:report-check-code")
    posted = request.POST if request.method == "POST" else None
    message_form = MessageForm(posted if posted and "send" in posted else None)
    # The button is not named after the field: its value would be taken for the comment.
    comment_form = FindingsCommentForm(posted if posted and "findings_comment" in posted else None)
    appeal_form = AppealForm(posted if posted and "appeal" in posted else None)
    upload_error = None
    if request.method == "POST":
        if "send" in request.POST and message_form.is_valid():
            try:
                actions.send_message_from_complainant(case, message_form.cleaned_data["body"])
            except actions.ReportClosed:
                message_form.add_error(
                    "body", _("This report was withdrawn, so it takes no messages")
                )
            else:
                return redirect("public:report-status")
        elif "findings_comment" in request.POST and comment_form.is_valid():
            try:
                case_actions.comment_on_findings(
                    case, comment_form.cleaned_data["comment"], source=Source.COMPLAINANT
                )
            except case_actions.CaseError as refused:
                comment_form.add_error("comment", str(refused))
            else:
                return redirect("public:report-status")
        elif "appeal" in request.POST and appeal_form.is_valid():
            try:
                case_actions.lodge_appeal(
                    case, appeal_form.cleaned_data["grounds"], by=Source.COMPLAINANT
                )
            except case_actions.CaseError as refused:
                appeal_form.add_error("grounds", str(refused))
            else:
                return redirect("public:report-status")
        elif "upload" in request.POST:
            upload = request.FILES.get("file")
            if upload is None:
                upload_error = _("Select a file to upload")
            else:
                try:
                    cleaned = clean(upload.read(MAX_BYTES + 1), filename=upload.name or "")
                    actions.add_evidence(case, cleaned, original_name=upload.name or "")
                except UploadRefused as refused:
                    upload_error = refused.message
                except actions.ReportClosed:
                    upload_error = _("This report was withdrawn, so it takes no more evidence")
                else:
                    return redirect("public:report-status")
    step = next_step(case)
    context = {
        "case": case,
        "next": step,
        "messages_on_case": case.messages.all(),
        "attachments": case.attachments.filter(source=Source.COMPLAINANT),
        "findings": case.records.filter(kind=RecordKind.FINDINGS) if step.show_findings else [],
        "message_form": message_form,
        "comment_form": comment_form,
        "appeal_form": appeal_form,
        "upload_error": upload_error,
    }
    bad = message_form.errors or comment_form.errors or appeal_form.errors or upload_error
    return render(request, "public/followup/status.html", context, status=400 if bad else 200)


@public
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest) -> HttpResponse:
    case = _case(request)
    if case is None:
        return redirect("public:report-check-code")
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with contextlib.suppress(actions.ReportClosed):  # already withdrawn: nothing to do
            actions.withdraw(case, reason=form.cleaned_data["reason"])
        return redirect("public:report-status")
    return render(
        request,
        "public/followup/withdraw.html",
        {"form": form, "case": case},
        status=400 if form.errors else 200,
    )


@public
@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """Forget the report in this browser (the code still works next time)."""
    request.session.flush()
    return redirect("public:start")


@public
@require_http_methods(["GET", "POST"])
def lost_code(request: HttpRequest) -> HttpResponse:
    """Named and confidential complainants get a one-time link at their verified address."""
    form = LostCodeForm(request.POST if request.method == "POST" else None)
    sent = False
    emails = []
    if request.method == "POST" and form.is_valid():
        client = client_fingerprint(request)
        throttle = _lost_code_throttle()
        if throttle.is_locked(client):
            form.add_error("email", _("Too many requests. Try again later."))
        else:
            throttle.fail(client)  # every request counts: it may send an email
            emails = contact.recovery_emails(form.cleaned_data["email"])
            sent = True
    response = render(
        request,
        "public/followup/lost_code.html",
        {"form": form, "sent": sent},
        status=400 if form.errors else 200,
    )
    # Sent after the answer, so how long it took never says whether the address reported.
    return send_after(response, emails)


@public
@require_GET
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    ok = contact.verify_email(token)
    return render(
        request, "public/followup/email_verified.html", {"ok": ok}, status=200 if ok else 400
    )


@public
@require_http_methods(["GET", "POST"])
def recover(request: HttpRequest, token: str) -> HttpResponse:
    """A recovery link: confirm (a POST, so mail scanners opening links change nothing), then
    the new code, shown once."""
    receipt = contact.recovery_receipt(token)
    code = None
    if receipt is not None and request.method == "POST":
        code = contact.reissue(receipt)
    return render(
        request,
        "public/followup/recover.html",
        {"valid": receipt is not None or code is not None, "code": code},
        status=200 if receipt is not None else 400,
    )
