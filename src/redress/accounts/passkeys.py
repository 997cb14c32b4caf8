"""Passkeys (WebAuthn) as a second factor beside an authenticator app, with py_webauthn.

A passkey is added by a member of staff who is signed in, and used at sign-in after the
password, in place of the six-digit code. The server keeps each ceremony's challenge in the
session: one use (taken out as it is read), for a few minutes, for one account. The relying
party's id and origin come from settings, never from the request, so a page served under
another name cannot ask for a passkey meant for this one.

A passkey whose signature count does not go up (when it counts at all) may have been copied:
it is refused and logged, and its holder keeps their other second factor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from redress.accounts.models import Passkey, User
from redress.accounts.second_factor import PASSKEY_ADDED, PASSKEY_REMOVED, notify_account_change
from redress.ledger.append import append
from redress.ledger.events import Action

log = logging.getLogger(__name__)

REGISTRATION = "passkey_registration"
AUTHENTICATION = "passkey_authentication"
# How long a ceremony may take, from the options to the answer (the browser's own timeout is
# shorter, so a person who is slow is asked again rather than refused late).
CHALLENGE_SECONDS = 300
TIMEOUT_MS = 120_000
NAME_MAX_LENGTH = 64


class PasskeyRefused(Exception):
    """A passkey answer that was not accepted. The reason is for the log, never for the page."""


class LastSecondFactor(Exception):
    """Removing this passkey would leave the account with no second factor at all."""


def _user_handle(user: User) -> bytes:
    # An opaque, stable id for the account on the authenticator: no name, no address, no pk.
    return hmac.new(
        settings.SECRET_KEY.encode(), f"passkey user {user.pk}".encode(), hashlib.sha256
    ).digest()


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    descriptors = []
    for passkey in Passkey.objects.filter(user=user):
        transports = []
        for name in passkey.transports or []:
            try:
                transports.append(AuthenticatorTransport(name))
            except ValueError:
                continue  # a transport this library does not know: the browser finds its own
        descriptors.append(
            PublicKeyCredentialDescriptor(
                id=_from_base64url(passkey.credential_id), transports=transports or None
            )
        )
    return descriptors


def _from_base64url(value: str) -> bytes:
    return base64url_to_bytes(value)


def _keep_challenge(session: Any, kind: str, user: User, challenge: bytes) -> None:
    session[kind] = {
        "challenge": bytes_to_base64url(challenge),
        "user": user.pk,
        "expires": time.time() + CHALLENGE_SECONDS,
    }


def _take_challenge(session: Any, kind: str, user: User) -> bytes:
    """The challenge kept for ``user``'s ceremony of ``kind``, removed as it is read."""
    kept = session.pop(kind, None)
    if not isinstance(kept, dict):
        raise PasskeyRefused("no challenge in the session (used already, or never asked for)")
    if kept.get("user") != user.pk:
        raise PasskeyRefused("the challenge was made for another account")
    if float(kept.get("expires", 0)) < time.time():
        raise PasskeyRefused("the challenge has expired")
    return _from_base64url(str(kept["challenge"]))


def has_passkey(user: User) -> bool:
    return bool(Passkey.objects.filter(user=user).exists())


def registration_options(session: Any, user: User) -> str:
    """The options for ``navigator.credentials.create``, as JSON; the challenge is kept."""
    options = generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.SERVICE_NAME,
        user_id=_user_handle(user),
        user_name=user.username,
        user_display_name=user.display_name or user.username,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(user),
    )
    _keep_challenge(session, REGISTRATION, user, options.challenge)
    return options_to_json(options)


def register(session: Any, user: User, *, name: str, credential: str) -> Passkey:
    """Check the browser's answer to the registration options and keep the new passkey.

    Ledgered, and the account's holder is emailed once it is committed. Raises
    ``PasskeyRefused`` for an answer that does not verify (wrong challenge, origin or relying
    party, malformed) or for a credential already registered.
    """
    challenge = _take_challenge(session, REGISTRATION, user)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=settings.WEBAUTHN_ORIGIN,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as error:
        raise PasskeyRefused(f"registration did not verify: {error}") from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise PasskeyRefused("this credential is registered already")
    transports = _transports_of(credential)
    with transaction.atomic():
        passkey: Passkey = Passkey.objects.create(
            user=user,
            name=name[:NAME_MAX_LENGTH],
            confirmed=True,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=transports,
        )
        notify_account_change(user, PASSKEY_ADDED)
        append(actor=f"user:{user.pk}", action=Action.ACCOUNT_PASSKEY_ADDED, obj=f"user:{user.pk}")
    return passkey


def _transports_of(credential: str) -> list[str]:
    try:
        transports = json.loads(credential).get("response", {}).get("transports", [])
    except (ValueError, AttributeError):
        return []
    if not isinstance(transports, list):
        return []
    return [str(t)[:32] for t in transports if isinstance(t, str)][:8]


def authentication_options(session: Any, user: User) -> str:
    """The options for ``navigator.credentials.get`` for ``user``'s passkeys, as JSON."""
    options = generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _keep_challenge(session, AUTHENTICATION, user, options.challenge)
    return options_to_json(options)


def authenticate(session: Any, user: User, credential: str) -> Passkey:
    """Check the browser's answer to the authentication options; the passkey it proves.

    Raises ``PasskeyRefused`` for an answer that does not verify, a passkey that is not one of
    ``user``'s, or one whose signature count did not go up (a copy, perhaps: logged).
    """
    challenge = _take_challenge(session, AUTHENTICATION, user)
    try:
        parsed = parse_authentication_credential_json(credential)
    except (WebAuthnException, ValueError, TypeError) as error:
        raise PasskeyRefused(f"the answer is malformed: {error}") from error
    passkey: Passkey | None = Passkey.objects.filter(
        user=user, credential_id=bytes_to_base64url(parsed.raw_id)
    ).first()
    if passkey is None:
        raise PasskeyRefused("the credential is not one of this account's passkeys")
    try:
        # The count is checked below, with the signature already proven, so that a copy is
        # told apart from a forgery in the log.
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=settings.WEBAUTHN_ORIGIN,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=0,
        )
    except (WebAuthnException, ValueError, TypeError) as error:
        raise PasskeyRefused(f"the answer did not verify: {error}") from error
    new_count = verified.new_sign_count
    if (new_count or passkey.sign_count) and new_count <= passkey.sign_count:
        log.warning(
            "accounts: passkey %s of user:%s answered with signature count %s, not above %s; "
            "it may have been copied, refused",
            passkey.pk,
            user.pk,
            new_count,
            passkey.sign_count,
        )
        raise PasskeyRefused("the signature count did not go up")
    passkey.sign_count = new_count
    passkey.last_used_at = timezone.now()
    passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey


def remove(passkey: Passkey, *, actor: User) -> None:
    """Remove ``passkey`` from its holder's account: ledgered, and its holder told.

    Raises ``LastSecondFactor`` when the account would be left with no authenticator app and
    no other passkey, so nobody locks themselves out of the second step.
    """
    user = passkey.user
    with transaction.atomic():
        others = Passkey.objects.filter(user=user).exclude(pk=passkey.pk).exists()
        totp = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        if not (others or totp):
            raise LastSecondFactor
        passkey.delete()
        notify_account_change(user, PASSKEY_REMOVED)
        append(
            actor=f"user:{actor.pk}", action=Action.ACCOUNT_PASSKEY_REMOVED, obj=f"user:{user.pk}"
        )
