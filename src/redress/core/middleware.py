"""HTTP hardening that applies to every response, and the removal of client identity."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# A key that lives only in this process's memory: client fingerprints made with it cannot be
# linked across restarts, and are never written anywhere.
_FINGERPRINT_KEY = secrets.token_bytes(32)

IDENTIFYING_HEADERS = (
    "REMOTE_ADDR",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_USER_AGENT",
    "HTTP_REFERER",
)


def client_fingerprint(request: HttpRequest) -> str:
    """An opaque, per-process token for the client, for in-memory throttling only."""
    return getattr(request, "client_fingerprint", "unknown")


class RequestPrivacyMiddleware:
    """Replace the client's address and user agent with an in-memory fingerprint.

    Nothing downstream (views, logs, error reports, tables) can store what it never sees.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = request.META.get("REMOTE_ADDR", "") or ""
        request.client_fingerprint = hmac.new(  # type: ignore[attr-defined]
            _FINGERPRINT_KEY, address.encode(), hashlib.sha256
        ).hexdigest()[:32]
        for header in IDENTIFYING_HEADERS:
            request.META.pop(header, None)
        request.META["REMOTE_ADDR"] = "0.0.0.0"  # noqa: S104 - a placeholder, not a bind address
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: feature lockdown and no caching of private pages."""

    PERMISSIONS_POLICY = (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if not request.path.startswith("/static/"):
            # A shared or seized device must not hold copies of what someone reported.
            response.headers["Cache-Control"] = "no-store"
        return response
