"""Service-level views: health, language choice and the error pages."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from redress.core.routes import public
from redress.core.text import MESSAGE, UnencodableText


@public
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@public
@require_GET
def set_language(request: HttpRequest, code: str) -> HttpResponse:
    """Switch between English and Welsh, then return to the page the person was on.

    A plain link, so it works without JavaScript; ``next`` must be a path on this site.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )
    return response


def _error(
    request: HttpRequest, status: int, template: str, *, detail: str | None = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        messages = {
            400: "Bad request",
            403: "Forbidden",
            404: "Not found",
            500: "Server error",
        }
        return JsonResponse({"detail": detail or messages[status]}, status=status)
    return render(request, template, {"detail": detail}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Text that cannot be stored is said plainly; other refusals keep the general words.
    detail = str(MESSAGE) if isinstance(exception, UnencodableText) else None
    return _error(request, 400, "errors/400.html", detail=detail)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "errors/403.html")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "errors/500.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form was stale or forged: say so plainly, without technical detail."""
    return render(request, "errors/csrf.html", status=403)
