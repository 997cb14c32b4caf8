"""The respondent asks for support from their own page, once told of the complaint: at the
notification, the decision or the appeal. The adviser answers with a note on that page and an
email saying only that there is news."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from redress.cases.models import Case
from redress.core.routes import public
from redress.helpline import actions
from redress.helpline.forms import AskForm
from redress.helpline.models import Party
from redress.helpline.queries import offer_for
from redress.respond.views import _invitation


@public
@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest) -> HttpResponse:
    invitation = _invitation(request)
    if invitation is None:
        return redirect("respond:case")  # signed out: the case page says how to come back
    case = Case.objects.select_related("data_key").get(pk=invitation.case_id)
    back = reverse("respond:case") + "#helpline"
    if case.respondent_notified_at is None or offer_for(case, Party.RESPONDENT).open_request:
        return redirect(back)
    form = AskForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        point = actions.offer_point(case, Party.RESPONDENT)
        try:
            actions.ask_for_support(case, Party.RESPONDENT, point, form.cleaned_data["words"])
        except actions.HelplineError as refused:
            form.add_error("words", refused.message)
        else:
            messages.success(
                request,
                _("You asked for support. A support adviser will contact you on this page."),
            )
            return redirect(back)
    context = {
        "form": form,
        "base": "respond/base.html",
        "back": "respond:case",
        "days": settings.SUPPORT_FIRST_CONTACT_DAYS,
    }
    return render(request, "helpline/ask.html", context, status=400 if form.errors else 200)
