"""The ledger's public API: append an entry, verify the chain, make and export signed checkpoints.

Other apps call ``append`` (and ``digest_of``) as the last step of their action, inside the
action's transaction, so an act and its entry are committed together or not at all.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import multiprocessing
import os
import re
import struct
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from django.utils.crypto import salted_hmac
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from redress.core import keyfiles as secrets
from redress.ledger.encoding import (
    ENCODING_VERSION,
    GENESIS_HASH,
    HASH_SIZE,
    HEADER,
    ONE_MICROSECOND,
    checkpoint_message,
    entry_hash,
    micros,
)
from redress.ledger.models import Checkpoint, Entry, Head, Pending

Fault = Literal[
    "changed",
    "removed",
    "inserted",
    "reordered",
    "bad checkpoint signature",
    "checkpoint mismatch",
]

SIGNING_KEY_ENV = "REDRESS_LEDGER_SIGNING_KEY"
TRUSTED_KEYS_ENV = "REDRESS_LEDGER_TRUSTED_KEYS"
SIGNING_KEY_FILE = "ledger-signing.key"
SIGNATURE_ALGORITHM = "Ed25519"
BATCH_SIZE = 2_000

_ACTION = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LIMITS = {"actor": 100, "action": 100, "obj": 200}


class LedgerError(Exception):
    """The ledger refused an operation (bad input, missing head row, nothing to export)."""


class LedgerBrokenError(LedgerError):
    """The chain does not verify, so the ledger refuses to sign a checkpoint over it."""

    def __init__(self, seq: int, fault: Fault) -> None:
        super().__init__(f"Ledger broken at seq {seq}: {fault}")
        self.seq = seq
        self.fault = fault


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


# --- Appending ------------------------------------------------------------------------------


def digest_of(data: bytes | str) -> str:
    """Lowercase hex SHA-256 of ``data`` (text is hashed as UTF-8): what ``append`` accepts as a
    digest. It identifies content without revealing it; it never stores or returns the content."""
    raw = data.encode() if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def keyed_digest_of(purpose: str, data: str) -> str:
    """A digest for content of few possible values (a decision, a sanction, a date), where a
    plain SHA-256 could be reversed by trying every value: HMAC-SHA256 under a key derived from
    the server's secret (outside the database) and ``purpose``. Only a holder of that secret can
    test content against it."""
    return salted_hmac(f"redress.ledger.{purpose}", data, algorithm="sha256").hexdigest()


def append(*, actor: str, action: str, obj: str, digest: str = "") -> Entry | Pending:
    """Append one entry to the chain and return it.

    Guarantees: the entry gets the next ``seq`` with no gap, its ``prev_hash`` is the hash of the
    entry before it, and it is written inside the caller's transaction (or a transaction of its own
    when there is none), so it is committed exactly when the caller's act is. Concurrent appenders
    queue on the head row (``SELECT ... FOR UPDATE`` on PostgreSQL, the write lock on SQLite), so
    the chain never forks.

    Call it as the LAST step of an action: the head lock is held from here until the caller's
    transaction ends, and every other appender waits for it meanwhile.

    Refuses (``LedgerError``) an empty or over-long ``actor`` or ``obj``, control characters, an
    ``action`` that is not a dotted lowercase name such as ``case.viewed``, a ``digest`` that is
    not empty or 64 lowercase hex digits (pass ``digest_of(content)``, never the content), and
    appending when the head row is missing while entries exist.
    """
    encoded = _validated(actor=actor, action=action, obj=obj, digest=digest)
    if settings.LEDGER_SEQUENCER:
        return _append_pending(actor=actor, action=action, obj=obj, digest=digest)
    if can_append_in_statement():
        return _append_in_server(actor=actor, action=action, obj=obj, digest=digest)
    # No savepoint: if the entry cannot be written, the caller's whole act must roll back.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        seq = head.seq + 1
        prev = bytes(head.hash)
        # The time is read under the lock, so times never run backwards along the chain.
        now = timezone.now()
        chain_hash = entry_hash(seq, micros(now), prev, *encoded)
        entry = Entry.objects.create(
            seq=seq,
            time=now,
            actor=actor,
            action=action,
            object=obj,
            digest=digest,
            prev_hash=prev,
            hash=chain_hash,
        )
        Head.objects.filter(pk=1).update(seq=seq, hash=chain_hash)
    return entry


APPEND_FUNCTION = "redress_ledger_append(%s, %s, %s, %s)"
HEADLESS = "the ledger head row is missing although entries exist; refusing to append"
HEADLESS_SQLSTATE = "RL001"  # what the append function raises for the same refusal


def can_append_in_statement() -> bool:
    """Whether this database appends with the server-side function (PostgreSQL, no sequencer),
    so an act may put ``append_call`` inside a statement of its own."""
    return connection.vendor == "postgresql" and not settings.LEDGER_SEQUENCER


def append_call(*, actor: str, action: str, obj: str, digest: str = "") -> tuple[str, list[str]]:
    """``append`` as SQL for PostgreSQL, to run inside a larger statement (see intake's writer).

    Validates like ``append`` and returns ``(sql, params)``: a set-returning function call giving
    one row ``(seq, time, prev_hash, hash)``, the entry it chained. The head lock it takes is held
    until the statement's transaction ends, so call it last. Not for the sequencer mode.
    """
    _validated(actor=actor, action=action, obj=obj, digest=digest)
    return APPEND_FUNCTION, [actor, action, obj, digest]


def entry_from_row(row: Sequence[Any], *, actor: str, action: str, obj: str, digest: str) -> Entry:
    """The ``Entry`` for a row ``(seq, time, prev_hash, hash)`` that the append function gave."""
    seq, time, prev_hash, chain_hash = row
    entry = Entry(
        seq=seq,
        time=time,
        actor=actor,
        action=action,
        object=obj,
        digest=digest,
        prev_hash=bytes(prev_hash),
        hash=bytes(chain_hash),
    )
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


def _append_in_server(*, actor: str, action: str, obj: str, digest: str) -> Entry:
    # PostgreSQL: one call locks the head, hashes (ledger.encoding) and writes entry and head, so
    # the lock is never held across a round trip (migration ledger 0005).
    sql, params = append_call(actor=actor, action=action, obj=obj, digest=digest)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        try:
            cursor.execute(f"SELECT seq, time, prev_hash, hash FROM {sql}", params)  # noqa: S608
        except DatabaseError as error:
            if getattr(error.__cause__, "sqlstate", None) == HEADLESS_SQLSTATE:
                raise LedgerError(HEADLESS) from error
            raise
        row = cursor.fetchone()
    return entry_from_row(row, actor=actor, action=action, obj=obj, digest=digest)


def _append_pending(*, actor: str, action: str, obj: str, digest: str) -> Pending:
    with transaction.atomic(savepoint=False):
        pending = Pending.objects.create(
            time=timezone.now(), actor=actor, action=action, object=obj, digest=digest
        )
    # Chain it as soon as the act commits, unless another process is chaining right now (it, the
    # next act to commit, or the worker's pass within a second will take this one too).
    transaction.on_commit(lambda: sequence_pending(wait=False), robust=True)
    return pending


def sequence_pending(limit: int = 5000, *, wait: bool = True) -> int:
    """Chain committed pending entries (the sequencer mode); returns how many were chained.

    Takes the head lock once for a whole batch and commits once, so the cost of the lock is
    shared by every act that committed meanwhile. Entries are chained in ``id`` order with the
    sequencing time. Safe to call from many processes at once: they queue on the head, and a
    caller that finds nothing left returns 0. Bounded delay: an act's entry is chained when its
    own commit hook runs, or, when that hook found another process chaining (``wait=False``),
    by the next act to commit or the worker's next pass (about a second).
    """
    if not Pending.objects.exists():
        return 0  # nothing to chain: do not take the head lock for nothing
    with transaction.atomic():
        if wait:
            head = _locked_head()
        else:
            free = Head.objects.select_for_update(skip_locked=True).filter(pk=1).first()
            if free is None:
                if Head.objects.filter(pk=1).exists():
                    return 0  # another process is chaining now
                free = _locked_head()  # a fresh database: make the head
            head = free
        rows = list(Pending.objects.order_by("id")[:limit])
        if not rows:
            return 0
        seq, prev = head.seq, bytes(head.hash)
        # Times never run backwards along the chain.
        last = Entry.objects.filter(seq=seq).values_list("time", flat=True).first()
        now = max(timezone.now(), last) if last else timezone.now()
        entries = []
        for row in rows:
            seq += 1
            chained = entry_hash(
                seq,
                micros(now),
                prev,
                row.actor.encode(),
                row.action.encode(),
                row.object.encode(),
                row.digest.encode(),
            )
            entries.append(
                Entry(
                    seq=seq,
                    time=now,
                    actor=row.actor,
                    action=row.action,
                    object=row.object,
                    digest=row.digest,
                    prev_hash=prev,
                    hash=chained,
                )
            )
            prev = chained
        Entry.objects.bulk_create(entries)
        Pending.objects.filter(id__in=[row.id for row in rows]).delete()
        Head.objects.filter(pk=1).update(seq=seq, hash=prev)
    return len(rows)


def chained(entry: Entry | Pending) -> Entry:
    """The chained entry for what ``append`` returned, sequencing now if it is still pending.

    Call after the act's transaction has committed.
    """
    if isinstance(entry, Entry):
        return entry
    sequence_pending()
    found = (
        Entry.objects.filter(
            object=entry.object, action=entry.action, actor=entry.actor, digest=entry.digest
        )
        .order_by("-seq")
        .first()
    )
    if found is None:
        raise LedgerError("the pending entry was not chained; is its transaction committed?")
    return found


def _validated(*, actor: str, action: str, obj: str, digest: str) -> tuple[bytes, ...]:
    for name, value in (("actor", actor), ("action", action), ("obj", obj)):
        if not isinstance(value, str) or not value:
            raise LedgerError(f"{name} must be a non-empty string")
        if len(value) > _LIMITS[name]:
            raise LedgerError(f"{name} is longer than {_LIMITS[name]} characters")
        if _CONTROL.search(value):
            raise LedgerError(f"{name} contains control characters")
    if not _ACTION.fullmatch(action):
        raise LedgerError(f"action {action!r} is not a dotted lowercase name like 'case.viewed'")
    if not isinstance(digest, str) or (digest and not _DIGEST.fullmatch(digest)):
        raise LedgerError("digest must be empty or 64 lowercase hex digits (use digest_of)")
    try:
        return (actor.encode(), action.encode(), obj.encode(), digest.encode())
    except UnicodeEncodeError as error:
        raise LedgerError("ledger fields must be valid Unicode text") from error


def _locked_head() -> Head:
    head = Head.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    # No head row: a fresh or flushed database. Create it; a concurrent creator makes ours fail
    # on the primary key, and then we lock theirs.
    try:
        with transaction.atomic():
            Head.objects.create(pk=1, seq=0, hash=GENESIS_HASH)
            if Entry.objects.exists():
                raise LedgerError(HEADLESS)
    except IntegrityError:
        pass
    return Head.objects.select_for_update().get(pk=1)


# --- Checkpoints ----------------------------------------------------------------------------


def make_checkpoint() -> Checkpoint | None:
    """Sign the current head (seq, hash, time) with the ledger's Ed25519 key and store it.

    Returns None when there is nothing new to sign (no entries, or none since the newest
    checkpoint) or when a concurrent caller signed the same head first.

    Refuses to sign a chain it cannot vouch for: it first checks the newest checkpoint's signature
    and re-verifies every entry since it (raising ``LedgerBrokenError``). Entries appended after the
    newest checkpoint are protected only by the next one: until then, someone who can write to the
    database could rewrite them consistently.

    The key is ``REDRESS_LEDGER_SIGNING_KEY`` (hex of a 32-byte seed) when set, else the file
    ``KEYS_DIR/ledger-signing.key``, created (mode 0600) on first use. It never enters the database.
    """
    head = Head.objects.filter(pk=1).first()
    if head is None or head.seq <= 0:
        return None
    latest = Checkpoint.objects.order_by("-seq").first()
    if latest is not None and latest.seq >= head.seq:
        return None
    key = _signing_key()
    start_seq, start_hash = 0, GENESIS_HASH
    if latest is not None:
        if not _signature_ok(latest, _trusted_public_keys(key)):
            raise LedgerBrokenError(latest.seq, "bad checkpoint signature")
        start_seq, start_hash = latest.seq, bytes(latest.hash)
    with connection.cursor() as cursor:
        walk = _walk(cursor, start_seq, start_hash, head.seq, {}, None)
    if walk.fault is not None:
        raise LedgerBrokenError(*walk.fault)
    if walk.last_hash != bytes(head.hash):
        raise LedgerBrokenError(head.seq, "changed")
    now = timezone.now()
    message = checkpoint_message(head.seq, micros(now), walk.last_hash)
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(
                seq=head.seq,
                hash=walk.last_hash,
                time=now,
                signature=key.sign(message).signature,
                public_key=key.verify_key.encode().hex(),
            )
    except IntegrityError:
        return None


def export_checkpoint() -> dict[str, Any]:
    """The newest checkpoint as a JSON-ready dict for publication.

    Keys: ``seq``, ``hash`` (hex), ``time`` (ISO 8601 UTC), ``time_us``, ``signature`` (hex),
    ``public_key`` (hex), ``algorithm`` ("Ed25519") and ``signed_message`` (hex of the exact bytes
    signed, see ``redress.ledger.encoding``), so anyone can check it with any Ed25519 tool.
    Refuses (``LedgerError``) when no checkpoint has been made yet.
    """
    latest = Checkpoint.objects.order_by("-seq").first()
    if latest is None:
        raise LedgerError("no checkpoint has been made yet")
    return checkpoint_as_dict(latest)


def checkpoint_as_dict(checkpoint: Checkpoint) -> dict[str, Any]:
    """One checkpoint in the published form described by ``export_checkpoint``."""
    time_us = micros(checkpoint.time)
    chain_hash = bytes(checkpoint.hash)
    return {
        "seq": checkpoint.seq,
        "hash": chain_hash.hex(),
        "time": format_time(checkpoint.time),
        "time_us": time_us,
        "signature": bytes(checkpoint.signature).hex(),
        "public_key": checkpoint.public_key,
        "algorithm": SIGNATURE_ALGORITHM,
        "signed_message": checkpoint_message(checkpoint.seq, time_us, chain_hash).hex(),
    }


def format_time(moment: dt.datetime) -> str:
    """ISO 8601 in UTC with a Z, to the microsecond when there is one."""
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _signing_key() -> SigningKey:
    configured = os.environ.get(SIGNING_KEY_ENV)
    if configured:
        return _key_from_hex(configured, SIGNING_KEY_ENV)
    path = settings.KEYS_DIR / SIGNING_KEY_FILE
    stored = secrets.read_or_create(path, lambda: os.urandom(32).hex().encode())
    return _key_from_hex(stored.decode(errors="replace"), str(path))


def _key_from_hex(text: str, source: str) -> SigningKey:
    try:
        seed = bytes.fromhex(text.strip())
    except ValueError:
        seed = b""
    if len(seed) != 32:
        raise ImproperlyConfigured(f"{source} must hold a 32-byte Ed25519 seed as 64 hex digits")
    return SigningKey(seed)


def _trusted_public_keys(key: SigningKey | None = None) -> frozenset[str]:
    """Public keys whose checkpoints verify accepts: the signing key's own, plus retired keys
    listed (hex, comma-separated) in ``REDRESS_LEDGER_TRUSTED_KEYS``. The public key stored beside
    a checkpoint is never trusted just because it is there."""
    trusted = {
        part.strip().lower()
        for part in os.environ.get(TRUSTED_KEYS_ENV, "").split(",")
        if part.strip()
    }
    if key is None and (
        os.environ.get(SIGNING_KEY_ENV) or (settings.KEYS_DIR / SIGNING_KEY_FILE).exists()
    ):
        key = _signing_key()
    if key is not None:
        trusted.add(key.verify_key.encode().hex())
    return frozenset(trusted)


def _signature_ok(checkpoint: Checkpoint, trusted: frozenset[str]) -> bool:
    if checkpoint.public_key.lower() not in trusted:
        return False
    try:
        message = checkpoint_message(
            checkpoint.seq, micros(checkpoint.time), bytes(checkpoint.hash)
        )
        VerifyKey(bytes.fromhex(checkpoint.public_key)).verify(message, bytes(checkpoint.signature))
    except (BadSignatureError, ValueError, TypeError):
        return False
    return True


# --- Verifying ------------------------------------------------------------------------------


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
    trusted = _trusted_public_keys() if checkpoints else frozenset()
    signed: list[Checkpoint] = []
    for checkpoint in checkpoints:
        if _signature_ok(checkpoint, trusted):
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
    from redress.ledger.models import Verification

    with transaction.atomic():
        Verification.objects.create(
            time=timezone.now(),
            checked=result.checked,
            ok=result.ok,
            first_bad_seq=result.first_bad_seq,
        )
        append(
            actor="system:verify",
            action="ledger.verified",
            obj="ledger",
            digest=digest_of(f"{result.ok}|{result.checked}|{result.first_bad_seq}"),
        )


def sign_statement(message: bytes) -> tuple[bytes, str]:
    """Sign ``message`` with the ledger's Ed25519 key: (signature, public key hex).

    For statements that should verify against the published checkpoint key, such as a
    complainant's acknowledgement. Callers must prefix their own domain label so a statement can
    never be mistaken for a checkpoint (whose messages start ``redress-ledger-checkpoint-v1``).
    """
    if message.startswith(b"redress-ledger-checkpoint"):
        raise LedgerError("refusing to sign a message that looks like a checkpoint")
    key = _signing_key()
    return key.sign(message).signature, key.verify_key.encode().hex()


def trusted_public_keys() -> frozenset[str]:
    """Public keys (hex) whose signatures this installation accepts."""
    return _trusted_public_keys()
