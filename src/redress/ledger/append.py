"""Appending to the ledger: the one writer of its entries.

Other apps call ``append`` (with ``digest_of`` or ``keyed_digest_of`` for content) as the last
step of their action, inside the action's transaction, so an act and its entry are committed
together or not at all. There is one append per database, chosen here and nowhere else: on
PostgreSQL the server-side function of ``ledger.sql``; on SQLite the same encoding in Python,
under SQLite's write lock.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from redress.core.oneshot import OneStatement
from redress.ledger.encoding import GENESIS_HASH, SALT_SIZE, entry_hash, log_entry, micros
from redress.ledger.errors import LedgerError
from redress.ledger.events import Action
from redress.ledger.merkle import append_leaf
from redress.ledger.models import Entry, Head, TreeHash, tree_position
from redress.ledger.sql import CALL_APPEND_FUNCTION, HEADLESS_SQLSTATE
from redress.ledger.tlog import leaf_hash

HEADLESS = "the ledger head row is missing although entries exist; refusing to append"

_DIGEST = re.compile(r"[0-9a-f]{64}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LIMITS = {"actor": 100, "obj": 200}


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


def append(
    *, actor: str, action: Action, obj: str, digest: str = "", rows: OneStatement | None = None
) -> Entry:
    """Append one entry to the chain and return it, chained.

    Guarantees: the entry gets the next ``seq`` with no gap, its ``prev_hash`` is the hash of the
    entry before it, and it is written inside the caller's transaction (or a transaction of its own
    when there is none), so it is committed exactly when the caller's act is. Concurrent appenders
    queue on the head row (``SELECT ... FOR UPDATE`` on PostgreSQL, the write lock on SQLite), so
    the chain never forks.

    Call it as the LAST step of an action: the head lock is held from here until the caller's
    transaction ends, and every other appender waits for it meanwhile.

    Refuses (``LedgerError``) an ``action`` that is not a member of ``events.Action``, an empty
    or over-long ``actor`` or ``obj``, control characters, a ``digest`` that is not empty or 64
    lowercase hex digits (pass ``digest_of(content)``, never the content), and appending when the
    head row is missing while entries exist.

    ``rows`` (PostgreSQL only) are the act's own new rows, collected in a ``core.oneshot``
    statement: the entry is appended by the same server-side function as that statement's last
    part, so the act and its entry reach the server, and commit, in one round trip (how a new
    case is written). The statement is run here; its rows are then saved.
    """
    name = _validate(actor=actor, action=action, obj=obj, digest=digest)
    fields = {"actor": actor, "action": name, "obj": obj, "digest": digest}
    # Covered by the entry's digest in the published log, never published: see ledger.encoding.
    salt = os.urandom(SALT_SIZE)
    if rows is not None:
        return _append_with_rows(rows, salt=salt, **fields)
    if connection.vendor == "postgresql":
        return _append_in_server(salt=salt, **fields)
    return _append_in_python(salt=salt, **fields)


def _append_in_server(*, actor: str, action: str, obj: str, digest: str, salt: bytes) -> Entry:
    # One call locks the head, hashes, writes entry and head and grows the log's tree
    # (ledger.sql), so the lock is never held across a round trip.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor, _headless_refused():
        cursor.execute(CALL_APPEND_FUNCTION, [actor, action, obj, digest, salt])
        row = cursor.fetchone()
    return _entry(row, actor=actor, action=action, obj=obj, digest=digest, salt=salt)


def _append_with_rows(
    rows: OneStatement, *, actor: str, action: str, obj: str, digest: str, salt: bytes
) -> Entry:
    if connection.vendor != "postgresql":
        raise LedgerError("an entry is appended with other rows in one statement on PostgreSQL")
    # Outside a transaction the statement is its own; inside one, it joins it.
    with _headless_refused():
        row = rows.run(CALL_APPEND_FUNCTION, [actor, action, obj, digest, salt])
    return _entry(row, actor=actor, action=action, obj=obj, digest=digest, salt=salt)


@contextmanager
def _headless_refused() -> Iterator[None]:
    try:
        yield
    except DatabaseError as error:
        if getattr(error.__cause__, "sqlstate", None) == HEADLESS_SQLSTATE:
            raise LedgerError(HEADLESS) from error
        raise


def _entry(
    row: Sequence[Any], *, actor: str, action: str, obj: str, digest: str, salt: bytes
) -> Entry:
    """The saved ``Entry`` for the row ``(seq, time, prev_hash, hash)`` the function returned."""
    seq, time, prev_hash, chain_hash = row
    entry = Entry(
        salt=salt,
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


def _append_in_python(*, actor: str, action: str, obj: str, digest: str, salt: bytes) -> Entry:
    # No savepoint: if the entry cannot be written, the caller's whole act must roll back.
    with transaction.atomic(savepoint=False):
        head = _locked_head()
        seq = head.seq + 1
        prev = bytes(head.hash)
        # The time is read under the lock, so times never run backwards along the chain.
        now = timezone.now()
        chain_hash = entry_hash(
            seq, micros(now), prev, actor.encode(), action.encode(), obj.encode(), digest.encode()
        )
        entry = Entry.objects.create(
            seq=seq,
            time=now,
            actor=actor,
            action=action,
            object=obj,
            digest=digest,
            prev_hash=prev,
            hash=chain_hash,
            salt=salt,
        )
        Head.objects.filter(pk=1).update(seq=seq, hash=chain_hash)
        _grow_tree(seq - 1, leaf_hash(log_entry(salt, chain_hash)))
    return entry


def _grow_tree(index: int, leaf: bytes) -> None:
    """Store the new leaf at log ``index`` and every subtree it completes (as ledger.sql does)."""

    def stored(level: int, at: int) -> bytes:
        found = TreeHash.objects.filter(position=tree_position(level, at)).values_list(
            "hash", flat=True
        )
        if not found:
            raise LedgerError(f"the log tree is missing the hash at level {level}, index {at}")
        return bytes(found[0])

    TreeHash.objects.bulk_create(
        TreeHash(position=tree_position(level, at), hash=node)
        for level, at, node in append_leaf(index, leaf, stored)
    )


def _validate(*, actor: str, action: Action, obj: str, digest: str) -> str:
    """The action's stored name, once every field is acceptable."""
    try:
        # Type checking makes callers name a member; this refuses anything else at run time.
        stored = Action(action).value
    except ValueError:
        raise LedgerError(
            f"action {action!r} is not one of the ledger's actions (ledger.events.Action)"
        ) from None
    for field, value in (("actor", actor), ("obj", obj)):
        if not isinstance(value, str) or not value:
            raise LedgerError(f"{field} must be a non-empty string")
        if len(value) > _LIMITS[field]:
            raise LedgerError(f"{field} is longer than {_LIMITS[field]} characters")
        if _CONTROL.search(value):
            raise LedgerError(f"{field} contains control characters")
        try:
            value.encode()
        except UnicodeEncodeError as error:
            raise LedgerError("ledger fields must be valid Unicode text") from error
    if not isinstance(digest, str) or (digest and not _DIGEST.fullmatch(digest)):
        raise LedgerError("digest must be empty or 64 lowercase hex digits (use digest_of)")
    return stored


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
