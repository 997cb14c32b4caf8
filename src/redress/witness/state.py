"""What the witness remembers: the latest checkpoint it cosigned for each log, and evidence.

The record is one SQLite database, ``state.sqlite3`` in the data folder, with one row per log
(origin): the size and root hash of the latest checkpoint cosigned, the time of that
cosignature, and the checkpoint itself with the log's signatures and this witness's
cosignature, as served at ``GET /checkpoint/<origin>``. Each add-checkpoint request reads and
writes its log's row in one transaction that takes the database's write lock first (``BEGIN
IMMEDIATE``), so two requests cannot both advance a log from the same size, and the new row is
on disk (``synchronous=FULL``) before the cosignature is sent.

Evidence: when the witness refuses a checkpoint that may contradict one it cosigned, it keeps
both in a folder of its own under ``evidence/<log>/`` (see `keep_evidence`), written whole or
not at all, and removes the folder if it later cosigns that same checkpoint
(`clear_evidence`).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from redress.ledger import tlog

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS cosigned (
    origin TEXT PRIMARY KEY,
    size TEXT NOT NULL,
    root BLOB NOT NULL,
    timestamp INTEGER NOT NULL,
    checkpoint TEXT NOT NULL
)
"""
# Tree sizes go up to 2**64 - 1, beyond SQLite's integers: they are kept as decimal text.
SELECT = "SELECT size, root, timestamp, checkpoint FROM cosigned WHERE origin = ?"
UPSERT = (
    "INSERT INTO cosigned (origin, size, root, timestamp, checkpoint) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (origin) DO UPDATE SET size = excluded.size, root = excluded.root, "
    "timestamp = excluded.timestamp, checkpoint = excluded.checkpoint"
)
BUSY_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Cosigned:
    """The latest checkpoint the witness cosigned for a log."""

    origin: str
    size: int
    root: bytes
    timestamp: int
    checkpoint: str
    """The checkpoint note: its text, the log's signatures and this witness's cosignature."""


class Transaction:
    """One log's record, read and written under the database's write lock."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def get(self, origin: str) -> Cosigned | None:
        row = self._connection.execute(SELECT, (origin,)).fetchone()
        return None if row is None else _cosigned(origin, row)

    def put(self, record: Cosigned) -> None:
        self._connection.execute(
            UPSERT,
            (record.origin, str(record.size), record.root, record.timestamp, record.checkpoint),
        )


def _cosigned(origin: str, row: tuple[str, bytes, int, str]) -> Cosigned:
    size, root, timestamp, checkpoint = row
    return Cosigned(origin, int(size), bytes(root), int(timestamp), checkpoint)


class State:
    """The witness's SQLite database (created on first use)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        connection = self._connect()
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"{path} was written by a newer version of the witness (schema {version})"
                )
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(SCHEMA)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("COMMIT")
        finally:
            connection.close()
        os.chmod(path, 0o600)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        connection.execute("PRAGMA synchronous=FULL")
        return connection

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A transaction holding the write lock from its start; committed when the block ends
        normally, rolled back when it raises."""
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(connection)
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()

    def latest(self, origin: str) -> Cosigned | None:
        """The latest checkpoint cosigned for ``origin``, read without the write lock."""
        connection = self._connect()
        try:
            row = connection.execute(SELECT, (origin,)).fetchone()
        finally:
            connection.close()
        return None if row is None else _cosigned(origin, row)


def origin_folder(origin: str) -> str:
    """A folder name for a log: its origin with anything but letters, digits, dots and hyphens
    replaced, and a short hash of the origin so that two origins never share a folder."""
    readable = re.sub(r"[^A-Za-z0-9.-]", "_", origin)[:80]
    return f"{readable}-{hashlib.sha256(origin.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class Evidence:
    """What `keep_evidence` writes: the two checkpoints, the request as sent and why."""

    cosigned: Cosigned
    refused_checkpoint: str
    refused_size: int
    refused_root: bytes
    request: bytes
    status: int
    reason: str


def keep_evidence(evidence_dir: Path, evidence: Evidence) -> tuple[Path, bool]:
    """Keep the cosigned checkpoint and the refused one in a folder of their own; the folder,
    and whether it was written now (False: the same request was kept before).

    The folder, ``<evidence_dir>/<log>/<refused size>-<root>-<request>/`` (the start of the
    refused checkpoint's root hash and of the request's SHA-256, in hex), holds:

    - ``cosigned.checkpoint``: the checkpoint this witness had cosigned, with its cosignature;
    - ``refused.checkpoint``: the checkpoint it refused, exactly as the log signed it;
    - ``add-checkpoint.request``: the whole request as received (old size, proof, checkpoint);
    - ``README.txt``: when, what was answered, and why, in words.
    """
    cosigned = evidence.cosigned
    digest = hashlib.sha256(evidence.request).hexdigest()[:16]
    log_dir = evidence_dir / origin_folder(cosigned.origin)
    folder = log_dir / f"{_prefix(evidence.refused_size, evidence.refused_root)}-{digest}"
    if folder.exists():
        return folder, False
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = log_dir / f".tmp-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir(mode=0o700)
    try:
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        files = {
            "cosigned.checkpoint": cosigned.checkpoint.encode(),
            "refused.checkpoint": evidence.refused_checkpoint.encode(),
            "add-checkpoint.request": evidence.request,
            "README.txt": _readme(evidence, now).encode(),
        }
        for name, data in files.items():
            with (tmp / name).open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        try:
            tmp.rename(folder)
        except OSError:
            if folder.exists():  # the same request, kept by a concurrent refusal
                return folder, False
            raise
        return folder, True
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _prefix(size: int, root: bytes) -> str:
    return f"{size}-{root.hex()[:16]}"


def clear_evidence(evidence_dir: Path, origin: str, size: int, root: bytes) -> list[Path]:
    """Remove the evidence kept about the checkpoint of ``origin`` at ``size`` with ``root``,
    now that the witness has cosigned it (so it was proved to extend what the witness had
    cosigned before); the folders removed. Refusals of a checkpoint that is later cosigned are
    those of a log that did not know what this witness had cosigned, or sent a faulty proof."""
    removed = []
    log_dir = evidence_dir / origin_folder(origin)
    for folder in sorted(log_dir.glob(f"{_prefix(size, root)}-*")):
        try:
            note = (folder / "refused.checkpoint").read_text(encoding="utf-8")
            refused = tlog.parse_checkpoint(tlog.parse_note(note).text)
        except (OSError, ValueError, tlog.TlogError):
            continue
        if (refused.origin, refused.size, refused.root) == (origin, size, root):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _readme(evidence: Evidence, now: str) -> str:
    cosigned = evidence.cosigned
    cosigned_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(cosigned.timestamp))
    return (
        f"Refused checkpoint of the log {cosigned.origin}\n"
        f"\n"
        f"Received: {now}\n"
        f"Answered: HTTP {evidence.status}\n"
        f"Why: {evidence.reason}\n"
        f"\n"
        f"This witness had cosigned (at {cosigned_at}) the log's checkpoint of size "
        f"{cosigned.size}\nwith root hash {cosigned.root.hex()} (cosigned.checkpoint).\n"
        f"It was then asked to cosign a checkpoint of size {evidence.refused_size}\n"
        f"with root hash {evidence.refused_root.hex()} (refused.checkpoint), and refused,\n"
        f"because the request did not prove that the new checkpoint's tree extends the one\n"
        f"cosigned by appending only. Both checkpoints are signed by the log's key.\n"
        f"\n"
        f"If the two sizes are equal and the root hashes differ, the log has shown two\n"
        f"different histories: that is proof in itself. Otherwise, ask the log for a\n"
        f"consistency proof between the two sizes (or compute one from its tiles); a log that\n"
        f"cannot give one has rewritten or dropped entries it had published.\n"
        f"add-checkpoint.request is the request exactly as received.\n"
        f"\n"
        f"If the log later proves this same checkpoint consistent, the witness cosigns it and\n"
        f"removes this folder: it was then only a log that did not know what this witness had\n"
        f"cosigned, or sent a faulty proof. A folder that stays is one to look into.\n"
    )
