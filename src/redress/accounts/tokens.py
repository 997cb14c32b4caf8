"""API tokens: issued and revoked by administrators, stored as digests, checked per scope."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from redress.accounts.models import ApiToken, Scope, User
from redress.ledger.append import append
from redress.ledger.events import Action

TOKEN_PREFIX = "rdt_"  # noqa: S105 - a public marker that makes leaked tokens easy to spot


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once to the administrator, never stored


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


CASE_SCOPES = frozenset({Scope.CASES_READ, Scope.CASES_WRITE})


def issue(
    *, name: str, scopes: list[Scope], actor: User, acts_for: User | None = None
) -> IssuedToken:
    """Create a token with ``scopes``. The secret is returned once; only its digest is kept.

    A token with a case scope acts for ``acts_for``, a member of staff who handles cases. 256
    bits of randomness make a fast digest sufficient: nothing can be guessed offline.
    """
    if not scopes:
        raise ValueError("a token needs at least one scope")
    if acts_for is not None and not CASE_SCOPES & set(scopes):
        raise ValueError("only a case-handling token acts for a member of staff")
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            prefix=prefix,
            digest=_digest(secret),
            scopes=[str(s) for s in scopes],
            created_by=actor,
            acts_for=acts_for,
        )
        append(
            actor=f"user:{actor.pk}",
            action=Action.TOKEN_ISSUED,
            obj=f"token:{token.pk}",
            digest=hashlib.sha256(
                (",".join(sorted(token.scopes)) + f"|user:{acts_for and acts_for.pk}").encode()
            ).hexdigest(),
        )
    return IssuedToken(token=token, secret=secret)


def revoke(token: ApiToken, *, actor: User) -> None:
    """Revoke ``token`` at once; later requests with it are refused."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            append(actor=f"user:{actor.pk}", action=Action.TOKEN_REVOKED, obj=f"token:{token.pk}")
    token.refresh_from_db()


def authenticate_any(secret: str) -> ApiToken | None:
    """The live token matching ``secret``, whatever its scopes; None for unknown or revoked, or
    when the account that issued it has been deactivated."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    prefix = secret[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = (
        ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True)
        .select_related("created_by", "acts_for")
        .first()
    )
    if token is None or not hmac.compare_digest(bytes(token.digest), _digest(secret)):
        return None
    if not token.created_by.is_active or not token.staff_member.is_active:
        return None  # a token lives no longer than the accounts it stands on
    return token


def authenticate(secret: str, scope: Scope) -> ApiToken | None:
    """The live token matching ``secret`` when it holds ``scope``; None otherwise.

    Comparison is constant-time; revoked tokens and tokens without the scope are refused.
    """
    token = authenticate_any(secret)
    if token is None or str(scope) not in token.scopes:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
