"""Key-encryption keys (KEKs): where the keys that wrap data keys come from.

A KEK never lives in the database. Two sources sit behind one small interface:

- ``KeyFolder``: files in ``KEYS_DIR/kek/`` named by key id, created on first use with mode 0600.
  The embedded default, and the only source ``redress keys rotate`` can rotate by itself.
- ``EnvironmentKeys``: ``REDRESS_KEK`` (32 bytes as base64 or hex), plus ``REDRESS_KEK_PREVIOUS``
  (the same, comma separated) for reading data keys still wrapped by keys rotated out, read by
  settings.py as ``settings.KEK`` and ``settings.KEK_PREVIOUS``. The operator rotates these; the
  vault only re-wraps.

Key ids are public labels stored beside each wrapped data key. Both sources derive them from a
hash of the key, so a key file renamed by mistake, or the wrong secret in the environment, is
noticed instead of producing a wrap that can never be opened.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import functools
import hashlib
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from redress.core import keyfiles
from redress.vault import crypto
from redress.vault.errors import VaultError

logger = logging.getLogger(__name__)

ENV_CURRENT = "REDRESS_KEK"
ENV_PREVIOUS = "REDRESS_KEK_PREVIOUS"

_FOLDER_ID = re.compile(r"^(\d{4,})-([0-9a-f]{16})$")
_ENV_ID = re.compile(r"^env-([0-9a-f]{16})$")


@dataclass(frozen=True, repr=False)
class Kek:
    """A key-encryption key and its public id. The repr never shows the secret."""

    id: str
    secret: bytes

    def __repr__(self) -> str:
        return f"Kek(id={self.id!r})"


class KeyEncryptionKeys(Protocol):
    """Where KEKs come from. ``current()`` wraps new data keys; ``get()`` opens older wraps."""

    def current(self) -> Kek:
        """The KEK that wraps new data keys (created on first use where the source can)."""
        ...

    def get(self, kek_id: str) -> Kek:
        """The KEK with this id; VaultError when the source does not hold it."""
        ...

    def describe(self) -> str:
        """A line for operators naming the source, never a secret."""
        ...

    def active_ids(self) -> list[str]:
        """Ids of every KEK still usable for reading, oldest first; the last one is current."""
        ...


@runtime_checkable
class RotatableKeyEncryptionKeys(KeyEncryptionKeys, Protocol):
    """A source that can make a new KEK, list the ones still in use and retire old ones."""

    def begin_rotation(self) -> tuple[Kek, bool]:
        """The KEK a rotation moves to and whether an unfinished rotation is being resumed."""
        ...

    def retire(self, kek_id: str) -> None:
        """Take a KEK out of use; callers first make sure no data key needs it."""
        ...

    def rotation_lock(self) -> contextlib.AbstractContextManager[None]:
        """Held for a whole rotation so two cannot run at once; VaultError if already held."""
        ...


def fingerprint(secret: bytes) -> str:
    """A short public id for a key: a labelled SHA-256 of it, which reveals nothing of the key."""
    return hashlib.sha256(b"redress.vault.kek-id\x00" + secret).hexdigest()[:16]


class KeyFolder:
    """KEKs as files in ``<keys_dir>/kek/``, named ``<generation>-<fingerprint>``.

    The highest generation is current; older files in ``kek/`` are still read until a rotation
    has re-wrapped every data key that uses them and moves them to ``kek-retired/``. A new key is
    written to ``kek-pending/`` first, checked, then renamed into ``kek/``: a crash at any point
    leaves either no new key or one that the next rotation picks up again.
    """

    def __init__(self, keys_dir: Path) -> None:
        self.keys_dir = Path(keys_dir)
        self.active_dir = self.keys_dir / "kek"
        self.pending_dir = self.keys_dir / "kek-pending"
        self.retired_dir = self.keys_dir / "kek-retired"

    def describe(self) -> str:
        return f"key folder {self.active_dir}"

    def current(self) -> Kek:
        # Every new data key asks for the current KEK: read the folder again only when it has
        # changed (a rotation renames a key into it, a retirement moves one out).
        stamp = _stamp(self.active_dir)
        cached = _CURRENT.get(self.active_dir)
        if stamp is not None and cached is not None and cached[0] == stamp:
            return cached[1]
        ids = self.active_ids()
        if not ids:
            # Two processes starting together must agree on one first key.
            with self._lock(".create.lock", blocking=True):
                ids = self.active_ids()
                if not ids:
                    self._create_in(self.active_dir)
                    ids = self.active_ids()
        kek = self.get(ids[-1])
        if stamp is not None:
            _CURRENT[self.active_dir] = (stamp, kek)
        return kek

    def get(self, kek_id: str) -> Kek:
        match = _FOLDER_ID.match(kek_id)
        if match is None:
            raise VaultError(f"key-encryption key {kek_id!r} is not held by the {self.describe()}")
        path = self.active_dir / kek_id
        try:
            secret = path.read_bytes()
        except FileNotFoundError:
            where = " (it was retired)" if (self.retired_dir / kek_id).exists() else ""
            raise VaultError(
                f"key-encryption key {kek_id} is not in the {self.describe()}{where}"
            ) from None
        if len(secret) != crypto.KEY_BYTES or fingerprint(secret) != match.group(2):
            raise VaultError(f"key file {path} is damaged or misnamed: it does not match its id")
        self._warn_if_exposed(path)
        return Kek(kek_id, secret)

    def active_ids(self) -> list[str]:
        return self._ids_in(self.active_dir)

    def begin_rotation(self) -> tuple[Kek, bool]:
        pending = self._ids_in(self.pending_dir)
        if pending:
            # A rotation crashed after making its key and before promoting it: use that key.
            kek_id, resumed = pending[-1], True
        else:
            active = self.active_ids()
            if len(active) > 1:
                # Promoted, but older keys were never retired: finish that rotation.
                return self.get(active[-1]), True
            kek_id, resumed = self._create_in(self.pending_dir), False
        pending_path = self.pending_dir / kek_id
        secret = pending_path.read_bytes()
        if len(secret) != crypto.KEY_BYTES or fingerprint(secret) != kek_id.split("-")[1]:
            raise VaultError(f"pending key file {pending_path} is damaged; remove it and retry")
        self.active_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.replace(pending_path, self.active_dir / kek_id)
        _fsync_dir(self.active_dir)
        return self.get(kek_id), resumed

    def retire(self, kek_id: str) -> None:
        if _FOLDER_ID.match(kek_id) is None:
            raise VaultError(f"not a key id: {kek_id!r}")
        if kek_id == self.current().id:
            raise VaultError("the current key-encryption key cannot be retired")
        self.retired_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.replace(self.active_dir / kek_id, self.retired_dir / kek_id)
        _fsync_dir(self.active_dir)
        _fsync_dir(self.retired_dir)

    @contextlib.contextmanager
    def rotation_lock(self) -> Iterator[None]:
        with self._lock(".rotation.lock", blocking=False):
            yield

    def _create_in(self, folder: Path) -> str:
        generation = 1 + max(
            (
                int(match.group(1))
                for directory in (self.active_dir, self.pending_dir, self.retired_dir)
                for match in map(_FOLDER_ID.match, _names(directory))
                if match is not None
            ),
            default=0,
        )
        secret = crypto.random_key()
        kek_id = f"{generation:04d}-{fingerprint(secret)}"
        keyfiles.write_new(folder / kek_id, secret)
        _fsync_dir(folder)
        return kek_id

    def _ids_in(self, folder: Path) -> list[str]:
        found = [
            (int(match.group(1)), name)
            for name in _names(folder)
            if (match := _FOLDER_ID.match(name)) is not None
        ]
        return [name for _, name in sorted(found)]

    @contextlib.contextmanager
    def _lock(self, name: str, *, blocking: bool) -> Iterator[None]:
        self.active_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.active_dir / name, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                raise VaultError("another key rotation is running on this key folder") from None
            yield
        finally:
            os.close(fd)  # closing releases the lock

    @staticmethod
    def _warn_if_exposed(path: Path) -> None:
        if path.stat().st_mode & 0o077:
            logger.warning("key file %s is readable by other users; chmod 600 it", path)


class EnvironmentKeys:
    """KEKs from ``REDRESS_KEK`` and ``REDRESS_KEK_PREVIOUS``; ids are ``env-<fingerprint>``."""

    def __init__(self, current: bytes, previous: list[bytes] | None = None) -> None:
        self._current = Kek(f"env-{fingerprint(current)}", current)
        self._all = {self._current.id: self._current}
        for secret in previous or []:
            kek = Kek(f"env-{fingerprint(secret)}", secret)
            self._all.setdefault(kek.id, kek)

    @classmethod
    def from_settings(cls) -> EnvironmentKeys:
        """The keys settings.py read from the environment (``settings.KEK``, ``KEK_PREVIOUS``);
        ImproperlyConfigured when a value is not a 32-byte key."""
        current = parse_key(settings.KEK, ENV_CURRENT)
        previous = [parse_key(item, ENV_PREVIOUS) for item in settings.KEK_PREVIOUS]
        return cls(current, previous)

    def describe(self) -> str:
        return f"environment ({ENV_CURRENT}, {ENV_PREVIOUS})"

    def current(self) -> Kek:
        return self._current

    def get(self, kek_id: str) -> Kek:
        try:
            return self._all[kek_id]
        except KeyError:
            hint = (
                f"; if it was rotated out of {ENV_CURRENT}, list it in {ENV_PREVIOUS}"
                if _ENV_ID.match(kek_id)
                else ""
            )
            raise VaultError(
                f"key-encryption key {kek_id} is not in the {self.describe()}{hint}"
            ) from None

    def active_ids(self) -> list[str]:
        return [*(i for i in self._all if i != self._current.id), self._current.id]


def parse_key(value: str, name: str) -> bytes:
    """32 bytes from hex (64 digits) or base64 (standard or URL-safe)."""
    text = value.strip()
    try:
        if re.fullmatch(r"[0-9a-fA-F]{64}", text):
            raw = bytes.fromhex(text)
        else:
            padded = text + "=" * (-len(text) % 4)
            raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (ValueError, binascii.Error):
        raw = b""
    if len(raw) != crypto.KEY_BYTES:
        raise ImproperlyConfigured(
            f"{name} must be a 32-byte key written as 64 hex digits or base64, "
            "for example the output of: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return raw


def key_encryption_keys() -> KeyEncryptionKeys:
    """The configured source: the environment when ``REDRESS_KEK`` is set, else the key folder."""
    if settings.KEK:
        return EnvironmentKeys.from_settings()
    return _key_folder(str(settings.KEYS_DIR))


@functools.lru_cache(maxsize=8)
def _key_folder(keys_dir: str) -> KeyFolder:
    # Every new data key asks for its folder: one object per configured path.
    return KeyFolder(Path(keys_dir))


# The current KEK of each key folder, with the folder's modification time when it was read.
_CURRENT: dict[Path, tuple[int, Kek]] = {}


def _stamp(folder: Path) -> int | None:
    try:
        return folder.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def _names(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except FileNotFoundError:
        return []


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable before anything depends on it."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
