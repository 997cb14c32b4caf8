"""Encrypted files: attachments sealed with their subject's data key before any storage sees them.

``EncryptingStorage`` wraps any Django storage (the default is a FileSystemStorage at
MEDIA_ROOT, files 0600 and folders 0700). It is deliberately not a ``Storage`` itself: a
storage's ``save(name, content)`` has nowhere to say which data key to use, so every method here
takes the key explicitly and nothing can be written in the clear by accident::

    storage = EncryptingStorage()
    name = storage.save_sealed(upload, case.data_key)     # keep ``name`` on the attachment row
    data = storage.open_sealed(name, case.data_key)       # or stream_sealed() for large files

Stored names are random (``vault/3f/3f9c...``) and never derived from the upload's name, which
can identify someone; keep the original name, if at all, in an encrypted field.

Format: a header ``b"RDV\\x01" || data key id (16) || chunk size (4)``, then chunks of
``nonce (24) || ciphertext || tag (16)``. Each chunk is XChaCha20-Poly1305 with associated
data naming the data key, the file's random id (from its name), the chunk size, the chunk's
index and whether it is the last, so chunks cannot be reordered, dropped, truncated or moved to
another file. Memory use is one chunk plus a spooled temporary file of ciphertext.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, Storage

from redress.vault import crypto
from redress.vault.actions import _material
from redress.vault.errors import VaultError
from redress.vault.models import DataKey

MAGIC = b"RDV\x01"
DEFAULT_CHUNK_SIZE = 64 * 1024
MAX_CHUNK_SIZE = 16 * 1024 * 1024
_HEADER_BYTES = len(MAGIC) + 16 + 4
_NAME = re.compile(r"^vault/([0-9a-f]{2})/(\1[0-9a-f]{30})$")

Content = bytes | bytearray | memoryview | File[bytes] | IO[bytes]


class EncryptingStorage:
    """Seals file content with a data key and keeps only ciphertext in the storage underneath."""

    def __init__(self, inner: Storage | None = None, *, chunk_size: int = DEFAULT_CHUNK_SIZE):
        if not 0 < chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError(f"chunk_size must be between 1 and {MAX_CHUNK_SIZE}")
        # No location: FileSystemStorage reads MEDIA_ROOT lazily and follows settings changes.
        self.inner = inner or FileSystemStorage(
            file_permissions_mode=0o600, directory_permissions_mode=0o700
        )
        self.chunk_size = chunk_size

    def save_sealed(self, content: Content, key: DataKey) -> str:
        """Seal ``content`` with ``key`` and store it under a new random name; return the name.

        Refuses a shredded key (Shredded) or an unusable one (VaultError), and a storage that
        stores under another name than the one asked for (the name is bound into the
        ciphertext); nothing is left behind then.
        """
        material = _material(key)
        file_id = secrets.token_hex(16)
        name = f"vault/{file_id[:2]}/{file_id}"
        with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024) as spool:
            spool.write(MAGIC + key.id.bytes + self.chunk_size.to_bytes(4, "big"))
            for index, (chunk, final) in enumerate(_exact_chunks(content, self.chunk_size)):
                ad = _chunk_ad(key, file_id, self.chunk_size, index, final)
                spool.write(crypto.encrypt(material, chunk, ad))
            spool.seek(0)
            stored = self.inner.save(name, File(spool, name=name))
        if stored != name:
            self.inner.delete(stored)
            raise VaultError(f"the storage renamed {name} to {stored}; it cannot hold sealed files")
        return stored

    def open_sealed(self, name: str, key: DataKey) -> bytes:
        """The plaintext of the file ``name``, authenticated in full before it is returned.

        Raises Shredded when the key was shredded and VaultError when the file was sealed with
        another key, renamed, truncated, reordered or altered.
        """
        return b"".join(self.stream_sealed(name, key))

    def stream_sealed(self, name: str, key: DataKey) -> Iterator[bytes]:
        """The plaintext of ``name`` chunk by chunk, each authenticated before it is yielded.

        A truncated file raises VaultError at its end, after earlier chunks were yielded: use
        ``open_sealed`` where partial content must never be acted on.
        """
        file_id = _file_id(name)
        material = _material(key)
        handle = self.inner.open(name, "rb")
        try:
            header = _read_exact(handle, _HEADER_BYTES)
            if len(header) < _HEADER_BYTES or not header.startswith(MAGIC):
                raise VaultError(f"{name} is not a file sealed by this vault")
            if header[len(MAGIC) : len(MAGIC) + 16] != key.id.bytes:
                raise VaultError(f"{name} was sealed under a different data key")
            chunk_size = int.from_bytes(header[-4:], "big")
            if not 0 < chunk_size <= MAX_CHUNK_SIZE:
                raise VaultError(f"{name} has a damaged header")
            block = crypto.NONCE_BYTES + chunk_size + crypto.TAG_BYTES
            current = _read_exact(handle, block)
            if not current:
                raise VaultError(f"{name} is truncated")
            index = 0
            while True:
                following = _read_exact(handle, block)
                final = not following
                ad = _chunk_ad(key, file_id, chunk_size, index, final)
                yield crypto.decrypt(material, current, ad, what=f"{name} chunk {index}")
                if final:
                    return
                current, index = following, index + 1
        finally:
            handle.close()

    def delete(self, name: str) -> None:
        """Remove the stored ciphertext (shredding the key already makes it unreadable)."""
        _file_id(name)
        self.inner.delete(name)

    def exists(self, name: str) -> bool:
        return self.inner.exists(name)

    def buckets(self) -> list[str]:
        """The folders sealed files are spread over (``vault/3f``), for walking them in parts."""
        if not self.inner.exists("vault"):
            return []
        folders, _files = self.inner.listdir("vault")
        return sorted(
            f"vault/{folder}" for folder in folders if re.fullmatch(r"[0-9a-f]{2}", folder)
        )

    def stored_before(self, bucket: str, moment: datetime) -> list[str]:
        """The sealed files in ``bucket`` last written before ``moment`` (names as stored)."""
        _folders, files = self.inner.listdir(bucket)
        names = [f"{bucket}/{file}" for file in files]
        return [
            name
            for name in names
            if _NAME.match(name) and self.inner.get_modified_time(name) < moment
        ]

    def size(self, name: str) -> int:
        """Size of the stored ciphertext, not of the plaintext."""
        return self.inner.size(name)


def _file_id(name: str) -> str:
    match = _NAME.match(name)
    if match is None:
        raise VaultError(f"{name!r} is not the name of a sealed file")
    return match.group(2)


def _chunk_ad(key: DataKey, file_id: str, chunk_size: int, index: int, final: bool) -> bytes:
    return crypto.associated_data(
        "file",
        key.id.bytes,
        bytes.fromhex(file_id),
        chunk_size.to_bytes(4, "big"),
        index.to_bytes(8, "big"),
        b"\x01" if final else b"\x00",
    )


def _exact_chunks(content: Content, size: int) -> Iterator[tuple[bytes, bool]]:
    """Chunks of exactly ``size`` bytes (the last may be shorter or empty), each with is-last."""
    if isinstance(content, bytes | bytearray | memoryview):
        view = memoryview(content).cast("B")
        pieces = [bytes(view[i : i + size]) for i in range(0, len(view), size)] or [b""]
        for position, piece in enumerate(pieces):
            yield piece, position == len(pieces) - 1
        return
    _rewind(content)
    current = _read_exact(content, size)
    while True:
        following = _read_exact(content, size) if len(current) == size else b""
        yield current, not following
        if not following:
            return
        current = following


def _rewind(content: Any) -> None:
    seek = getattr(content, "seek", None)
    if seek is not None:
        with contextlib.suppress(OSError, ValueError):  # not seekable: read from where it is
            seek(0)


def _read_exact(handle: Any, size: int) -> bytes:
    """Up to ``size`` bytes, fewer only at the end of the stream."""
    parts: list[bytes] = []
    remaining = size
    while remaining:
        part = handle.read(remaining)
        if not part:
            break
        if isinstance(part, str):
            raise TypeError("sealed files are written from bytes, not text")
        parts.append(bytes(part))
        remaining -= len(part)
    return b"".join(parts)
