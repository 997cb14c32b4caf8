"""The transparency log's formats and checks (redress.ledger.tlog), with no database.

Proofs are checked against RFC 6962 as written (tests/ledger/rfc6962.py)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from redress.ledger import tlog
from tests.ledger import rfc6962


def flipped(data: bytes, position: int, value: int | None = None) -> bytes:
    changed = bytearray(data)
    changed[position] = data[position] ^ 1 if value is None else value
    return bytes(changed)


# ----------------------------------------------------------------------------------------------
# RFC 6962 hashing and proof verification


def test_leaf_and_node_hashes_are_rfc_6962s() -> None:
    assert tlog.EMPTY_ROOT.hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert tlog.leaf_hash(b"").hex() == (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )
    left, right = bytes(range(32)), bytes(range(32, 64))
    assert tlog.node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()


def test_inclusion_proofs_of_every_index_of_every_size_up_to_300_verify() -> None:
    for size in range(1, 301):
        root = rfc6962.mth(0, size)
        for index in range(size):
            leaf = tlog.leaf_hash(rfc6962.entry(index))
            tlog.verify_inclusion(leaf, index, size, rfc6962.path(index, 0, size), root)


def test_consistency_proofs_from_every_old_size_up_to_300_verify() -> None:
    for size in range(1, 301):
        root = rfc6962.mth(0, size)
        tlog.verify_consistency(0, size, tlog.EMPTY_ROOT, root, [])
        for old in range(1, size + 1):
            tlog.verify_consistency(old, size, rfc6962.mth(0, old), root, rfc6962.proof(old, size))


def test_a_changed_inclusion_proof_is_refused() -> None:
    for size in range(1, 41):
        root = rfc6962.mth(0, size)
        for index in range(size):
            leaf = tlog.leaf_hash(rfc6962.entry(index))
            proof = rfc6962.path(index, 0, size)
            for position in range(len(proof)):
                bad = [*proof]
                bad[position] = flipped(bad[position], 7)
                with pytest.raises(tlog.InclusionError):
                    tlog.verify_inclusion(leaf, index, size, bad, root)
            for other in range(size + 1):
                if other != index:
                    with pytest.raises(tlog.InclusionError):
                        tlog.verify_inclusion(leaf, other, size, proof, root)
            with pytest.raises(tlog.InclusionError):
                tlog.verify_inclusion(leaf, index, size, [*proof, root], root)
            if proof:
                with pytest.raises(tlog.InclusionError):
                    tlog.verify_inclusion(leaf, index, size, proof[:-1], root)
            with pytest.raises(tlog.InclusionError):
                tlog.verify_inclusion(flipped(leaf, 0), index, size, proof, root)
            with pytest.raises(tlog.InclusionError):
                tlog.verify_inclusion(leaf, index, size, proof, flipped(root, 31))


def test_a_changed_consistency_proof_is_refused() -> None:
    for size in range(2, 41):
        root = rfc6962.mth(0, size)
        for old in range(1, size):
            old_root = rfc6962.mth(0, old)
            proof = rfc6962.proof(old, size)
            for position in range(len(proof)):
                bad = [*proof]
                bad[position] = flipped(bad[position], 3)
                with pytest.raises(tlog.ConsistencyError):
                    tlog.verify_consistency(old, size, old_root, root, bad)
            with pytest.raises(tlog.ConsistencyError):
                tlog.verify_consistency(old, size, flipped(old_root, 0), root, proof)
            with pytest.raises(tlog.ConsistencyError):
                tlog.verify_consistency(old, size, old_root, flipped(root, 0), proof)
            with pytest.raises(tlog.ConsistencyError):
                tlog.verify_consistency(old, size, old_root, root, [*proof, root])
            with pytest.raises(tlog.ConsistencyError):
                tlog.verify_consistency(old, size, old_root, root, proof[:-1])
            with pytest.raises(tlog.ConsistencyError):
                tlog.verify_consistency(size, old, root, old_root, proof)


def test_consistency_edge_cases() -> None:
    root = rfc6962.mth(0, 5)
    tlog.verify_consistency(5, 5, root, root, [])
    with pytest.raises(tlog.ConsistencyError, match="forked"):
        tlog.verify_consistency(5, 5, root, rfc6962.mth(0, 4), [])
    with pytest.raises(tlog.ConsistencyError, match="must be empty"):
        tlog.verify_consistency(5, 5, root, root, [root])
    with pytest.raises(tlog.ConsistencyError, match="must be empty"):
        tlog.verify_consistency(0, 5, tlog.EMPTY_ROOT, root, [root])
    with pytest.raises(tlog.ConsistencyError, match="is empty"):
        tlog.verify_consistency(3, 5, rfc6962.mth(0, 3), root, [])
    tlog.verify_consistency(0, 0, tlog.EMPTY_ROOT, tlog.EMPTY_ROOT, [])
    with pytest.raises(tlog.ConsistencyError, match="empty tree"):
        tlog.verify_consistency(0, 0, tlog.EMPTY_ROOT, root, [])
    with pytest.raises(tlog.MalformedError, match="32-byte"):
        tlog.verify_consistency(3, 5, rfc6962.mth(0, 3), root, [b"short"])
    with pytest.raises(tlog.MalformedError, match="more than 64"):
        tlog.verify_inclusion(root, 0, 5, [root] * 65, root)


@hypothesis_settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_proofs_in_larger_trees_verify_and_any_changed_hash_is_refused(
    data: st.DataObject,
) -> None:
    size = data.draw(st.integers(min_value=301, max_value=1 << 16), label="size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    old = data.draw(st.integers(min_value=1, max_value=size - 1), label="old")
    root, old_root = rfc6962.mth(0, size), rfc6962.mth(0, old)
    leaf = tlog.leaf_hash(rfc6962.entry(index))
    inclusion = rfc6962.path(index, 0, size)
    consistency = rfc6962.proof(old, size)
    tlog.verify_inclusion(leaf, index, size, inclusion, root)
    tlog.verify_consistency(old, size, old_root, root, consistency)
    position = data.draw(st.integers(min_value=0, max_value=len(inclusion) - 1))
    inclusion[position] = flipped(inclusion[position], 0)
    with pytest.raises(tlog.InclusionError):
        tlog.verify_inclusion(leaf, index, size, inclusion, root)
    position = data.draw(st.integers(min_value=0, max_value=len(consistency) - 1))
    consistency[position] = flipped(consistency[position], 0)
    with pytest.raises(tlog.ConsistencyError):
        tlog.verify_consistency(old, size, old_root, root, consistency)
