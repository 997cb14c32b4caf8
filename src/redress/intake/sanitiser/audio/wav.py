"""WAV: only the chunks that hold or describe the sound (fmt, data, fact, cue...) are kept;
LIST/INFO, ID3, bext, iXML and the rest are dropped."""

from __future__ import annotations

import re
from typing import Final

from redress.intake.sanitiser.audio.id3 import id3v2_end, id3v2_labels
from redress.intake.sanitiser.audio.shared import audio_result, le32, read
from redress.intake.sanitiser.shared import Refusal
from redress.intake.upload_words import (
    AUDIO_TAGS,
    DATES,
    OTHER_DATA,
    OWNER,
    RECORDED_AT,
    RECORDER,
    TEXT_NOTES,
    XMP,
)

# Chunks that hold or describe the sound: kept as they are. Padding goes without comment.
_WAV_KEPT: Final = frozenset(
    {b"fmt ", b"data", b"fact", b"cue ", b"smpl", b"inst", b"plst", b"wavl", b"slnt", b"PEAK"}
)
_WAV_PADDING: Final = frozenset({b"JUNK", b"junk", b"PAD ", b"pad ", b"FLLR", b"fllr"})
_WAV_CHUNK_LABELS: Final = {
    b"iXML": RECORDER,  # a field recorder's notes: device, project, scene, take
    b"_PMX": XMP,
    b"XMP ": XMP,
    b"cart": AUDIO_TAGS,
    b"DISP": AUDIO_TAGS,
}
_RIFF_INFO_LABELS: Final = {
    **dict.fromkeys(
        b"INAM IART IPRD IGNR ISBJ IKEY ICMT ITRK IPRT IWRI ISRF IMED".split(), AUDIO_TAGS
    ),
    **dict.fromkeys((b"ICRD", b"IDIT", b"YEAR"), DATES),
    **dict.fromkeys((b"ISFT", b"ITOC"), RECORDER),
    **dict.fromkeys(b"IENG ITCH ICOP ICMS ISRC ICNM".split(), OWNER),
    b"IARL": RECORDED_AT,  # where the subject of the file is kept
}
_CHUNK_ID: Final = re.compile(rb"[\x20-\x7e]{4}")


def sanitise_wav(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    """Keep the chunks that hold the sound (fmt, data and their kin); drop LIST, ID3, bext, iXML
    and the rest, then write the RIFF size anew.

    The declared RIFF size is not trusted (recorders that stop abruptly leave it 0 or wrong):
    chunks are walked to the end of the file. A data chunk of placeholder size, or one longer than
    the file, runs to the end (an interrupted recording is kept as it is).
    """
    position, kept, found = 12, [data[:12]], []
    formats = sounds = 0
    while position + 8 <= len(data) and _CHUNK_ID.fullmatch(data[position : position + 4]):
        chunk_id = data[position : position + 4]
        size = le32(data, position + 4)
        body_start = position + 8
        end = body_start + size
        if chunk_id == b"data" and (end > len(data) or _placeholder_size(data, size, end)):
            end = len(data)
        if size & 1 and end < len(data) and data[end] == 0:  # the pad byte to an even length
            end += 1
        end = min(end, len(data))
        body = data[body_start:end]
        if chunk_id in _WAV_KEPT:
            formats += chunk_id == b"fmt "
            sounds += chunk_id == b"data"
            kept.append(data[position:end])
        elif chunk_id not in _WAV_PADDING:
            found += _wav_chunk_labels(chunk_id, body)
        position = end
    trailing = data[position:]
    if trailing.startswith(b"ID3") and len(trailing) >= 10:  # a tag stuck on after the RIFF
        found += id3v2_labels(trailing)
    elif trailing.strip(b"\x00"):
        found.append(OTHER_DATA)
    if formats != 1 or sounds != 1:
        raise Refusal("unreadable")
    body = b"".join(kept)[8:]
    cleaned = b"RIFF" + len(body).to_bytes(4, "little") + body
    return audio_result("wav", data, cleaned, found, keep_original)


def _placeholder_size(data: bytes, size: int, end: int) -> bool:
    """A data chunk whose size was never filled in (0 or all ones) with sound after it."""
    if size == 0xFFFFFFFF:
        return True
    if size != 0 or end >= len(data):
        return False
    following = data[end : end + 8]  # a real chunk after an empty data chunk?
    return not (
        len(following) == 8
        and _CHUNK_ID.fullmatch(following[:4])
        and end + 8 + int.from_bytes(following[4:], "little") <= len(data)
    )


def _wav_chunk_labels(chunk_id: bytes, body: bytes) -> list[str]:
    """What a chunk we drop revealed."""
    if not body.strip(b"\x00 "):
        return []
    if chunk_id == b"LIST":
        return _riff_list_labels(body)
    if chunk_id in (b"id3 ", b"ID3 ", b"ID32"):
        try:
            return id3v2_labels(read(body, 0, id3v2_end(body, 0)))
        except Refusal:
            return [OTHER_DATA]
    if chunk_id == b"bext":
        return _bext_labels(body)
    return [_WAV_CHUNK_LABELS.get(chunk_id, OTHER_DATA)]


def _riff_list_labels(body: bytes) -> list[str]:
    """INFO lists name the recording and its maker; adtl lists hold notes on cue points."""
    list_type = body[:4]
    if list_type == b"adtl":
        return [TEXT_NOTES]
    if list_type != b"INFO":
        return [OTHER_DATA]
    found: list[str] = []
    position = 4
    while position + 8 <= len(body):
        sub_id = body[position : position + 4]
        size = int.from_bytes(body[position + 4 : position + 8], "little")
        value = body[position + 8 : position + 8 + size]
        if position + 8 + size > len(body) or not _CHUNK_ID.fullmatch(sub_id):
            return [*found, OTHER_DATA]
        if value.strip(b"\x00 "):
            found.append(_RIFF_INFO_LABELS.get(sub_id, OTHER_DATA))
        position += 8 + size + (size & 1)
    return found


def _bext_labels(body: bytes) -> list[str]:
    """Broadcast WAV: a description, the recorder that made it, when, and a coding history."""
    found: list[str] = []
    if body[0:256].strip(b"\x00 "):
        found.append(AUDIO_TAGS)
    if body[256:320].strip(b"\x00 "):  # originator and its reference
        found.append(RECORDER)
    if body[320:338].strip(b"\x00 "):
        found.append(DATES)
    if body[348:412].strip(b"\x00") or body[602:].strip(b"\x00 \r\n"):  # UMID, coding history
        found.append(OTHER_DATA)
    return found
