"""Refusals at start-up: settings that would keep complainants' details where they should not be.

Mail kept in files (Django's file backend, the default so that a checkout works offline) holds
complainants' addresses and one-time links in the data folder. ``redress serve`` and ``redress
worker`` refuse to start with it unless the demo (``REDRESS_DEMO_MODE``) or a development machine
(``REDRESS_DEVELOPMENT``) is said explicitly; ``redress check --deploy`` reports it too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.management.base import CommandError
from django.utils.module_loading import import_string

MAIL_IN_FILES = "redress.E001"


def mail_kept_in_files(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """An error when mail would be written to files outside the demo or a development machine."""
    if settings.DEMO_MODE or settings.DEVELOPMENT:
        return []
    try:
        backend = import_string(settings.EMAIL_BACKEND)
    except ImportError:
        return []  # Django says so itself when the first mail is sent.
    if not (isinstance(backend, type) and issubclass(backend, FileBackend)):
        return []
    return [
        Error(
            "Mail would be written to files in the data folder, where they hold complainants' "
            "addresses and one-time links.",
            hint=(
                "Send mail through an SMTP server: set "
                "EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST, "
                "EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS. On a "
                "development machine, set REDRESS_DEVELOPMENT=1 to keep mail in files."
            ),
            id=MAIL_IN_FILES,
        )
    ]


def refuse_unsafe_start() -> None:
    """Stop a serving process (web server, worker) that would keep mail in files."""
    errors = mail_kept_in_files()
    if errors:
        raise CommandError(f"{errors[0].msg} {errors[0].hint}")
