"""Secrets kept as files in the data folder, outside the database.

Each secret is created once, atomically, readable by the owner only (mode 0600). Two processes
starting at the same time agree on one value: the loser of the race reads the winner's file.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, generate: Callable[[], bytes] | None = None) -> bytes:
    """Return the secret stored at ``path``, creating it with ``generate()`` when absent.

    The file is written to a temporary name and linked into place, so a crash never leaves a
    half-written secret, and a concurrent creator never overwrites one that exists.
    """
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    value = (generate or (lambda: secrets.token_bytes(32)))()
    write_new(path, value)
    return path.read_bytes()


def write_new(path: Path, value: bytes) -> bool:
    """Write ``value`` to ``path`` with mode 0600 unless the file exists; True if written."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(value)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        return True
    finally:
        tmp.unlink(missing_ok=True)
