"""Verifying the chain: recompute every hash, check every checkpoint, name the first fault.

``verify`` reads only and takes no lock. ``walk_from`` is the same check over a range, which
``checkpoints.make_checkpoint`` runs before it signs.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import multiprocessing
import os
import struct
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from redress.ledger.append import append, digest_of
from redress.ledger.encoding import (
    ENCODING_VERSION,
    GENESIS_HASH,
    HASH_SIZE,
    HEADER,
    ONE_MICROSECOND,
    entry_hash,
)
from redress.ledger.errors import Fault, LedgerError
from redress.ledger.events import Action
from redress.ledger.keys import signature_ok, trusted_public_keys
from redress.ledger.models import Checkpoint, Entry, Head, Verification

BATCH_SIZE = 2_000


class ProgressReport(Protocol):
    """Anything told how far verification has got, such as ``core.progress.Progress``."""

    def update(self, done: int) -> None: ...


@dataclass(frozen=True)
class VerifyResult:
    """What ``verify`` found.

    ``checked`` counts the entries whose hash and link were confirmed before the first fault (all
    of them when ``ok``). ``first_bad_seq`` and ``fault`` name the lowest position at which the
    stored ledger disagrees with an intact chain. ``last_checkpoint`` is the newest checkpoint with
    a trusted signature that the chain was confirmed to match.
    """

    ok: bool
    checked: int
    first_bad_seq: int | None = None
    fault: Fault | None = None
    last_checkpoint: Checkpoint | None = None


def verify(progress: ProgressReport | None = None, *, workers: int = 1) -> VerifyResult:
    """Recompute the whole chain and check every checkpoint; name the first entry that fails.

    Detects a changed field of any entry, a removed entry (gap in ``seq`` or broken link), an
    inserted entry, entries swapped or moved, a checkpoint whose signature does not verify under a
    trusted key, and a checkpoint whose hash disagrees with the chain. Also checks the head row:
    entries cut off the end, or added past it, are reported.

    It reads only; it takes no lock, so appends carry on meanwhile (it checks the chain up to the
    head it saw when it started). It cannot detect a consistent rewrite of the entries after the
    newest checkpoint: those are protected only once the next checkpoint is signed.

    ``progress.update(done)`` is called after each batch when given. With ``workers`` > 1 a long
    chain is split into that many ranges checked by forked processes, each on its own database
    connection; the result is the same as with one. It falls back to one process inside a
    transaction (the children could not see its writes), with threads running, or off Linux.
    """
    # Checkpoints are read before the head, so every honest checkpoint lies at or below it.
    checkpoints = list(Checkpoint.objects.order_by("seq"))
    head = Head.objects.filter(pk=1).first()
    faults: list[tuple[int, int, Fault]] = []
    trusted = trusted_public_keys() if checkpoints else frozenset()
    signed: list[Checkpoint] = []
    for checkpoint in checkpoints:
        if signature_ok(checkpoint, trusted):
            signed.append(checkpoint)
        else:
            faults.append((checkpoint.seq, 1, "bad checkpoint signature"))
    limit = head.seq if head is not None else _largest_seq()
    expected = {checkpoint.seq: bytes(checkpoint.hash) for checkpoint in signed}

    walk = None
    if _can_fork(workers, limit):
        walk = _walk_in_parallel(limit, expected, progress, workers)
    if walk is None:
        report = None if progress is None else progress.update
        with connection.cursor() as cursor:
            walk = _walk(cursor, 0, GENESIS_HASH, limit, expected, report)

    if walk.fault is not None:
        faults.append((walk.fault[0], 0, walk.fault[1]))
    else:
        if head is not None and walk.last_hash != bytes(head.hash):
            # The chain is consistent but ends elsewhere than the head says.
            faults.append((limit, 0, _diagnose_last(limit, bytes(head.hash))))
        if any(checkpoint.seq > limit for checkpoint in signed):
            # A signed checkpoint vouches for entries that are no longer there.
            faults.append((limit + 1, 0, "removed"))
        beyond = _first_beyond_head()
        if beyond is not None:
            faults.append((beyond, 0, "inserted"))

    if faults:
        seq, _, fault = min(faults)
        confirmed = max(min(walk.checked, seq - 1), 0)
        return VerifyResult(False, confirmed, seq, fault, _newest_at_or_below(signed, confirmed))
    return VerifyResult(True, walk.checked, None, None, signed[-1] if signed else None)


def _diagnose_last(seq: int, chain_hash: bytes) -> Fault:
    """The chain up to ``seq`` is consistent but ends elsewhere than the head says."""
    with connection.cursor() as cursor:
        # The genuine last entry pushed along by an insertion, or the entry rewritten and resealed.
        return "inserted" if _stored_elsewhere(cursor, seq, chain_hash) else "changed"


def default_workers() -> int:
    """How many processes ``redress ledger verify`` uses: one per CPU, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def _newest_at_or_below(checkpoints: Sequence[Checkpoint], seq: int) -> Checkpoint | None:
    eligible = [checkpoint for checkpoint in checkpoints if checkpoint.seq <= seq]
    return eligible[-1] if eligible else None


def _largest_seq() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(seq) FROM {_table()}")  # noqa: S608 - our table name
        largest: int | None = cursor.fetchone()[0]
    return largest or 0


def _first_beyond_head() -> int | None:
    # The largest seq is read before the head: an honest append commits its entry and the head
    # together, so the head read afterwards is at least as far along.
    largest = _largest_seq()
    head_seq = Head.objects.filter(pk=1).values_list("seq", flat=True).first() or 0
    if largest <= head_seq:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN(seq) FROM {_table()} WHERE seq > %s",  # noqa: S608 - our table name
            [head_seq],
        )
        first: int = cursor.fetchone()[0]
    return first


@dataclass(frozen=True)
class _Walk:
    checked: int
    last_hash: bytes
    fault: tuple[int, Fault] | None


Row = tuple[Any, ...]


def _walk(
    cursor: CursorWrapper,
    start_seq: int,
    start_hash: bytes,
    limit: int,
    checkpoints: dict[int, bytes],
    report: Callable[[int], None] | None,
) -> _Walk:
    """Check entries start_seq+1 .. limit, the first linking to ``start_hash``; ``report`` is told
    how many entries are confirmed after each batch."""
    # Each batch reads one window of seqs, so every query is a short range scan of the primary
    # key whatever the planner knows. The first window from the start of the chain has no lower
    # bound, so rows numbered below 1 are seen (and reported) too.
    batch = BATCH_SIZE
    first_window = _select(f"seq <= %s ORDER BY seq LIMIT {batch}")
    window = _select(f"seq > %s AND seq <= %s ORDER BY seq LIMIT {batch}")
    marks = sorted(checkpoints)
    expected, running = start_seq + 1, start_hash
    lower = start_seq
    while expected <= limit:
        upper = min(lower + batch, limit)
        if lower <= 0:
            cursor.execute(first_window, [upper])
        else:
            cursor.execute(window, [lower, upper])
        rows = cursor.fetchall()
        if not rows:
            break
        first = expected
        expected, running, stop = _check_rows(rows, expected, running)
        mismatch = None
        for index in range(bisect.bisect_left(marks, first), bisect.bisect_left(marks, expected)):
            seq = marks[index]
            if bytes(rows[seq - first][3]) != checkpoints[seq]:
                mismatch = seq
                break
        if stop is not None:
            found = _diagnose(cursor, expected, running, stop)
            # The diagnosis can place the fault before the stop (an inserted or resealed entry);
            # at the same seq it says more than the checkpoint does.
            if mismatch is None or found[0] <= mismatch:
                return _Walk(min(expected, found[0]) - 1 - start_seq, running, found)
        if mismatch is not None:
            # The genuine entry, pushed along by an insertion, or history rewritten and resealed.
            moved = _stored_elsewhere(cursor, mismatch, checkpoints[mismatch])
            fault: Fault = "inserted" if moved else "checkpoint mismatch"
            return _Walk(mismatch - 1 - start_seq, running, (mismatch, fault))
        if report is not None:
            report(expected - 1 - start_seq)
        lower = upper
    if expected <= limit:
        return _Walk(expected - 1 - start_seq, running, _diagnose(cursor, expected, running, None))
    return _Walk(expected - 1 - start_seq, running, None)


# Below this many entries a single process is quicker than starting others.
PARALLEL_MIN_ENTRIES = 200_000

_done_by_worker: Any = None  # in a forked worker: the shared array of confirmed counts


def _can_fork(workers: int, limit: int) -> bool:
    return (
        workers > 1
        and limit >= PARALLEL_MIN_ENTRIES
        and sys.platform.startswith("linux")
        and threading.active_count() == 1
        and not connection.in_atomic_block
        and "memory" not in str(connection.settings_dict.get("NAME", ""))
    )


def _walk_in_parallel(
    limit: int, checkpoints: dict[int, bytes], progress: ProgressReport | None, workers: int
) -> _Walk | None:
    """Check 1..limit in ``workers`` ranges at once; None when the ranges' seams disagree (the
    table changed under us), so the caller checks in one pass instead."""
    size = -(-limit // workers)
    bounds = [(start, min(start + size - 1, limit)) for start in range(1, limit + 1, size)]
    seams: list[bytes] = [GENESIS_HASH]
    with connection.cursor() as cursor:
        for start, _ in bounds[1:]:
            cursor.execute(f"SELECT hash FROM {_table()} WHERE seq = %s", [start - 1])  # noqa: S608
            found = cursor.fetchone()
            stored = _as_bytes(found[0]) if found else None
            if stored is None:
                return None
            seams.append(stored)
    jobs = [
        (
            index,
            start - 1,
            seams[index],
            end,
            {seq: value for seq, value in checkpoints.items() if start <= seq <= end},
        )
        for index, (start, end) in enumerate(bounds)
    ]
    context = multiprocessing.get_context("fork")
    done = context.Array("q", len(jobs), lock=False)
    # Forked children must open their own connections, never share this one.
    connection.close()
    with context.Pool(len(jobs), initializer=_start_worker, initargs=(done,)) as pool:
        pending = pool.starmap_async(_walk_range, jobs)
        while not pending.ready():
            pending.wait(0.2)
            if progress is not None:
                progress.update(sum(done))
        results: list[tuple[int, bytes, tuple[int, Fault] | None]] = pending.get()
    checked = 0
    for index, (count, last_hash, fault) in enumerate(results):
        if fault is not None:
            return _Walk(checked + count, last_hash, fault)
        checked += count
        if index + 1 < len(results) and last_hash != seams[index + 1]:
            return None
    return _Walk(checked, results[-1][1], None)


def _start_worker(done: Any) -> None:
    # Per-process state of a forked pool worker, set once when it starts.
    global _done_by_worker
    _done_by_worker = done


def _walk_range(
    index: int, start_seq: int, start_hash: bytes, limit: int, checkpoints: dict[int, bytes]
) -> tuple[int, bytes, tuple[int, Fault] | None]:
    """In a forked worker: check one range on a fresh connection."""
    shared = _done_by_worker

    def report(count: int) -> None:
        shared[index] = count

    try:
        with connection.cursor() as cursor:
            walk = _walk(cursor, start_seq, start_hash, limit, checkpoints, report)
    finally:
        connection.close()
    return walk.checked, walk.last_hash, walk.fault


_NAIVE_EPOCH = dt.datetime(1970, 1, 1)  # times are read back as naive UTC text


def _check_rows(rows: list[Row], expected: int, running: bytes) -> tuple[int, bytes, Row | None]:
    """The hot loop: confirm each row's position, link and hash. Returns where it stopped and the
    row it stopped at (None when every row was confirmed).

    It is ``encoding.entry_hash`` inlined, with everything it touches bound to locals: this loop
    is most of the time ``verify`` takes."""
    pack = HEADER.pack
    sha256 = hashlib.sha256
    join = b"".join
    parse = dt.datetime.fromisoformat
    epoch = _NAIVE_EPOCH
    version = ENCODING_VERSION
    size = HASH_SIZE
    row: Row | None = None
    try:
        for row in rows:
            seq, time, prev, stored, actor, action, obj, digest = row
            if seq != expected or prev != running:
                return expected, running, row
            since = parse(time) - epoch
            time_us = (since.days * 86_400 + since.seconds) * 1_000_000 + since.microseconds
            encoded = join(
                (
                    pack(
                        version, seq, time_us, size, len(actor), len(action), len(obj), len(digest)
                    ),
                    prev,
                    actor,
                    action,
                    obj,
                    digest,
                )
            )
            if sha256(encoded).digest() != stored:
                return expected, running, row
            running = stored
            expected += 1
    except (TypeError, ValueError, OverflowError, struct.error):
        # A stored value of the wrong type or shape: the row has been tampered with.
        return expected, running, row
    return expected, running, None


def _as_bytes(value: object) -> bytes | None:
    return bytes(value) if isinstance(value, bytes | memoryview) else None


def _recomputed(row: Row, seq: int) -> bytes | None:
    """The hash ``row`` would have as entry ``seq``; None if its values cannot be encoded."""
    _, time, prev, _, actor, action, obj, digest = row
    parts = [_as_bytes(value) for value in (prev, actor, action, obj, digest)]
    if not isinstance(time, str) or any(part is None for part in parts):
        return None
    try:
        time_us = (dt.datetime.fromisoformat(time) - _NAIVE_EPOCH) // ONE_MICROSECOND
        return entry_hash(seq, time_us, *(part or b"" for part in parts))
    except (TypeError, ValueError, OverflowError, struct.error):
        return None


def _diagnose(
    cursor: CursorWrapper, expected: int, running: bytes, row: Row | None
) -> tuple[int, Fault]:
    """Name the fault found at chain position ``expected`` (slow path, run once)."""
    if row is None or row[0] > expected:
        # Entry ``expected`` is not where it should be: moved elsewhere, or gone.
        moved = _displaced(cursor, expected, running, exclude=None)
        return expected, "reordered" if moved else "removed"
    seq = row[0]
    if seq < expected:
        # A row numbered below the start of the chain.
        return seq, "reordered" if _original_seq(cursor, row) is not None else "inserted"
    stored = _as_bytes(row[3])
    if stored is not None and _recomputed(row, seq) == stored:
        # The row is a sound entry ``seq`` but links to something other than its predecessor.
        if _displaced(cursor, expected, running, exclude=seq):
            return expected, "inserted"
        # Its predecessor was rewritten and resealed (its own hash recomputes, this link does not).
        return max(expected - 1, 1), "changed"
    original = _original_seq(cursor, row)
    if original is not None:
        if original > expected:
            moved = _displaced(cursor, expected, running, exclude=seq)
            return expected, "reordered" if moved else "removed"
        return original, "inserted"
    if _displaced(cursor, expected, running, exclude=seq):
        return expected, "inserted"
    return expected, "changed"


def _displaced(cursor: CursorWrapper, seq: int, prev: bytes, *, exclude: int | None) -> bool:
    """Whether the genuine entry ``seq`` (linking to ``prev``) is stored under another seq."""
    cursor.execute(_select("prev_hash = %s"), [prev])
    return any(
        row[0] != exclude and _recomputed(row, seq) == _as_bytes(row[3])
        for row in cursor.fetchall()
    )


def _stored_elsewhere(cursor: CursorWrapper, seq: int, chain_hash: bytes) -> bool:
    """Whether the genuine entry ``seq``, known by its hash, is stored under another seq."""
    cursor.execute(_select("hash = %s"), [chain_hash])
    return any(row[0] != seq and _recomputed(row, seq) == chain_hash for row in cursor.fetchall())


def _original_seq(cursor: CursorWrapper, row: Row) -> int | None:
    """The position ``row`` was written at, when it is a sound entry stored under the wrong seq."""
    seq: int = row[0]
    prev, stored = _as_bytes(row[2]), _as_bytes(row[3])
    if prev is None or stored is None:
        return None
    candidates = {seq - 1, seq + 1}
    cursor.execute(_select("hash = %s"), [prev])
    candidates.update(other[0] + 1 for other in cursor.fetchall())
    cursor.execute(_select("prev_hash = %s"), [stored])
    candidates.update(other[0] - 1 for other in cursor.fetchall())
    candidates.discard(seq)
    for candidate in sorted(candidates):
        if _recomputed(row, candidate) == stored:
            return candidate
    return None


def _table() -> str:
    return connection.ops.quote_name(Entry._meta.db_table)


def _select(where: str) -> str:
    """Rows as (seq, time as 'YYYY-MM-DD HH:MM:SS[.ffffff]' UTC text, prev_hash, hash, actor,
    action, object, digest), the text fields as UTF-8 bytes, so the hot loop converts nothing."""
    if connection.vendor == "sqlite":
        columns = (
            "seq, CAST(time AS TEXT), prev_hash, hash, CAST(actor AS BLOB), "
            "CAST(action AS BLOB), CAST(object AS BLOB), CAST(digest AS BLOB)"
        )
    elif connection.vendor == "postgresql":
        columns = (
            "seq, to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), prev_hash, hash, "
            "convert_to(actor, 'UTF8'), convert_to(action, 'UTF8'), convert_to(object, 'UTF8'), "
            "convert_to(digest, 'UTF8')"
        )
    else:
        raise LedgerError(f"the ledger verifier does not support {connection.vendor}")
    return f"SELECT {columns} FROM {_table()} WHERE {where}"  # noqa: S608 - fixed fragments


def record_verification(result: VerifyResult) -> None:
    """Keep the outcome of a full verification where oversight can see it, and ledger it.

    Best effort on a broken chain: the record is still written, so oversight sees the failure.
    """
    with transaction.atomic():
        Verification.objects.create(
            time=timezone.now(),
            checked=result.checked,
            ok=result.ok,
            first_bad_seq=result.first_bad_seq,
        )
        append(
            actor="system:verify",
            action=Action.LEDGER_VERIFIED,
            obj="ledger",
            digest=digest_of(f"{result.ok}|{result.checked}|{result.first_bad_seq}"),
        )


def walk_from(start_seq: int, start_hash: bytes, limit: int) -> _Walk:
    """Check entries ``start_seq``+1 .. ``limit``, the first linking to ``start_hash``: the
    range after a trusted checkpoint, which a new checkpoint must confirm before it is signed."""
    with connection.cursor() as cursor:
        return _walk(cursor, start_seq, start_hash, limit, {}, None)
