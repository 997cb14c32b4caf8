"""The published log's tree: grown by the one append on either database, checked against an
independent computation of RFC 6962's tree, and signed as C2SP checkpoints."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection

from redress.ledger import log, tlog
from redress.ledger.append import append
from redress.ledger.encoding import log_entry
from redress.ledger.errors import LedgerError
from redress.ledger.events import Action
from redress.ledger.models import Entry, LogCheckpoint, TreeHash, tree_position

pytestmark = pytest.mark.django_db(transaction=True)


def mth(entries: list[bytes]) -> bytes:
    """RFC 6962's Merkle Tree Hash, computed naively (section 2.1)."""
    if len(entries) == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    split = 1
    while split * 2 < len(entries):
        split *= 2
    return hashlib.sha256(b"\x01" + mth(entries[:split]) + mth(entries[split:])).digest()


def _fill(count: int) -> None:
    for n in range(count):
        append(actor=f"user:{n % 3}", action=Action.CASE_VIEWED, obj=f"case:R-{n}")


def _entries() -> list[bytes]:
    return [
        log_entry(bytes(salt), bytes(chain_hash))
        for salt, chain_hash in Entry.objects.order_by("seq").values_list("salt", "hash")
    ]


def test_the_stored_tree_is_rfc_6962_over_the_salted_digests() -> None:
    _fill(37)
    entries = _entries()
    for size in range(1, 38):
        assert log.root(size) == mth(entries[:size])
    # Level 0 holds each entry's leaf hash, in seq order.
    assert log.level_hashes(0, 0, 37) == [tlog.leaf_hash(entry) for entry in entries]


def test_every_entry_has_its_own_secret_salt_and_the_log_reveals_no_field() -> None:
    _fill(5)
    salts = [bytes(salt) for salt in Entry.objects.values_list("salt", flat=True)]
    assert all(len(salt) == 32 for salt in salts)
    assert len(set(salts)) == 5
    published = b"".join(log.log_entries(0, 5))
    for entry in Entry.objects.all():
        for field in (entry.actor, entry.action, entry.object):
            assert field.encode() not in published
        assert bytes(entry.hash) not in published


def test_inclusion_and_consistency_proofs_from_the_stored_tree_verify() -> None:
    _fill(21)
    entries = _entries()
    for size in (1, 2, 7, 8, 13, 21):
        root = log.root(size)
        for index in range(size):
            proof = log.inclusion_proof(index, size)
            tlog.verify_inclusion(tlog.leaf_hash(entries[index]), index, size, proof, root)
        for old in range(1, size):
            proof = log.consistency_proof(old, size)
            tlog.verify_consistency(old, size, log.root(old), root, proof)


def test_a_checkpoint_is_a_signed_note_that_verifies_with_the_log_vkey() -> None:
    _fill(3)
    made = log.make_checkpoint()
    assert made is not None
    assert log.make_checkpoint() is None  # nothing new to sign
    checked = tlog.verify_checkpoint(made.signed_note(), [log.verifier()])
    assert (checked.checkpoint.origin, checked.checkpoint.size) == (log.origin(), 3)
    assert checked.checkpoint.root == log.root(3)
    # With no witness configured it is published at once.
    assert log.published() == made
    _fill(2)
    later = log.make_checkpoint()
    assert later is not None
    assert later.size == 5
    assert LogCheckpoint.objects.count() == 2


def test_a_rewritten_tree_is_never_signed() -> None:
    _fill(4)
    assert log.make_checkpoint() is not None
    _fill(4)
    # An insider rewrites a leaf already covered by the checkpoint, and the nodes above it.
    TreeHash.objects.filter(position=tree_position(0, 1)).update(hash=bytes(32))
    TreeHash.objects.filter(position__gte=tree_position(1, 0)).delete()
    with pytest.raises(LedgerError):
        log.make_checkpoint()
    assert LogCheckpoint.objects.count() == 1


def test_a_leaf_that_is_not_its_entrys_digest_is_never_signed() -> None:
    _fill(1)
    TreeHash.objects.filter(position=tree_position(0, 0)).update(hash=bytes(32))
    with pytest.raises(LedgerError, match="leaf 0"):
        log.make_checkpoint()
    assert connection.vendor in {"sqlite", "postgresql"}
