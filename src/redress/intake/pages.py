"""Documents shown to staff as pictures of their pages, so the file itself need not be opened.

A PDF's pages are drawn by poppler's ``pdftoppm`` (and counted by ``pdfinfo``) in a child
process that reads the document from a pipe and writes the picture to a pipe, with the same
kind of limits as the upload sanitiser's: CPU time, address space, no files written, few file
descriptors, a wall-clock timeout, and an empty environment. Whatever the document holds
(scripts, embedded files, links) is never run: only pixels come back.

Office files would need LibreOffice to draw them; where it is not installed they are offered
for download only.
"""

from __future__ import annotations

import re
import shutil
import subprocess

from django.utils.translation import gettext as _

# The most pages shown; a longer document is shown up to here, and says so.
PAGE_LIMIT = 30
RESOLUTION_DPI = 100
TIMEOUT_SECONDS = 15
CPU_SECONDS = 10
MEMORY_BYTES = 768 * 1024 * 1024
MAX_PICTURE_BYTES = 20 * 1024 * 1024

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
    return kind == "pdf" and all(shutil.which(tool) for tool in ("pdftoppm", "pdfinfo"))


def page_count(document: bytes) -> int:
    """How many pages the PDF ``document`` has (``CannotRender`` when it cannot be read)."""
    found = _PAGES.search(_run(["pdfinfo", "-"], document))
    if found is None:
        raise CannotRender(_unreadable())
    return int(found.group(1))


def render_page(document: bytes, page: int) -> bytes:
    """Page ``page`` (from 1) of the PDF ``document`` as a PNG picture."""
    if page < 1 or page > PAGE_LIMIT:
        raise CannotRender(_unreadable())
    picture = _run(
        [
            "pdftoppm",
            "-png",
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
    tool = shutil.which(command[0])
    prlimit = shutil.which("prlimit")
    if tool is None or prlimit is None:
        raise CannotRender(
            _("Pages cannot be shown on this server: the tools that draw them are missing.")
        )
    limited = [
        prlimit,
        f"--cpu={CPU_SECONDS}",
        f"--as={MEMORY_BYTES}",
        "--fsize=0",
        "--core=0",
        "--nofile=16",
        "--",
        tool,
        *command[1:],
    ]
    try:
        finished = subprocess.run(  # noqa: S603 - fixed tools found on PATH, no shell
            limited,
            input=document,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=TIMEOUT_SECONDS,
            env={"PATH": "/usr/bin:/bin", "LANG": "C"},
            check=False,
        )
    except (subprocess.TimeoutExpired, OSError):
        raise CannotRender(_unreadable()) from None
    if finished.returncode != 0 or len(finished.stdout) > MAX_PICTURE_BYTES:
        raise CannotRender(_unreadable())
    return finished.stdout
