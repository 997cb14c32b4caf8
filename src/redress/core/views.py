"""Service-level views: health, language choice and the error pages."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import select_template
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from redress.core.context_processors import service
from redress.core.error_pages import error_templates
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


def _api_error(status: int, detail: str | None) -> HttpResponse:
    messages = {
        400: "Bad request",
        403: "Forbidden",
        404: "Not found",
        500: "Server error",
    }
    return JsonResponse({"detail": detail or messages[status]}, status=status)


def _error(
    request: HttpRequest, status: int, name: str, *, detail: str | None = None
) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(status, detail)
    return render(request, error_templates(request, name), {"detail": detail}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Text that cannot be stored is said plainly; other refusals keep the general words.
    detail = str(MESSAGE) if isinstance(exception, UnencodableText) else None
    return _error(request, 400, "400.html", detail=detail)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "403.html")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """The page for a fault, drawn without the context processors: they read the session and
    the signed-in user from the database, which may be what failed. Only settings, the request
    and a CSRF token (from the cookie, for the staff sign-out form) reach the template."""
    if request.path.startswith("/api/"):
        return _api_error(500, None)
    context = {**service(request), "request": request, "csrf_token": get_token(request)}
    page = select_template(error_templates(request, "500.html")).render(context)
    return HttpResponse(page, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form was stale or forged: say so plainly, without technical detail."""
    return render(request, error_templates(request, "csrf.html"), status=403)
