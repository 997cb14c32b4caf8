"""Counting failed attempts in memory (the cache), never in a table or a log.

Used for staff sign-in, receipt-code entry and every link or code a stranger could guess. A key
is locked out once it has failed ``limit`` times within ``window`` seconds, until the window
passes.

With more than one web process the cache must be shared (Redis), or each process counts on its
own. When the cache cannot be reached, a throttle fails closed: every key reads as locked, so an
outage pauses code entry and sign-in ("try again later") rather than letting guesses through
uncounted. The outage is logged, without the key.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

# What a cache that cannot be reached raises: redis-py's errors, or a socket's.
CACHE_ERRORS = (RedisError, OSError)


class Throttle:
    def __init__(self, namespace: str, *, limit: int, window: int) -> None:
        self.namespace = namespace
        self.limit = limit
        self.window = window

    def _key(self, key: str) -> str:
        return f"throttle:{self.namespace}:{key}"

    def is_locked(self, *keys: str) -> bool:
        """True when any of ``keys`` has reached the limit, or the count cannot be read."""
        try:
            counts = cache.get_many([self._key(k) for k in keys])
        except CACHE_ERRORS as error:
            self._unreachable(error)
            return True
        return any(int(v) >= self.limit for v in counts.values())

    def take(self, *keys: str) -> bool:
        """Count one use against each of ``keys``; True when none had reached the limit.

        Fails closed: False when a count cannot be read or written.
        """
        if self.is_locked(*keys):
            return False
        try:
            counts = [self._count(self._key(key)) for key in keys]
        except CACHE_ERRORS as error:
            self._unreachable(error)
            return False
        return all(count <= self.limit for count in counts)

    def fail(self, *keys: str) -> list[int]:
        """Count a failure against each of ``keys``; returns each key's count after it.

        A count that cannot be written is taken as the limit: the failure locks its key.
        """
        counts = []
        for key in keys:
            try:
                counts.append(self._count(self._key(key)))
            except CACHE_ERRORS as error:
                self._unreachable(error)
                counts.append(self.limit)
        return counts

    def _count(self, name: str) -> int:
        if cache.add(name, 1, self.window):
            return 1
        try:
            return int(cache.incr(name))
        except ValueError:  # expired between add and incr
            cache.add(name, 1, self.window)
            return 1

    def locks_at(self, count: int) -> bool:
        """True when the failure that made ``count`` is the one that locks its key."""
        return count == self.limit

    def reset(self, *keys: str) -> None:
        try:
            cache.delete_many([self._key(k) for k in keys])
        except CACHE_ERRORS as error:
            self._unreachable(error)

    def _unreachable(self, error: Exception) -> None:
        log.warning(
            "throttle %s: the cache could not be reached (%s); refusing until it can",
            self.namespace,
            type(error).__name__,
        )


HOUR = 3600


@functools.cache
def _address_key() -> bytes:
    # Derived from the server's secret, so every web process keys an address alike.
    return hmac.new(settings.SECRET_KEY.encode(), b"redress email address", "sha256").digest()


def address_key(address: str) -> str:
    """A keyed digest of an email address: what the email throttle counts by, never the
    address itself (nor an unkeyed hash, which a list of addresses would reverse)."""
    normal = address.strip().lower().encode()
    return hmac.new(_address_key(), normal, hashlib.sha256).hexdigest()[:32]


def email_allowed(address: str, *, client: str | None) -> bool:
    """Count one email a stranger's request would send to ``address``; True when it may go.

    Every public action that sends email asks first, so nobody can use Redress to flood an
    inbox: at most ``EMAIL_PER_ADDRESS_PER_HOUR`` to one address (whichever action asks), and
    ``EMAIL_PER_CLIENT_PER_HOUR`` asked for by one client (``client``, an in-memory
    fingerprint; None for work no stranger asked for). Counted in the shared cache; False
    when it cannot be reached. The caller answers the same either way and only skips the email.
    """
    to_address = Throttle("email-address", limit=settings.EMAIL_PER_ADDRESS_PER_HOUR, window=HOUR)
    by_client = Throttle("email-client", limit=settings.EMAIL_PER_CLIENT_PER_HOUR, window=HOUR)
    if client is not None and not by_client.take(client):
        return False
    return to_address.take(address_key(address))
