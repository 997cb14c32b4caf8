"""The ledger's Ed25519 signing key, and the public keys whose signatures it accepts.

The key is the setting ``LEDGER_SIGNING_KEY`` (hex of a 32-byte seed, from the environment)
when set, else the file ``KEYS_DIR/ledger-signing.key``, created (mode 0600) on first use. It
never enters the database.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from redress.core import keyfiles
from redress.ledger.encoding import checkpoint_message, micros
from redress.ledger.models import Checkpoint

SIGNING_KEY_FILE = "ledger-signing.key"
SIGNATURE_ALGORITHM = "Ed25519"


def signing_key() -> SigningKey:
    """The ledger's signing key; ImproperlyConfigured when the configured seed is malformed."""
    configured: str = settings.LEDGER_SIGNING_KEY
    if configured:
        return _key_from_hex(configured, "REDRESS_LEDGER_SIGNING_KEY")
    path = settings.KEYS_DIR / SIGNING_KEY_FILE
    stored = keyfiles.read_or_create(path, lambda: os.urandom(32).hex().encode())
    return _key_from_hex(stored.decode(errors="replace"), str(path))


def _key_from_hex(text: str, source: str) -> SigningKey:
    try:
        seed = bytes.fromhex(text.strip())
    except ValueError:
        seed = b""
    if len(seed) != 32:
        raise ImproperlyConfigured(f"{source} must hold a 32-byte Ed25519 seed as 64 hex digits")
    return SigningKey(seed)


def trusted_public_keys(key: SigningKey | None = None) -> frozenset[str]:
    """Public keys (hex) whose checkpoints and statements this installation accepts: the signing
    key's own, plus retired keys listed in the setting ``LEDGER_TRUSTED_KEYS``. The public key
    stored beside a checkpoint is never trusted just because it is there."""
    trusted = {part.strip().lower() for part in settings.LEDGER_TRUSTED_KEYS if part.strip()}
    if key is None and (
        settings.LEDGER_SIGNING_KEY or (settings.KEYS_DIR / SIGNING_KEY_FILE).exists()
    ):
        key = signing_key()
    if key is not None:
        trusted.add(key.verify_key.encode().hex())
    return frozenset(trusted)


def signature_ok(checkpoint: Checkpoint, trusted: frozenset[str]) -> bool:
    """Whether ``checkpoint`` is signed, over its own seq, time and hash, by a trusted key."""
    if checkpoint.public_key.lower() not in trusted:
        return False
    try:
        message = checkpoint_message(
            checkpoint.seq, micros(checkpoint.time), bytes(checkpoint.hash)
        )
        VerifyKey(bytes.fromhex(checkpoint.public_key)).verify(message, bytes(checkpoint.signature))
    except (BadSignatureError, ValueError, TypeError):
        return False
    return True
