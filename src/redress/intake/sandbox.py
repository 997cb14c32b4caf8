"""Evidence uploads: checked by content, cleaned in a limited child, stripped of what identifies.

``clean(data, filename=...)`` is the one way an upload enters a case::

    try:
        cleaned = sandbox.clean(upload.read(), filename=upload.name)
    except UploadRefused as refused:
        form.add_error("evidence", refused.message)

What it guarantees:

- The size is checked first (nothing empty, nothing over ``MAX_BYTES``), then the type is decided
  by content alone (``filetypes.sniff``). A name is only ever used to catch a disguise:
  "report.pdf" that is really a picture is refused, and so is any file whose name claims an
  accepted type it is not.
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

The words it refuses with are in ``upload_words``; the kinds it accepts and how they are
recognised, in ``filetypes``. This module imports nothing from Django when loaded.
"""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from redress.intake.filetypes import KINDS, MAX_BYTES, PARSED_KINDS, claimed_kind, sniff
from redress.intake.upload_words import (
    DISGUISED,
    EMPTY,
    LABELS,
    NOT_ACCEPTED,
    NOT_UTF8,
    REASONS,
    TOO_LARGE,
    UNAVAILABLE,
    UNREADABLE,
    UploadRefused,
)

logger = logging.getLogger(__name__)

_HEADER_LIMIT: Final = 64 * 1024
# Names of removed embedded files told to the complainant: how many, and how long each.
_NAMES_SHOWN: Final = 5
_NAME_SHOWN_CHARACTERS: Final = 60
_BREAKS: Final = frozenset({"Zl", "Zp"})
_CHILD_MODULE: Final = "redress.intake.sanitiser"
# The child's environment is built, not inherited: it must not see keys or database passwords.
_PASSED_ENVIRONMENT: Final = ("PATH", "LD_LIBRARY_PATH", "LANG", "LC_ALL", "TZ")


@dataclass(frozen=True)
class CleanedFile:
    """An accepted upload: what it is, how to store it, and what was taken out of it."""

    kind: str
    content_type: str
    extension: str
    data: bytes
    removed: tuple[str, ...]
    found: tuple[str, ...]
    # The names embedded files and objects that were removed gave themselves ("invoice.exe"),
    # made safe to show by ``shown_name``; in ``removed`` they are "embedded files".
    removed_names: tuple[str, ...] = ()


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
    claimed = claimed_kind(filename)
    if claimed is not None and claimed != kind:
        if claimed == "text" and kind is None and b"\x00" not in data:
            raise UploadRefused(NOT_UTF8)
        raise UploadRefused(DISGUISED, kind=KINDS[claimed][2])
    if kind is None:
        raise UploadRefused(NOT_ACCEPTED)
    content_type, extension, _ = KINDS[kind]
    if kind not in PARSED_KINDS:
        return CleanedFile(kind, content_type, extension, data, removed=(), found=())

    cleaned, found, names = _run_sanitiser(
        kind, data, keep_original=keep_original, timeout=timeout, memory_bytes=memory_bytes
    )
    if keep_original:
        return CleanedFile(kind, content_type, extension, data, removed=(), found=found)
    if sniff(cleaned) != kind:
        logger.warning("upload sanitiser returned something other than a %s", kind)
        raise UploadRefused(UNREADABLE)
    # Everything the sanitiser finds it removes, so the two lists are the same.
    return CleanedFile(
        kind, content_type, extension, cleaned, removed=found, found=found, removed_names=names
    )


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
) -> tuple[bytes, tuple[str, ...], tuple[str, ...]]:
    """Run the sanitiser on ``data`` in a child process: (cleaned bytes, labels it found, names
    of the embedded files it removed)."""
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


def _read_result(
    output: bytes, *, keep_original: bool
) -> tuple[bytes, tuple[str, ...], tuple[str, ...]]:
    """Decode the child's answer: one JSON line, then exactly ``length`` bytes of file.

    The labels must be ``LABELS``; the names (what embedded files called themselves) may be any
    text and are made safe to show (``shown_name``), at most ``_NAMES_SHOWN`` of them.
    """
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
        names = header.get("names", [])
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ValueError("names are not a list of text")
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
    shown = dict.fromkeys(shown_name(name) for name in names[:_NAMES_SHOWN])
    return body, tuple(sorted(set(found), key=LABELS.index)), tuple(name for name in shown if name)


def shown_name(name: str) -> str:
    """A name from inside a file, safe to show in a sentence: every control, format (bidi
    included), surrogate, private-use or unassigned character replaced by a visible mark such as
    ``⟨U+202E⟩``, line and paragraph separators too; cut to ``_NAME_SHOWN_CHARACTERS`` with an
    ellipsis. Pages escape it as any text; it is never marked safe.
    """
    marked = "".join(
        f"⟨U+{ord(character):04X}⟩"
        if unicodedata.category(character)[0] == "C" or unicodedata.category(character) in _BREAKS
        else character
        for character in name.strip()
    )
    if len(marked) > _NAME_SHOWN_CHARACTERS:
        return marked[: _NAME_SHOWN_CHARACTERS - 1] + "…"
    return marked


def _printable(detail: object) -> str:
    """An exception class name from the child, for the log; never the file's content."""
    if isinstance(detail, str) and detail.isidentifier() and len(detail) <= 80:
        return detail
    return "-"
