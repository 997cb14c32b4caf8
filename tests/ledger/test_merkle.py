"""Building the tree and its proofs from stored complete subtrees, against RFC 6962 as written.

No database: the stored hashes are a dictionary filled the way the database will be, by the
nodes `append_leaf` returns for each new entry."""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from redress.ledger import merkle, tlog, tlog_tiles
from tests.ledger import rfc6962

SMALL = 300
LARGE = 1 << 17


def _stored(size: int) -> dict[tuple[int, int], bytes]:
    """What the database holds after ``size`` entries, added one by one through append_leaf."""
    store: dict[tuple[int, int], bytes] = {}
    for index in range(size):
        for level, position, value in merkle.append_entry(
            index, rfc6962.entry(index), lambda lv, ix: store[lv, ix]
        ):
            assert (level, position) not in store
            store[level, position] = value
    return store


@functools.cache
def small_store() -> dict[tuple[int, int], bytes]:
    return _stored(SMALL)


@functools.cache
def large_store() -> dict[tuple[int, int], bytes]:
    builder = merkle.TreeBuilder()
    store: dict[tuple[int, int], bytes] = {}
    for index in range(LARGE):
        for level, position, value in builder.append(tlog.leaf_hash(rfc6962.entry(index))):
            store[level, position] = value
    return store


def _source(store: dict[tuple[int, int], bytes]) -> merkle.HashSource:
    return lambda level, index: store[level, index]


def test_appending_stores_exactly_the_complete_subtrees() -> None:
    assert small_store() == rfc6962.complete_subtrees(SMALL)


def test_each_append_stores_the_leaf_then_what_it_completes() -> None:
    store = small_store()
    for index in range(SMALL):
        nodes = merkle.append_entry(index, rfc6962.entry(index), _source(store))
        completed = (index ^ (index + 1)).bit_length() - 1  # the trailing ones of index
        assert [(level, position) for level, position, _ in nodes] == [
            (level, index >> level) for level in range(completed + 1)
        ]
        assert nodes[0] == (0, index, tlog.leaf_hash(rfc6962.entry(index)))


def test_the_builder_in_memory_stores_what_append_leaf_stores() -> None:
    builder = merkle.TreeBuilder()
    store: dict[tuple[int, int], bytes] = {}
    for index in range(SMALL):
        for level, position, value in builder.append(tlog.leaf_hash(rfc6962.entry(index))):
            store[level, position] = value
        assert builder.root() == rfc6962.mth(0, index + 1)
    assert store == small_store()
    assert merkle.TreeBuilder().root() == tlog.EMPTY_ROOT


def test_a_resumed_builder_continues_the_stored_tree() -> None:
    store = small_store()
    for size in (0, 1, 2, 3, 7, 8, 100, 255, 256, 257, 299):
        builder = merkle.TreeBuilder.resume(size, _source(store))
        assert builder.root() == rfc6962.mth(0, size)
        nodes = builder.extend(tlog.leaf_hash(rfc6962.entry(i)) for i in range(size, SMALL))
        assert builder.root() == rfc6962.mth(0, SMALL)
        assert all(store[level, index] == value for level, index, value in nodes)


def test_roots_of_every_size() -> None:
    source = _source(small_store())
    assert merkle.root(0, source) == tlog.EMPTY_ROOT
    for size in range(1, SMALL + 1):
        assert merkle.root(size, source) == rfc6962.mth(0, size)


def test_inclusion_proofs_for_every_index_of_every_size() -> None:
    source = _source(small_store())
    for size in range(1, SMALL + 1):
        root = rfc6962.mth(0, size)
        for index in range(size):
            proof = merkle.inclusion_proof(index, size, source)
            assert proof == rfc6962.path(index, 0, size)
            tlog.verify_inclusion(tlog.leaf_hash(rfc6962.entry(index)), index, size, proof, root)


def test_consistency_proofs_from_every_old_size_to_every_size() -> None:
    source = _source(small_store())
    for size in range(1, SMALL + 1):
        root = rfc6962.mth(0, size)
        assert merkle.consistency_proof(0, size, source) == []
        for old in range(1, size + 1):
            proof = merkle.consistency_proof(old, size, source)
            assert proof == rfc6962.proof(old, size)
            tlog.verify_consistency(old, size, rfc6962.mth(0, old), root, proof)


@hypothesis_settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_proofs_in_larger_trees(data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=SMALL, max_value=LARGE), label="size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    old = data.draw(st.integers(min_value=1, max_value=size), label="old")
    source = _source(large_store())
    root = rfc6962.mth(0, size)
    assert merkle.root(size, source) == root
    inclusion = merkle.inclusion_proof(index, size, source)
    assert inclusion == rfc6962.path(index, 0, size)
    tlog.verify_inclusion(tlog.leaf_hash(rfc6962.entry(index)), index, size, inclusion, root)
    consistency = merkle.consistency_proof(old, size, source)
    assert consistency == rfc6962.proof(old, size)
    tlog.verify_consistency(old, size, rfc6962.mth(0, old), root, consistency)


def test_ranges_not_on_the_trees_edges_are_hashed_by_the_definition() -> None:
    source = _source(small_store())
    for start, end in [(1, 3), (3, 10), (5, 6), (6, 14), (100, 299), (17, 18), (0, 300)]:
        assert merkle.range_hash(start, end, source) == rfc6962.mth(start, end)


def test_needs_name_exactly_what_a_computation_reads() -> None:
    store = small_store()

    def check(
        needed: list[tuple[int, int]], compute: Callable[[merkle.HashSource], object]
    ) -> None:
        assert len(set(needed)) == len(needed)
        fetched = {key: store[key] for key in needed}
        assert compute(_source(fetched)) == compute(_source(store))

    for size, index, old in [(1, 0, 1), (2, 1, 1), (7, 3, 5), (256, 0, 255), (300, 299, 129)]:
        check(merkle.root_needs(size), functools.partial(merkle.root, size))
        check(
            merkle.inclusion_needs(index, size),
            functools.partial(merkle.inclusion_proof, index, size),
        )
        check(
            merkle.consistency_needs(old, size),
            functools.partial(merkle.consistency_proof, old, size),
        )


def test_a_proof_at_ten_million_entries_is_a_few_dozen_lookups() -> None:
    size = 10_000_000
    levels = math.ceil(math.log2(size))
    rng = random.Random(18)
    indexes = [0, 1, size // 2, size - 2, size - 1, *(rng.randrange(size) for _ in range(50))]
    for index in indexes:
        assert len(merkle.inclusion_needs(index, size)) <= 2 * levels
    for old in [1, 2, 1 << 23, size - 1, *(rng.randrange(1, size) for _ in range(50))]:
        assert len(merkle.consistency_needs(old, size)) <= 2 * levels + 1
    assert len(merkle.root_needs(size)) == bin(size).count("1")


def test_tiles_served_from_stored_hashes_give_back_each_proof_hash() -> None:
    # What a client reading /log/tile/... computes for each complete subtree of a proof must be
    # the hash the database stores for it.
    store = large_store()
    for size in (LARGE, 70_000, 65_536, 65_537, 257):
        for index in (0, size // 3, size - 1):
            for level, position in merkle.inclusion_needs(index, size):
                tile, first, count = tlog_tiles.tile_for_subtree(level, position, size)
                assert tile.in_tree(size)
                data = b"".join(store[coordinate] for coordinate in tile.coordinates())
                hashes = tlog_tiles.split_tile(data, tile.width)
                assert (
                    tlog_tiles.subtree_hash(hashes[first : first + count]) == store[level, position]
                )


def test_refusals() -> None:
    source = _source(small_store())
    with pytest.raises(tlog.TlogError, match="not within"):
        merkle.inclusion_proof(5, 5, source)
    with pytest.raises(tlog.TlogError, match="not within"):
        merkle.inclusion_proof(-1, 5, source)
    with pytest.raises(tlog.TlogError, match="cannot extend"):
        merkle.consistency_proof(6, 5, source)
    with pytest.raises(tlog.TlogError, match="between 0 and"):
        merkle.root(-1, source)
    with pytest.raises(tlog.TlogError, match="between 0 and"):
        merkle.root(1 << 64, source)
    with pytest.raises(tlog.TlogError, match="empty"):
        merkle.range_hash(3, 3, source)
    with pytest.raises(tlog.TlogError):
        merkle.append_leaf(-1, bytes(32), source)
    with pytest.raises(tlog.TlogError):
        merkle.append_leaf(0, b"short", source)
    assert merkle.consistency_proof(5, 5, source) == []
    assert merkle.inclusion_proof(0, 1, source) == []
