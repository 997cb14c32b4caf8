from typing import Any

from django.conf import settings
from django.http import HttpRequest


def service(request: HttpRequest) -> dict[str, Any]:
    """Names and links every page's layout needs."""
    return {
        "service_name": settings.SERVICE_NAME,
        "scheme_name": settings.SCHEME_NAME,
        "exit_url": settings.EXIT_URL,
    }
