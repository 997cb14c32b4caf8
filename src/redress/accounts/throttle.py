"""Counting failed attempts in memory (the cache), never in a table or a log.

Used for staff sign-in and, later, receipt-code entry. A key is locked out once it has failed
``limit`` times within ``window`` seconds, until the window passes.
"""

from __future__ import annotations

from django.core.cache import cache


class Throttle:
    def __init__(self, namespace: str, *, limit: int, window: int) -> None:
        self.namespace = namespace
        self.limit = limit
        self.window = window

    def _key(self, key: str) -> str:
        return f"throttle:{self.namespace}:{key}"

    def is_locked(self, *keys: str) -> bool:
        """True when any of ``keys`` has reached the limit."""
        counts = cache.get_many([self._key(k) for k in keys])
        return any(int(v) >= self.limit for v in counts.values())

    def fail(self, *keys: str) -> list[int]:
        """Count a failure against each of ``keys``; returns each key's count after it."""
        counts = []
        for key in keys:
            name = self._key(key)
            if cache.add(name, 1, self.window):
                counts.append(1)
                continue
            try:
                counts.append(int(cache.incr(name)))
            except ValueError:  # expired between add and incr
                cache.add(name, 1, self.window)
                counts.append(1)
        return counts

    def locks_at(self, count: int) -> bool:
        """True when the failure that made ``count`` is the one that locks its key."""
        return count == self.limit

    def reset(self, *keys: str) -> None:
        cache.delete_many([self._key(k) for k in keys])
