"""Staff sign-in through an OpenID provider (OpenID Connect authorisation code flow).

Why mozilla-django-oidc, not django-allauth: it does one thing, the code flow for a relying
party, in two views and an authentication backend that are built to be subclassed, and it
checks state, nonce and PKCE itself. django-allauth brings a whole account system (its own
sign-up, email and session flows, a sites table, its own templates) that Redress would have to
switch off piece by piece to keep its own rules: staff accounts are only ever made by an
invitation, and the second factor is Redress's own. Both are well kept; the smaller surface
wins here.

What is ours: the provider's endpoints are read from its discovery document (the library
wants them spelt out), the ID token's issuer and audience are checked (the library checks
signature, expiry and nonce), the account is found by ``accounts.identities.account_for``
(bound to the subject at first use, never created), and a verified sign-in goes on to the TOTP
step exactly as after a password, unless the token's ``amr``/``acr`` proves a second factor
the deployment trusts (settings ``OIDC_TRUSTED_AMR``/``OIDC_TRUSTED_ACR``).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from redress.accounts.identities import (
    Refused,
    SignInRefused,
    account_for,
    second_factor_proven,
)
from redress.accounts.models import User
from redress.core.routes import public
from redress.staff.views import NEXT, PENDING_USER, _complete_sign_in

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# Set on the request by the backend for the callback view: the backend is made by
# django.contrib.auth and hands back only a user.
OUTCOME = "redress_single_sign_on"
PROVIDER_FAILED = "provider"

_discovered: dict[str, dict[str, str]] = {}
_discovery_lock = threading.Lock()


def configured() -> bool:
    return bool(settings.OIDC_ISSUER)


def provider_name() -> str:
    return settings.OIDC_PROVIDER_NAME or _("single sign-on")


def discover() -> dict[str, str]:
    """The provider's endpoints from its discovery document, read once per issuer and process.

    The document must name the configured issuer exactly (OpenID Connect Discovery 1.0, 4.3),
    so a document served elsewhere cannot point sign-in at another provider."""
    issuer = settings.OIDC_ISSUER
    with _discovery_lock:
        if issuer not in _discovered:
            response = requests.get(
                issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=TIMEOUT_SECONDS
            )
            response.raise_for_status()
            document = response.json()
            if document.get("issuer") != issuer:
                raise ImproperlyConfigured("the provider's discovery document names another issuer")
            names = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
            _discovered[issuer] = {name: str(document[name]) for name in names}
        return _discovered[issuer]


def library_setting(name: str, *default: Any) -> Any:
    """What mozilla-django-oidc reads as a setting, from ours and the discovery document.

    Redress's settings keep their own names (REDRESS_OIDC_X gives OIDC_X); the library's are
    answered here, so the library reads no global setting of its own."""
    fixed: dict[str, Any] = {
        "OIDC_RP_CLIENT_ID": settings.OIDC_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": settings.OIDC_CLIENT_SECRET,
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_RP_SCOPES": "openid email",
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_AUTHENTICATION_CALLBACK_URL": "staff:sign-in-provider-callback",
        "OIDC_REDIRECT_FIELD_NAME": "next",
        "OIDC_TIMEOUT": TIMEOUT_SECONDS,
        "OIDC_VERIFY_SSL": True,
        "OIDC_PROXY": None,
        "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_CREATE_USER": False,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_TOKEN_USE_BASIC_AUTH": False,
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": {},
    }
    if name in fixed:
        return fixed[name]
    endpoint = {
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
        "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
        "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
        "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    }.get(name)
    if endpoint is not None:
        return discover()[endpoint]
    if default:
        return default[0]
    raise ImproperlyConfigured(f"single sign-on has no value for {name}")


@dataclass
class Outcome:
    refused: str = PROVIDER_FAILED
    second_factor_proven: bool = False


class ProviderBackend(OIDCAuthenticationBackend):
    """Exchanges the code, checks the ID token and finds (never makes) the account.

    Its ``authenticate`` takes only what the callback view passes (nonce, code_verifier), so
    django.contrib.auth never offers it a username and password."""

    get_settings = staticmethod(library_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django makes every backend for every sign-in attempt, password ones too: no discovery
        # here. The endpoints are read in authenticate, when this backend is the one that acts.
        self.UserModel = get_user_model()

    def authenticate(
        self,
        request: HttpRequest | None,
        nonce: str | None = None,
        code_verifier: str | None = None,
    ) -> User | None:
        if request is None or not configured():
            return None
        setattr(request, OUTCOME, Outcome())
        try:
            self.OIDC_OP_TOKEN_ENDPOINT = library_setting("OIDC_OP_TOKEN_ENDPOINT")
            self.OIDC_OP_USER_ENDPOINT = library_setting("OIDC_OP_USER_ENDPOINT")
            self.OIDC_OP_JWKS_ENDPOINT = library_setting("OIDC_OP_JWKS_ENDPOINT")
            self.OIDC_RP_CLIENT_ID = settings.OIDC_CLIENT_ID
            self.OIDC_RP_CLIENT_SECRET = settings.OIDC_CLIENT_SECRET
            self.OIDC_RP_SIGN_ALGO = "RS256"
            self.OIDC_RP_IDP_SIGN_KEY = None
            user: User | None = super().authenticate(
                request, nonce=nonce, code_verifier=code_verifier
            )
        except (
            requests.RequestException,
            jwt.InvalidTokenError,
            SuspiciousOperation,
            ImproperlyConfigured,
            KeyError,
            ValueError,
        ) as error:
            log.warning("single sign-on failed: %s", type(error).__name__)
            return None
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library checks the signature (RS256 against the provider's keys), expiry and
        nonce; the issuer and audience are checked here (OpenID Connect Core 3.1.3.7)."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience or []
        if payload.get("iss") != settings.OIDC_ISSUER:
            raise SuspiciousOperation("the ID token names another issuer")
        if settings.OIDC_CLIENT_ID not in audiences or "exp" not in payload:
            raise SuspiciousOperation("the ID token is not for this service")
        if len(audiences) > 1 and payload.get("azp") != settings.OIDC_CLIENT_ID:
            raise SuspiciousOperation("the ID token was given to another party")
        if not isinstance(payload.get("sub"), str) or not payload["sub"]:
            raise SuspiciousOperation("the ID token names no subject")
        return payload

    def get_or_create_user(
        self, access_token: str, id_token: str, payload: dict[str, Any]
    ) -> User | None:
        """The account bound to the token's subject, or bound now through a verified address.
        Claims from the signed ID token win over the user-info answer for the same name."""
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload["sub"]:
            raise SuspiciousOperation("the user-info answer is about another subject")
        claims = {**userinfo, **payload}
        outcome: Outcome = getattr(self.request, OUTCOME)
        try:
            user = account_for(
                issuer=settings.OIDC_ISSUER,
                subject=payload["sub"],
                email=str(claims.get("email") or ""),
                email_verified=claims.get("email_verified") is True,
            )
        except SignInRefused as refused:
            outcome.refused = refused.reason
            return None
        outcome.refused = ""
        # Only the signed ID token may say how the person proved who they are.
        outcome.second_factor_proven = second_factor_proven(
            payload,
            trusted_amr=settings.OIDC_TRUSTED_AMR,
            trusted_acr=settings.OIDC_TRUSTED_ACR,
        )
        return user


class _Start(OIDCAuthenticationRequestView):
    get_settings = staticmethod(library_setting)


class _Callback(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(library_setting)

    def login_success(self) -> HttpResponse:
        """Like the password step: the session now waits for the second factor (or, when the
        provider proved one the deployment trusts, is signed in and ledgered at once)."""
        request: HttpRequest = self.request
        user: User = self.user
        outcome: Outcome = getattr(request, OUTCOME, Outcome())
        next_url = request.session.pop("oidc_login_next", None) or reverse("staff:home")
        request.session.cycle_key()
        request.session[NEXT] = next_url
        if outcome.second_factor_proven:
            device = next(iter(devices_for_user(user, confirmed=True)), None)
            if device is not None:
                return _complete_sign_in(request, user, device)
        request.session[PENDING_USER] = user.pk
        return redirect("staff:sign-in-code")

    def login_failure(self) -> HttpResponse:
        outcome: Outcome = getattr(self.request, OUTCOME, Outcome())
        return _refused(self.request, outcome.refused or PROVIDER_FAILED)


# Each refusal in plain words; %(provider)s is the provider's name as configured.
REFUSALS = {
    Refused.NO_ACCOUNT: gettext_lazy(
        "There is no account here for the email address %(provider)s gave. Only people "
        "invited by an administrator can sign in. Ask an administrator to invite you."
    ),
    Refused.UNVERIFIED: gettext_lazy(
        "%(provider)s has not confirmed your email address, so it cannot be used to find "
        "your account. Sign in with your password instead."
    ),
    Refused.BOUND_ELSEWHERE: gettext_lazy(
        "Your account here is already linked to another %(provider)s account. Sign in "
        "with the one you used before, or with your password."
    ),
    Refused.CLOSED: gettext_lazy(
        "This account cannot sign in with %(provider)s. If you think it should, ask an "
        "administrator."
    ),
    PROVIDER_FAILED: gettext_lazy(
        "Signing in with %(provider)s did not work. Try again, or sign in with your password."
    ),
}


def _refusal_message(reason: str) -> str:
    return str(REFUSALS.get(reason, REFUSALS[PROVIDER_FAILED])) % {"provider": provider_name()}


def _refused(request: HttpRequest, reason: str) -> HttpResponse:
    context = {"message": _refusal_message(reason), "provider": provider_name()}
    return render(request, "staff/single_sign_on_refused.html", context, status=403)


@public
def start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the provider, with a fresh state, nonce and PKCE challenge."""
    if not configured():
        raise Http404
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET"})
    try:
        discover()
    except (requests.RequestException, ImproperlyConfigured, KeyError, ValueError) as error:
        log.warning("single sign-on discovery failed: %s", type(error).__name__)
        return _refused(request, PROVIDER_FAILED)
    response: HttpResponse = _Start.as_view()(request)
    return response


@public
def callback(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back; the library checks state, then the backend
    checks the token and finds the account."""
    if not configured():
        raise Http404
    try:
        response: HttpResponse = _Callback.as_view()(request)
    except SuspiciousOperation:  # a state this browser was never given, or given and used
        return _refused(request, PROVIDER_FAILED)
    return response
