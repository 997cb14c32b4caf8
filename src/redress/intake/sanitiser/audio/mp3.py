"""MP3: the ID3v2 tag at the start and ID3v1, APE, Lyrics3 and appended ID3v2 tags at the end
are cut off; the MPEG frames between them are kept byte for byte."""

from __future__ import annotations

import io

from redress.intake.sanitiser.audio.id3 import id3v2_end, id3v2_labels
from redress.intake.sanitiser.audio.shared import audio_result, label_for_name, le32, syncsafe
from redress.intake.sanitiser.shared import Refusal
from redress.intake.upload_words import (
    AUDIO_TAGS,
    DATES,
    OTHER_DATA,
)


def sanitise_mp3(data: bytes, keep_original: bool) -> tuple[bytes | None, list[str]]:
    """ID3v2 tags at the start; ID3v1, Enhanced TAG, APE, Lyrics3 and ID3v2 (by its footer) at
    the end. The MPEG frames between them are kept byte for byte."""
    found: list[str] = []
    start = 0
    while data.startswith(b"ID3", start):
        tag_end = id3v2_end(data, start)
        found += id3v2_labels(data[start:tag_end])
        start = tag_end
        while start < len(data) and data[start] == 0:  # padding some taggers leave after it
            start += 1
    end, trailing = _mp3_trailing_tags(data, start)
    found += trailing
    return audio_result("mp3", data, data[start:end], found, keep_original)


def _mp3_trailing_tags(data: bytes, start: int) -> tuple[int, list[str]]:
    """Where the audio ends once the tags after it are cut off, and what those tags reveal."""
    found: list[str] = []
    end = len(data)
    while end - start >= 10:
        if end - start >= 128 and data[end - 128 : end - 125] == b"TAG":
            found += _id3v1_labels(data[end - 128 : end])
            end -= 128
            if end - start >= 227 and data[end - 227 : end - 223] == b"TAG+":
                if data[end - 223 : end - 40].strip(b"\x00 "):  # title, artist, album
                    found.append(AUDIO_TAGS)
                end -= 227
        elif end - start >= 32 and data[end - 32 : end - 24] == b"APETAGEX":
            size, flags = le32(data, end - 20), le32(data, end - 12)
            total = size + (32 if flags & 0x80000000 else 0)  # the header is not counted
            if size < 32 or end - total < start:
                raise Refusal("unreadable")
            found += _ape_labels(data[start:end])
            end -= total
        elif data[end - 9 : end] == b"LYRICS200" and data[end - 15 : end - 9].isdigit():
            begin = end - 15 - int(data[end - 15 : end - 9])
            if begin < start or data[begin : begin + 11] != b"LYRICSBEGIN":
                raise Refusal("unreadable")
            found.append(AUDIO_TAGS)
            end = begin
        elif data[end - 9 : end] == b"LYRICSEND":
            begin = data.rfind(b"LYRICSBEGIN", max(start, end - 5100 - 9), end)
            if begin < 0:
                raise Refusal("unreadable")
            found.append(AUDIO_TAGS)
            end = begin
        elif data[end - 10 : end - 7] == b"3DI":  # an ID3v2.4 tag appended, found by its footer
            begin = end - 20 - syncsafe(data[end - 4 : end])
            if begin < start or data[begin : begin + 3] != b"ID3":
                raise Refusal("unreadable")
            found += id3v2_labels(data[begin:end])
            end = begin
        else:
            break
    return end, found


def _id3v1_labels(tag: bytes) -> list[str]:
    found: list[str] = []
    title, artist, album, comment = tag[3:33], tag[33:63], tag[63:93], tag[97:125]
    if any(field.strip(b"\x00 ") for field in (title, artist, album, comment)):
        found.append(AUDIO_TAGS)
    if tag[93:97].strip(b"\x00 "):
        found.append(DATES)
    return found


def _ape_labels(tag_and_before: bytes) -> list[str]:
    """What the APE tag ending ``tag_and_before`` reveals, read by mutagen and judged by its
    items' keys. A tag mutagen cannot read is other data (it goes anyway)."""
    from mutagen.apev2 import APEv2  # here: only MP3 needs it, and the child starts afresh

    try:
        tag = APEv2(io.BytesIO(tag_and_before))
    except Exception:  # mutagen's errors for a damaged tag
        return [OTHER_DATA]
    found: list[str] = []
    for key, value in tag.items():
        if bytes(value).strip(b"\x00 "):
            label = label_for_name(key)
            if label is not None:
                found.append(label)
    return found
