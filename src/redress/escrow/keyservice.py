"""The matching key service: the one place the escrow PRF key is used, behind one interface.

Two implementations: in-process (the key in a file in the data folder, or the environment), for
the embedded default; and an HTTP client of ``redress keyservice``, a separate process that holds
the key, answers only blinded elements, authenticates callers by a shared secret and limits how
many evaluations each may ask for, counting them in the ledger. Neither ever receives an
identifier: callers blind first (``oprf.blind``) and finalize after.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings

from redress.core import paths, secrets
from redress.escrow import oprf

MAX_SKEW_SECONDS = 60


class KeyServiceError(Exception):
    """The key service refused or could not be reached; the message says which."""


class KeyService(Protocol):
    def evaluate(self, blinded_element: bytes) -> bytes: ...


def matching_key() -> bytes:
    """The PRF key: ``REDRESS_MATCHING_KEY`` (hex) or the key file, made on first use (0600)."""
    configured = getattr(settings, "REDRESS_MATCHING_KEY", "")
    if configured:
        key = bytes.fromhex(configured)
    else:
        key = secrets.read_or_create(paths.keys_dir() / "matching.key", oprf.generate_key)
    oprf.public_key(key)  # refuses a zero or unreduced scalar
    return key


class InProcessKeyService:
    """The key in this process: for one machine, where the database and key file are apart."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key

    def evaluate(self, blinded_element: bytes) -> bytes:
        try:
            return oprf.evaluate(self._key or matching_key(), blinded_element)
        except oprf.OprfError as refused:
            raise KeyServiceError(str(refused)) from refused


def shared_secret() -> bytes:
    configured = getattr(settings, "REDRESS_KEYSERVICE_SECRET", "")
    if configured:
        return configured.encode()
    return secrets.read_or_create(paths.keys_dir() / "keyservice-secret.key")


def signature(secret: bytes, caller: str, stamp: str, body: bytes) -> str:
    """HMAC-SHA256 over the caller, the time and the body: a request cannot be altered,
    replayed much later, or sent in another caller's name."""
    message = caller.encode() + b"\n" + stamp.encode() + b"\n" + body
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


class HttpKeyService:
    """A client of ``redress keyservice``, sending only the blinded element."""

    def __init__(self, url: str, *, caller: str, secret: bytes, timeout: float = 5.0) -> None:
        self.url = url.rstrip("/") + "/evaluate"
        self.caller = caller
        self.secret = secret
        self.timeout = timeout

    def evaluate(self, blinded_element: bytes) -> bytes:
        body = json.dumps({"blinded_element": blinded_element.hex()}).encode()
        stamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - the configured key service's URL
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Caller": self.caller,
                "X-Timestamp": stamp,
                "X-Signature": signature(self.secret, self.caller, stamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read())
        except urllib.error.HTTPError as refused:
            raise KeyServiceError(f"the key service refused: {refused.code}") from refused
        except (urllib.error.URLError, OSError, ValueError) as failed:
            raise KeyServiceError("the key service could not be reached") from failed
        return bytes.fromhex(answer["evaluated_element"])


def get_key_service() -> KeyService:
    """The configured service: HTTP when ``REDRESS_KEYSERVICE_URL`` is set, else in-process."""
    url = getattr(settings, "REDRESS_KEYSERVICE_URL", "")
    if url:
        return HttpKeyService(
            url, caller=settings.REDRESS_KEYSERVICE_CALLER, secret=shared_secret()
        )
    return InProcessKeyService()
