"""The ledger published as a transparency log (C2SP tlog-tiles, tlog-checkpoint; RFC 6962).

Each ledger entry is one log entry: its salted 32-byte digest (``encoding.log_entry``), at log
index ``seq - 1``. The tree's complete subtrees are stored by the one append
(``ledger.append``, ``models.TreeHash``); this module reads them to make proofs, tiles and
signed checkpoints, and keeps the log's checkpoints (``models.LogCheckpoint``).

The log's checkpoints are signed notes whose key name is the log's origin, with the ledger's
Ed25519 key (``ledger.keys``): the same key that signs the chain's own checkpoints, whose
messages can never be read as a note (they do not start with an origin line). A checkpoint is
published once it has a quorum of witnesses' cosignatures (``ledger.witnesses``), or at once,
marked unwitnessed, when no witness is configured.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from redress.ledger import merkle, tlog
from redress.ledger.encoding import log_entry
from redress.ledger.errors import LedgerError
from redress.ledger.keys import signing_key, trusted_public_keys
from redress.ledger.models import Entry, Head, LogCheckpoint, TreeHash, tree_position

# At most this many entries are read in one query when the leaves are checked again.
BATCH = 5_000


def origin() -> str:
    """The log's origin line: ``LOG_ORIGIN``, by default the site's host followed by ``/log``."""
    configured: str = settings.LOG_ORIGIN
    if configured:
        return configured
    host = urlsplit(settings.SITE_URL).netloc or "localhost"
    return f"{host}/log"


def signer() -> tlog.NoteSigner:
    """The log's note signer: the ledger's Ed25519 key under the log's origin as its name."""
    return tlog.NoteSigner(origin(), signing_key())


def vkey() -> str:
    """The log's verifier key, ``<origin>+<key ID hex>+<base64(0x01 || public key)>``."""
    return signer().vkey


def verifier() -> tlog.Verifier:
    """The verifier of the log's current key."""
    return tlog.parse_vkey(vkey())


def verifiers() -> list[tlog.Verifier]:
    """The current key's verifier and those of retired keys (``LEDGER_TRUSTED_KEYS``), so that
    checkpoints signed before a key rotation still verify."""
    current = verifier()
    retired = [
        tlog.Verifier(origin(), tlog.ED25519, bytes.fromhex(key))
        for key in trusted_public_keys()
        if len(key) == 64 and bytes.fromhex(key) != current.public_key
    ]
    return [current, *retired]


def size() -> int:
    """How many entries the log holds now (the chain's head)."""
    return Head.objects.filter(pk=1).values_list("seq", flat=True).first() or 0


def stored_hashes(needed: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored complete-subtree hashes at ``needed`` (level, index) pairs, in one query."""
    positions = {tree_position(level, index): (level, index) for level, index in needed}
    if not positions:
        return {}
    rows = TreeHash.objects.filter(position__in=list(positions)).values_list("position", "hash")
    return {positions[position]: bytes(value) for position, value in rows}


def _source(needed: Sequence[tuple[int, int]]) -> merkle.HashSource:
    found = stored_hashes(needed)

    def source(level: int, index: int) -> bytes:
        try:
            return found[level, index]
        except KeyError:
            raise LedgerError(
                f"the log tree is missing the hash at level {level}, index {index}"
            ) from None

    return source


def root(tree_size: int) -> bytes:
    """The root hash of the log's first ``tree_size`` entries, from the stored tree."""
    return merkle.root(tree_size, _source(merkle.root_needs(tree_size)))


def inclusion_proof(index: int, tree_size: int) -> list[bytes]:
    """The RFC 9162 inclusion proof of entry ``index`` in the tree of ``tree_size``."""
    return merkle.inclusion_proof(
        index, tree_size, _source(merkle.inclusion_needs(index, tree_size))
    )


def consistency_proof(old_size: int, new_size: int) -> list[bytes]:
    """The RFC 9162 consistency proof from the tree of ``old_size`` to that of ``new_size``."""
    return merkle.consistency_proof(
        old_size, new_size, _source(merkle.consistency_needs(old_size, new_size))
    )


def log_entries(first: int, count: int) -> list[bytes]:
    """The log entries (salted digests) at indexes ``first`` .. ``first + count - 1``."""
    rows = (
        Entry.objects.filter(seq__gt=first, seq__lte=first + count)
        .order_by("seq")
        .values_list("salt", "hash")
    )
    return [log_entry(bytes(salt), bytes(chain_hash)) for salt, chain_hash in rows]


def level_hashes(level: int, first: int, count: int) -> list[bytes]:
    """The stored hashes at tree ``level`` for indexes ``first`` .. ``first + count - 1``: what
    a tile serves. Fewer when the tree has not grown that far."""
    rows = (
        TreeHash.objects.filter(
            position__gte=tree_position(level, first),
            position__lt=tree_position(level, first + count),
        )
        .order_by("position")
        .values_list("hash", flat=True)
    )
    return [bytes(value) for value in rows]


def entry_index(entry: Entry) -> int:
    """The log index of a ledger entry."""
    return int(entry.seq) - 1


def make_checkpoint() -> LogCheckpoint | None:
    """Sign a checkpoint of the log as it is now, and gather cosignatures for it.

    Returns None when the log has not grown since the newest checkpoint. Refuses
    (``LedgerError``) to sign a tree that is not an append-only extension of the newest
    checkpoint's, or whose new leaves are not the digests of the entries they stand for: a
    checkpoint vouches for them to the world.
    """
    tree_size = size()
    latest = LogCheckpoint.objects.order_by("-size").first()
    if tree_size == 0 or (latest is not None and latest.size >= tree_size):
        if latest is not None and not latest.published:
            # Not yet published (a witness was down): ask the witnesses again.
            from redress.ledger import witnesses

            witnesses.gather(latest)
        return None
    tree_root = root(tree_size)
    since = 0
    if latest is not None:
        try:
            tlog.verify_consistency(
                latest.size,
                tree_size,
                bytes(latest.root),
                tree_root,
                consistency_proof(latest.size, tree_size),
            )
        except tlog.ProofError as error:
            message = f"the log is not an extension of its last checkpoint: {error}"
            raise LedgerError(message) from error
        since = latest.size
    _check_leaves(since, tree_size)
    checkpoint = tlog.Checkpoint(origin=origin(), size=tree_size, root=tree_root)
    text = checkpoint.text()
    try:
        with transaction.atomic():
            made = LogCheckpoint.objects.create(
                size=tree_size,
                root=tree_root,
                time=timezone.now(),
                note=tlog.sign_note(text, [signer()]),
            )
    except IntegrityError:
        return None  # a concurrent caller signed the same size first
    from redress.ledger import witnesses

    witnesses.gather(made)
    return made


def _check_leaves(first: int, end: int) -> None:
    """Every stored leaf from index ``first`` to ``end`` is the digest of its entry."""
    for _leaf in _checked_leaves(first, end):
        pass


def _checked_leaves(first: int, end: int) -> Iterator[bytes]:
    """The log's leaves from index ``first`` to ``end``, in order, each recomputed from its
    ledger entry and compared with the stored one; ``LedgerError`` at the first that differs or
    is missing. Reads a batch at a time."""
    while first < end:
        count = min(BATCH, end - first)
        digests = log_entries(first, count)
        stored = level_hashes(0, first, count)
        for offset in range(count):
            leaf = tlog.leaf_hash(digests[offset]) if offset < len(digests) else None
            if leaf is None or offset >= len(stored) or stored[offset] != leaf:
                index = first + offset
                raise LedgerError(
                    f"the log's leaf {index} is not the digest of ledger entry {index + 1}"
                )
            yield leaf
        first += count


def published() -> LogCheckpoint | None:
    """The newest checkpoint published at ``/log/checkpoint``."""
    return LogCheckpoint.objects.filter(published_at__isnull=False).order_by("-size").first()


@functools.cache
def _published_tree_sql() -> tuple[str, tuple[Any, ...]]:
    # Compiled once: it runs before every tile served, and compiling it each time would cost as
    # much as running it.
    newest = (
        LogCheckpoint.objects.filter(published_at__isnull=False)
        .order_by("-size")
        .values_list("size", "root")[:1]
    )
    return newest.query.sql_with_params()


def published_tree() -> tuple[int, bytes]:
    """The size and root hash of the newest published checkpoint; (0, b"") before any. What
    ``published`` gives, without the row, for the views that serve tiles."""
    sql, params = _published_tree_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    return (int(found[0]), bytes(found[1])) if found else (0, b"")


def publish(checkpoint: LogCheckpoint, cosignatures: Sequence[tlog.Signature] = ()) -> None:
    """Keep ``cosignatures`` with ``checkpoint`` and publish it."""
    checkpoint.cosignatures = "".join(signature.line for signature in cosignatures)
    checkpoint.published_at = timezone.now()
    checkpoint.save(update_fields=["cosignatures", "published_at"])


def witnessed() -> bool:
    """Whether published checkpoints carry witnesses' cosignatures (a quorum is configured)."""
    return bool(settings.LOG_WITNESSES) and settings.LOG_QUORUM > 0


@dataclass(frozen=True)
class Against:
    """A checkpoint the log must extend: where it came from, its size and its root hash."""

    source: str
    size: int
    root: bytes


@dataclass(frozen=True)
class LogCheck:
    """What ``check`` found: the log's size and the first difference, if any."""

    size: int
    fault: str | None = None
    checked: tuple[Against, ...] = ()

    @property
    def ok(self) -> bool:
        return self.fault is None


def check(against: Sequence[Against] = ()) -> LogCheck:
    """Recompute every leaf from its ledger entry and the tree from the leaves, and name the
    first difference with the stored tree or with any checkpoint in ``against``.

    A checkpoint published, cosigned or kept earlier names the root of the first ``size``
    entries: if that root is not the root of the entries there now, history before that point
    was rewritten, however consistently the chain and the stored tree were made again. Reads
    only.
    """
    tree_size = size()
    marks = sorted(against, key=lambda mark: mark.size)
    for mark in marks:
        if mark.size > tree_size:
            return LogCheck(
                tree_size,
                f"{mark.source} covers {mark.size} entries but the log holds only {tree_size}: "
                "entries were removed",
            )
    builder = merkle.TreeBuilder()
    waiting = list(marks)
    try:
        for leaf in _checked_leaves(0, tree_size):
            builder.append(leaf)
            while waiting and waiting[0].size == builder.size:
                mark = waiting.pop(0)
                if builder.root() != mark.root:
                    return LogCheck(
                        tree_size,
                        f"the first {mark.size} entries no longer have the root hash that "
                        f"{mark.source} names: the history before entry {mark.size + 1} was "
                        "rewritten",
                    )
    except LedgerError as error:
        return LogCheck(tree_size, str(error))
    for mark in waiting:  # a checkpoint of the empty tree
        if mark.root != tlog.EMPTY_ROOT:
            return LogCheck(tree_size, f"{mark.source} names a root for an empty log")
    if tree_size and builder.root() != root(tree_size):
        return LogCheck(tree_size, "the stored tree's root is not the root of its entries")
    return LogCheck(tree_size, None, tuple(marks))


def against_note(note: str | bytes, source: str) -> Against:
    """The checkpoint in a signed note, which must carry this log's signature
    (``tlog.TlogError`` with a plain message otherwise)."""
    checked = tlog.verify_checkpoint(note, verifiers(), origin=origin())
    return Against(source, checked.checkpoint.size, checked.checkpoint.root)


def own_checkpoints() -> list[Against]:
    """This log's own checkpoints, as kept in its database."""
    return [
        Against(f"the log's checkpoint at size {size}", int(size), bytes(root_hash))
        for size, root_hash in LogCheckpoint.objects.values_list("size", "root")
    ]
