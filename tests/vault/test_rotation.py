"""Key rotation re-wraps data keys only, resumes after a crash and retires old keys last."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pytest_django import Settings

from redress.vault import actions, rotation
from redress.vault.actions import new_data_key, open_sealed, seal, shred
from redress.vault.keks import KeyFolder, fingerprint
from redress.vault.models import DataKey
from redress.vault.storage import EncryptingStorage
from tests.vault.ledger import entries_for

pytestmark = pytest.mark.django_db


def keys(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command("keys", command, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def make_content(count: int, start: int = 0) -> list[tuple[DataKey, bytes, str]]:
    """``count`` data keys, each with sealed bytes and a sealed file."""
    storage = EncryptingStorage()
    made = []
    for i in range(start, start + count):
        key = new_data_key(f"case:{i}")
        made.append(
            (
                key,
                seal(key, f"story {i}".encode(), purpose="p"),
                storage.save_sealed(f"file {i}".encode(), key),
            )
        )
    return made


def assert_all_open(made: list[tuple[DataKey, bytes, str]]) -> None:
    actions.clear_key_cache()
    storage = EncryptingStorage()
    for i, (key, sealed, name) in enumerate(made):
        fresh = DataKey.objects.get(pk=key.pk)
        assert open_sealed(fresh, sealed, purpose="p") == f"story {i}".encode()
        assert storage.open_sealed(name, fresh) == f"file {i}".encode()


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted((folder / "uploads").rglob("*")) if p.is_file()}


def test_rotation_rewraps_every_key_and_retires_the_old_one(vault_folders: Path) -> None:
    made = make_content(5)
    folder = KeyFolder(vault_folders / "keys")
    old = folder.current().id
    files_before = file_bytes(vault_folders)
    wraps_before = dict(DataKey.objects.values_list("id", "wrapped"))

    summary = keys("rotate", "--batch-size", "2")

    new = folder.current().id
    assert new != old
    assert new.startswith("0002-")
    assert f"Rotated to key-encryption key {new}" in summary
    assert "re-wrapped 5 data keys in 3 batches" in summary
    assert f"retired {old}" in summary
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {new}
    assert all(
        bytes(wrapped) != bytes(wraps_before[pk])
        for pk, wrapped in DataKey.objects.values_list("id", "wrapped")
    )
    assert folder.active_ids() == [new]
    assert (vault_folders / "keys" / "kek-retired" / old).is_file()
    assert file_bytes(vault_folders) == files_before  # content is never re-encrypted
    assert_all_open(made)
    (entry,) = entries_for("vault.kek_rotated")
    assert new in entry.object


def test_rotation_survives_a_crash_and_resumes_with_the_same_key(
    vault_folders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = make_content(5)
    folder = KeyFolder(vault_folders / "keys")
    old = folder.current().id
    real_batch = rotation._rewrap_batch
    calls = []

    def crash_after_first_batch(*args: object) -> int:
        if calls:
            raise RuntimeError("power cut")
        calls.append(1)
        return real_batch(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(rotation, "_rewrap_batch", crash_after_first_batch)
    with pytest.raises(RuntimeError, match="power cut"):
        keys("rotate", "--batch-size", "2")
    monkeypatch.undo()

    new = folder.current().id
    assert new != old
    assert folder.active_ids() == [old, new]  # the old key is not retired yet
    by_kek = dict(rotation.status().live_by_kek)
    assert by_kek == {new: 2, old: 3}
    assert_all_open(made)  # half-rotated: every key still opens
    assert entries_for("vault.kek_rotated") == []

    # New data keys made meanwhile use the new key already.
    made += make_content(1, start=len(made))
    assert DataKey.objects.get(pk=made[-1][0].pk).kek_id == new

    summary = keys("rotate", "--batch-size", "2")
    assert f"Resumed rotation to key-encryption key {new}" in summary
    assert "re-wrapped 3 data keys" in summary
    assert folder.active_ids() == [new]
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {new}
    assert_all_open(made)

    # A rotation after a finished one makes a new key again.
    keys("rotate")
    assert folder.current().id.startswith("0003-")


def test_a_key_left_pending_by_a_crash_is_used(vault_folders: Path) -> None:
    made = make_content(2)
    folder = KeyFolder(vault_folders / "keys")
    pending = folder._create_in(folder.pending_dir)  # crashed right after making the key
    summary = keys("rotate")
    assert f"Resumed rotation to key-encryption key {pending}" in summary
    assert folder.active_ids() == [pending]
    assert not list(folder.pending_dir.iterdir())
    assert_all_open(made)


def test_a_key_still_referenced_is_not_retired(
    vault_folders: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_content(2)
    folder = KeyFolder(vault_folders / "keys")
    old = folder.get(folder.current().id)
    real_rewrap_all = rotation._rewrap_all

    def straggler_after_rewrap(*args: object) -> None:
        real_rewrap_all(*args)  # type: ignore[arg-type]
        # A web process that read the old current key just before promotion saves a key now.
        late = DataKey(subject="case:late", kek_id=old.id)
        late.wrapped = actions._wrap(os.urandom(32), late.id, old)
        late.save()

    monkeypatch.setattr(rotation, "_rewrap_all", straggler_after_rewrap)
    summary = keys("rotate")
    monkeypatch.undo()
    assert f"still in use, run again: {old.id} (1)" in summary
    assert old.id in folder.active_ids()

    summary = keys("rotate")
    assert "Resumed" in summary
    assert f"retired {old.id}" in summary
    assert old.id not in folder.active_ids()


def test_shredded_keys_are_not_rewrapped_and_do_not_block_retirement(
    vault_folders: Path,
) -> None:
    made = make_content(2)
    shred(made[0][0], actor="user:1", reason="retention")
    folder = KeyFolder(vault_folders / "keys")
    old = folder.current().id
    summary = keys("rotate")
    assert "re-wrapped 1 data key in 1 batch" in summary
    assert f"retired {old}" in summary
    shredded = DataKey.objects.get(pk=made[0][0].pk)
    assert bytes(shredded.wrapped) == b""


def test_status_counts_keys_per_kek_and_shredded(vault_folders: Path) -> None:
    made = make_content(3)
    shred(made[0][0], actor="user:1", reason="retention")
    current = KeyFolder(vault_folders / "keys").current().id
    out = keys("status")
    assert f"Current key-encryption key: {current}" in out
    assert f"under {current}: 2 (current)" in out
    assert "shredded: 1" in out
    assert "Data keys: 3" in out


def test_rotation_refuses_keys_from_the_environment(settings: Settings) -> None:
    settings.KEK = os.urandom(32).hex()
    with pytest.raises(CommandError, match="rotated by the operator"):
        keys("rotate")


def test_rewrap_moves_env_keys_to_the_new_kek(settings: Settings) -> None:
    old, new = os.urandom(32), os.urandom(32)
    settings.KEK = old.hex()
    made = make_content(3)
    assert set(DataKey.objects.values_list("kek_id", flat=True)) == {f"env-{fingerprint(old)}"}

    settings.KEK = new.hex()
    actions.clear_key_cache()
    with pytest.raises(actions.VaultError, match="REDRESS_KEK_PREVIOUS"):
        open_sealed(DataKey.objects.get(pk=made[0][0].pk), made[0][1], purpose="p")

    settings.KEK_PREVIOUS = [old.hex()]
    out = keys("rewrap", "--batch-size", "2")
    assert f"Re-wrapped 3 data keys under env-{fingerprint(new)}" in out
    settings.KEK_PREVIOUS = []
    assert_all_open(made)
    assert "under env-" in keys("status")


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(CommandError, match="batch size"):
        keys("rotate", "--batch-size", "0")


def test_progress_is_reported_per_batch() -> None:
    make_content(5)
    seen: list[tuple[int, int]] = []
    result = rotation.rotate(
        actor="operator", batch_size=2, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert result.rewrapped == 5


def test_the_command_draws_progress_only_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    make_content(3)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    keys("rotate", "--batch-size", "1")
    assert "Re-wrapping data keys: 3 of 3 (100%)" in terminal.getvalue()

    monkeypatch.setattr("sys.stderr", io.StringIO())
    quiet = io.StringIO()
    call_command("keys", "rotate", stdout=quiet, stderr=quiet)
    assert quiet.getvalue().count("\n") == 1  # the one-line summary only
