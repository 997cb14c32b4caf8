"""Helpers around django-otp's TOTP devices, and the changes to a staff account's credentials.

Every change to a password or second factor goes through here, so that each is ledgered and the
account's holder is told by email once it is committed (ASVS V2.2.3): what changed and when,
never a secret, and who to tell if it was not them.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from redress.accounts.models import Passkey, User
from redress.ledger.append import append
from redress.ledger.events import Action

log = logging.getLogger(__name__)

PASSWORD_CHANGED = "password_changed"  # noqa: S105 - the name of an event, not a password
SECOND_FACTOR_ENROLLED = "second_factor_enrolled"
SECOND_FACTOR_RESET = "second_factor_reset"
PASSKEY_ADDED = "passkey_added"
PASSKEY_REMOVED = "passkey_removed"


def current_code(device: TOTPDevice) -> str:
    """The code ``device`` accepts now (what an authenticator app would show)."""
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return str(code).zfill(device.digits)


def _what_changed(change: str, when: str) -> str:
    service = settings.SERVICE_NAME
    if change == PASSWORD_CHANGED:
        return _("The password of your %(service)s staff account was changed on %(when)s.") % {
            "service": service,
            "when": when,
        }
    if change == SECOND_FACTOR_ENROLLED:
        return _(
            "A new authenticator app was set up for your %(service)s staff account on %(when)s."
        ) % {"service": service, "when": when}
    if change == SECOND_FACTOR_RESET:
        return _(
            "The authenticator app of your %(service)s staff account was removed on %(when)s. "
            "You will be asked to set up a new one when you next sign in."
        ) % {"service": service, "when": when}
    if change == PASSKEY_ADDED:
        return _("A passkey was added to your %(service)s staff account on %(when)s.") % {
            "service": service,
            "when": when,
        }
    if change == PASSKEY_REMOVED:
        return _("A passkey was removed from your %(service)s staff account on %(when)s.") % {
            "service": service,
            "when": when,
        }
    raise ValueError(f"unknown account change {change!r}")


def notify_account_change(user: User, change: str) -> None:
    """Email ``user``, once the current transaction commits, that ``change`` was made.

    The words are fixed now, in the language active now; nothing is sent if the transaction
    rolls back. A mail server that fails is logged and does not undo the change.
    """
    when = date_format(timezone.localtime(), "j F Y, H:i T")
    subject = _("Your %(service)s staff account was changed") % {"service": settings.SERVICE_NAME}
    body = "\n\n".join(
        [
            _what_changed(change, when),
            _("If this was not you, tell your administrator at once."),
        ]
    )
    address = user.email
    if not address:
        log.warning("accounts: user:%s has no email address; no %s notice sent", user.pk, change)
        return
    transaction.on_commit(lambda: send_mail(subject, body, None, [address]), robust=True)


def confirm_device(device: TOTPDevice) -> None:
    """Confirm a newly set up authenticator: ledgered, and its holder told."""
    user = device.user
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        notify_account_change(user, SECOND_FACTOR_ENROLLED)
        append(
            actor=f"user:{user.pk}",
            action=Action.ACCOUNT_SECOND_FACTOR_ENROLLED,
            obj=f"user:{user.pk}",
        )


def reset_second_factor(user: User, *, actor: str) -> int:
    """Remove every authenticator and passkey of ``user``; they must set up a new authenticator
    at their next sign-in (a passkey left behind would still let them past the second step).

    Sessions verified with a removed device stop being verified. Returns how many were removed.
    """
    with transaction.atomic():
        removed: int = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += Passkey.objects.filter(user=user).delete()[0]
        notify_account_change(user, SECOND_FACTOR_RESET)
        append(actor=actor, action=Action.ACCOUNT_SECOND_FACTOR_RESET, obj=f"user:{user.pk}")
    return removed


def change_password(user: User, password: str, *, actor: str) -> None:
    """Set a new password for ``user`` (checked by the password validators first).

    Raises ``django.core.exceptions.ValidationError`` for a password the validators refuse.
    Django ends every other session of the account, since its session hash changes.
    """
    validate_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        notify_account_change(user, PASSWORD_CHANGED)
        append(actor=actor, action=Action.ACCOUNT_PASSWORD_CHANGED, obj=f"user:{user.pk}")
