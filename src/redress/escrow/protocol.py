"""The escrow entry protocol (Callisto-style), as pure functions with no database.

From the OPRF output Φ for a respondent's identifier come the match pointer π, the secret k and
the slopes a₁..a_{t-1} of a polynomial over the prime field GF(2^255 - 19), by HMAC with distinct
labels. A complainant's share is the point (x, y) with x from a labelled hash of their verified
identity (so one person's entries are one point) and y = k + a₁x + ... + a_{t-1}x^{t-1}. The
report is encrypted under a fresh entry key e; e is wrapped under a key derived from k; the
share, the wrapped e and the encrypted report are sealed to the counsellor's X25519 key.

Who learns what: the database holds π and sealed bundles; the counsellor opens bundles but holds
one point per complainant, so k (and with it any entry key) needs t distinct complainants'
points for the same π. Nobody without the matching key can link an identifier to π.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

PRIME = 2**255 - 19
_LABEL = b"redress-escrow:"


class ProtocolError(ValueError):
    """A sealed part that does not open, too few shares, or an invalid input."""


def _field(data: bytes) -> int:
    return int.from_bytes(data, "big") % PRIME


@dataclass(frozen=True)
class Derived:
    pointer: bytes
    secret: int
    slopes: tuple[int, ...]


def derive(phi: bytes, threshold: int) -> Derived:
    """π, k and the t-1 slopes from the 64-byte OPRF output Φ. Refuses a threshold below 2."""
    if len(phi) != 64:
        raise ProtocolError("the OPRF output must be 64 bytes")
    if threshold < 2:
        raise ProtocolError("the threshold must be at least 2")
    pointer = hmac.new(phi, _LABEL + b"pointer", hashlib.sha256).digest()
    secret = _field(hmac.new(phi, _LABEL + b"secret", hashlib.sha512).digest())
    slopes = tuple(
        _field(hmac.new(phi, _LABEL + b"slope:%d" % i, hashlib.sha512).digest())
        for i in range(1, threshold)
    )
    return Derived(pointer=pointer, secret=secret, slopes=slopes)


def x_for(identity: str) -> int:
    """The share's x-coordinate for a verified identity ("email:a@b", "staff:12"); never 0."""
    value = _field(hashlib.sha512(_LABEL + b"x:" + identity.strip().lower().encode()).digest())
    return value or 1


def share(derived: Derived, x: int) -> int:
    """y = k + a₁x + a₂x² + ... (mod p)."""
    y, power = derived.secret, 1
    for slope in derived.slopes:
        power = power * x % PRIME
        y = (y + slope * power) % PRIME
    return y


def interpolate(points: list[tuple[int, int]], threshold: int) -> int:
    """k from ``threshold`` points with distinct x (Lagrange at 0). Refuses fewer."""
    distinct = dict(points)
    if len(distinct) < threshold:
        raise ProtocolError("not enough distinct shares to open these entries")
    chosen = list(distinct.items())[:threshold]
    secret = 0
    for i, (xi, yi) in enumerate(chosen):
        numerator, denominator = 1, 1
        for j, (xj, _yj) in enumerate(chosen):
            if i != j:
                numerator = numerator * (-xj) % PRIME
                denominator = denominator * (xi - xj) % PRIME
        secret = (secret + yi * numerator * pow(denominator, PRIME - 2, PRIME)) % PRIME
    return secret


def _wrap_key(secret: int) -> bytes:
    return hashlib.sha256(_LABEL + b"wrap:" + secret.to_bytes(32, "big")).digest()


def seal_entry(report: str, derived: Derived, x: int, counsellor: bytes) -> bytes:
    """The sealed bundle stored for an entry: only the counsellor's private key opens it, and
    what is inside opens only with k."""
    entry_key = secrets.token_bytes(SecretBox.KEY_SIZE)
    bundle = {
        "x": x,
        "y": share(derived, x),
        "wrapped": SecretBox(_wrap_key(derived.secret)).encrypt(entry_key).hex(),
        "report": SecretBox(entry_key).encrypt(report.encode()).hex(),
    }
    return bytes(SealedBox(PublicKey(counsellor)).encrypt(json.dumps(bundle).encode()))


def unseal(sealed: bytes, private_key: bytes) -> dict[str, object]:
    try:
        return dict(json.loads(SealedBox(PrivateKey(private_key)).decrypt(sealed)))
    except (CryptoError, ValueError) as failed:
        raise ProtocolError("this entry is not sealed to this counsellor key") from failed


def open_entries(bundles: list[dict[str, object]], threshold: int) -> list[str]:
    """The reports of matched entries: interpolate k from their shares, unwrap each entry key,
    decrypt each report. Refuses fewer than ``threshold`` distinct complainants."""
    points = [(int(b["x"]), int(b["y"])) for b in bundles]  # type: ignore[call-overload]
    secret = interpolate(points, threshold)
    wrapper = SecretBox(_wrap_key(secret))
    reports = []
    for bundle in bundles:
        try:
            entry_key = wrapper.decrypt(bytes.fromhex(str(bundle["wrapped"])))
            reports.append(
                SecretBox(entry_key).decrypt(bytes.fromhex(str(bundle["report"]))).decode()
            )
        except CryptoError as failed:
            raise ProtocolError("the shares do not open these entries") from failed
    return reports


# -- the counsellor's key pair, kept under a passphrase --------------------------------------

ARGON2 = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 1}


@dataclass(frozen=True)
class LockedKey:
    public_key: bytes
    locked_private: bytes
    salt: bytes
    params: dict[str, int]


def _passphrase_key(passphrase: str, salt: bytes, params: dict[str, int]) -> bytes:
    return hash_secret_raw(passphrase.encode(), salt, hash_len=32, type=Type.ID, **params)


def new_counsellor_key(passphrase: str) -> LockedKey:
    """A fresh X25519 key pair, the private half encrypted under an Argon2id key from the
    passphrase. Refuses a passphrase under 12 characters."""
    if len(passphrase) < 12:
        raise ProtocolError("use a passphrase of at least 12 characters")
    private = PrivateKey.generate()
    salt = secrets.token_bytes(16)
    locked = SecretBox(_passphrase_key(passphrase, salt, ARGON2)).encrypt(bytes(private))
    return LockedKey(bytes(private.public_key), bytes(locked), salt, dict(ARGON2))


def unlock(key: LockedKey, passphrase: str) -> bytes:
    """The counsellor's private key; refuses a wrong passphrase."""
    try:
        return bytes(
            SecretBox(_passphrase_key(passphrase, key.salt, key.params)).decrypt(key.locked_private)
        )
    except CryptoError as failed:
        raise ProtocolError("the passphrase is not right") from failed
