"""The one-time link by which a person receives the answer to their data protection request.

The first use downloads a zip of the answer as PDF and JSON, and spends the link; any later
use, or a use after it expired, says so plainly (410 Gone). A link that never existed is
answered 404, without saying whether any request exists."""

from __future__ import annotations

import io
import zipfile

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from redress.core.routes import public
from redress.subjectaccess.actions import LinkRefused, use_link


@public
@require_GET
def download(request: HttpRequest, token: str) -> HttpResponse:
    try:
        answer = use_link(token)
    except LinkRefused as refused:
        status = 404 if refused.why == "unknown" else 410
        context = {"why": refused.why}
        return render(request, "public/data_request_refused.html", context, status=status)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{answer.reference}.pdf", answer.answer_pdf)
        archive.writestr(f"{answer.reference}.json", answer.answer_json.encode("utf-8"))
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{answer.reference}.zip"'
    response["Cache-Control"] = "no-store"
    return response
