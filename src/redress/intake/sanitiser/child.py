"""The sanitiser's process: its limits, the file in, the answer out, and a family for each kind.

``redress.intake.sandbox`` runs it once per upload as::

    python -B -m redress.intake.sanitiser KIND --cpu-seconds=N --memory-bytes=N [--keep-original]

with the file on standard input. Before reading a byte it limits itself: address space, CPU
seconds, no files written, no core dumps (a dump would hold the evidence), few descriptors.
It answers on standard output with one JSON line, then the cleaned file when there is one::

    {"ok": true, "found": ["location (GPS)", "camera make and model"], "names": [],
     "length": 48213}
    <48213 bytes>

    {"ok": false, "reason": "unreadable", "detail": "UnidentifiedImageError"}

``found`` uses only the words in ``upload_words.LABELS``; ``names`` are the names embedded files
and objects gave themselves (a PDF's attachment "invoice.exe"), as they were, for the web process
to make safe before it shows them; everything found is removed unless
``--keep-original`` was given, in which case no file follows (``length`` is 0).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import warnings
from typing import Any, Final

from PIL import Image

from redress.intake import filetypes
from redress.intake.sanitiser.audio import sanitise_m4a, sanitise_mp3, sanitise_ogg, sanitise_wav
from redress.intake.sanitiser.images import sanitise_jpeg, sanitise_png
from redress.intake.sanitiser.office import sanitise_docx
from redress.intake.sanitiser.pdf import sanitise_pdf
from redress.intake.sanitiser.shared import NAMES_LIMIT, FileName, Handler, Refusal

DESCRIPTORS: Final = 32
_AUDIO_KINDS: Final = frozenset({"mp3", "wav", "ogg", "m4a"})


def limit_resources(*, cpu_seconds: int, memory_bytes: int) -> None:
    """Cap this process: address space, CPU time, no file writes, no core dumps, few files.

    CPU time beyond ``cpu_seconds`` brings SIGXCPU and a second later SIGKILL. Limits only ever
    go down: a limit already lower than asked is kept.
    """
    _lower(resource.RLIMIT_AS, memory_bytes, memory_bytes)
    _lower(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)
    _lower(resource.RLIMIT_FSIZE, 0, 0)
    _lower(resource.RLIMIT_CORE, 0, 0)
    _lower(resource.RLIMIT_NOFILE, DESCRIPTORS, DESCRIPTORS)


def _lower(limit: int, soft: int, hard: int) -> None:
    current_soft, current_hard = resource.getrlimit(limit)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
    if current_soft != resource.RLIM_INFINITY:
        soft = min(soft, current_soft)
    resource.setrlimit(limit, (min(soft, hard), hard))


def _configure_parsers() -> None:
    Image.MAX_IMAGE_PIXELS = filetypes.MAX_PIXELS
    # Pillow warns between one and two times the limit and raises beyond; both are a refusal.
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def main(argv: list[str] | None = None) -> int:
    """Read one file from standard input and answer on standard output; see the module."""
    parser = argparse.ArgumentParser(prog="python -m redress.intake.sanitiser")
    parser.add_argument("kind", choices=sorted(filetypes.PARSED_KINDS))
    parser.add_argument("--cpu-seconds", type=int, required=True)
    parser.add_argument("--memory-bytes", type=int, required=True)
    parser.add_argument("--keep-original", action="store_true")
    arguments = parser.parse_args(argv)
    limit_resources(cpu_seconds=arguments.cpu_seconds, memory_bytes=arguments.memory_bytes)
    _configure_parsers()

    data = sys.stdin.buffer.read(filetypes.MAX_BYTES + 1)
    try:
        if len(data) > filetypes.MAX_BYTES:
            raise Refusal("too_complex")
        cleaned, found, names = sanitise_naming(
            arguments.kind, data, keep_original=arguments.keep_original
        )
    except Refusal as refusal:
        _answer({"ok": False, "reason": refusal.reason})
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError) as error:
        _answer({"ok": False, "reason": "too_complex", "detail": type(error).__name__})
    except Exception as error:  # whatever a parser raises, the file is unreadable
        reason = "too_complex" if type(error).__name__ == "LimitReachedError" else "unreadable"
        _answer({"ok": False, "reason": reason, "detail": type(error).__name__})
    else:
        body = b"" if cleaned is None else cleaned
        _answer({"ok": True, "found": found, "names": names, "length": len(body)}, body)
    return 0


def _answer(header: dict[str, Any], body: bytes = b"") -> None:
    out = sys.stdout.buffer
    out.write(json.dumps(header).encode() + b"\n")
    out.write(body)
    out.flush()


def sanitise(kind: str, data: bytes, *, keep_original: bool) -> tuple[bytes | None, list[str]]:
    """(cleaned bytes, or None when keeping the original; what the original carried).

    Raises ``Refusal`` for files it will not take, and lets a parser's own error through for
    files it cannot read. Expects ``main``'s limits and Pillow settings.
    """
    cleaned, found, _ = sanitise_naming(kind, data, keep_original=keep_original)
    return cleaned, found


def sanitise_naming(
    kind: str, data: bytes, *, keep_original: bool
) -> tuple[bytes | None, list[str], list[str]]:
    """``sanitise``, with the names of the embedded files and objects found (``FileName``)."""
    handlers: dict[str, Handler] = {
        "jpeg": sanitise_jpeg,
        "png": sanitise_png,
        "pdf": sanitise_pdf,
        "docx": sanitise_docx,
        "mp3": sanitise_mp3,
        "wav": sanitise_wav,
        "ogg": sanitise_ogg,
        "m4a": sanitise_m4a,
    }
    if kind in _AUDIO_KINDS and filetypes.sniff(data) != kind:  # the cutting trusts the type
        raise Refusal("unreadable")
    cleaned, found = handlers[kind](data, keep_original)
    # Split before removing repeats: a file named like a label must not hide the label.
    names = list(dict.fromkeys(str(name) for name in found if isinstance(name, FileName)))
    labels = list(dict.fromkeys(label for label in found if not isinstance(label, FileName)))
    return cleaned, labels, names[:NAMES_LIMIT]
