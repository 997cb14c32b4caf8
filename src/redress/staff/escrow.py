"""The escrow counsellor's console: set up the key (its private half locked under a passphrase),
see matches, open a match with the passphrase to read the matched entries and whom they are
about, contact each complainant and record that contact was made. Nothing else in Redress is
open to this role."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from redress.accounts.access import has_any_role, requires, rule
from redress.accounts.models import Role, User
from redress.escrow import actions
from redress.escrow.models import CounsellorKey, EscrowEntry, Match, Status

rule("escrow.counsel")(has_any_role(Role.ESCROW_COUNSELLOR))


class PassphraseForm(forms.Form):
    passphrase = forms.CharField(
        label=gettext_lazy("Passphrase"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": gettext_lazy("Enter your passphrase")},
    )


@requires("escrow.counsel")
@require_http_methods(["GET", "POST"])
def console(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    key = CounsellorKey.objects.filter(active=True, owner=user).first()
    form = PassphraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_counsellor_key(user, form.cleaned_data["passphrase"])
        except actions.EscrowError as refused:
            form.add_error("passphrase", str(refused))
        else:
            messages.success(
                request,
                _(
                    "Your key is set up. Keep your passphrase safe: "
                    "without it no match can be opened."
                ),
            )
            return redirect("staff:escrow")
    matches = Match.objects.filter(counsellor__owner=user).order_by("-found_at")
    return render(
        request,
        "staff/escrow/console.html",
        {"key": key, "form": form, "matches": matches},
        status=400 if form.errors else 200,
    )


@requires("escrow.counsel")
@require_http_methods(["GET", "POST"])
def open_match(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    match = Match.objects.filter(pk=pk, counsellor__owner=user).first()
    if match is None:
        raise Http404
    form = PassphraseForm(request.POST if request.method == "POST" else None)
    opened: list[actions.Opened] = []
    if request.method == "POST" and form.is_valid():
        try:
            opened = actions.open_match(
                match, counsellor=user, passphrase=form.cleaned_data["passphrase"]
            )
        except actions.EscrowError as refused:
            form.add_error("passphrase", str(refused))
    about = next((item.respondent for item in opened if item.respondent is not None), None)
    entries = match.entries.filter(status=Status.MATCHED).order_by("pk")
    return render(
        request,
        "staff/escrow/match.html",
        {"match": match, "form": form, "opened": opened, "about": about, "entries": entries},
        status=400 if form.errors else 200,
    )


@requires("escrow.counsel")
@require_POST
def record_contact(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    """The counsellor reached this entry's complainant: recorded once, and ledgered."""
    user = request.user
    assert isinstance(user, User)
    found = EscrowEntry.objects.filter(pk=entry, match_id=pk, match__counsellor__owner=user).first()
    if found is None:
        raise Http404
    try:
        actions.record_contact(found, counsellor=user)
    except actions.EscrowError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Contact recorded."))
    return redirect("staff:escrow-match", pk=pk)
