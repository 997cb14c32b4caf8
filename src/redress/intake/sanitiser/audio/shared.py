"""What the audio formats share: reading a structure safely, judging a tag by its name, and
what a handler answers."""

from __future__ import annotations

import re
from typing import Final

from redress.intake import filetypes
from redress.intake.sanitiser.shared import Refusal
from redress.intake.upload_words import (
    AUDIO_TAGS,
    DATES,
    EXTRA_PICTURES,
    OTHER_DATA,
    OWNER,
    RECORDED_AT,
    RECORDER,
)


def audio_result(
    kind: str, data: bytes, cleaned: bytes, found: list[str], keep_original: bool
) -> tuple[bytes | None, list[str]]:
    """What an audio handler answers: the original when it revealed nothing, else the cut copy."""
    if keep_original:
        return None, found
    if not found:
        return data, found
    if filetypes.sniff(cleaned) != kind:  # what we store must still be the same kind of recording
        raise Refusal("unreadable")
    return cleaned, found


def read(data: bytes, offset: int, length: int) -> bytes:
    """Exactly ``length`` bytes at ``offset``, or a refusal: a structure that runs off the end."""
    if offset < 0 or length < 0 or offset + length > len(data):
        raise Refusal("unreadable")
    return data[offset : offset + length]


def le32(data: bytes, offset: int) -> int:
    return int.from_bytes(read(data, offset, 4), "little")


def be32(data: bytes, offset: int) -> int:
    return int.from_bytes(read(data, offset, 4), "big")


def syncsafe(four: bytes) -> int:
    """An ID3 "synchsafe" integer: seven bits a byte, the top bit always clear."""
    value = 0
    for byte in four:
        value = value << 7 | (byte & 0x7F)
    return value


# Free-form names of tags (Vorbis comments, APE items, QuickTime keys, ID3 TXXX descriptions)
# are judged by the words in them. A place comes first: "location name" is a place, not a name.
_PLACE_WORDS: Final = re.compile(r"location|gps|latitude|longitude|iso6709|coordinates")
_HARMLESS_WORDS: Final = re.compile(
    r"replaygain|r128|mp3gain|itunsmpb|itunnorm|waveformatextensible|bpm"
    r"|tracknumber|tracktotal|totaltracks|discnumber|disctotal|totaldiscs"
)
_NAME_WORDS: Final = (
    (
        re.compile(
            r"make|model|device|manufacturer|software|encoder|encoding|tool|version|hardware"
            r"|vendor|recorder"
        ),
        RECORDER,
    ),
    (
        re.compile(
            r"author|owner|copyright|publisher|organi[sz]ation|contact|encoded|email|license"
            r"|engineer"
        ),
        OWNER,
    ),
    (re.compile(r"picture|cover|artwork"), EXTRA_PICTURES),
    (re.compile(r"date|time|year"), DATES),
    (
        re.compile(
            r"title|artist|album|comment|description|genre|lyric|performer|composer|keyword"
            r"|subject|name|note"
        ),
        AUDIO_TAGS,
    ),
)
_NAME_PREFIXES: Final = ("com.apple.quicktime.", "com.apple.", "com.android.")


def label_for_name(name: str) -> str | None:
    """What a tag of this free-form name reveals; None for loudness and track numbers."""
    name = name.lower()
    for prefix in _NAME_PREFIXES:
        name = name.removeprefix(prefix)
    if _PLACE_WORDS.search(name):
        return RECORDED_AT
    if _HARMLESS_WORDS.search(name):
        return None
    for words, label in _NAME_WORDS:
        if words.search(name):
            return label
    return OTHER_DATA
