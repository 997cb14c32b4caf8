"""Emails to the member of staff a token acts for: when someone else makes it, and when it is
first used.

Nobody should act in a handler's name unseen. The handler is told, once the act is committed,
who made a token in their name and with which scopes, where to approve or refuse it, and later
that it has begun to be used. Never the secret.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from redress.accounts.models import ApiToken, Scope

log = logging.getLogger(__name__)


def _where() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("staff:tokens-mine")


def _send(token: ApiToken, subject: str, lines: list[str]) -> None:
    address = token.staff_member.email
    if not address:
        log.warning("accounts: %s has no email address; no token notice sent", token.actor)
        return
    body = "\n\n".join(lines)
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]), robust=True)


def scope_words(token: ApiToken) -> str:
    labels = dict(Scope.choices)
    return ", ".join(str(labels.get(scope, scope)) for scope in token.scopes)


def tell_token_made(token: ApiToken) -> None:
    """Email the handler that ``token`` now waits for their approval (after commit)."""
    service = settings.SERVICE_NAME
    _send(
        token,
        _("A token to act in your name on %(service)s waits for your approval")
        % {"service": service},
        [
            _(
                "%(issuer)s made an API token called “%(name)s” that acts for you on %(service)s "
                "on %(when)s. It may: %(scopes)s."
            )
            % {
                "issuer": token.created_by,
                "name": token.name,
                "service": service,
                "when": date_format(timezone.localtime(token.created_at), "j F Y, H:i T"),
                "scopes": scope_words(token),
            },
            _(
                "It cannot read or move any case until you approve it. Approve or refuse it "
                "here: %(link)s"
            )
            % {"link": _where()},
            _("If you did not expect this, refuse it and tell your oversight team."),
        ],
    )


def tell_token_first_used(token: ApiToken) -> None:
    """Email the handler that ``token``, made by someone else, was used for the first time."""
    service = settings.SERVICE_NAME
    _send(
        token,
        _("A token acting for you on %(service)s was used for the first time")
        % {"service": service},
        [
            _(
                "The API token “%(name)s”, made by %(issuer)s, acted for you on %(service)s for "
                "the first time on %(when)s."
            )
            % {
                "name": token.name,
                "issuer": token.created_by,
                "service": service,
                "when": date_format(timezone.localtime(), "j F Y, H:i T"),
            },
            _("You can revoke it at any time here: %(link)s") % {"link": _where()},
        ],
    )
