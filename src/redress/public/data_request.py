"""The one-time link by which a person receives the answer to their data protection request.

Opening the link shows what the answer holds and a button; only pressing it (a POST) downloads
a zip of the answer as PDF and JSON and spends the link, so a mail scanner that opens every
link in a message, as recovery links are guarded, cannot use the answer up before the person
does. Any use after that, or after the link expired, says so plainly (410 Gone). A link that
never existed is answered 404, without saying whether any request exists."""

from __future__ import annotations

import io
import zipfile

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from redress.core.routes import public
from redress.subjectaccess.actions import LinkRefused, check_link, use_link
from redress.subjectaccess.models import Kind


def _refused(request: HttpRequest, refused: LinkRefused) -> HttpResponse:
    status = 404 if refused.why == "unknown" else 410
    context = {"why": refused.why}
    return render(request, "public/data_request_refused.html", context, status=status)


@public
@require_http_methods(["GET", "POST"])
def download(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "GET":
        try:
            found = check_link(token)
        except LinkRefused as refused:
            return _refused(request, refused)
        context = {
            "reference": found.reference,
            "access": found.kind == Kind.ACCESS,
            "expires_at": found.release_expires_at,
        }
        response = render(request, "public/data_request.html", context)
        response["Cache-Control"] = "no-store"
        return response
    try:
        answer = use_link(token)
    except LinkRefused as refused:
        return _refused(request, refused)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{answer.reference}.pdf", answer.answer_pdf)
        archive.writestr(f"{answer.reference}.json", answer.answer_json.encode("utf-8"))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{answer.reference}.zip"'
    response["Cache-Control"] = "no-store"
    return response
