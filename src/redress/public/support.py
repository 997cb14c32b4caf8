"""The complainant asks for support from their report's page (read with the receipt code):
at any point, and in particular once there is a decision or an appeal. The adviser answers on
the same channel, as a message on the report."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from redress.core.routes import public
from redress.helpline import actions
from redress.helpline.forms import AskForm
from redress.helpline.models import Party
from redress.helpline.queries import offer_for
from redress.public.followup import _case


@public
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    case = _case(request)
    if case is None:
        return redirect("public:report-check-code")
    back = reverse("public:report-status") + "#helpline"
    if offer_for(case, Party.COMPLAINANT).open_request is not None:
        return redirect(back)  # asked already: the report's page says when to expect contact
    form = AskForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        point = actions.offer_point(case, Party.COMPLAINANT)
        try:
            actions.ask_for_support(case, Party.COMPLAINANT, point, form.cleaned_data["words"])
        except actions.HelplineError as refused:
            form.add_error("words", refused.message)
        else:
            messages.success(
                request, _("You asked for support. A support adviser will contact you here.")
            )
            return redirect(back)
    context = {
        "form": form,
        "base": "complainant_base.html",
        "back": "public:report-status",
        "days": settings.SUPPORT_FIRST_CONTACT_DAYS,
    }
    return render(request, "helpline/ask.html", context, status=400 if form.errors else 200)
