"""Appending, verifying, checkpoints and the encoding, through the public API."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from nacl.signing import SigningKey, VerifyKey

from redress.ledger import verification
from redress.ledger.append import append, digest_of
from redress.ledger.checkpoints import export_checkpoint, make_checkpoint
from redress.ledger.encoding import (
    GENESIS_HASH,
    checkpoint_message,
    encode_entry,
    entry_hash,
    micros,
)
from redress.ledger.errors import LedgerBrokenError, LedgerError
from redress.ledger.models import Checkpoint, Entry, Head
from redress.ledger.tasks import CHECKPOINT_EVERY_ENTRIES, checkpoint, checkpoint_due
from redress.ledger.verification import verify
from tests.ledger.tampering import insert_raw, set_column, sql

pytestmark = pytest.mark.django_db


def fill(count: int) -> list[Entry]:
    return [
        append(
            actor=f"user:{n % 3}",
            action="case.viewed",
            obj=f"case:R-{1000 + n}",
            digest=digest_of(f"content {n}") if n % 2 else "",
        )
        for n in range(count)
    ]


def reseal(seq: int, **changes: Any) -> bytes:
    """Rewrite entry ``seq`` and recompute its own hash, as someone who knows the format could."""
    entry = Entry.objects.get(seq=seq)
    for name, value in changes.items():
        setattr(entry, name, value)
    new_hash = entry_hash(
        entry.seq,
        micros(entry.time),
        bytes(entry.prev_hash),
        entry.actor.encode(),
        entry.action.encode(),
        entry.object.encode(),
        entry.digest.encode(),
    )
    Entry.objects.filter(seq=seq).update(**{"prev_hash": entry.prev_hash, **changes}, hash=new_hash)
    return new_hash


# --- append ---------------------------------------------------------------------------------


def test_append_chains_entries_from_one() -> None:
    entries = fill(5)

    assert [entry.seq for entry in entries] == [1, 2, 3, 4, 5]
    assert bytes(entries[0].prev_hash) == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert bytes(after.prev_hash) == bytes(before.hash)
        assert after.time >= before.time
    head = Head.objects.get(pk=1)
    assert (head.seq, bytes(head.hash)) == (5, bytes(entries[-1].hash))


def test_stored_hash_is_sha256_of_the_canonical_encoding() -> None:
    entry = append(actor="user:12", action="case.viewed", obj="case:R-1234", digest=digest_of("x"))
    stored = Entry.objects.get(seq=entry.seq)

    assert stored.time.utcoffset() == dt.timedelta(0)
    encoding = encode_entry(
        1,
        micros(stored.time),
        GENESIS_HASH,
        b"user:12",
        b"case.viewed",
        b"case:R-1234",
        digest_of("x").encode(),
    )
    assert bytes(stored.hash) == hashlib.sha256(encoding).digest()


def test_encoding_is_unambiguous_where_fields_meet() -> None:
    time_us = 1_700_000_000_000_000
    one = encode_entry(1, time_us, GENESIS_HASH, b"user:1", b"case.viewed", b"case:R-1", b"")
    other = encode_entry(1, time_us, GENESIS_HASH, b"user:1c", b"ase.viewed", b"case:R-1", b"")
    assert one != other
    assert len(one) == len(other)


def test_append_joins_the_callers_transaction() -> None:
    fill(2)

    def failing_act() -> None:
        with transaction.atomic():
            append(actor="user:1", action="case.viewed", obj="case:R-1")
            raise RuntimeError("the act failed")

    with pytest.raises(RuntimeError):
        failing_act()

    assert Entry.objects.count() == 2
    assert Head.objects.get(pk=1).seq == 2
    assert append(actor="user:1", action="case.viewed", obj="case:R-1").seq == 3


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"actor": ""}, "actor"),
        ({"actor": "u" * 101}, "actor"),
        ({"obj": "case:\x00"}, "control"),
        ({"action": "Case Viewed"}, "not one of the ledger's actions"),
        ({"action": "viewed"}, "not one of the ledger's actions"),
        ({"action": "case.erased"}, "not one of the ledger's actions"),
        ({"digest": "the complaint text itself"}, "digest"),
        ({"digest": "AB" * 32}, "digest"),
        ({"actor": "user:\ud800"}, "Unicode"),
    ],
)
def test_append_refuses_bad_fields(fields: dict[str, str], message: str) -> None:
    arguments = {"actor": "user:1", "action": "case.viewed", "obj": "case:R-1"} | fields
    with pytest.raises(LedgerError, match=message):
        append(**arguments)
    assert not Entry.objects.exists()


def test_append_recreates_a_missing_head_only_on_an_empty_ledger() -> None:
    Head.objects.all().delete()
    assert append(actor="system", action="ledger.verified", obj="ledger").seq == 1

    Head.objects.all().delete()
    with pytest.raises(LedgerError, match="head row is missing"):
        append(actor="system", action="case.viewed", obj="case:R-1")


def test_digest_of_hashes_text_as_utf8() -> None:
    assert digest_of("é") == hashlib.sha256("é".encode()).hexdigest()
    assert digest_of(b"\x00") == hashlib.sha256(b"\x00").hexdigest()


# --- verify ---------------------------------------------------------------------------------


def test_an_empty_ledger_verifies() -> None:
    result = verify()
    assert (result.ok, result.checked, result.last_checkpoint) == (True, 0, None)


def test_an_untouched_ledger_verifies_with_progress() -> None:
    fill(12)
    seen: list[int] = []

    class Recorder:
        def update(self, done: int) -> None:
            seen.append(done)

    result = verify(progress=Recorder())

    assert (result.ok, result.checked, result.first_bad_seq, result.fault) == (True, 12, None, None)
    assert seen[-1] == 12


def test_verify_reads_across_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verification, "BATCH_SIZE", 3)
    fill(10)
    assert verify().checked == 10
    set_column(8, "actor", "user:evil")
    assert (verify().first_bad_seq, verify().fault) == (8, "changed")


def test_a_resealed_entry_is_caught_by_the_next_link() -> None:
    fill(6)
    reseal(3, actor="user:innocent")
    result = verify()
    assert (result.ok, result.first_bad_seq, result.fault, result.checked) == (
        False,
        3,
        "changed",
        2,
    )


def test_a_resealed_last_entry_is_caught_by_the_head() -> None:
    fill(4)
    reseal(4, object="case:R-other")
    assert (verify().first_bad_seq, verify().fault) == (4, "changed")


def test_entries_cut_off_the_end_are_caught_by_the_head() -> None:
    fill(5)
    sql("DELETE FROM {t} WHERE seq >= 4")
    assert (verify().first_bad_seq, verify().fault) == (4, "removed")


def test_entries_added_past_the_head_are_caught() -> None:
    entries = fill(3)
    insert_raw(4, time=entries[-1].time, prev_hash=bytes(entries[-1].hash))
    assert (verify().first_bad_seq, verify().fault) == (4, "inserted")


def test_a_row_before_the_chain_is_caught() -> None:
    entries = fill(3)
    insert_raw(0, time=entries[0].time)
    assert (verify().first_bad_seq, verify().fault) == (0, "inserted")


def test_one_microsecond_is_a_change() -> None:
    entries = fill(3)
    set_column(2, "time", entries[1].time + dt.timedelta(microseconds=1))
    assert (verify().first_bad_seq, verify().fault) == (2, "changed")


def test_a_time_rewritten_in_another_form_is_a_change() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite keeps times as text that can be rewritten in another form")
    entries = fill(2)
    same_instant = entries[0].time.astimezone(dt.timezone(dt.timedelta(hours=1)))
    sql("UPDATE {t} SET time = %s WHERE seq = 1", [same_instant.isoformat(" ")])
    assert (verify().first_bad_seq, verify().fault) == (1, "changed")


# --- checkpoints ----------------------------------------------------------------------------


def test_make_checkpoint_signs_the_head() -> None:
    assert make_checkpoint() is None  # nothing to sign yet
    entries = fill(3)

    made = make_checkpoint()

    assert made is not None
    assert (made.seq, bytes(made.hash)) == (3, bytes(entries[-1].hash))
    key = SigningKey(bytes.fromhex("1f" * 32))
    assert made.public_key == key.verify_key.encode().hex()
    message = checkpoint_message(made.seq, micros(made.time), bytes(made.hash))
    VerifyKey(bytes.fromhex(made.public_key)).verify(message, bytes(made.signature))
    assert make_checkpoint() is None  # nothing new since
    result = verify()
    assert result.ok
    assert result.last_checkpoint is not None
    assert result.last_checkpoint.seq == 3


def test_export_is_verifiable_by_anyone() -> None:
    with pytest.raises(LedgerError, match="no checkpoint"):
        export_checkpoint()
    fill(2)
    make_checkpoint()
    fill(1)
    make_checkpoint()

    exported = export_checkpoint()

    assert set(exported) >= {"seq", "hash", "time", "signature", "public_key", "algorithm"}
    assert exported["seq"] == 3
    assert exported["algorithm"] == "Ed25519"
    assert exported["time"].endswith("Z")
    message = bytes.fromhex(exported["signed_message"])
    assert message.endswith(bytes.fromhex(exported["hash"]))
    VerifyKey(bytes.fromhex(exported["public_key"])).verify(
        message, bytes.fromhex(exported["signature"])
    )


@pytest.mark.parametrize("field", ["signature", "hash", "time", "public_key"])
def test_a_tampered_checkpoint_is_a_bad_signature(field: str) -> None:
    fill(4)
    made = make_checkpoint()
    assert made is not None
    fill(2)
    changes: dict[str, Any] = {
        "signature": bytes(64),
        "hash": bytes(32),
        "time": made.time + dt.timedelta(seconds=1),
        # Re-signed by someone else's key, which is then stored beside it.
        "public_key": SigningKey.generate().verify_key.encode().hex(),
    }
    Checkpoint.objects.filter(pk=made.pk).update(**{field: changes[field]})

    result = verify()

    assert (result.ok, result.first_bad_seq, result.fault) == (
        False,
        4,
        "bad checkpoint signature",
    )


def test_a_checkpoint_signed_by_an_untrusted_key_is_refused() -> None:
    fill(2)
    other = SigningKey.generate()
    now = timezone.now()
    chain_hash = bytes(Head.objects.get(pk=1).hash)
    Checkpoint.objects.create(
        seq=2,
        hash=chain_hash,
        time=now,
        signature=other.sign(checkpoint_message(2, micros(now), chain_hash)).signature,
        public_key=other.verify_key.encode().hex(),
    )
    assert (verify().first_bad_seq, verify().fault) == (2, "bad checkpoint signature")


def test_a_retired_key_can_be_trusted(settings: Any) -> None:
    fill(2)
    make_checkpoint()
    settings.LEDGER_SIGNING_KEY = "2e" * 32
    assert verify().fault == "bad checkpoint signature"

    retired = SigningKey(bytes.fromhex("1f" * 32)).verify_key.encode().hex()
    settings.LEDGER_TRUSTED_KEYS = [retired]
    assert verify().ok


def test_a_rewritten_history_disagrees_with_the_checkpoint() -> None:
    fill(3)
    make_checkpoint()
    fill(2)
    # Rewrite entry 2 and reseal everything after it, head included: the chain is consistent
    # again, but the signed checkpoint at 3 remembers the old hash.
    previous = reseal(2, actor="user:someone-else")
    for seq in range(3, 6):
        previous = reseal(seq, prev_hash=previous)
    Head.objects.filter(pk=1).update(hash=previous)

    result = verify()

    assert (result.ok, result.first_bad_seq, result.fault) == (False, 3, "checkpoint mismatch")
    assert result.last_checkpoint is None


def test_the_window_after_the_newest_checkpoint() -> None:
    """Documents the limit: a consistent rewrite after the newest checkpoint goes unseen until
    the next checkpoint; rewriting before it does not."""
    fill(3)
    make_checkpoint()
    fill(2)
    previous = reseal(4, actor="user:someone-else")
    previous = reseal(5, prev_hash=previous)
    Head.objects.filter(pk=1).update(hash=previous)
    assert verify().ok


def test_a_truncation_behind_a_checkpoint_is_caught_even_with_the_head_wound_back() -> None:
    entries = fill(5)
    make_checkpoint()
    sql("DELETE FROM {t} WHERE seq >= 4")
    Head.objects.filter(pk=1).update(seq=3, hash=entries[2].hash)
    assert (verify().first_bad_seq, verify().fault) == (4, "removed")


def test_make_checkpoint_refuses_a_broken_chain() -> None:
    fill(3)
    make_checkpoint()
    fill(3)
    set_column(5, "action", "case.deleted")
    with pytest.raises(LedgerBrokenError, match="seq 5: changed"):
        make_checkpoint()
    assert Checkpoint.objects.count() == 1


def test_make_checkpoint_refuses_to_build_on_a_forged_checkpoint() -> None:
    fill(2)
    made = make_checkpoint()
    assert made is not None
    Checkpoint.objects.filter(pk=made.pk).update(signature=bytes(64))
    fill(1)
    with pytest.raises(LedgerBrokenError, match="bad checkpoint signature"):
        make_checkpoint()


def test_the_signing_key_file_is_created_once_and_private(settings: Any) -> None:
    settings.LEDGER_SIGNING_KEY = ""
    fill(1)
    first = make_checkpoint()
    path = Path(settings.KEYS_DIR) / "ledger-signing.key"
    assert first is not None
    assert path.stat().st_mode & 0o777 == 0o600
    fill(1)
    second = make_checkpoint()
    assert second is not None
    assert second.public_key == first.public_key
    assert verify().ok


def test_a_malformed_signing_key_is_refused(settings: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.LEDGER_SIGNING_KEY = "not hex"
    fill(1)
    with pytest.raises(ImproperlyConfigured):
        make_checkpoint()


# --- tasks ----------------------------------------------------------------------------------


def test_checkpoint_due_and_the_task(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not checkpoint_due()
    fill(1)
    assert checkpoint_due()  # never checkpointed
    assert checkpoint.call() == 1
    assert not checkpoint_due()  # nothing new
    fill(1)
    assert not checkpoint_due()  # new, but the last checkpoint is fresh
    monkeypatch.setattr("redress.ledger.tasks.CHECKPOINT_EVERY_ENTRIES", 1)
    assert checkpoint_due()
    monkeypatch.setattr("redress.ledger.tasks.CHECKPOINT_EVERY_ENTRIES", CHECKPOINT_EVERY_ENTRIES)
    monkeypatch.setattr("redress.ledger.tasks.CHECKPOINT_INTERVAL_SECONDS", 0)
    assert checkpoint_due()
    assert checkpoint.call() == 2
    assert checkpoint.call() is None
