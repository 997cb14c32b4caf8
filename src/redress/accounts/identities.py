"""Accounts known to an OpenID provider: which account a provider's subject signs in as.

Single sign-on never makes an account. A subject seen for the first time is bound, once, to
the one enrolled account whose address the provider says it has verified; from then on the
subject alone decides, so a later change of address at the provider moves nothing. The rules
live here, beside the accounts they protect, so that the web flow (staff/single_sign_on.py)
only parses the provider's answer and calls ``account_for``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from redress.accounts.models import SignInIdentity, User
from redress.ledger.append import append
from redress.ledger.events import Action


class Refused(StrEnum):
    """Why a provider's sign-in was not let in; the page says each plainly."""

    UNVERIFIED = "unverified"  # the provider does not vouch for the address
    NO_ACCOUNT = "no-account"  # no single enrolled account has that address
    BOUND_ELSEWHERE = "bound-elsewhere"  # the account is bound to another subject there
    CLOSED = "closed"  # the bound account is closed or not yet enrolled


class SignInRefused(Exception):
    def __init__(self, reason: Refused) -> None:
        super().__init__(str(reason))
        self.reason = reason


def _may_sign_in(user: User) -> bool:
    # An invited account has no usable password until its link is used: it is not enrolled yet,
    # and a provider must not let it skip the invitation.
    return user.is_active and user.deactivated_at is None and user.has_usable_password()


def account_for(*, issuer: str, subject: str, email: str, email_verified: bool) -> User:
    """The account ``subject`` at ``issuer`` signs in as, binding it at first use.

    Raises ``SignInRefused`` and changes nothing when the subject is not let in. The binding
    is ledgered (by account, never by address) in the same transaction as the row.
    """
    now = timezone.now()
    with transaction.atomic():
        identity = (
            SignInIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=issuer, subject=subject)
            .first()
        )
        if identity is not None:
            if not _may_sign_in(identity.user):
                raise SignInRefused(Refused.CLOSED)
            identity.last_used_at = now
            identity.save(update_fields=["last_used_at"])
            return identity.user
        if email_verified is not True:
            raise SignInRefused(Refused.UNVERIFIED)
        live = User.objects.filter(is_active=True, deactivated_at__isnull=True)
        matches = list(live.filter(email__iexact=email.strip())[:2]) if email.strip() else []
        if len(matches) != 1 or not _may_sign_in(matches[0]):
            raise SignInRefused(Refused.NO_ACCOUNT)
        user = matches[0]
        if SignInIdentity.objects.filter(user=user, issuer=issuer).exists():
            raise SignInRefused(Refused.BOUND_ELSEWHERE)
        try:
            with transaction.atomic():
                SignInIdentity.objects.create(
                    user=user, issuer=issuer, subject=subject, bound_at=now, last_used_at=now
                )
        except IntegrityError:  # bound at the same moment by another request
            raise SignInRefused(Refused.BOUND_ELSEWHERE) from None
        append(actor=f"user:{user.pk}", action=Action.ACCOUNT_IDENTITY_BOUND, obj=f"user:{user.pk}")
        return user


def second_factor_proven(
    claims: Mapping[str, Any], *, trusted_amr: Collection[str], trusted_acr: Collection[str]
) -> bool:
    """True when the ID token's ``amr`` names a method the deployment trusts as a second
    factor, or its ``acr`` is a level it trusts. Nothing is trusted unless configured."""
    amr = claims.get("amr")
    methods = [amr] if isinstance(amr, str) else amr if isinstance(amr, list) else []
    if any(isinstance(method, str) and method in trusted_amr for method in methods):
        return True
    acr = claims.get("acr")
    return isinstance(acr, str) and acr in trusted_acr
