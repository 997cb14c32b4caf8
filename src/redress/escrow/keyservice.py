"""The matching key service: the one place the escrow PRF key is used, behind one interface.

Two implementations: in-process (the key in a file in the data folder, or the environment), for
the embedded default; and an HTTP client of ``redress keyservice`` (``escrow.server``), a separate
process that holds the key, answers only blinded elements, authenticates callers by a shared
secret and limits how many evaluations each may ask for, counting them in the ledger. Neither is
ever sent an identifier: callers blind first (``oprf.blind``) and finalize after.

A signed request carries four headers: the caller's name, the time, a one-use nonce and an
HMAC-SHA256 over all three and the body, so a request cannot be altered, sent in another caller's
name, replayed, or kept and sent much later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets as random
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from redress.core import keyfiles
from redress.escrow import oprf

MAX_SKEW_SECONDS = 60
CALLER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
NONCE = re.compile(r"[0-9a-f]{32}")
MIN_SECRET_BYTES = 16
MAX_ANSWER_BYTES = 4096
KEY_FILE = "matching.key"
SECRET_FILE = "keyservice-secret.key"  # noqa: S105 - a file name, not a secret
# A fixed probe for the self-check: blinded, evaluated and finalized, it must equal the direct PRF.
_PROBE = b"redress matching key self-check"
_checked: set[bytes] = set()
_checked_lock = threading.Lock()


class KeyServiceError(Exception):
    """The key service refused or could not be reached; the message says which, for operators.
    Callers show the person a plain "try again later", never this message or a stack trace."""


class KeyServiceBusy(KeyServiceError):
    """This caller has had its hourly share of evaluations (HTTP 429): try again later."""


class KeyService(Protocol):
    """Evaluates the matching key on blinded elements, and on nothing else."""

    def evaluate(self, blinded_element: bytes) -> bytes:
        """The key applied to ``blinded_element`` (``oprf.evaluate``). Raises ``KeyServiceError``
        when the element is invalid or the service refuses or cannot be reached."""
        ...


def self_check(key: bytes) -> None:
    """Check that blind, evaluate and finalize agree with the direct PRF under ``key``: a wrong
    key encoding or a broken libsodium binding stops here, before any escrow entry is made with
    it. Raises ``ImproperlyConfigured`` if they disagree. Done once per key per process."""
    fingerprint = hashlib.sha256(key).digest()
    if fingerprint in _checked:
        return
    blind, blinded = oprf.blind(_PROBE)
    through_blinding = oprf.finalize(_PROBE, blind, oprf.evaluate(key, blinded))
    if not oprf.same(through_blinding, oprf.prf(key, _PROBE)):
        raise ImproperlyConfigured("The matching key failed its self-check: OPRF outputs differ.")
    with _checked_lock:
        _checked.add(fingerprint)


def matching_key() -> bytes:
    """The PRF key: ``REDRESS_MATCHING_KEY`` (64 hex digits) or ``keys/matching.key`` in the data
    folder, made on first use with mode 0600. Raises ``ImproperlyConfigured``, naming the source,
    for a key that is not a reduced, non-zero ristretto255 scalar; never returns such a key."""
    configured = getattr(settings, "MATCHING_KEY", "")
    if configured:
        source = "REDRESS_MATCHING_KEY"
        try:
            key = bytes.fromhex(configured.strip())
        except ValueError:
            key = b""
    else:
        path = settings.KEYS_DIR / KEY_FILE
        source = str(path)
        key = keyfiles.read_or_create(path, oprf.generate_key)
    try:
        oprf.check_scalar(key)
    except oprf.OprfError as refused:
        raise ImproperlyConfigured(
            f"{source} does not hold a matching key: it must be 32 bytes (64 hex digits in the "
            "environment), a reduced non-zero ristretto255 scalar."
        ) from refused
    self_check(key)
    return key


class InProcessKeyService:
    """The key in this process: for one machine, where the key file stays out of the database
    and its backups. No rate limit or ledger entry of its own: whoever could call it too often
    could read the key file."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key

    def evaluate(self, blinded_element: bytes) -> bytes:
        """The key applied to ``blinded_element``. Raises ``KeyServiceError`` for an element that
        is not a canonical, non-identity ristretto255 encoding."""
        if self._key is None:
            self._key = matching_key()
        try:
            return oprf.evaluate(self._key, blinded_element)
        except oprf.OprfError as refused:
            raise KeyServiceError(f"the blinded element was refused: {refused}") from refused


def shared_secret() -> bytes:
    """The secret callers and the key service share: ``REDRESS_KEYSERVICE_SECRET`` (at least 16
    characters) or ``keys/keyservice-secret.key`` in the data folder, made on first use (0600).
    Raises ``ImproperlyConfigured`` for a secret too short to resist guessing."""
    configured = getattr(settings, "KEYSERVICE_SECRET", "")
    if configured:
        secret = configured.encode()
        source = "REDRESS_KEYSERVICE_SECRET"
    else:
        path = settings.KEYS_DIR / SECRET_FILE
        secret = keyfiles.read_or_create(path)
        source = str(path)
    if len(secret) < MIN_SECRET_BYTES:
        raise ImproperlyConfigured(f"{source} must be at least {MIN_SECRET_BYTES} characters.")
    return secret


def signature(secret: bytes, caller: str, stamp: str, nonce: str, body: bytes) -> str:
    """HMAC-SHA256 (hex) over the caller, the time, the nonce and the body. The caller, time and
    nonce have no newlines (the server checks their form), so the message splits one way only."""
    message = b"\n".join((caller.encode(), stamp.encode(), nonce.encode(), body))
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def signed_headers(secret: bytes, caller: str, body: bytes) -> dict[str, str]:
    """The headers that sign ``body`` as ``caller``, now, with a fresh nonce."""
    stamp = str(int(time.time()))
    nonce = random.token_hex(16)
    return {
        "X-Caller": caller,
        "X-Timestamp": stamp,
        "X-Nonce": nonce,
        "X-Signature": signature(secret, caller, stamp, nonce, body),
    }


_REFUSALS = {
    400: "the key service refused the blinded element (400)",
    401: "the key service refused this caller's signature (401): check that "
    "REDRESS_KEYSERVICE_SECRET is the same on both sides and that the clocks agree",
    503: "the key service could not record the evaluation in the ledger (503)",
}


class HttpKeyService:
    """A client of ``redress keyservice``: sends the blinded element and nothing else, signed
    with the shared secret under this caller's name."""

    def __init__(self, url: str, *, caller: str, secret: bytes, timeout: float = 5.0) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in {"http", "https"} or not parsed.netloc:
            raise ImproperlyConfigured(
                f"REDRESS_KEYSERVICE_URL must be an http:// or https:// address, not {url!r}."
            )
        if not CALLER.fullmatch(caller):
            raise ImproperlyConfigured(
                "REDRESS_KEYSERVICE_CALLER must be 1 to 64 letters, digits, '.', '_', ':' or '-'."
            )
        self.url = url.rstrip("/") + "/evaluate"
        self.caller = caller
        self.secret = secret
        self.timeout = timeout

    def evaluate(self, blinded_element: bytes) -> bytes:
        """The key service's evaluation of ``blinded_element``. Raises ``KeyServiceBusy`` when
        this caller is over its hourly limit and ``KeyServiceError`` when the element is refused,
        the signature is refused, the service cannot be reached or answers nonsense."""
        try:
            element = oprf.check_element(blinded_element)
        except oprf.OprfError as refused:
            raise KeyServiceError(f"the blinded element was refused: {refused}") from refused
        body = json.dumps({"blinded_element": element.hex()}).encode()
        headers = {
            "Content-Type": "application/json",
            **signed_headers(self.secret, self.caller, body),
        }
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url, data=body, method="POST", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as refused:
            refused.close()
            if refused.code == 429:
                raise KeyServiceBusy(
                    "the key service's hourly limit for this caller is reached (429)"
                ) from None
            reason = _REFUSALS.get(refused.code, f"the key service failed ({refused.code})")
            raise KeyServiceError(reason) from None
        except (urllib.error.URLError, OSError) as failed:
            raise KeyServiceError(f"the key service could not be reached at {self.url}") from failed
        return _evaluated_element(raw)


def _evaluated_element(raw: bytes) -> bytes:
    try:
        if len(raw) > MAX_ANSWER_BYTES:
            raise ValueError("too long")
        answer = json.loads(raw)
        return oprf.check_element(bytes.fromhex(answer["evaluated_element"]))
    except (ValueError, KeyError, TypeError, AttributeError) as nonsense:
        raise KeyServiceError("the key service sent an answer that is not an element") from nonsense


def get_key_service() -> KeyService:
    """The configured service: an HTTP client of ``REDRESS_KEYSERVICE_URL`` when it is set (as
    ``REDRESS_KEYSERVICE_CALLER``, with the shared secret), else the key in this process.
    Raises ``ImproperlyConfigured`` for a bad address, caller name or secret."""
    url = getattr(settings, "KEYSERVICE_URL", "")
    if url:
        return HttpKeyService(url, caller=settings.KEYSERVICE_CALLER, secret=shared_secret())
    return InProcessKeyService()
