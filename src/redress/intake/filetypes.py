"""The kinds of file we accept, the limits on them, and recognising them by content alone.

``sniff(data)`` decides the type from the bytes (magic numbers and structure), never from a name;
``claimed_kind(filename)`` says what a name claims, only to catch a disguise. Nothing here is
decompressed or decoded: files are parsed only in the sanitiser's child process.

This module imports nothing from Django: the sanitiser's child uses it too.
"""

from __future__ import annotations

import codecs
import struct
from pathlib import PurePosixPath
from typing import Final

from redress.core.limits import UPLOAD_MAX_FILE_BYTES
from redress.intake.upload_words import gettext_noop

MAX_BYTES: Final = UPLOAD_MAX_FILE_BYTES
MAX_PIXELS: Final = 50_000_000
MAX_ARCHIVE_BYTES: Final = 100 * 1024 * 1024
MAX_ARCHIVE_ENTRIES: Final = 2_000


# kind: (content type, extension we store it under, how a sentence names it)
KINDS: Final[dict[str, tuple[str, str, str]]] = {
    "jpeg": ("image/jpeg", ".jpg", gettext_noop("a JPEG picture")),
    "png": ("image/png", ".png", gettext_noop("a PNG picture")),
    "pdf": ("application/pdf", ".pdf", gettext_noop("a PDF")),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
        gettext_noop("a Word document"),
    ),
    "text": ("text/plain; charset=utf-8", ".txt", gettext_noop("plain text")),
    "mp3": ("audio/mpeg", ".mp3", gettext_noop("an MP3 recording")),
    "wav": ("audio/wav", ".wav", gettext_noop("a WAV recording")),
    "ogg": ("audio/ogg", ".ogg", gettext_noop("an Ogg recording")),
    "m4a": ("audio/mp4", ".m4a", gettext_noop("an M4A recording")),
}
PARSED_KINDS: Final = frozenset({"jpeg", "png", "pdf", "docx", "mp3", "wav", "ogg", "m4a"})

# What a file's name claims. Names not listed here claim nothing, and the content decides.
CLAIMED_BY_EXTENSION: Final[dict[str, str]] = {
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".jpe": "jpeg",
    ".jfif": "jpeg",
    ".png": "png",
    ".pdf": "pdf",
    ".docx": "docx",
    ".txt": "text",
    ".text": "text",
    ".mp3": "mp3",
    ".wav": "wav",
    ".wave": "wav",
    ".ogg": "ogg",
    ".oga": "ogg",
    ".opus": "ogg",
    ".m4a": "m4a",
}


def sniff(data: bytes) -> str | None:
    """The kind of ``data`` judged by its content (magic bytes and structure), or None.

    Never looks at a name. DOCX must be a ZIP holding ``[Content_Types].xml`` and
    ``word/document.xml`` (its directory is read, nothing is decompressed); text must be UTF-8
    (a byte order mark is allowed) without NUL bytes; audio needs more than a magic number
    (two MPEG frames in a row, an Ogg stream of an audio codec, an MP4 with an audio brand).
    """
    if not data:
        return None
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if _is_docx(data) else None
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return "wav"
    if data.startswith(b"OggS"):
        return "ogg" if _is_ogg_audio(data) else None
    if data[4:8] == b"ftyp":
        return "m4a" if _is_m4a(data) else None
    if _is_mp3(data):
        return "mp3"
    if _is_utf8_text(data):
        return "text"
    return None


def claimed_kind(filename: str) -> str | None:
    """The accepted kind a file's name claims to be, if any."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(". ")
    return CLAIMED_BY_EXTENSION.get(PurePosixPath(base).suffix.lower())


def _is_docx(data: bytes) -> bool:
    """A ZIP whose central directory names ``[Content_Types].xml`` and ``word/document.xml``.

    Read by hand rather than with ``zipfile``, which would build an object for every entry of a
    hostile archive in this process; at most ``MAX_ARCHIVE_ENTRIES`` entries are looked at.
    """
    directory = _zip_directory(data)
    if directory is None:
        return False
    position, entries = directory
    wanted = {b"[Content_Types].xml", b"word/document.xml"}
    for _ in range(min(entries, MAX_ARCHIVE_ENTRIES)):
        if data[position : position + 4] != b"PK\x01\x02" or position + 46 > len(data):
            return False
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, position + 28)
        wanted.discard(data[position + 46 : position + 46 + name_length])
        if not wanted:
            return True
        position += 46 + name_length + extra_length + comment_length
    return False


def _zip_directory(data: bytes) -> tuple[int, int] | None:
    """(offset of the central directory, number of entries) from the end records, if sound."""
    end = len(data)
    while True:
        end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF), end)
        if end < 0:
            return None
        comment_length = int.from_bytes(data[end + 20 : end + 22], "little")
        if end + 22 + comment_length == len(data):  # not the signature's bytes inside a comment
            break
    entries, size, offset = struct.unpack_from("<HII", data, end + 10)
    if entries == 0xFFFF or size == 0xFFFFFFFF or offset == 0xFFFFFFFF:  # ZIP64
        locator = end - 20
        if locator < 0 or data[locator : locator + 4] != b"PK\x06\x07":
            return None
        record = int.from_bytes(data[locator + 8 : locator + 16], "little")
        if data[record : record + 4] != b"PK\x06\x06" or record + 56 > len(data):
            return None
        entries, size, offset = struct.unpack_from("<QQQ", data, record + 32)
    if offset + size > len(data):
        return None
    return offset, entries


def _is_ogg_audio(data: bytes) -> bool:
    """An Ogg stream whose first packet starts a Vorbis, Opus, FLAC or Speex stream."""
    if len(data) < 28 or data[4] != 0 or not data[5] & 0x02:  # version 0, beginning of stream
        return False
    first_packet = 27 + data[26]
    return data[first_packet:].startswith((b"\x01vorbis", b"OpusHead", b"\x7fFLAC", b"Speex   "))


def _is_m4a(data: bytes) -> bool:
    """An MP4 ``ftyp`` box that names an audio brand (M4A, M4B) as major or compatible."""
    size = int.from_bytes(data[:4], "big")
    if not 16 <= size <= min(len(data), 4096) or size % 4:
        return False
    brands = {data[offset : offset + 4] for offset in range(16, size, 4)} | {data[8:12]}
    return bool(brands & {b"M4A ", b"M4B "})


_MP3_BITRATES: Final = {
    # MPEG version bits: kilobits per second by index, for Layer III
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    0: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MP3_SAMPLE_RATES: Final = {
    3: (44100, 48000, 32000),
    2: (22050, 24000, 16000),
    0: (11025, 12000, 8000),
}


def _mp3_frame_length(data: bytes, offset: int) -> int | None:
    """The length of the MPEG Layer III frame whose header is at ``offset``, if there is one."""
    header = data[offset : offset + 4]
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version = (header[1] >> 3) & 0x03
    layer = (header[1] >> 1) & 0x03
    bitrate_index = header[2] >> 4
    rate_index = (header[2] >> 2) & 0x03
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    bitrate = _MP3_BITRATES[version][bitrate_index] * 1000
    rate = _MP3_SAMPLE_RATES[version][rate_index]
    padding = (header[2] >> 1) & 0x01
    return (144 if version == 3 else 72) * bitrate // rate + padding


def _is_mp3(data: bytes) -> bool:
    """An optional ID3v2 tag, then two MPEG Layer III frames in a row."""
    offset = 0
    if data.startswith(b"ID3"):
        size_bytes = data[6:10]
        if len(size_bytes) < 4 or data[3] not in (2, 3, 4) or any(b & 0x80 for b in size_bytes):
            return False
        size = 0
        for byte in size_bytes:  # "synchsafe": seven bits a byte
            size = size << 7 | byte
        offset = 10 + size + (10 if data[5] & 0x10 else 0)
        while offset < len(data) and data[offset] == 0:  # padding some taggers leave
            offset += 1
    first = _mp3_frame_length(data, offset)
    return first is not None and _mp3_frame_length(data, offset + first) is not None


def _is_utf8_text(data: bytes) -> bool:
    """Valid UTF-8 (a byte order mark is allowed) with no NUL bytes, checked a slice at a time."""
    if b"\x00" in data:
        return False
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    step = 1024 * 1024
    try:
        for start in range(0, len(data), step):
            decoder.decode(data[start : start + step], final=start + step >= len(data))
    except UnicodeDecodeError:
        return False
    return True
