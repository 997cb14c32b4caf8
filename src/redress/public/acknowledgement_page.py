"""The acknowledgement as a person reads it: a page, and a PDF to print or keep.

The signed file (``public.proof.download``) is for someone checking the proof; a complainant
also needs to read, in words, what was received and when, its reference and how to check it
later. The page and the PDF say that, and offer the signed file beside them. Neither holds the
receipt code (the signed file does not either): a PDF left on a shared computer or printed must
not open the report. Both come from the same facts as the signed file: the ``case.received``
ledger entry's time and its place in the public log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from redress.cases.models import Case
from redress.core.routes import public
from redress.intake import acknowledgement
from redress.public.followup import _case
from redress.public.report import ACKNOWLEDGEMENT, _submitted


def when_in_words(moment: dt.datetime) -> str:
    """A time as GOV.UK writes it, in the scheme's time zone: "7 December 2026 at 4:27am"."""
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    half = pgettext("time of day", "am") if local.hour < 12 else pgettext("time of day", "pm")
    return _("%(day)s at %(time)s") % {
        "day": date_format(local, "j F Y"),
        "time": f"{hour}:{local.minute:02d}{half}",
    }


@dataclass(frozen=True)
class Facts:
    """What the page and the PDF say: nothing that is not in the signed file, and no code."""

    reference: str
    received: str
    position: int
    proof_ready: bool
    proof_by: str | None
    check_address: str


def facts(case: Case) -> Facts:
    entry = acknowledgement.received_entry(case)
    where = acknowledgement.place(case, entry)
    proof = acknowledgement.state(case)
    return Facts(
        reference=case.reference,
        received=when_in_words(entry.time),
        position=where.index + 1,
        proof_ready=proof.ready,
        proof_by=when_in_words(proof.ready_by) if proof.ready_by else None,
        check_address=settings.SITE_URL.rstrip("/") + reverse("public:report-check-code"),
    )


def _page(request: HttpRequest, case: Case, *, pdf: str, signed: str, back: str) -> HttpResponse:
    context: dict[str, Any] = {
        "facts": facts(case),
        "pdf_url": pdf,
        "signed_url": signed,
        "back_url": back,
    }
    return render(request, "public/acknowledgement/page.html", context)


def _pdf(case: Case) -> HttpResponse:
    from weasyprint import HTML  # imported here: heavy, and only the PDF needs it

    found = facts(case)
    html = render_to_string(
        "public/acknowledgement/document.html",
        {
            "facts": found,
            "title": _("Acknowledgement of your report %(reference)s")
            % {"reference": found.reference},
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "service_name": settings.SERVICE_NAME,
            "scheme_name": settings.SCHEME_NAME,
        },
    )
    # PDF/UA-1: tagged, so a screen reader can follow it, with its title and language.
    document = bytes(HTML(string=html).write_pdf(pdf_variant="pdf/ua-1"))
    response = HttpResponse(document, content_type="application/pdf")
    name = f"redress-acknowledgement-{found.reference}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _just_sent(request: HttpRequest) -> Case:
    """The report this browser has just sent, while its acknowledgement is on offer."""
    draft = _submitted(request)
    if not request.session.get(ACKNOWLEDGEMENT) or draft is None or draft.case is None:
        raise Http404
    return draft.case


@public
@require_GET
def sent_page(request: HttpRequest) -> HttpResponse:
    """The acknowledgement to read, just after reporting."""
    return _page(
        request,
        _just_sent(request),
        pdf=reverse("public:report-acknowledgement-pdf"),
        signed=reverse("public:report-acknowledgement"),
        back=reverse("public:report-sent"),
    )


@public
@require_GET
def sent_pdf(request: HttpRequest) -> HttpResponse:
    return _pdf(_just_sent(request))


@public
@require_GET
def check_page(request: HttpRequest) -> HttpResponse:
    """The acknowledgement to read, from Check your report (opened with the receipt code)."""
    case = _case(request)
    if case is None:
        return redirect("public:report-check-code")
    return _page(
        request,
        case,
        pdf=reverse("public:report-proof-pdf"),
        signed=reverse("public:report-proof-download"),
        back=reverse("public:report-status") + "#proof",
    )


@public
@require_GET
def check_pdf(request: HttpRequest) -> HttpResponse:
    case = _case(request)
    if case is None:
        return redirect("public:report-check-code")
    return _pdf(case)
