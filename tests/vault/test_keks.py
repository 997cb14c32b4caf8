"""Key-encryption key sources: the key folder and the environment."""

from __future__ import annotations

import base64
import os
import stat
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django import Settings

from redress.vault import keks
from redress.vault.errors import VaultError
from redress.vault.keks import EnvironmentKeys, KeyFolder, fingerprint, key_encryption_keys


def test_folder_creates_one_key_on_first_use_readable_by_owner_only(tmp_path: Path) -> None:
    folder = KeyFolder(tmp_path / "keys")
    kek = folder.current()
    path = tmp_path / "keys" / "kek" / kek.id
    assert path.read_bytes() == kek.secret
    assert len(kek.secret) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys" / "kek").stat().st_mode) == 0o700
    assert kek.id == f"0001-{fingerprint(kek.secret)}"
    assert folder.current() == kek
    assert folder.get(kek.id) == kek
    assert kek.secret.hex() not in repr(kek)


def test_concurrent_first_use_agrees_on_one_key(tmp_path: Path) -> None:
    found: list[str] = []

    def first_use() -> None:
        found.append(KeyFolder(tmp_path / "keys").current().id)

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1
    assert KeyFolder(tmp_path / "keys").active_ids() == found[:1]


def test_folder_refuses_a_misnamed_or_damaged_key(tmp_path: Path) -> None:
    folder = KeyFolder(tmp_path / "keys")
    kek = folder.current()
    other = f"0002-{'0' * 16}"
    (tmp_path / "keys" / "kek" / other).write_bytes(kek.secret)
    with pytest.raises(VaultError, match="does not match its id"):
        folder.get(other)
    with pytest.raises(VaultError):
        folder.get("../../etc/passwd")
    with pytest.raises(VaultError, match="not in the key folder"):
        folder.get(f"0009-{'a' * 16}")


def test_environment_key_hex_and_base64(settings: Settings) -> None:
    secret = os.urandom(32)
    settings.KEK = secret.hex()
    source = key_encryption_keys()
    assert isinstance(source, EnvironmentKeys)
    assert source.current().secret == secret
    assert source.current().id == f"env-{fingerprint(secret)}"
    settings.KEK = base64.b64encode(secret).decode()
    assert key_encryption_keys().current().secret == secret
    settings.KEK = base64.urlsafe_b64encode(secret).decode().rstrip("=")
    assert key_encryption_keys().current().secret == secret


@pytest.mark.parametrize("value", ["short", "00" * 31, base64.b64encode(b"x" * 33).decode()])
def test_environment_key_must_be_32_bytes(settings: Settings, value: str) -> None:
    settings.KEK = value
    with pytest.raises(ImproperlyConfigured, match="32-byte key"):
        key_encryption_keys()


def test_environment_previous_keys_open_old_wraps(settings: Settings) -> None:
    old, new = os.urandom(32), os.urandom(32)
    settings.KEK = new.hex()
    settings.KEK_PREVIOUS = [old.hex(), os.urandom(32).hex()]
    source = key_encryption_keys()
    assert source.get(f"env-{fingerprint(old)}").secret == old
    assert source.active_ids()[-1] == source.current().id
    assert len(source.active_ids()) == 3
    with pytest.raises(VaultError, match="REDRESS_KEK_PREVIOUS"):
        source.get(f"env-{'f' * 16}")


def test_the_folder_is_used_without_environment_key(settings: object, tmp_path: Path) -> None:
    source = key_encryption_keys()
    assert isinstance(source, KeyFolder)
    assert source.active_dir == tmp_path / "keys" / "kek"


def test_only_one_rotation_at_a_time(tmp_path: Path) -> None:
    folder = KeyFolder(tmp_path / "keys")
    with (
        folder.rotation_lock(),
        pytest.raises(VaultError, match="another key rotation"),
        KeyFolder(tmp_path / "keys").rotation_lock(),
    ):
        pass
    with folder.rotation_lock():
        pass


def test_protocol_recognises_the_rotatable_source(tmp_path: Path) -> None:
    assert isinstance(KeyFolder(tmp_path), keks.RotatableKeyEncryptionKeys)
    assert not isinstance(EnvironmentKeys(os.urandom(32)), keks.RotatableKeyEncryptionKeys)
