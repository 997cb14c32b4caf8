"""Sealing, opening, tampering and shredding through the vault's public API."""

from __future__ import annotations

import pickle
import uuid

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from redress.vault import actions
from redress.vault.actions import new_data_key, open_sealed, seal, shred
from redress.vault.errors import Shredded, VaultError
from redress.vault.models import DataKey
from tests.vault.ledger import entries_for

pytestmark = pytest.mark.django_db


def test_round_trip_and_fresh_nonces() -> None:
    key = new_data_key("case:1")
    first = seal(key, b"what happened", purpose="cases.Case.narrative")
    second = seal(key, b"what happened", purpose="cases.Case.narrative")
    assert first != second
    assert b"what happened" not in first
    assert open_sealed(key, first, purpose="cases.Case.narrative") == b"what happened"
    assert open_sealed(key, memoryview(second), purpose="cases.Case.narrative") == b"what happened"


def test_round_trip_after_reload_without_cache() -> None:
    key = new_data_key("case:1")
    sealed = seal(key, b"content", purpose="p")
    actions.clear_key_cache()
    reloaded = DataKey.objects.get(pk=key.pk)
    assert open_sealed(reloaded, sealed, purpose="p") == b"content"


def test_the_data_key_is_stored_only_wrapped() -> None:
    key = new_data_key("case:1")
    material = actions._material(key)
    stored = DataKey.objects.get(pk=key.pk)
    assert material not in bytes(stored.wrapped)
    assert len(bytes(stored.wrapped)) == 24 + 32 + 16
    assert stored.kek_id


def test_another_purpose_does_not_open() -> None:
    key = new_data_key("case:1")
    sealed = seal(key, b"narrative", purpose="cases.Case.narrative")
    with pytest.raises(VaultError, match="failed authentication"):
        open_sealed(key, sealed, purpose="cases.Case.outcome")


def test_another_data_key_does_not_open() -> None:
    mine, theirs = new_data_key("case:1"), new_data_key("case:2")
    sealed = seal(mine, b"mine", purpose="p")
    with pytest.raises(VaultError, match="different data key"):
        open_sealed(theirs, sealed, purpose="p")
    # Even with the header rewritten to name the other key, authentication fails.
    forged = sealed[:1] + theirs.id.bytes + sealed[17:]
    with pytest.raises(VaultError, match="failed authentication"):
        open_sealed(theirs, forged, purpose="p")


def test_tampered_content_is_refused() -> None:
    key = new_data_key("case:1")
    sealed = bytearray(seal(key, b"the content", purpose="p"))
    sealed[-1] ^= 0x01
    with pytest.raises(VaultError):
        open_sealed(key, bytes(sealed), purpose="p")
    with pytest.raises(VaultError, match=r"truncated|not a value"):
        open_sealed(key, bytes(sealed[:20]), purpose="p")
    with pytest.raises(VaultError, match="not a value"):
        open_sealed(key, b"", purpose="p")


def test_a_wrapped_key_moved_to_another_row_does_not_unwrap() -> None:
    first, second = new_data_key("case:1"), new_data_key("case:2")
    DataKey.objects.filter(pk=second.pk).update(wrapped=first.wrapped, kek_id=first.kek_id)
    actions.clear_key_cache()
    with pytest.raises(VaultError, match="wrapped data key failed authentication"):
        seal(DataKey.objects.get(pk=second.pk), b"x", purpose="p")


def test_purpose_and_subject_are_required() -> None:
    key = new_data_key("case:1")
    with pytest.raises(ValueError, match="purpose"):
        seal(key, b"x", purpose="")
    with pytest.raises(ValueError, match="subject"):
        new_data_key(" ")


def test_unsaved_key_is_refused() -> None:
    with pytest.raises(VaultError):
        seal(DataKey(id=uuid.uuid4(), subject="case:1", kek_id="x"), b"x", purpose="p")


def test_shredding_destroys_the_key_and_is_ledgered() -> None:
    key = new_data_key("case:7")
    sealed = seal(key, b"narrative", purpose="p")
    assert key.id in actions._cache

    shred(key, actor="user:3", reason="retention: 7 years after closure")

    assert key.id not in actions._cache
    assert key.shredded_at is not None
    assert bytes(key.wrapped) == b""
    stored = DataKey.objects.get(pk=key.pk)
    assert stored.shredded_at is not None
    assert bytes(stored.wrapped) == b""
    with pytest.raises(Shredded, match="deleted under the retention policy"):
        open_sealed(stored, sealed, purpose="p")
    with pytest.raises(Shredded):
        open_sealed(key, sealed, purpose="p")
    with pytest.raises(Shredded):
        seal(stored, b"more", purpose="p")

    entries = entries_for("vault.key_shredded")
    assert len(entries) == 1
    assert entries[0].actor == "user:3"
    assert str(key.id) in entries[0].object


def test_shredding_twice_records_once() -> None:
    key = new_data_key("case:7")
    shred(key, actor="user:3", reason="withdrawn escrow entry")
    shred(DataKey.objects.get(pk=key.pk), actor="user:3", reason="again")
    assert len(entries_for("vault.key_shredded")) == 1


def test_shredding_needs_actor_and_reason() -> None:
    key = new_data_key("case:7")
    with pytest.raises(ValueError, match="actor"):
        shred(key, actor="", reason="r")
    with pytest.raises(ValueError, match="reason"):
        shred(key, actor="user:1", reason=" ")
    assert DataKey.objects.get(pk=key.pk).shredded_at is None


def test_shredding_evicts_a_key_cached_by_another_read() -> None:
    key = new_data_key("case:7")
    other_copy = DataKey.objects.get(pk=key.pk)
    actions.clear_key_cache()
    seal(other_copy, b"x", purpose="p")  # caches the unwrapped key again
    shred(key, actor="user:1", reason="retention")
    assert key.id not in actions._cache


def test_cache_is_bounded_and_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = actions._DataKeyCache(max_entries=2, ttl_seconds=10)
    ids = [uuid.uuid4() for _ in range(3)]
    for i in ids:
        cache.put(i, b"k" * 32)
    assert ids[0] not in cache
    assert cache.get(ids[2]) == b"k" * 32
    clock = [1000.0]
    monkeypatch.setattr(actions.time, "monotonic", lambda: clock[0])
    cache.put(ids[0], b"k" * 32)
    clock[0] += 11
    assert cache.get(ids[0]) is None


def test_data_keys_do_not_leak_key_material_in_repr() -> None:
    key = new_data_key("case:1")
    assert "wrapped" not in repr(key)
    assert "case:1" in str(key)
    assert pickle.loads(pickle.dumps(key)).pk == key.pk  # noqa: S301 - our own bytes


def test_property_open_inverts_seal_and_any_bit_flip_is_refused() -> None:
    key = new_data_key("case:property")

    @hypothesis_settings(max_examples=80, deadline=None, database=None)
    @given(
        plaintext=st.one_of(st.binary(max_size=2048), st.text(max_size=512).map(str.encode)),
        purpose=st.text(min_size=1, max_size=80),
        data=st.data(),
    )
    def check(plaintext: bytes, purpose: str, data: st.DataObject) -> None:
        sealed = seal(key, plaintext, purpose=purpose)
        assert open_sealed(key, sealed, purpose=purpose) == plaintext
        bit = data.draw(st.integers(min_value=0, max_value=len(sealed) * 8 - 1), label="bit")
        flipped = bytearray(sealed)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(VaultError):
            open_sealed(key, bytes(flipped), purpose=purpose)

    check()
