"""M4A (MP4): user data, metadata (iTunes and QuickTime), XMP and '©xyz' locations are
overwritten in place by ``free`` boxes of the same size, so no chunk offset moves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from redress.intake.sanitiser.audio.shared import audio_result, be32, label_for_name, read
from redress.intake.sanitiser.shared import Refusal
from redress.intake.upload_words import (
    AUDIO_TAGS,
    DATES,
    EXTRA_PICTURES,
    OTHER_DATA,
    OWNER,
    RECORDED_AT,
    RECORDER,
    TEXT_NOTES,
    XMP,
)

# Boxes that only hold other boxes, where a location or tags may be found further down.
_MP4_CONTAINERS: Final = frozenset(b"moov trak mdia minf stbl edts dinf mvex".split())
_MP4_XMP_UUID: Final = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
_MP4_LABELS: Final[dict[bytes, str | None]] = {
    b"\xa9xyz": RECORDED_AT,
    b"loci": RECORDED_AT,
    **dict.fromkeys(
        b"\xa9nam \xa9ART aART \xa9alb \xa9cmt \xa9gen gnre \xa9wrt \xa9lyr \xa9des \xa9grp \xa9inf"
        b" \xa9dir \xa9prd desc ldes titl dscp perf albm kywd name".split(),
        AUDIO_TAGS,
    ),
    **dict.fromkeys((b"\xa9day", b"purd", b"yrrc"), DATES),
    **dict.fromkeys(b"\xa9too \xa9swr \xa9enc \xa9mak \xa9mod \xa9fmt \xa9hst".split(), RECORDER),
    **dict.fromkeys(b"cprt \xa9cpy auth \xa9aut apID ownr \xa9prf \xa9pub".split(), OWNER),
    b"covr": EXTRA_PICTURES,
    b"chpl": TEXT_NOTES,
    # Track numbers, tempo, gapless playback: how to play it. Padding and the key table.
    **dict.fromkeys(b"trkn disk tmpo cpil pgap stik rtng hdlr hnti free skip keys".split(), None),
}
_MP4_DEPTH: Final = 16


def _mp4_boxes(
    data: bytes, start: int, end: int, *, top: bool = False
) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, start, content start, end) of each box from ``start`` to ``end``.

    A box of size 0 runs to the end of its parent. A list may end in four zero bytes (QuickTime
    user data does). At the top, the media data of an interrupted recording may run off the end.
    """
    position = start
    while position < end:
        if end - position < 8:
            if data[position:end].strip(b"\x00"):
                raise Refusal("unreadable")
            return
        size = be32(data, position)
        box_type = data[position + 4 : position + 8]
        header = 8
        if size == 1:
            size, header = int.from_bytes(read(data, position + 8, 8), "big"), 16
        elif size == 0:
            size = end - position
        if position + size > end and top and box_type == b"mdat":
            size = end - position
        if size < header or position + size > end:
            raise Refusal("unreadable")
        yield box_type, position, position + header, position + size
        position += size


def sanitise_m4a(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    """Overwrite user data, metadata, XMP and locations with ``free`` boxes of the same size.

    Nothing moves, so the chunk offsets into the media data stay right and no size changes.
    """
    out = bytearray(data)
    found: list[str] = []
    for box_type, start, content, end in _mp4_boxes(data, 0, len(data), top=True):
        if box_type in _MP4_CONTAINERS:
            found += _mp4_clean_container(data, out, content, end)
        else:
            found += _mp4_clean_box(data, out, box_type, start, content, end)
    return audio_result("m4a", data, bytes(out), found, keep_original)


def _mp4_clean_container(
    data: bytes, out: bytearray, start: int, end: int, depth: int = 0
) -> list[str]:
    if depth > _MP4_DEPTH:
        raise Refusal("too_complex")
    found: list[str] = []
    for box_type, box_start, content, box_end in _mp4_boxes(data, start, end):
        if box_type in _MP4_CONTAINERS:
            found += _mp4_clean_container(data, out, content, box_end, depth + 1)
        else:
            found += _mp4_clean_box(data, out, box_type, box_start, content, box_end)
    return found


def _mp4_clean_box(
    data: bytes, out: bytearray, box_type: bytes, start: int, content: int, end: int
) -> list[str]:
    """Blank a box that identifies (user data, metadata, XMP, a location); say what it held."""
    if box_type in (b"udta", b"meta"):
        labels = _mp4_labels(data, box_type, content, end)
    elif box_type == b"\xa9xyz":
        labels = [RECORDED_AT]
    elif box_type == b"uuid" and data[content : content + 16] == _MP4_XMP_UUID:
        labels = [XMP]
    else:
        return []
    if labels:
        out[start + 4 : start + 8] = b"free"
        out[content:end] = bytes(end - content)
    return labels


def _mp4_labels(data: bytes, box_type: bytes, start: int, end: int, depth: int = 0) -> list[str]:
    """What user data or metadata holds. Contents we cannot walk are other data."""
    if depth > _MP4_DEPTH:
        return [OTHER_DATA]
    try:
        if box_type == b"meta":
            return _mp4_meta_labels(data, start, end)
        found: list[str] = []
        for child, _, content, child_end in _mp4_boxes(data, start, end):
            if child in (b"meta", b"udta"):
                found += _mp4_labels(data, child, content, child_end, depth + 1)
            elif data[content:child_end].strip(b"\x00") or child == b"\xa9xyz":
                label = _MP4_LABELS.get(child, OTHER_DATA)
                found += [] if label is None else [label]
        return found
    except Refusal:
        return [OTHER_DATA]


def _mp4_meta_labels(data: bytes, start: int, end: int) -> list[str]:
    """iTunes (ilst of named items) or QuickTime (keys, then ilst items numbered after them)."""
    if data[start + 4 : start + 8] != b"hdlr":  # ISO's meta has a version first; QuickTime's not
        start += 4
    keys: dict[int, str] = {}
    found: list[str] = []
    children = list(_mp4_boxes(data, start, end))
    for child, _, content, child_end in children:
        if child == b"keys":
            keys = _mp4_keys(data, content, child_end)
    for child, _, content, child_end in children:
        if child == b"ilst":
            for item, _, item_content, item_end in _mp4_boxes(data, content, child_end):
                number = int.from_bytes(item, "big")
                if number in keys:
                    label = label_for_name(keys[number])
                elif item == b"----":
                    label = label_for_name(_mp4_freeform_name(data, item_content, item_end))
                else:
                    label = _MP4_LABELS.get(item, OTHER_DATA)
                found += [] if label is None else [label]
        elif child not in (b"hdlr", b"keys", b"free", b"skip") and data[content:child_end].strip(
            b"\x00"
        ):
            found.append(XMP if child == b"xml " else OTHER_DATA)
    return found


def _mp4_keys(data: bytes, start: int, end: int) -> dict[int, str]:
    """QuickTime metadata keys by their number (from 1): "com.apple.quicktime.location.ISO6709"."""
    keys: dict[int, str] = {}
    count = be32(data, start + 4)
    position = start + 8
    for number in range(1, count + 1):
        size = be32(data, position)
        if size < 8 or position + size > end:
            raise Refusal("unreadable")
        keys[number] = data[position + 8 : position + size].decode("utf-8", "replace")
        position += size
    return keys


def _mp4_freeform_name(data: bytes, start: int, end: int) -> str:
    """The name of an iTunes free-form item (----: mean, name, data)."""
    for child, _, content, child_end in _mp4_boxes(data, start, end):
        if child == b"name":
            return data[content + 4 : child_end].decode("utf-8", "replace")
    return ""
