"""Counting failed attempts in memory (the cache), never in a table or a log.

Used for staff sign-in, receipt-code entry and every link or code a stranger could guess. A key
is locked out once it has failed ``limit`` times within ``window`` seconds, until the window
passes. Attempts are counted before they are judged (``Throttle.reserve``), so guesses sent all
at once cannot slip through between the check and the count.

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
    """A limit on attempts per key within a window, counted before each attempt is judged.

    ``reserve`` counts an attempt against every key *before* the expensive or secret check it
    guards (a password hash, a code lookup), and refuses once a key holds ``limit`` attempts;
    ``Reservation.forgive`` gives the count back when the attempt succeeded. The count is one
    atomic increment in the cache (Redis ``INCR``; the local-memory cache increments under its
    lock), so N guesses sent at once are judged at most ``limit`` times, never all N: each gets
    its own count, and only the first ``limit`` go on. Checking first and counting after the
    check, as a simpler throttle would, lets every guess in flight through before the first
    failure is counted.
    """

    def __init__(self, namespace: str, *, limit: int, window: int) -> None:
        self.namespace = namespace
        self.limit = limit
        self.window = window

    def _key(self, key: str) -> str:
        return f"throttle:{self.namespace}:{key}"

    def is_locked(self, *keys: str) -> bool:
        """True when any of ``keys`` has reached the limit, or the count cannot be read.

        For saying so on a page before anything is tried; it never lets an attempt through
        (only ``reserve`` does).
        """
        try:
            counts = cache.get_many([self._key(k) for k in keys])
        except CACHE_ERRORS as error:
            self._unreachable(error)
            return True
        return any(int(v) >= self.limit for v in counts.values())

    def reserve(self, *keys: str) -> Reservation | None:
        """Count one attempt against each of ``keys`` before it is judged.

        Returns the reservation when every key is within the limit, or None (refused) when any
        had reached it or a count cannot be read or written (failing closed). A refused attempt
        gives its counts back, so a key that is locked does not drive the others up (a client
        locked out of code entry must not bring the service-wide pause nearer).
        """
        names = [self._key(k) for k in keys]
        counts: list[int] = []
        try:
            for name in names:
                counts.append(self._count(name))
        except CACHE_ERRORS as error:
            self._unreachable(error)
            self._give_back(names[: len(counts)])
            return None
        if any(count > self.limit for count in counts):
            self._give_back(names)
            return None
        return Reservation(self, names, counts)

    def take(self, *keys: str) -> bool:
        """Count one use against each of ``keys``, for acts where every use counts (each may
        send an email); True when it may go ahead."""
        return self.reserve(*keys) is not None

    def _count(self, name: str) -> int:
        if cache.add(name, 1, self.window):
            return 1
        try:
            return int(cache.incr(name))
        except ValueError:  # expired between add and incr
            cache.add(name, 1, self.window)
            return 1

    def _give_back(self, names: list[str]) -> None:
        for name in names:
            try:
                cache.decr(name)
            except ValueError:  # expired meanwhile: nothing to give back
                pass
            except CACHE_ERRORS as error:
                self._unreachable(error)

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


class Reservation:
    """An attempt counted before it was judged: a failure keeps the count, a success gives it
    back with ``forgive``."""

    def __init__(self, throttle: Throttle, names: list[str], counts: list[int]) -> None:
        self._throttle = throttle
        self._names = names
        self.counts = counts

    @property
    def locks(self) -> bool:
        """True when this attempt, if it fails, is the one that locks one of its keys."""
        return any(count == self._throttle.limit for count in self.counts)

    def forgive(self) -> None:
        """The attempt succeeded: it no longer counts against its keys."""
        self._throttle._give_back(self._names)
        self._names = []


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
