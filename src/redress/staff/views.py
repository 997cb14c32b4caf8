"""Staff sign-in (password, then a mandatory TOTP code) and the staff home page."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.access import allowed, requires
from redress.accounts.models import Role, User
from redress.accounts.passkeys import has_passkey
from redress.accounts.second_factor import confirm_device, current_code
from redress.accounts.throttle import Throttle
from redress.core.middleware import client_fingerprint
from redress.core.routes import public
from redress.ledger.append import append
from redress.ledger.events import Action
from redress.staff.cases import owned_overdue
from redress.staff.forms import CodeForm, SignInForm

WRONG_CODE = gettext_lazy("The code is not right. Check your authenticator app and try again")
PENDING_USER = "staff_pending_user"
NEXT = "staff_next"


def _throttle() -> Throttle:
    return Throttle(
        "staff-sign-in",
        limit=settings.SIGN_IN_MAX_FAILURES,
        window=settings.SIGN_IN_LOCKOUT_SECONDS,
    )


def _lockout_message() -> str:
    minutes = settings.SIGN_IN_LOCKOUT_SECONDS // 60
    return _(
        "Too many failed attempts. For your security, sign-in is paused. "
        "Try again in %(minutes)d minutes."
    ) % {"minutes": minutes}


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("staff:home")


@public
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """First step: username and password (Argon2id). Never says which of the two was wrong."""
    form = SignInForm(request.POST if request.method == "POST" else None)
    throttle = _throttle()
    client = f"client:{client_fingerprint(request)}"
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        # Counted before the password is checked, so guesses sent at once stop at the limit.
        attempt = throttle.reserve(client, f"user:{username.lower()}")
        if attempt is None:
            form.add_error(None, _lockout_message())
        else:
            user = auth.authenticate(
                request, username=username, password=form.cleaned_data["password"]
            )
            if user is None:
                form.add_error(None, _("The username or password is not right"))
            else:
                attempt.forgive()
                request.session.cycle_key()
                request.session[PENDING_USER] = user.pk
                request.session[NEXT] = _safe_next(request, request.GET.get("next"))
                return redirect("staff:sign-in-code")
    return render(request, "staff/sign_in.html", {"form": form}, status=400 if form.errors else 200)


def _pending_user(request: HttpRequest) -> User | None:
    pk = request.session.get(PENDING_USER)
    if pk is None:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


@public
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Second step: a TOTP code. Staff without an authenticator are taken to set one up."""
    user = _pending_user(request)
    if user is None:
        return redirect("staff:sign-in")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("staff:set-up-authenticator")
    form = CodeForm(request.POST if request.method == "POST" else None)
    throttle = _throttle()
    keys = (f"client:{client_fingerprint(request)}", f"user:{user.username.lower()}")
    if request.method == "POST" and form.is_valid():
        attempt = throttle.reserve(*keys)
        if attempt is None:
            form.add_error("code", _lockout_message())
        elif device.verify_token(form.cleaned_data["code"]):
            attempt.forgive()
            return _complete_sign_in(request, user, device)
        else:
            form.add_error("code", WRONG_CODE)
    demo_code = current_code(device) if settings.DEMO_MODE and user.is_demo else None
    return render(
        request,
        "staff/sign_in_code.html",
        {"form": form, "demo_code": demo_code, "passkey": has_passkey(user)},
        status=400 if form.errors else 200,
    )


@public
@require_http_methods(["GET", "POST"])
def set_up_authenticator(request: HttpRequest) -> HttpResponse:
    """First sign-in: show a new TOTP secret as a QR code and confirm it with one code."""
    user = _pending_user(request)
    if user is None:
        return redirect("staff:sign-in")
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("staff:sign-in-code")
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            # Ledgered, and the account's holder is emailed once it is committed.
            confirm_device(device)
            return _complete_sign_in(request, user, device)
        form.add_error("code", WRONG_CODE)
    qr = segno.make(device.config_url, error="m")
    context: dict[str, Any] = {
        "form": form,
        "qr_data_uri": qr.svg_data_uri(scale=5, border=2),
        "secret": _grouped_secret(device),
    }
    status = 400 if form.errors else 200
    return render(request, "staff/set_up_authenticator.html", context, status=status)


def _grouped_secret(device: TOTPDevice) -> str:
    encoded = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def _complete_sign_in(request: HttpRequest, user: User, device: TOTPDevice) -> HttpResponse:
    next_url = request.session.pop(NEXT, None) or reverse("staff:home")
    request.session.pop(PENDING_USER, None)
    auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    _throttle().reset(f"user:{user.username.lower()}")
    append(actor=f"user:{user.pk}", action=Action.ACCOUNT_SIGNED_IN, obj=f"user:{user.pk}")
    return HttpResponseRedirect(_safe_next(request, next_url))


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect("staff:sign-in")


@requires("staff.home")
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(
        request,
        "staff/home.html",
        {
            "roles": _role_labels(user),
            "areas": _areas_for(user),
            "overdue": owned_overdue(user) if allowed(user, "case.queue") else [],
        },
    )


def _role_labels(user: User) -> list[str]:
    held = user.roles()
    return sorted(str(label) for value, label in Role.choices if value in held)


# The staff areas: (words, route name, the access rule that opens it). The home page lists the
# ones the signed-in person may open, so nobody is shown a door that answers 403.
AREAS = [
    (gettext_lazy("Your cases"), "staff:queue", "case.queue"),
    (gettext_lazy("Oversight: deadlines and the ledger"), "staff:oversight", "oversight.dashboard"),
    (gettext_lazy("Statistics and the annual report"), "staff:statistics", "reports.read"),
    (gettext_lazy("Record of processing"), "staff:record-of-processing", "processing.read"),
    (gettext_lazy("Your conflicts of interest"), "staff:conflicts", "case.queue"),
    (gettext_lazy("Vetting checks"), "staff:vetting", "vetting.use"),
    (gettext_lazy("Sanctions register"), "staff:register", "register.review"),
    (gettext_lazy("Retention and legal holds"), "staff:retention", "retention.manage"),
    (
        gettext_lazy("Requests for a complainant's identity"),
        "staff:identity-requests",
        "disclosure.queue",
    ),
    (gettext_lazy("Escrow matches"), "staff:escrow", "escrow.counsel"),
    (gettext_lazy("Support requests"), "staff:helpline", "helpline.queue"),
    (gettext_lazy("The helpline in numbers"), "staff:helpline-counts", "helpline.counts"),
    (gettext_lazy("API tokens"), "staff:tokens", "accounts.manage"),
    (gettext_lazy("Tokens that act for you"), "staff:tokens-mine", "case.queue"),
    (gettext_lazy("Staff accounts and roles"), "staff:people", "accounts.manage"),
    (pgettext_lazy("staff account", "Access review"), "staff:access-review", "accounts.review"),
    (gettext_lazy("Your passkeys"), "staff:passkeys", "staff.home"),
    (gettext_lazy("Invite staff"), "staff:invitations", "accounts.manage"),
]


def _areas_for(user: User) -> list[tuple[str, str]]:
    return [
        (str(words), reverse(name)) for words, name, rule_name in AREAS if allowed(user, rule_name)
    ]
