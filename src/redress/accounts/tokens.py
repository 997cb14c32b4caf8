"""API tokens: issued and revoked by administrators, stored as digests, checked per scope.

A token that reads or moves cases acts for a member of staff who handles them. When someone
else (an administrator) makes it, it works for the case scopes only once that person has
approved it, and they are emailed when it is made and when it is first used: nobody handles
cases in another's name without their consent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from redress.accounts.models import ApiToken, Scope, User
from redress.accounts.token_notices import tell_token_first_used, tell_token_made
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


class TokenRefused(Exception):
    """An act on a token was refused; the message says why, for the person who asked."""


def acts_for_another(token: ApiToken) -> bool:
    """True when ``token`` acts for someone other than whoever made it."""
    return token.acts_for_id is not None and token.acts_for_id != token.created_by_id


def awaits_approval(token: ApiToken) -> bool:
    """True while ``token`` acts for someone else who has not approved it."""
    return token.approved_at is None and acts_for_another(token)


def issue(
    *, name: str, scopes: list[Scope], actor: User, acts_for: User | None = None
) -> IssuedToken:
    """Create a token with ``scopes``. The secret is returned once; only its digest is kept.

    A token with a case scope acts for ``acts_for``, a member of staff who handles cases. Made
    by anyone else, it waits for their approval (``approve``) and they are emailed once it is
    committed; a token that acts for its issuer, or for nobody, is approved at once. 256 bits
    of randomness make a fast digest sufficient: nothing can be guessed offline.
    """
    if not scopes:
        raise ValueError("a token needs at least one scope")
    if acts_for is not None and not CASE_SCOPES & set(scopes):
        raise ValueError("only a case-handling token acts for a member of staff")
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    now = timezone.now()
    pending = acts_for is not None and acts_for.pk != actor.pk
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            prefix=prefix,
            digest=_digest(secret),
            scopes=[str(s) for s in scopes],
            created_at=now,
            created_by=actor,
            acts_for=acts_for,
            approved_at=None if pending else now,
        )
        if pending:
            tell_token_made(token)
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


def approve(token: ApiToken, *, actor: User) -> None:
    """Approve ``token`` as the member of staff it acts for; from then on it reads or moves
    their cases. Ledgered.

    Refuses (``TokenRefused``, nothing changed) anyone but that person, a token that acts for
    nobody else, a revoked token and one already approved.
    """
    with transaction.atomic():
        locked = (
            ApiToken.objects.select_for_update(of=("self",))
            .select_related("acts_for", "created_by")
            .get(pk=token.pk)
        )
        if not acts_for_another(locked):
            raise TokenRefused(_("This token does not act for anyone but its maker."))
        if locked.acts_for_id != actor.pk:
            raise TokenRefused(
                _("Only %(name)s, for whom this token acts, can approve it.")
                % {"name": locked.acts_for}
            )
        if locked.revoked_at is not None:
            raise TokenRefused(_("This token was revoked. It cannot be approved."))
        if locked.approved_at is not None:
            raise TokenRefused(_("You have already approved this token."))
        locked.approved_at = timezone.now()
        locked.save(update_fields=["approved_at"])
        append(actor=f"user:{actor.pk}", action=Action.TOKEN_APPROVED, obj=locked.actor)
    token.refresh_from_db()


def refuse(token: ApiToken, *, actor: User) -> None:
    """Revoke ``token`` as the member of staff it acts for: a refusal while it waits for their
    approval, a withdrawal of consent after. Ledgered as a revocation.

    Refuses (``TokenRefused``, nothing changed) anyone but that person.
    """
    if not acts_for_another(token) or token.acts_for_id != actor.pk:
        raise TokenRefused(_("Only the member of staff this token acts for can refuse it here."))
    revoke(token, actor=actor)


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

    Comparison is constant-time; revoked tokens, tokens without the scope, and a case scope of a
    token still waiting for its handler's approval are refused. The first use of a token made
    by someone else is told to the member of staff it acts for, once: only the request whose
    update finds ``last_used_at`` still empty sends it.
    """
    token = authenticate_any(secret)
    if token is None or str(scope) not in token.scopes:
        return None
    if scope in CASE_SCOPES and awaits_approval(token):
        return None
    now = timezone.now()
    first = ApiToken.objects.filter(pk=token.pk, last_used_at__isnull=True).update(last_used_at=now)
    if not first:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    elif acts_for_another(token):
        tell_token_first_used(token)
    token.last_used_at = now
    return token
