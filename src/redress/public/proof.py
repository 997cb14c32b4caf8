"""The complainant's proof: their acknowledgement as a file to keep, renewed on request.

Check your report offers the acknowledgement with its proof once a published checkpoint covers
the report (``intake.acknowledgement``); each download is proved against the newest published
checkpoint, with the consistency proof from the first one. A complainant who kept an earlier
file can upload it to have that file's own proof carried forward instead. No JavaScript needed.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from redress.core.routes import public
from redress.intake import acknowledgement
from redress.public.followup import _case


def download(ack: dict[str, Any]) -> HttpResponse:
    """The acknowledgement as a file to save (compact JSON: every byte of it is checked)."""
    response = HttpResponse(acknowledgement.dumps(ack), content_type=acknowledgement.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{acknowledgement.filename(ack)}"'
    response["Cache-Control"] = "no-store"
    return response


@public
@require_GET
def acknowledgement_file(request: HttpRequest) -> HttpResponse:
    """The report's acknowledgement as it stands now, with its proof when one is ready."""
    case = _case(request)
    if case is None:
        return redirect("public:report-check-code")
    return download(acknowledgement.build(case))


@public
@require_http_methods(["GET", "POST"])
def renew(request: HttpRequest) -> HttpResponse:
    """Upload a kept acknowledgement to have its proof carried forward to the newest checkpoint."""
    case = _case(request)
    if case is None:
        return redirect("public:report-check-code")
    error = None
    record_changed = False
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or not upload.size:
            error = _("Select the acknowledgement file you kept")
        elif upload.size > acknowledgement.MAX_BYTES:
            error = _("The file you chose is too large to be an acknowledgement")
        else:
            try:
                renewed = acknowledgement.renew(case, upload.read(acknowledgement.MAX_BYTES + 1))
            except acknowledgement.RenewRefused as refused:
                record_changed = refused.record_changed
                error = (
                    _(
                        "The public log today does not carry on from the checkpoint in your "
                        "file. Keep your file: it may show that the record has been changed."
                    )
                    if record_changed
                    else _(
                        "The file you chose is not an acknowledgement of this report, or it "
                        "has been changed"
                    )
                )
            else:
                return download(renewed)
    return render(
        request,
        "public/followup/proof.html",
        {
            "case": case,
            "error": error,
            "record_changed": record_changed,
            "proof": acknowledgement.state(case),
        },
        status=400 if error else 200,
    )
