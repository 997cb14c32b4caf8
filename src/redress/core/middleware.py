"""HTTP hardening that applies to every response, and the removal of client identity."""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import engines
from django.template.loader import select_template
from django.utils.translation import gettext as _

from redress.core.error_pages import error_templates
from redress.core.uploads import RequestBodyTooLarge

if TYPE_CHECKING:
    from django.template.backends.base import _EngineTemplate


@functools.cache
def _fingerprint_key() -> bytes:
    # Derived from the server's secret, so every web process gives a client the same
    # fingerprint and a shared throttling cache counts their failures together.
    return hmac.new(settings.SECRET_KEY.encode(), b"redress client fingerprint", "sha256").digest()


IDENTIFYING_HEADERS = (
    "REMOTE_ADDR",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_USER_AGENT",
    "HTTP_REFERER",
)


def client_fingerprint(request: HttpRequest) -> str:
    """An opaque token for the client, for in-memory throttling only."""
    return getattr(request, "client_fingerprint", "unknown")


def client_network(request: HttpRequest) -> str:
    """An opaque token for the client's network (IPv4 /24, IPv6 /48), for in-memory throttling
    only: many addresses in one block count together."""
    return getattr(request, "client_network", "unknown")


def network_of(address: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) holding ``address``; the text itself when it is no address."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def client_address(meta: dict[str, object]) -> str:
    """The client's address: the connection's, or behind ``PROXY_HOPS`` proxies of ours, the
    one the outermost of them saw (entries further left were written by the client, so are
    never trusted)."""
    address = str(meta.get("REMOTE_ADDR", "") or "")
    hops = settings.PROXY_HOPS
    if hops > 0:
        chain = [part.strip() for part in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        chain = [part for part in chain if part]
        if len(chain) >= hops:
            address = chain[-hops]
    return address


class RequestPrivacyMiddleware:
    """Replace the client's address and user agent with an in-memory fingerprint.

    Nothing downstream (views, logs, error reports, tables) can store what it never sees.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = client_address(request.META)
        request.client_fingerprint = hmac.new(  # type: ignore[attr-defined]
            _fingerprint_key(), address.encode(), hashlib.sha256
        ).hexdigest()[:32]
        request.client_network = hmac.new(  # type: ignore[attr-defined]
            _fingerprint_key(), b"network:" + network_of(address).encode(), hashlib.sha256
        ).hexdigest()[:32]
        for header in IDENTIFYING_HEADERS:
            request.META.pop(header, None)
        request.META["REMOTE_ADDR"] = "0.0.0.0"  # noqa: S104 - a placeholder, not a bind address
        return self.get_response(request)


# Paths whose last part is a link's secret: recovering a receipt code, confirming an email
# address or an escrow entry, the respondent's link. Whatever follows the prefix is the secret.
_SECRET_LINK = re.compile(
    r"(/(?:check/recover|check/verify-email|escrow/confirm|respond/open)/)[^\s?#\"'/]*"
)
# Any other part of a path that looks like a secret: a receipt or escrow code, or a long random
# token (a link broken by a mail program still carries one). Word slugs have neither digits nor
# capitals, and are shorter.
_SECRET_LIKE = re.compile(r"(?<=/)(?=[\w-]*[0-9A-Z_])[\w-]{20,}(?=[/?#\s\"']|$)", re.ASCII)
# A query string may carry a search for a person's name.
_QUERY = re.compile(r"\?[^\s\"']*")
REDACTED = "…"


def redact_path(text: str) -> str:
    """``text`` with every link secret, code-like path part and query string replaced by "…"."""
    text = _SECRET_LINK.sub(lambda found: found.group(1) + REDACTED, text)
    text = _SECRET_LIKE.sub(REDACTED, text)
    return _QUERY.sub("?" + REDACTED, text)


class RedactSecretPaths(logging.Filter):
    """Never log a path with a secret in it: a 4xx on a recovery or confirmation link makes
    Django log "Bad Request: /check/recover/<token>", and anyone who reads the log could use it.

    On the loggers that write paths (django.request, django.server, django.security.csrf) it
    rewrites each record before any handler sees it; on our handler, whatever reaches it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_path(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


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
        if request.path_info.startswith("/log/"):
            # The published log is public and the same for everyone: its views say what may be
            # kept (a full tile never changes), and it depends on no language or cookie.
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers.pop("Vary", None)
        elif not request.path.startswith("/static/"):
            # A shared or seized device must not hold copies of what someone reported.
            response.headers["Cache-Control"] = "no-store"
        return response


NUL = "\x00"

# The project's 400 page (the staff one on staff paths) with a GOV.UK error summary saying
# what was wrong.
_REFUSAL_PAGE = """{% extends layout %}{% load i18n %}
{% block before_content %}{{ block.super }}
<div class="govuk-error-summary" data-module="govuk-error-summary">
  <div role="alert">
    <h2 class="govuk-error-summary__title">{% translate "There is a problem" %}</h2>
    <div class="govuk-error-summary__body">
      <ul class="govuk-list govuk-error-summary__list">
        {% for error in errors %}<li><a href="#main-content">{{ error }}</a></li>{% endfor %}
      </ul>
    </div>
  </div>
</div>
{% endblock %}"""


@functools.cache
def _refusal_page() -> _EngineTemplate:
    return engines["django"].from_string(_REFUSAL_PAGE)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _refuse(request: HttpRequest, status: int, problem: str, detail: str) -> HttpResponse:
    """A JSON ``{"detail": ...}`` under /api/ (the API's error shape), else the 400 page."""
    if _is_api(request):
        return JsonResponse({"detail": detail}, status=status)
    layout = select_template(error_templates(request, "400.html"))
    page = _refusal_page().render({"errors": [problem], "layout": layout}, request)
    return HttpResponse(page, status=status)


def _nul_in(request: HttpRequest) -> str | None:
    """Where the request carries a NUL character (the path, a query or form field), if anywhere.

    Outside the API, reading ``request.POST`` parses urlencoded and multipart bodies (not JSON,
    and not the files' contents, which are never looked at).
    """
    if NUL in request.path:
        return "the path"
    sources = [(request.GET, "query parameter")]
    if not _is_api(request):
        # The API reads its own JSON bodies and names a bad field itself; parsing a form body
        # here would leave nothing for it to read.
        sources.append((request.POST, "form field"))
    for fields, kind in sources:
        for name, values in fields.lists():
            if NUL in name:
                return f"a {kind} name"
            if any(NUL in value for value in values):
                return f"the {kind} '{name}'"
    return None


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RequestSizeMiddleware:
    """Refuse with 413 a request body larger than Redress takes, before it is read.

    The API takes JSON only, so a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused by its
    declared length. Elsewhere the form body is parsed here, first: the upload handler refuses
    an upload over the request limit (``RequestBodyTooLarge``) before reading any of it, and
    the page says how large files may be.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _is_api(request):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and _declared_length(request) > limit:
                return _refuse(request, 413, "", "The request body is too large.")
            return self.get_response(request)
        try:
            request.POST  # noqa: B018 - parsed now, so a refusal is answered here
        except RequestBodyTooLarge:
            megabytes = settings.UPLOAD_MAX_FILE_BYTES // (1024 * 1024)
            count = settings.UPLOAD_MAX_FILES
            return _refuse(
                request,
                413,
                _("The files you sent are too large. Each file must be smaller than %(mb)d MB.")
                % {"mb": megabytes},
                f"The request body is too large: at most {count} files of {megabytes} MB each.",
            )
        return self.get_response(request)


class NulCharacterMiddleware:
    """Refuse a NUL character (U+0000) in the path, the query string or a form field with 400.

    Nobody types one, and PostgreSQL cannot hold or compare text with one in it: psycopg raises,
    so a NUL that reached a search or a lookup would answer 500. JSON bodies are left to the
    API's validation, which names the field; uploaded files' contents are not looked at.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = _nul_in(request)
        if where is not None:
            return _refuse(
                request,
                400,
                _(
                    "What you sent contains a character we cannot accept (a null character). "
                    "Check what you entered and try again."
                ),
                f"Null characters are not allowed in {where}.",
            )
        return self.get_response(request)
