"""Evidence uploads: checked by content, parsed in a child process, stripped of identifying data.

``clean(data, filename=...)`` is the one way an upload enters a case::

    try:
        cleaned = uploads.clean(upload.read(), filename=upload.name)
    except uploads.UploadRefused as refused:
        form.add_error("evidence", refused.message)

What it guarantees:

- The size is checked first (nothing empty, nothing over ``MAX_BYTES``), then the type is decided
  by content alone (``sniff``). A name is only ever used to catch a disguise: "report.pdf" that
  is really a picture is refused, and so is any file whose name claims an accepted type it is not.
- Pictures, PDFs, Word files and audio are parsed only in a child process
  (``redress.intake.sanitiser``) with limits on memory and CPU time, a clean environment (no
  secrets) and a wall-clock timeout.
  Whatever goes wrong there (a crash, a hang, an image that would fill memory) becomes an
  ``UploadRefused`` with a plain message in the page's language, never a traceback.
- By default identifying metadata is removed: EXIF location, camera and owner from JPEG, text
  chunks and EXIF from PNG, document information and XMP from PDF, document properties and
  reviewers' names from DOCX, and from audio the tags a phone or recorder app writes (ID3 and
  APE in MP3, LIST/INFO, ID3 and bext in WAV, Vorbis comments in Ogg, user data and metadata
  with the recording's location in M4A); the sound itself is kept byte for byte. ``removed``
  says what went; ``found`` says what the original carried, so the complainant can be warned
  before choosing ``keep_original=True``.
- Plain text (UTF-8) is stored as it is.

This module and the sanitiser import nothing from Django when loaded: the child runs without
settings. Its words are English and marked for the Welsh catalogue; the web process translates
them when it shows them (``in_words``), never the child.
"""

from __future__ import annotations

import codecs
import json
import logging
import math
import os
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from redress.core.limits import UPLOAD_MAX_FILE_BYTES

logger = logging.getLogger(__name__)

MAX_BYTES: Final = UPLOAD_MAX_FILE_BYTES
MAX_PIXELS: Final = 50_000_000
MAX_ARCHIVE_BYTES: Final = 100 * 1024 * 1024
MAX_ARCHIVE_ENTRIES: Final = 2_000


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the Welsh catalogue and return it as it is.

    The child imports this module without Django, so every word here stays English (the labels
    are also what the child answers with, checked against ``LABELS``). The web process
    translates them when it shows them: ``in_words`` and ``UploadRefused.message``.
    """
    return message


def in_words(message: str) -> str:
    """A label or sentence of this module in the active language (the web process only)."""
    from django.utils.translation import gettext  # here, not at the top: never in the child

    return gettext(message)


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

# Everything ``removed`` and ``found`` may say. The child may only use these words: its output is
# checked against this list before anyone sees it.
GPS: Final = gettext_noop("location (GPS)")
CAMERA: Final = gettext_noop("camera make and model")
SERIALS: Final = gettext_noop("camera and lens serial numbers")
OWNER: Final = gettext_noop("owner or artist name")
SOFTWARE: Final = gettext_noop("software and computer used")
DATES: Final = gettext_noop("dates and times")
CAMERA_OTHER: Final = gettext_noop("other camera details")
THUMBNAIL: Final = gettext_noop("embedded preview picture")
EXTRA_PICTURES: Final = gettext_noop("extra embedded pictures")
XMP: Final = gettext_noop("XMP metadata")
IPTC: Final = gettext_noop("IPTC captions and credits")
COMMENTS: Final = gettext_noop("comments")
TEXT_NOTES: Final = gettext_noop("text notes")
AUTHOR: Final = gettext_noop("document author")
LAST_EDITOR: Final = gettext_noop("name of the last person to edit it")
COMPANY: Final = gettext_noop("company or manager")
TITLE: Final = gettext_noop("title, subject and keywords")
PROGRAM: Final = gettext_noop("program that made the document")
REVIEWERS: Final = gettext_noop("names of people who commented or tracked changes")
CUSTOM_PROPERTIES: Final = gettext_noop("custom document properties")
OTHER_PROPERTIES: Final = gettext_noop("other document properties")
OTHER_DATA: Final = gettext_noop("other embedded data")
RECORDED_AT: Final = gettext_noop("location where it was recorded")
RECORDER: Final = gettext_noop("recording device and app")
AUDIO_TAGS: Final = gettext_noop("title, artist and comments")
# In the order the wizard lists them: the most revealing first.
LABELS: Final = (
    GPS,
    RECORDED_AT,
    AUTHOR,
    LAST_EDITOR,
    REVIEWERS,
    OWNER,
    CAMERA,
    SERIALS,
    RECORDER,
    COMPANY,
    SOFTWARE,
    PROGRAM,
    DATES,
    TITLE,
    AUDIO_TAGS,
    COMMENTS,
    TEXT_NOTES,
    XMP,
    IPTC,
    THUMBNAIL,
    EXTRA_PICTURES,
    CAMERA_OTHER,
    CUSTOM_PROPERTIES,
    OTHER_PROPERTIES,
    OTHER_DATA,
)

EMPTY: Final = gettext_noop("The file is empty")
TOO_LARGE: Final = gettext_noop("The file is larger than %(megabytes)d MB")
NOT_ACCEPTED: Final = gettext_noop(
    "This file is not a type we accept. Send JPEG, PNG, PDF, Word (DOCX), plain text or audio files"
)
NOT_UTF8: Final = gettext_noop(
    "This text file is not saved as UTF-8. Save it as UTF-8 text and send it again"
)
DISGUISED: Final = gettext_noop("The file says it is %(kind)s but it is not")
UNREADABLE: Final = gettext_noop("We could not read this file. It may be damaged")
TOO_COMPLEX: Final = gettext_noop(
    "This file is too large or complex for us to process. Send a smaller copy, or split it up"
)
PROTECTED: Final = gettext_noop(
    "This file is protected by a password or encrypted. Remove the protection first"
)
MACROS: Final = gettext_noop(
    "This Word file contains macros. Save it as an ordinary Word document (DOCX) and send it again"
)
UNAVAILABLE: Final = gettext_noop(
    "We could not check this file just now. Try again in a few minutes"
)

# Why the child refused, as it reports it, and what the complainant is told.
REASONS: Final[dict[str, str]] = {
    "unreadable": UNREADABLE,
    "too_complex": TOO_COMPLEX,
    "protected": PROTECTED,
    "macros": MACROS,
}

_HEADER_LIMIT: Final = 64 * 1024
_CHILD_MODULE: Final = "redress.intake.sanitiser"
# The child's environment is built, not inherited: it must not see keys or database passwords.
_PASSED_ENVIRONMENT: Final = ("PATH", "LD_LIBRARY_PATH", "LANG", "LC_ALL", "TZ")


class UploadRefused(Exception):
    """An upload that will not be stored; ``message`` is a sentence to show the complainant.

    ``reason`` is one of this module's English sentences, with ``%(name)s`` filled from
    ``params`` (words of this module too, translated with it); ``message`` translates both into
    the active language each time it is read, so a refusal is shown in the page's language.
    """

    def __init__(self, reason: str, **params: str | int) -> None:
        super().__init__(reason % params if params else reason)
        self.reason = reason
        self.params = params

    @property
    def message(self) -> str:
        if not self.params:
            return in_words(self.reason)
        words = {
            name: in_words(value) if isinstance(value, str) else value
            for name, value in self.params.items()
        }
        return in_words(self.reason) % words


@dataclass(frozen=True)
class CleanedFile:
    """An accepted upload: what it is, how to store it, and what was taken out of it."""

    kind: str
    content_type: str
    extension: str
    data: bytes
    removed: tuple[str, ...]
    found: tuple[str, ...]


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


def clean(
    data: bytes,
    *,
    filename: str = "",
    keep_original: bool = False,
    timeout: float = 10.0,
    memory_bytes: int = 512 * 1024 * 1024,
) -> CleanedFile:
    """Check an upload and, unless ``keep_original``, remove its identifying metadata.

    Refuses (``UploadRefused``) files that are empty, larger than ``MAX_BYTES``, of a kind we do
    not accept, named as an accepted kind they are not, or that the sanitiser cannot read within
    ``timeout`` seconds (wall clock and CPU) and ``memory_bytes`` of address space.

    With ``keep_original`` the bytes are returned unchanged once checked, ``removed`` is empty and
    ``found`` still says what they reveal. Text is never altered.
    """
    if timeout <= 0 or memory_bytes <= 0:
        raise ValueError("timeout and memory_bytes must be positive")
    if not data:
        raise UploadRefused(EMPTY)
    if len(data) > MAX_BYTES:
        raise UploadRefused(TOO_LARGE, megabytes=MAX_BYTES // (1024 * 1024))
    kind = sniff(data)
    claimed = _claimed_kind(filename)
    if claimed is not None and claimed != kind:
        if claimed == "text" and kind is None and b"\x00" not in data:
            raise UploadRefused(NOT_UTF8)
        raise UploadRefused(DISGUISED, kind=KINDS[claimed][2])
    if kind is None:
        raise UploadRefused(NOT_ACCEPTED)
    content_type, extension, _ = KINDS[kind]
    if kind not in PARSED_KINDS:
        return CleanedFile(kind, content_type, extension, data, removed=(), found=())

    cleaned, found = _run_sanitiser(
        kind, data, keep_original=keep_original, timeout=timeout, memory_bytes=memory_bytes
    )
    if keep_original:
        return CleanedFile(kind, content_type, extension, data, removed=(), found=found)
    if sniff(cleaned) != kind:
        logger.warning("upload sanitiser returned something other than a %s", kind)
        raise UploadRefused(UNREADABLE)
    # Everything the sanitiser finds it removes, so the two lists are the same.
    return CleanedFile(kind, content_type, extension, cleaned, removed=found, found=found)


def _claimed_kind(filename: str) -> str | None:
    """The accepted kind a file's name claims to be, if any."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(". ")
    return CLAIMED_BY_EXTENSION.get(PurePosixPath(base).suffix.lower())


def _child_argv(kind: str, *, keep_original: bool, timeout: float, memory_bytes: int) -> list[str]:
    """The command that runs the sanitiser for one upload."""
    argv = [
        sys.executable,
        "-B",  # the child may not write files, not even bytecode caches
        "-m",
        _CHILD_MODULE,
        kind,
        f"--cpu-seconds={math.ceil(timeout)}",
        f"--memory-bytes={memory_bytes}",
    ]
    if keep_original:
        argv.append("--keep-original")
    return argv


def _child_environment() -> dict[str, str]:
    package_root = Path(__file__).resolve().parents[2]
    environment = {name: os.environ[name] for name in _PASSED_ENVIRONMENT if name in os.environ}
    environment |= {"PYTHONPATH": str(package_root), "PYTHONNOUSERSITE": "1"}
    return environment


def _run_sanitiser(
    kind: str, data: bytes, *, keep_original: bool, timeout: float, memory_bytes: int
) -> tuple[bytes, tuple[str, ...]]:
    """Run the sanitiser on ``data`` in a child process: (cleaned bytes, labels it found)."""
    argv = _child_argv(
        kind, keep_original=keep_original, timeout=timeout, memory_bytes=memory_bytes
    )
    environment = _child_environment()
    try:
        finished = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
            argv,
            input=data,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a traceback may quote the file; it goes nowhere
            env=environment,
            cwd=environment["PYTHONPATH"],
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        # run() has already killed the child.
        logger.warning("upload sanitiser ran out of time after %.1f s", timeout)
        raise UploadRefused(UNREADABLE) from None
    except OSError:
        logger.exception("upload sanitiser could not be started")
        raise UploadRefused(UNAVAILABLE) from None
    if finished.returncode != 0:
        logger.warning("upload sanitiser exited with status %s", finished.returncode)
        raise UploadRefused(UNREADABLE)
    return _read_result(finished.stdout, keep_original=keep_original)


def _read_result(output: bytes, *, keep_original: bool) -> tuple[bytes, tuple[str, ...]]:
    """Decode the child's answer: one JSON line, then exactly ``length`` bytes of file."""
    line_end = output.find(b"\n", 0, _HEADER_LIMIT)
    try:
        if line_end < 0:
            raise ValueError("no header line")
        header = json.loads(output[:line_end])
        if not isinstance(header, dict):
            raise ValueError("header is not an object")
        if header.get("ok") is False:
            reason = header.get("reason")
            reason = reason if isinstance(reason, str) and reason in REASONS else "unreadable"
            detail = _printable(header.get("detail"))
            logger.info("upload sanitiser refused a file: %s (%s)", reason, detail)
            raise UploadRefused(REASONS[reason])
        found = header.get("found")
        length = header.get("length")
        if header.get("ok") is not True or not isinstance(found, list):
            raise ValueError("header is not a result")
        if not all(isinstance(label, str) and label in LABELS for label in found):
            raise ValueError("unknown label")
        if not isinstance(length, int) or isinstance(length, bool):
            raise ValueError("length is not a number")
        body = output[line_end + 1 :]
        if len(body) != length or (keep_original and length != 0) or length > 2 * MAX_BYTES:
            raise ValueError("body does not match its length")
        if not keep_original and length == 0:
            raise ValueError("no cleaned file")
    except ValueError:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        logger.warning("upload sanitiser answered in a form we do not understand")
        raise UploadRefused(UNREADABLE) from None
    return body, tuple(sorted(set(found), key=LABELS.index))


def _printable(detail: object) -> str:
    """An exception class name from the child, for the log; never the file's content."""
    if isinstance(detail, str) and detail.isidentifier() and len(detail) <= 80:
        return detail
    return "-"


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
