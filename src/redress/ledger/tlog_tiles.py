"""The log's tiles (c2sp.org/tlog-tiles): tile and entry bundle paths and contents, and which
stored hashes each holds.

Built on ``tlog`` (standard library and PyNaCl only, no Django), for the ``/log/`` views and
for clients that read them. A complainant's verifier does not need it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from redress.ledger.tlog import (
    HASH_SIZE,
    MAX_TREE_SIZE,
    MalformedError,
    _check_hash,
    node_hash,
)

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
MAX_TILE_LEVEL = 63


def format_tile_index(n: int) -> str:
    """A tile index as path elements: zero-padded groups of three digits, all but the last
    prefixed with ``x`` (1234067 is ``x001/x234/067``)."""
    if not isinstance(n, int) or n < 0:
        raise MalformedError("a tile index cannot be negative")
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


def parse_tile_index(text: str) -> int:
    """Read a tile index written as `format_tile_index` writes it, and only so."""
    if len(text) > 40 or not re.fullmatch(r"(x[0-9]{3}/)*[0-9]{3}", text):
        raise MalformedError(
            "a tile index is written in groups of three digits, all but the last prefixed with x"
        )
    value = int(text.replace("x", "").replace("/", ""))
    if format_tile_index(value) != text:
        raise MalformedError("a tile index must not begin with a group of zeros")
    if value >= MAX_TREE_SIZE:
        raise MalformedError("the tile index is too large")
    return value


@dataclass(frozen=True)
class Tile:
    """A tile (``entries`` false) or an entry bundle (``entries`` true).

    A tile at ``level`` L and ``index`` N holds the hashes of the complete subtrees at tree level
    8L with indexes 256N to 256N + ``width`` - 1; an entry bundle holds entries 256N onwards.
    ``width`` is 256 for a full tile, less for a partial one."""

    level: int
    index: int
    width: int = TILE_WIDTH
    entries: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.level <= MAX_TILE_LEVEL or (self.entries and self.level):
            raise MalformedError(f"a tile's level is between 0 and {MAX_TILE_LEVEL}")
        if not 0 <= self.index < MAX_TREE_SIZE:
            raise MalformedError("a tile index cannot be negative")
        if not 1 <= self.width <= TILE_WIDTH:
            raise MalformedError("a tile's width is between 1 and 256")

    @property
    def partial(self) -> bool:
        return self.width < TILE_WIDTH

    @property
    def path(self) -> str:
        """The tile's path below the log's prefix, such as ``tile/0/x001/234.p/7``."""
        kind = "entries" if self.entries else str(self.level)
        suffix = f".p/{self.width}" if self.partial else ""
        return f"tile/{kind}/{format_tile_index(self.index)}{suffix}"

    @property
    def tree_level(self) -> int:
        """The level, in the tree, of the hashes this tile holds (0 for entry bundles)."""
        return TILE_HEIGHT * self.level

    @property
    def first(self) -> int:
        """The index, at `tree_level`, of the first hash (or entry) this tile holds."""
        return self.index * TILE_WIDTH

    def coordinates(self) -> list[tuple[int, int]]:
        """The (level, index) of each complete subtree whose hash this tile holds, in order
        (for an entry bundle: the leaves whose entries it holds)."""
        return [(self.tree_level, self.first + i) for i in range(self.width)]

    def in_tree(self, size: int) -> bool:
        """Whether a tree of ``size`` entries has all this tile's hashes (or entries), so it
        can be served; a tile beyond the tree cannot."""
        return self.first + self.width <= size >> self.tree_level


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """``tile/<L>/<N>[.p/<W>]``."""
    return Tile(level, index, width).path


def entries_path(index: int, width: int = TILE_WIDTH) -> str:
    """``tile/entries/<N>[.p/<W>]``."""
    return Tile(0, index, width, entries=True).path


def parse_tile_path(path: str) -> Tile:
    """Read a tile or entry bundle path below the log's prefix (``tile/...``).

    Refuses levels outside 0..63, widths outside 1..255 (a full tile has no ``.p`` suffix),
    negative or non-numeric numbers, and leading zeros anywhere the specification forbids them.
    Whether the tile is within the tree is `Tile.in_tree`'s to say."""
    if len(path) > 200:
        raise MalformedError("the tile path is too long")
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise MalformedError("a tile path reads tile/<level>/<index>[.p/<width>]")
    entries = parts[1] == "entries"
    level = 0
    if not entries:
        if not re.fullmatch(r"0|[1-9][0-9]?", parts[1]) or int(parts[1]) > MAX_TILE_LEVEL:
            raise MalformedError(
                f"a tile's level is a number from 0 to {MAX_TILE_LEVEL} without leading zeros"
            )
        level = int(parts[1])
    rest = parts[2:]
    width = TILE_WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        if not re.fullmatch(r"[1-9][0-9]{0,2}", rest[-1]) or int(rest[-1]) >= TILE_WIDTH:
            raise MalformedError(
                "a partial tile's width is a number from 1 to 255 without leading zeros"
            )
        width = int(rest[-1])
        rest = [*rest[:-2], rest[-2][:-2]]
    index = parse_tile_index("/".join(rest))
    return Tile(level, index, width, entries)


def tile_for_hash(level: int, index: int) -> tuple[int, int, int]:
    """Where the hash of the complete subtree (``level``, ``index``) is served: (tile level,
    tile index, position within the tile). Only levels that are multiples of 8 are in tiles."""
    if level < 0 or index < 0 or level % TILE_HEIGHT:
        raise MalformedError("only hashes at tree levels that are multiples of 8 are in tiles")
    return level // TILE_HEIGHT, index // TILE_WIDTH, index % TILE_WIDTH


def tile_for_subtree(level: int, index: int, size: int) -> tuple[Tile, int, int]:
    """Where a client reading tiles of a tree of ``size`` entries finds what it needs to compute
    the hash of the complete subtree (``level``, ``index``): (the tile, at the width that tree
    has, the position of the first hash, the number of hashes). `subtree_hash` of those hashes
    is the subtree's hash."""
    if level < 0 or index < 0 or (index + 1) << level > size:
        raise MalformedError(f"the subtree ({level}, {index}) is not complete in a tree of {size}")
    tile_level = level // TILE_HEIGHT
    below = level - tile_level * TILE_HEIGHT
    first = index << below
    tile_index = first // TILE_WIDTH
    available = size >> (tile_level * TILE_HEIGHT)
    width = min(TILE_WIDTH, available - tile_index * TILE_WIDTH)
    return Tile(tile_level, tile_index, width), first % TILE_WIDTH, 1 << below


def subtree_hash(hashes: Sequence[bytes]) -> bytes:
    """MTH of a complete subtree from the hashes of its 2**k equal children, left to right."""
    count = len(hashes)
    if count == 0 or count & (count - 1):
        raise MalformedError("a complete subtree has a power of two of children")
    level = [_check_hash(h, "each hash") for h in hashes]
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def tile_layout(size: int) -> list[tuple[int, int, int]]:
    """The tiles of a tree of ``size`` entries, level by level: (level, number of full tiles,
    width of the partial tile or 0). Levels with no tile at all are left out."""
    layout: list[tuple[int, int, int]] = []
    level = 0
    while True:
        available = size >> (level * TILE_HEIGHT)
        if available == 0:
            return layout
        layout.append((level, available // TILE_WIDTH, available % TILE_WIDTH))
        level += 1


def split_tile(data: bytes, width: int = TILE_WIDTH) -> list[bytes]:
    """The hashes of a tile's contents, checked to be ``width`` hashes long."""
    if len(data) != width * HASH_SIZE:
        raise MalformedError(f"a tile of width {width} is {width * HASH_SIZE} bytes")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def format_entry_bundle(entries: Iterable[bytes]) -> bytes:
    """An entry bundle: each entry preceded by its length as a big-endian 16-bit number."""
    out = bytearray()
    count = 0
    for entry in entries:
        if len(entry) > 0xFFFF:
            raise MalformedError("an entry in a bundle is at most 65535 bytes")
        out += len(entry).to_bytes(2, "big") + entry
        count += 1
    if count > TILE_WIDTH:
        raise MalformedError("an entry bundle holds at most 256 entries")
    return bytes(out)


def parse_entry_bundle(data: bytes) -> list[bytes]:
    """The entries of an entry bundle."""
    entries = []
    position = 0
    while position < len(data):
        if position + 2 > len(data):
            raise MalformedError("the entry bundle ends in the middle of a length")
        length = int.from_bytes(data[position : position + 2], "big")
        position += 2
        if position + length > len(data):
            raise MalformedError("the entry bundle ends in the middle of an entry")
        entries.append(data[position : position + length])
        position += length
    if len(entries) > TILE_WIDTH:
        raise MalformedError("an entry bundle holds at most 256 entries")
    return entries
