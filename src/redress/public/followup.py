"""Check your report: the complainant comes back with the receipt code, no account needed.

Wrong codes are throttled per client (the client is known only to an in-memory counter) and
across the whole service, and each is counted in the ledger without saying who typed it.
"""

from __future__ import annotations

import base64
import contextlib
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from redress.accounts.throttle import Throttle
from redress.cases import actions as case_actions
from redress.cases.models import Attachment, Case, Identity, RecordKind, Source
from redress.core.deferred import send_after
from redress.core.middleware import client_fingerprint, client_network
from redress.core.routes import public
from redress.disclosure import actions as disclosure
from redress.helpline.models import Party
from redress.helpline.queries import offer_for
from redress.intake import acknowledgement, actions, contact, taken
from redress.intake.filetypes import MAX_BYTES, PARSED_KINDS
from redress.intake.forms import (
    AppealForm,
    CheckCodeForm,
    EvidenceForm,
    FindingsCommentForm,
    LostCodeForm,
    MessageForm,
    WithdrawForm,
)
from redress.intake.progress import next_step
from redress.intake.sandbox import CleanedFile, clean
from redress.intake.upload_words import UploadRefused, in_words, removed_in_words
from redress.vetting import words

FOLLOW_UP = "intake_case"
MAX_CASE_FILES = actions.MAX_CASE_FILES
# A file the complainant asked to keep as it was, held by intake until they have been told what
# it reveals and said yes (``actions.hold_evidence``): the session keeps where it is.
PENDING = "intake_pending_evidence"
# What the last upload was, told once on the next page: what was removed, or what it still shows.
ADDED = "intake_evidence_added"
# Whether a fresh confirmation link was just sent, told once on the next page.
RESENT = "intake_verification_resent"
# When the report was last opened with its code before this visit (ISO time), or None.
LAST_READ = "intake_last_read"


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
                form.cleaned_data["code"],
                client=client_fingerprint(request),
                network=client_network(request),
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
                earlier = actions.last_read(case)
                request.session[LAST_READ] = earlier.isoformat() if earlier else None
                request.session.set_expiry(settings.FOLLOW_UP_SESSION_SECONDS)
                if taken.awaiting(case):  # a report taken by staff: its record comes first
                    return redirect("public:report-confirm-record")
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
        elif "resend_verification" in request.POST:
            client = client_fingerprint(request)
            if _lost_code_throttle().take(client):  # each one sends an email
                request.session[RESENT] = contact.resend_verification(case, client=client)
            return redirect(reverse("public:report-status") + "#email")
        elif "upload" in request.POST or _keep_choice(request):
            choice = _keep_choice(request)
            upload_error = _decide(request, case, choice) if choice else _upload(request, case)
            if upload_error is None:
                return redirect(reverse("public:report-status") + "#evidence")
    step = next_step(case)
    pending = _pending(request, case)
    at_limit = None if pending else _full(case)
    context = {
        "case": case,
        "record_awaiting": taken.awaiting(case),
        "next": step,
        "messages_on_case": case.messages.all(),
        "attachments": case.attachments.filter(source=Source.COMPLAINANT),
        "pending": pending,
        "added": _added(request, case),
        "at_limit": at_limit,  # the sentence saying so, standing in place of the file box
        "max_files": MAX_CASE_FILES,
        # Where the error summary's link goes: the file box, or the sentence standing for it.
        "upload_error_target": "pending"
        if pending
        else ("evidence-limit" if at_limit else "id_file"),
        "findings": case.records.filter(kind=RecordKind.FINDINGS) if step.show_findings else [],
        "appeal": case_actions.appeal_told(case),
        "sanction_terms": _sanction_terms(case) if step.decided else None,
        "message_form": message_form,
        "comment_form": comment_form,
        "appeal_form": appeal_form,
        "upload_error": upload_error,
        "email_unconfirmed": contact.awaiting_verification(case) is not None,
        "verification_resent": request.session.pop(RESENT, None),
        "proof": acknowledgement.state(case),
        "last_read": _last_read(request),
        # Only a confidential complainant's identity is sealed, so only theirs is disclosed.
        "disclosures": (
            disclosure.disclosures_told(case) if case.identity == Identity.CONFIDENTIAL else []
        ),
        "support_offer": offer_for(case, Party.COMPLAINANT),
    }
    bad = message_form.errors or comment_form.errors or appeal_form.errors or upload_error
    return render(request, "public/followup/status.html", context, status=400 if bad else 200)


def _sanction_terms(case: Case) -> dict[str, str] | None:
    """When the sanction runs, in words. The complainant is told the kind and its dates, not
    its conditions: those are written for the register and the respondent, and no policy of
    the scheme says the complainant is told them."""
    if case.sanction_starts_on is None:
        return None
    return {"said": words.case_sanction_words(case)}


def _last_read(request: HttpRequest) -> datetime | None:
    stored = request.session.get(LAST_READ)
    if not isinstance(stored, str):
        return None
    try:
        return datetime.fromisoformat(stored)
    except ValueError:
        return None


KEEP = "keep_confirm"  # add it as it was, hidden details and all
STRIP = "keep_strip"  # remove the hidden details after all, then add it
CANCEL = "keep_cancel"  # do not add it
KEEP_CHOICES = (KEEP, STRIP, CANCEL)


def _keep_choice(request: HttpRequest) -> str | None:
    return next((choice for choice in KEEP_CHOICES if choice in request.POST), None)


def _full(case: Case) -> str | None:
    """The refusal once a case has as many of the complainant's files as it may: asked first,
    so a full case reads no upload; ``add_evidence`` asks again under a lock."""
    return None if actions.complainant_files(case) < MAX_CASE_FILES else _full_words()


def _full_words() -> str:
    return _(
        "Your report has %(count)d files, the most it can have. To give more, send your "
        "caseworker a message."
    ) % {"count": MAX_CASE_FILES}


def _upload(request: HttpRequest, case: Case) -> str | None:
    """Add the posted file, or hold it to ask first when it is kept with hidden details.

    Returns the refusal to show, or None when the page should be shown again afresh.
    """
    form = EvidenceForm(request.POST, request.FILES)
    upload = request.FILES.get("file")
    if not form.is_valid() or upload is None:
        return str(form.errors.get("file", [_("Select a file to upload")])[0])
    refused_for_size = _full(case)
    if refused_for_size:
        return refused_for_size
    name = upload.name or ""
    keep_original = bool(form.cleaned_data.get("keep_original"))
    try:
        cleaned = clean(upload.read(MAX_BYTES + 1), filename=name, keep_original=keep_original)
        if keep_original and cleaned.found:
            _hold(request, case, cleaned, name)
        else:
            _add(request, case, cleaned, name)
    except UploadRefused as refused:
        return refused.message
    except actions.CaseFull:
        return _full_words()  # another upload took the last place meanwhile
    except actions.ReportClosed:
        return _("This report was withdrawn, so it takes no more evidence")
    return None


def _hold(request: HttpRequest, case: Case, cleaned: CleanedFile, name: str) -> None:
    """Hold the original aside (an intake action) until the complainant has seen what it
    reveals. The session (kept in the database) gets only what ``HeldEvidence`` holds."""
    _discard_pending(request)
    held = actions.hold_evidence(case, cleaned, original_name=name)
    request.session[PENDING] = {
        "case": case.pk,
        "stored_name": held.stored_name,
        "name": base64.b64encode(held.sealed_name).decode("ascii"),
        "found": list(held.found),
    }


def _held(request: HttpRequest, case: Case) -> actions.HeldEvidence | None:
    held = request.session.get(PENDING)
    if not isinstance(held, dict) or held.get("case") != case.pk:
        return None
    return actions.HeldEvidence(
        stored_name=held["stored_name"],
        sealed_name=base64.b64decode(held["name"]),
        found=tuple(held["found"]),
    )


def _pending(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The held file as the page shows it: its name and what it reveals, in the page's words."""
    held = _held(request, case)
    if held is None:
        return None
    return {
        "name": actions.held_name(case, held),
        "found": [in_words(label) for label in held.found],
    }


def _discard_pending(request: HttpRequest) -> None:
    held = request.session.pop(PENDING, None)
    if isinstance(held, dict) and held.get("stored_name"):
        actions.discard_held_evidence(
            actions.HeldEvidence(stored_name=held["stored_name"], sealed_name=b"", found=())
        )


def _decide(request: HttpRequest, case: Case, choice: str) -> str | None:
    """The complainant's answer about a held file: keep it as it was, strip it, or drop it."""
    held = _held(request, case)
    if held is None:  # already answered (a second click, another tab): nothing to do
        return None
    if choice == CANCEL:
        _discard_pending(request)
        request.session[ADDED] = {"case": case.pk, "dropped": True}
        return None
    refused_for_size = _full(case)
    if refused_for_size:
        _discard_pending(request)
        return refused_for_size
    request.session.pop(PENDING, None)  # the action removes the held copy, whatever happens
    try:
        attachment, cleaned = actions.add_held_evidence(case, held, keep_original=choice == KEEP)
    except UploadRefused as refused:
        return refused.message
    except actions.CaseFull:
        return _full_words()
    except actions.ReportClosed:
        return _("This report was withdrawn, so it takes no more evidence")
    _tell_added(request, case, attachment, cleaned)
    return None


def _add(request: HttpRequest, case: Case, cleaned: CleanedFile, name: str) -> None:
    attachment = actions.add_evidence(case, cleaned, original_name=name)
    _tell_added(request, case, attachment, cleaned)


def _tell_added(
    request: HttpRequest, case: Case, attachment: Attachment, cleaned: CleanedFile
) -> None:
    request.session[ADDED] = {
        "case": case.pk,
        "attachment": attachment.pk,
        "removed": list(cleaned.removed),
        "removed_names": list(cleaned.removed_names),
        "found": [] if cleaned.removed else list(cleaned.found),
        # Only the kinds the sanitiser reads are looked at for hidden details; of others
        # (plain text) nothing is said.
        "checked": cleaned.kind in PARSED_KINDS,
    }


def _added(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """What the last upload was, told once: the file, and what was removed or what it shows."""
    added = request.session.pop(ADDED, None)
    if not isinstance(added, dict) or added.get("case") != case.pk:
        return None
    if added.get("dropped"):
        return {"dropped": True}
    pk = added.get("attachment")
    attachment = Attachment.objects.filter(case=case, pk=pk).first() if pk else None
    if attachment is None:
        return None
    return {
        "attachment": attachment,
        "removed": removed_in_words(added.get("removed", []), added.get("removed_names", [])),
        "found": [in_words(label) for label in added.get("found", [])],
        "checked": bool(added.get("checked")),
    }


@public
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest) -> HttpResponse:
    case = _case(request)
    if case is None:
        return redirect("public:report-check-code")
    if not case_actions.withdrawal_open(case):
        return redirect("public:report-status")  # withdrawn already, or decided: nothing to do
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # Withdrawn or decided meanwhile: the status page says where the report stands.
        with contextlib.suppress(actions.ReportClosed, case_actions.CaseError):
            actions.withdraw(case, reason=form.cleaned_data["reason"])
        _discard_pending(request)  # a withdrawn report takes no more evidence
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
    _discard_pending(request)
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
        if not _lost_code_throttle().take(client):  # every request counts: it may send email
            form.add_error("email", _("Too many requests. Try again later."))
        else:
            emails = contact.recovery_emails(form.cleaned_data["email"], client=client)
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
