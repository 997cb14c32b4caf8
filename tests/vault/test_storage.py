"""Encrypted file storage: sealed chunks under random names, refused when altered or moved."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from redress.vault.actions import new_data_key, shred
from redress.vault.errors import Shredded, VaultError
from redress.vault.storage import EncryptingStorage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 1000])
def test_round_trip_at_chunk_boundaries(size: int) -> None:
    storage = EncryptingStorage(chunk_size=100)
    key = new_data_key("case:1")
    content = os.urandom(size)
    for given in (content, io.BytesIO(content), ContentFile(content, name="x.pdf")):
        name = storage.save_sealed(given, key)
        assert storage.open_sealed(name, key) == content
        assert b"".join(storage.stream_sealed(name, key)) == content


def test_files_land_under_media_root_with_random_names(vault_folders: Path) -> None:
    storage = EncryptingStorage()
    key = new_data_key("case:1")
    upload = SimpleUploadedFile("Jane Doe - medical letter.pdf", b"%PDF-1.7 private")
    first = storage.save_sealed(upload, key)
    second = storage.save_sealed(upload, key)
    assert first != second
    assert "Jane" not in first
    assert ".pdf" not in first
    path = vault_folders / "uploads" / first
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"private" not in path.read_bytes()
    assert storage.open_sealed(first, key) == b"%PDF-1.7 private"
    assert storage.exists(first)
    storage.delete(first)
    assert not storage.exists(first)


def test_any_inner_storage_works() -> None:
    inner = InMemoryStorage()
    storage = EncryptingStorage(inner)
    key = new_data_key("case:1")
    name = storage.save_sealed(b"in memory", key)
    with inner.open(name) as handle:
        assert b"in memory" not in handle.read()
    assert storage.open_sealed(name, key) == b"in memory"


def test_another_key_is_refused() -> None:
    storage = EncryptingStorage()
    name = storage.save_sealed(b"mine", new_data_key("case:1"))
    with pytest.raises(VaultError, match="different data key"):
        storage.open_sealed(name, new_data_key("case:2"))


def _corrupt(storage: EncryptingStorage, name: str, change: object) -> None:
    path = Path(storage.inner.path(name))
    path.write_bytes(change(path.read_bytes()))  # type: ignore[operator]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda b: b[:-1] + bytes([b[-1] ^ 1]), id="flip-last-bit"),
        pytest.param(lambda b: b[:30] + bytes([b[30] ^ 1]) + b[31:], id="flip-header-area"),
        pytest.param(lambda b: b[: 24 + 140], id="truncate-at-chunk-boundary"),
        pytest.param(lambda b: b[:-5], id="truncate-mid-chunk"),
        pytest.param(
            lambda b: b[:24] + b[24 + 140 : 24 + 280] + b[24 : 24 + 140] + b[24 + 280 :],
            id="swap-chunks",
        ),
        pytest.param(lambda b: b[:24], id="header-only"),
    ],
)
def test_altered_files_are_refused(change: object) -> None:
    storage = EncryptingStorage(chunk_size=100)
    key = new_data_key("case:1")
    name = storage.save_sealed(os.urandom(350), key)
    _corrupt(storage, name, change)
    with pytest.raises(VaultError):
        storage.open_sealed(name, key)


def test_a_file_copied_to_another_name_is_refused() -> None:
    storage = EncryptingStorage()
    key = new_data_key("case:1")
    first = storage.save_sealed(b"first", key)
    second = storage.save_sealed(b"second", key)
    Path(storage.inner.path(second)).write_bytes(Path(storage.inner.path(first)).read_bytes())
    with pytest.raises(VaultError, match="failed authentication"):
        storage.open_sealed(second, key)


def test_names_are_checked() -> None:
    storage = EncryptingStorage()
    with pytest.raises(VaultError, match="not the name of a sealed file"):
        storage.open_sealed("../settings.py", new_data_key("case:1"))


def test_shredded_files_cannot_be_read_or_written() -> None:
    storage = EncryptingStorage()
    key = new_data_key("case:1")
    name = storage.save_sealed(b"evidence", key)
    shred(key, actor="user:1", reason="retention")
    with pytest.raises(Shredded):
        storage.open_sealed(name, key)
    with pytest.raises(Shredded):
        storage.save_sealed(b"more", key)
