"""Receipt codes: the complainant's only key to their report.

A code is 20 characters of Crockford base-32 (100 bits), shown in five groups of four so a
person can write it down and type it on a phone. Only an HMAC-SHA-256 of the code is stored, keyed
with a secret kept outside the database: at 100 bits nobody guesses a code online, and without the
secret nobody can test guesses against a stolen database. A slow hash would add nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from functools import lru_cache

from django.conf import settings

from redress.core.keyfiles import read_or_create

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 20
GROUP = 4
ENTROPY_BITS = LENGTH * 5

# Crockford's decoding: people write O for 0 and I or L for 1; case and separators do not matter.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh code, grouped for reading: ``7KQ2-M9XD-…``."""
    # 100 random bits, five at a time: each of the 32 symbols equally likely in every place.
    number = secrets.randbits(ENTROPY_BITS)
    raw = "".join(ALPHABET[(number >> (5 * place)) & 0b11111] for place in range(LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(typed: str) -> str | None:
    """The canonical form of what someone typed, or None when it cannot be a code.

    Full-width characters (as some phone keyboards type them) read as their plain forms;
    look-alikes from other scripts (a Cyrillic or Greek capital A or O) do not: the code is
    then unreadable.
    """
    plain = unicodedata.normalize("NFKC", typed)
    cleaned = "".join(ch for ch in plain.upper() if ch.isalnum()).translate(_READ_AS)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


@lru_cache(maxsize=1)
def _key() -> bytes:
    if settings.RECEIPT_KEY:
        return bytes.fromhex(settings.RECEIPT_KEY)
    return read_or_create(settings.KEYS_DIR / "receipt-hmac.key")


def digest(code: str) -> bytes:
    """The keyed digest stored for ``code`` (which must already be normalised)."""
    return keyed_digest(code)


def keyed_digest(value: str) -> bytes:
    """HMAC-SHA-256 of ``value`` under the receipt secret (also used for idempotency keys)."""
    return hmac.new(_key(), value.encode(), hashlib.sha256).digest()
