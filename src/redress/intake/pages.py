"""Documents shown to staff as pictures of their pages, so the file itself need not be opened.

A PDF's pages are drawn by poppler's ``pdftoppm`` (and counted by ``pdfinfo``) in a child
process that reads the document from a pipe and writes the picture to a pipe, with the same
kind of limits as the upload sanitiser's: CPU time, address space, no files written, few file
descriptors, a wall-clock timeout, and an empty environment. Whatever the document holds
(scripts, embedded files, links) is never run: only pixels come back.

A Word file (DOCX) is first converted to PDF by LibreOffice (``soffice --headless
--convert-to pdf``) in a child process with the same limits, in a private temporary folder that
holds the file, LibreOffice's throwaway profile and the PDF, and is removed afterwards; then its
pages are drawn as a PDF's are. LibreOffice cannot read from a pipe, so this child may write, but
no more than ``OFFICE_FILE_BYTES`` a file. The file it reads was cleaned on upload (no macros, no
outside links, no embedded objects), and LibreOffice runs no macros when converting. A
conversion takes about 2.7 s of CPU (11 to 13 s of wall-clock time on a machine with a load of
22 on 2 cores), so each process keeps its last few conversions (``_CONVERTED``), keyed by the
file's digest, for the page requests that follow. Where LibreOffice is not installed, Word files
are offered for download only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections import OrderedDict
from pathlib import Path

from django.utils.translation import gettext as _

from redress.core.limited import Limits, ToolFailed, ToolMissing, run_limited

# The most pages shown; a longer document is shown up to here, and says so.
PAGE_LIMIT = 30
RESOLUTION_DPI = 100
TIMEOUT_SECONDS = 15
CPU_SECONDS = 10
MEMORY_BYTES = 768 * 1024 * 1024
MAX_PICTURE_BYTES = 20 * 1024 * 1024
_LIMITS = Limits(CPU_SECONDS, MEMORY_BYTES, TIMEOUT_SECONDS, MAX_PICTURE_BYTES)
# LibreOffice: more time and descriptors than poppler (it hangs with 16), and it must write.
OFFICE_TIMEOUT_SECONDS = 60
OFFICE_CPU_SECONDS = 30
OFFICE_MEMORY_BYTES = 1024 * 1024 * 1024
OFFICE_DESCRIPTORS = 64
OFFICE_FILE_BYTES = 64 * 1024 * 1024
_OFFICE_KINDS = frozenset({"docx"})
_CONVERTED_KEPT = 4
_CONVERTED: OrderedDict[str, bytes] = OrderedDict()

_PAGES = re.compile(rb"^Pages:\s+(\d+)\s*$", re.MULTILINE)


class CannotRender(Exception):
    """The document's pages could not be drawn; ``message`` says so in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _unreadable() -> str:
    return _("The document's pages could not be drawn. Download it only to a safe machine.")


def can_render(kind: str) -> bool:
    """Whether files of ``kind`` (``intake.filetypes`` kinds) can be shown as pages here."""
    if not all(shutil.which(tool) for tool in ("pdftoppm", "pdfinfo", "prlimit")):
        return False
    return kind == "pdf" or (kind in _OFFICE_KINDS and shutil.which("soffice") is not None)


def page_count(document: bytes, kind: str = "pdf") -> int:
    """How many pages ``document`` has (``CannotRender`` when it cannot be read)."""
    found = _PAGES.search(_run(["pdfinfo", "-"], as_pdf(document, kind)))
    if found is None:
        raise CannotRender(_unreadable())
    return int(found.group(1))


def render_page(document: bytes, page: int, kind: str = "pdf") -> bytes:
    """Page ``page`` (from 1) of ``document`` as a PNG picture, of its crop box: what a viewer
    shows, and what areas marked for redaction (``redress.redaction.pdf``) are measured from."""
    if page < 1 or page > PAGE_LIMIT:
        raise CannotRender(_unreadable())
    document = as_pdf(document, kind)
    picture = _run(
        [
            "pdftoppm",
            "-png",
            "-cropbox",
            "-r",
            str(RESOLUTION_DPI),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            "-",
        ],
        document,
    )
    if not picture.startswith(b"\x89PNG\r\n\x1a\n"):
        raise CannotRender(_unreadable())
    return picture


def _run(command: list[str], document: bytes) -> bytes:
    """``command``'s output, run under this module's limits with ``document`` on its input."""
    try:
        return run_limited(command, document, _LIMITS)
    except ToolMissing:
        raise CannotRender(
            _("Pages cannot be shown on this server: the tools that draw them are missing.")
        ) from None
    except ToolFailed:
        raise CannotRender(_unreadable()) from None


def as_pdf(document: bytes, kind: str) -> bytes:
    """``document`` as a PDF: itself when it is one, else converted by LibreOffice."""
    if kind == "pdf":
        return document
    if kind not in _OFFICE_KINDS:
        raise CannotRender(_unreadable())
    digest = hashlib.sha256(document).hexdigest()
    if digest in _CONVERTED:
        _CONVERTED.move_to_end(digest)
        return _CONVERTED[digest]
    converted = _convert(document, kind)
    _CONVERTED[digest] = converted
    while len(_CONVERTED) > _CONVERTED_KEPT:
        _CONVERTED.popitem(last=False)
    return converted


def _convert(document: bytes, kind: str) -> bytes:
    """The Office file ``document`` converted to PDF by LibreOffice in a limited child."""
    soffice, prlimit = shutil.which("soffice"), shutil.which("prlimit")
    if soffice is None or prlimit is None:
        raise CannotRender(
            _("Pages cannot be shown on this server: the tools that draw them are missing.")
        )
    with tempfile.TemporaryDirectory(prefix="redress-pages-") as folder:
        work = Path(folder)
        source = work / f"document.{kind}"
        source.write_bytes(document)
        command = [
            prlimit,
            f"--cpu={OFFICE_CPU_SECONDS}",
            f"--as={OFFICE_MEMORY_BYTES}",
            f"--fsize={OFFICE_FILE_BYTES}",
            "--core=0",
            f"--nofile={OFFICE_DESCRIPTORS}",
            "--",
            soffice,
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nologo",
            "--nodefault",
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            # Its own session: soffice starts soffice.bin under it, and both must go on timeout.
            child = subprocess.Popen(  # noqa: S603 - a fixed tool found on PATH, no shell
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": folder},
                cwd=folder,
                start_new_session=True,
            )
        except OSError:
            raise CannotRender(_unreadable()) from None
        try:
            child.wait(timeout=OFFICE_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            raise CannotRender(_unreadable()) from None
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)  # whatever it left running
            child.wait()
        converted = work / "out" / "document.pdf"
        if not converted.is_file() or converted.stat().st_size > OFFICE_FILE_BYTES:
            raise CannotRender(_unreadable())
        data = converted.read_bytes()
    if not data.startswith(b"%PDF-"):
        raise CannotRender(_unreadable())
    return data
