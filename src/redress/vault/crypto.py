"""The vault's one cipher: XChaCha20-Poly1305 (IETF) from libsodium, with labelled associated data.

Nonces are 24 random bytes, which XChaCha20 makes safe to draw at random for any number of
messages under one key. Associated data is an unambiguous, length-prefixed encoding of a label
and its parts, so no two different contexts can ever produce the same bytes.
"""

from __future__ import annotations

import secrets

from nacl import bindings
from nacl.exceptions import CryptoError

from redress.vault.errors import VaultError

KEY_BYTES: int = bindings.crypto_aead_xchacha20poly1305_ietf_KEYBYTES
NONCE_BYTES: int = bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
TAG_BYTES: int = bindings.crypto_aead_xchacha20poly1305_ietf_ABYTES

_AD_PREFIX = b"redress.vault.v1"


def random_key() -> bytes:
    """A fresh 256-bit key from the operating system's CSPRNG."""
    return secrets.token_bytes(KEY_BYTES)


def associated_data(label: str, *parts: bytes | str) -> bytes:
    """Length-prefixed encoding of ``label`` and ``parts``: distinct inputs give distinct bytes."""
    out = bytearray(_AD_PREFIX)
    for part in (label, *parts):
        raw = part.encode("utf-8") if isinstance(part, str) else bytes(part)
        out += len(raw).to_bytes(4, "big")
        out += raw
    return bytes(out)


def encrypt(key: bytes, plaintext: bytes, ad: bytes) -> bytes:
    """``nonce || ciphertext || tag`` for ``plaintext`` under ``key``, bound to ``ad``."""
    if len(key) != KEY_BYTES:
        raise VaultError("a vault key must be 32 bytes")
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, nonce, key)


def decrypt(key: bytes, box: bytes, ad: bytes, *, what: str) -> bytes:
    """The plaintext of ``box``, or VaultError when it was altered or ``key``/``ad`` differ."""
    if len(key) != KEY_BYTES:
        raise VaultError("a vault key must be 32 bytes")
    if len(box) < NONCE_BYTES + TAG_BYTES:
        raise VaultError(f"{what} is truncated")
    nonce, ciphertext = box[:NONCE_BYTES], box[NONCE_BYTES:]
    try:
        return bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(ciphertext, ad, nonce, key)
    except CryptoError:
        raise VaultError(
            f"{what} failed authentication: it was altered, moved, or opened with the wrong key"
        ) from None
