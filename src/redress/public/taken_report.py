"""The record of a report taken by phone or in person, for its reporter to check (EU Directive
2019/1937, Art. 18(2)-(4)): signed in with their receipt code, they read it as it was written
down, and confirm it or correct it. Their correction goes on the case as their own message to
the handlers. Works without JavaScript.
"""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from redress.core.routes import public
from redress.intake import actions, taken
from redress.intake.forms import MAX_NARRATIVE
from redress.intake.models import TakenReport
from redress.public.followup import _case


class CorrectionForm(forms.Form):
    correction = forms.CharField(
        label=gettext_lazy("What is wrong or missing, and what it should say"),
        max_length=MAX_NARRATIVE,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": gettext_lazy("Write what should be corrected"),
            "max_length": gettext_lazy("Your correction must be 10,000 characters or fewer"),
        },
    )


@public
@require_http_methods(["GET", "POST"])
def confirm_record(request: HttpRequest) -> HttpResponse:
    """Show the record as taken and take the reporter's answer: confirm, or correct."""
    case = _case(request)
    if case is None:
        return redirect("public:report-check-code")
    if not TakenReport.objects.filter(case=case).exists():
        return redirect("public:report-status")
    form = CorrectionForm(request.POST if "correct" in request.POST else None)
    refused = None
    if request.method == "POST":
        try:
            if "confirm" in request.POST:
                taken.confirm(case)
                return redirect("public:report-confirm-record")
            if "correct" in request.POST and form.is_valid():
                taken.correct(case, form.cleaned_data["correction"])
                return redirect("public:report-confirm-record")
        except taken.AlreadyAnswered:
            refused = _("You have already answered: the record cannot be answered again.")
        except actions.ReportClosed:
            refused = _("This report was withdrawn, so its record cannot be changed.")
        if refused is None and not form.errors:
            form.add_error("correction", _("Choose to confirm the record, or write a correction"))
    status = taken.status_for(case)
    return render(
        request,
        "public/followup/confirm_record.html",
        {
            "case": case,
            # The record is shown (and its showing ledgered) only while it awaits an answer.
            "taken": taken.record_for(case) if status and status.awaiting else None,
            "status": status,
            "form": form,
            "refused": refused,
        },
        status=409 if refused else (400 if form.errors else 200),
    )
