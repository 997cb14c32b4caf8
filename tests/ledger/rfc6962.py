"""RFC 6962 section 2.1 written out as the RFC writes it, for the tests to check against.

MTH, PATH and PROOF/SUBPROOF are transcribed as recursive definitions over a list of entries,
with nothing shared with the code under test but SHA-256. The entries are a fixed endless
sequence, ``entry(i)``, so that MTH of any range can be memoised across tests.
"""

from __future__ import annotations

import functools
import hashlib


def entry(i: int) -> bytes:
    """The i-th entry of every test tree: 32 bytes, like the log's salted digests."""
    return hashlib.sha256(b"test entry %d" % i).digest()


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@functools.cache
def mth(start: int, end: int) -> bytes:
    """MTH(D[start:end])."""
    n = end - start
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + entry(start)).digest()
    k = _k(n)
    return hashlib.sha256(b"\x01" + mth(start, start + k) + mth(start + k, end)).digest()


def path(m: int, start: int, end: int) -> list[bytes]:
    """PATH(m, D[start:end]): the inclusion proof for the m-th entry of that range."""
    n = end - start
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*path(m, start, start + k), mth(start + k, end)]
    return [*path(m - k, start + k, end), mth(start, start + k)]


def proof(m: int, n: int) -> list[bytes]:
    """PROOF(m, D[0:n]): the consistency proof from size m to size n (0 < m <= n)."""
    return subproof(m, 0, n, True)


def subproof(m: int, start: int, end: int, whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[start:end], b)."""
    n = end - start
    if m == n:
        return [] if whole else [mth(start, end)]
    k = _k(n)
    if m <= k:
        return [*subproof(m, start, start + k, whole), mth(start + k, end)]
    return [*subproof(m - k, start + k, end, False), mth(start, start + k)]


def complete_subtrees(size: int) -> dict[tuple[int, int], bytes]:
    """Every complete subtree of the tree of ``size`` entries: (level, index) -> MTH."""
    found = {}
    level = 0
    while (1 << level) <= size:
        width = 1 << level
        for index in range(size // width):
            found[level, index] = mth(index * width, (index + 1) * width)
        level += 1
    return found
