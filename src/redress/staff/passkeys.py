"""Passkeys: a member of staff adds, lists and removes their own, and signs in with one.

The browser's part of each ceremony is done by ``assets/js/passkeys.mjs``: it asks one of the
JSON endpoints here for the options, calls ``navigator.credentials``, and posts the answer in
an ordinary form, so every refusal comes back as a page with an error summary. Without
JavaScript a passkey cannot be used, and the sign-in code page works as before.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from redress.accounts import passkeys
from redress.accounts.access import requires
from redress.accounts.models import Passkey, User
from redress.core.middleware import client_fingerprint
from redress.core.routes import public
from redress.staff import views
from redress.staff.forms import CodeForm

log = logging.getLogger(__name__)

NOT_ADDED = gettext_lazy(
    "The passkey could not be added. Try again, or use another device or browser"
)
NEEDS_JAVASCRIPT = gettext_lazy(
    "Your browser did not create a passkey. Adding one needs JavaScript to be turned on"
)
NOT_ACCEPTED = gettext_lazy(
    "The passkey could not be checked. Try again, or enter the code from your authenticator app"
)


class AddPasskeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the passkey"),
        max_length=passkeys.NAME_MAX_LENGTH,
        error_messages={
            "required": gettext_lazy("Enter a name for the passkey, like “Work laptop”"),
            "max_length": gettext_lazy("The name must be 64 characters or fewer"),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    credential = forms.CharField(required=False, max_length=20_000, widget=forms.HiddenInput)
    non_field_target = "id_name"


class PasskeyAnswerForm(forms.Form):
    credential = forms.CharField(required=False, max_length=20_000, widget=forms.HiddenInput)
    non_field_target = "passkey"


def _signed_in(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@requires("staff.home")
def passkey_list(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    keys = Passkey.objects.filter(user=user).order_by("created_at")
    return render(request, "staff/passkeys/list.html", {"passkeys": keys})


@requires("staff.home")
@require_http_methods(["GET", "POST"])
def passkey_add(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    form = AddPasskeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        credential = form.cleaned_data["credential"]
        if not credential:
            form.add_error(None, NEEDS_JAVASCRIPT)
        else:
            try:
                passkeys.register(
                    request.session, user, name=form.cleaned_data["name"], credential=credential
                )
            except passkeys.PasskeyRefused as refusal:
                log.info("staff: a passkey for user:%s was not added: %s", user.pk, refusal)
                form.add_error(None, NOT_ADDED)
            else:
                messages.success(
                    request, _("Passkey “%(name)s” added.") % {"name": form.cleaned_data["name"]}
                )
                return redirect("staff:passkeys")
    status = 400 if form.errors else 200
    return render(request, "staff/passkeys/add.html", {"form": form}, status=status)


@requires("staff.home")
@require_POST
def passkey_options(request: HttpRequest) -> HttpResponse:
    """The options for adding a passkey, as JSON, for the script on the add page."""
    options = passkeys.registration_options(request.session, _signed_in(request))
    return HttpResponse(options, content_type="application/json")


def _own_passkey(request: HttpRequest, pk: int) -> Passkey:
    # Only one's own: another person's passkey is answered as if it did not exist.
    passkey: Passkey | None = Passkey.objects.filter(pk=pk, user=request.user).first()
    if passkey is None:
        raise Http404
    return passkey


@requires("staff.home", load=_own_passkey)
@require_http_methods(["GET", "POST"])
def passkey_remove(request: HttpRequest, pk: int, obj: Passkey) -> HttpResponse:
    refused = False
    if request.method == "POST":
        try:
            passkeys.remove(obj, actor=_signed_in(request))
        except passkeys.LastSecondFactor:
            refused = True
        else:
            messages.success(request, _("Passkey “%(name)s” removed.") % {"name": obj.name})
            return redirect("staff:passkeys")
    context = {"passkey": obj, "refused": refused}
    return render(request, "staff/passkeys/remove.html", context, status=400 if refused else 200)


def _sign_in_keys(request: HttpRequest, user: User) -> tuple[str, str]:
    # The same keys as a wrong code on the code page: a passkey is one more way to guess.
    return (f"client:{client_fingerprint(request)}", f"user:{user.username.lower()}")


@public
@require_POST
def sign_in_options(request: HttpRequest) -> HttpResponse:
    """The options for signing in with a passkey, for the person part-way through sign-in."""
    user = views._pending_user(request)
    if user is None or not passkeys.has_passkey(user):
        return JsonResponse({"error": "no passkey to use"}, status=400)
    if views._throttle().is_locked(*_sign_in_keys(request, user)):
        return JsonResponse({"error": "sign-in is paused"}, status=429)
    options = passkeys.authentication_options(request.session, user)
    return HttpResponse(options, content_type="application/json")


@public
@require_POST
def sign_in_passkey(request: HttpRequest) -> HttpResponse:
    """Second step with a passkey instead of a code: checked, then signed in like a code."""
    user = views._pending_user(request)
    if user is None:
        return redirect("staff:sign-in")
    form = PasskeyAnswerForm(request.POST)
    form.is_valid()
    credential = form.cleaned_data.get("credential") or ""
    # No answer at all (the person cancelled, or the browser has no passkey) is no guess.
    reservation = views._throttle().reserve(*_sign_in_keys(request, user)) if credential else None
    if not credential:
        form.add_error(None, NOT_ACCEPTED)
    elif reservation is None:
        form.add_error(None, views._lockout_message())
    else:
        try:
            passkey = passkeys.authenticate(request.session, user, credential)
        except passkeys.PasskeyRefused as refusal:
            log.info("staff: a passkey sign-in of user:%s was refused: %s", user.pk, refusal)
            form.add_error(None, NOT_ACCEPTED)
        else:
            reservation.forgive()
            return views._complete_sign_in(request, user, passkey)
    context = {"form": CodeForm(), "passkey_form": form, "passkey": True}
    return render(request, "staff/sign_in_code.html", context, status=400)
