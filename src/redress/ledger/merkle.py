"""Building the log's Merkle tree and its proofs from stored hashes (RFC 9162 section 2.1).

The database keeps, for every *complete subtree* of the tree, its hash: the subtree at
(``level``, ``index``) covers the 2**level leaves from ``index * 2**level``, and level 0 holds
the leaf hashes. Nothing else is stored: the root of a tree whose size is not a power of two,
and the proof hashes for subtrees on the tree's right edge, are computed here from the stored
complete subtrees, each incomplete range costing at most one lookup per level.

A *hash source* is a callable ``source(level, index) -> bytes`` returning a stored hash. For a
database, ask the matching ``*_needs`` function which (level, index) pairs a computation reads,
fetch them in one query, and pass a source reading from the result:

    needed = inclusion_needs(index, size)
    hashes = {(row.level, row.index): row.hash for row in fetch(needed)}
    proof = inclusion_proof(index, size, lambda level, i: hashes[level, i])

A proof reads at most two hashes per level of the tree: about 48 at ten million entries.

Appending: when the leaf at ``index`` is added, `append_leaf` returns the complete subtrees that
become known, (level, index, hash), the leaf's own first; those are what the database stores for
the new entry. `TreeBuilder` does the same in memory, for building a tree from many entries in
order (a migration, a test or a benchmark).

Depends only on `tlog` (standard library and PyNaCl): no Django.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from redress.ledger.tlog import EMPTY_ROOT, MAX_TREE_SIZE, TlogError, leaf_hash, node_hash

__all__ = [
    "HashSource",
    "Node",
    "TreeBuilder",
    "append_entry",
    "append_leaf",
    "consistency_needs",
    "consistency_proof",
    "consistency_ranges",
    "inclusion_needs",
    "inclusion_proof",
    "inclusion_ranges",
    "range_hash",
    "range_needs",
    "root",
    "root_needs",
]

HashSource = Callable[[int, int], bytes]
"""``source(level, index)``: the stored hash of the complete subtree at (level, index)."""

Node = tuple[int, int, bytes]
"""(level, index, hash) of a complete subtree."""


def _split(size: int) -> int:
    """The largest power of two smaller than ``size`` (which is at least 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def _complete_pieces(start: int, end: int) -> list[tuple[int, int]]:
    """The (level, index) of the aligned complete subtrees that cover [start, end), each as
    large as it can be, left to right. When ``start`` is a multiple of the largest power of two
    below ``end - start`` (as for every range of a tree's proofs and for the tree itself), these
    hashed together from the right make MTH(D[start:end])."""
    pieces = []
    while start < end:
        size = end - start
        level = size.bit_length() - 1
        while start % (1 << level):
            level -= 1
        pieces.append((level, start >> level))
        start += 1 << level
    return pieces


def range_hash(start: int, end: int, source: HashSource) -> bytes:
    """MTH(D[start:end]) as RFC 6962 defines it, from stored complete subtrees.

    The first split of a range is at the largest power of two below its size, so the range is
    its complete pieces from the left, hashed together from the right."""
    if not 0 <= start < end:
        raise TlogError(f"the range {start}..{end} of entries is empty or negative")
    if end - start == 1 << ((end - start).bit_length() - 1) and start % (end - start) == 0:
        level = (end - start).bit_length() - 1
        return source(level, start >> level)
    split = start + _split(end - start)
    if start % (split - start):
        # Not a range of any proof of this tree: compute it by the definition.
        return node_hash(range_hash(start, split, source), range_hash(split, end, source))
    pieces = _complete_pieces(start, end)
    acc = source(*pieces[-1])
    for level, index in reversed(pieces[:-1]):
        acc = node_hash(source(level, index), acc)
    return acc


def root(size: int, source: HashSource) -> bytes:
    """The root hash of the tree of ``size`` entries (of the empty tree when ``size`` is 0)."""
    _check_size(size)
    return EMPTY_ROOT if size == 0 else range_hash(0, size, source)


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The entry ranges [start, end) whose MTH are the inclusion proof for ``index`` in the
    tree of ``size`` entries, in proof order: the leaf's sibling first (RFC 9162 2.1.3.1)."""
    _check_size(size)
    if not 0 <= index < size:
        raise TlogError(f"entry {index} is not within a tree of {size} entries")
    ranges = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    ranges.reverse()
    return ranges


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The entry ranges [start, end) whose MTH are the consistency proof from ``old_size`` to
    ``new_size``, in proof order (RFC 9162 2.1.4.1). Empty when ``old_size`` is 0 or equal to
    ``new_size``."""
    _check_size(new_size)
    if not 0 <= old_size <= new_size:
        raise TlogError(f"a tree of {new_size} entries cannot extend one of {old_size}")
    if old_size == 0 or old_size == new_size:
        return []
    ranges = []
    lo, hi, whole = 0, new_size, True
    while True:
        if old_size == hi:
            if not whole:
                ranges.append((lo, hi))
            break
        k = _split(hi - lo)
        if old_size <= lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            whole = False
    ranges.reverse()
    return ranges


def inclusion_proof(index: int, size: int, source: HashSource) -> list[bytes]:
    """The inclusion proof for entry ``index`` in the tree of ``size`` entries."""
    return [range_hash(start, end, source) for start, end in inclusion_ranges(index, size)]


def consistency_proof(old_size: int, new_size: int, source: HashSource) -> list[bytes]:
    """The consistency proof from the tree of ``old_size`` entries to that of ``new_size``."""
    return [range_hash(start, end, source) for start, end in consistency_ranges(old_size, new_size)]


def range_needs(start: int, end: int) -> list[tuple[int, int]]:
    """The stored hashes `range_hash` reads for MTH(D[start:end]), each once, in reading order."""
    return _record(lambda source: range_hash(start, end, source))


def root_needs(size: int) -> list[tuple[int, int]]:
    """The stored hashes `root` reads for the tree of ``size`` entries."""
    return _record(lambda source: root(size, source))


def inclusion_needs(index: int, size: int) -> list[tuple[int, int]]:
    """The stored hashes `inclusion_proof` reads."""
    return _record(lambda source: inclusion_proof(index, size, source))


def consistency_needs(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The stored hashes `consistency_proof` reads."""
    return _record(lambda source: consistency_proof(old_size, new_size, source))


def _record(compute: Callable[[HashSource], object]) -> list[tuple[int, int]]:
    seen: dict[tuple[int, int], None] = {}

    def source(level: int, index: int) -> bytes:
        seen[level, index] = None
        return bytes(32)

    compute(source)
    return list(seen)


def append_leaf(index: int, leaf: bytes, source: HashSource) -> list[Node]:
    """The complete subtrees that become known when the leaf with hash ``leaf`` is added at
    ``index`` (making the tree ``index + 1`` entries): the leaf itself, then each subtree it
    completes, upwards. Reads one stored hash per subtree completed (the left sibling)."""
    _check_size(index + 1)
    if index < 0 or len(leaf) != 32:
        raise TlogError("a leaf is added at a non-negative index with a 32-byte hash")
    nodes = [(0, index, leaf)]
    level, position, current = 0, index, leaf
    while position & 1:
        current = node_hash(source(level, position - 1), current)
        level += 1
        position >>= 1
        nodes.append((level, position, current))
    return nodes


def append_entry(index: int, entry: bytes, source: HashSource) -> list[Node]:
    """`append_leaf` for the entry's data: its leaf hash is SHA-256(0x00 || entry)."""
    return append_leaf(index, leaf_hash(entry), source)


class TreeBuilder:
    """Builds the tree in memory, one leaf after another, keeping only its right edge.

    Start empty, or from a stored tree with `TreeBuilder.resume`; `append` returns the nodes to
    store, as `append_leaf` does."""

    def __init__(self) -> None:
        self.size = 0
        self._edge: list[tuple[int, bytes]] = []  # (level, hash) of the right edge's pieces

    @classmethod
    def resume(cls, size: int, source: HashSource) -> TreeBuilder:
        """A builder that continues the stored tree of ``size`` entries."""
        builder = cls()
        for level, index in _complete_pieces(0, size):
            builder._edge.append((level, source(level, index)))
        builder.size = size
        return builder

    def append(self, leaf: bytes) -> list[Node]:
        """Add the leaf with hash ``leaf``; the complete subtrees that become known."""
        index = self.size
        stack = dict(self._edge)
        nodes = append_leaf(index, leaf, lambda level, _index: stack[level])
        completed = len(nodes) - 1
        del self._edge[len(self._edge) - completed :]
        self._edge.append((nodes[-1][0], nodes[-1][2]))
        self.size += 1
        return nodes

    def extend(self, leaves: Iterable[bytes]) -> list[Node]:
        """Add each leaf in turn; all the nodes that become known."""
        nodes: list[Node] = []
        for leaf in leaves:
            nodes.extend(self.append(leaf))
        return nodes

    def root(self) -> bytes:
        """The root hash of the tree built so far."""
        if not self._edge:
            return EMPTY_ROOT
        acc = self._edge[-1][1]
        for _level, value in reversed(self._edge[:-1]):
            acc = node_hash(value, acc)
        return acc


def _check_size(size: int) -> None:
    if not 0 <= size < MAX_TREE_SIZE:
        raise TlogError(f"a tree size must be between 0 and 2**64 - 1, not {size}")
