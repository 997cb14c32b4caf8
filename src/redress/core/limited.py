"""Running a fixed outside tool (poppler's ``pdfinfo`` and ``pdftoppm``) on untrusted bytes,
under resource limits.

The document goes in on standard input and the answer comes back on standard output, so the tool
needs no files: ``prlimit`` caps its CPU time, its memory and the files it may open, forbids it
to write any file or core dump, and a timeout bounds the wall-clock time. The tool runs with a
bare environment and no shell. Callers turn the two failures below into their own words.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass


class ToolMissing(Exception):
    """The tool, or ``prlimit``, is not installed on this server."""


class ToolFailed(Exception):
    """The tool did not finish within its limits, failed, or answered more than allowed."""


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int
    memory_bytes: int
    timeout_seconds: int
    max_output_bytes: int


def run_limited(command: list[str], document: bytes, limits: Limits) -> bytes:
    """``command``'s standard output, run under ``limits`` with ``document`` on its input."""
    tool = shutil.which(command[0])
    prlimit = shutil.which("prlimit")
    if tool is None or prlimit is None:
        raise ToolMissing(command[0])
    limited = [
        prlimit,
        f"--cpu={limits.cpu_seconds}",
        f"--as={limits.memory_bytes}",
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
            timeout=limits.timeout_seconds,
            env={"PATH": "/usr/bin:/bin", "LANG": "C"},
            check=False,
        )
    except (subprocess.TimeoutExpired, OSError):
        raise ToolFailed(command[0]) from None
    if finished.returncode != 0 or len(finished.stdout) > limits.max_output_bytes:
        raise ToolFailed(command[0])
    return finished.stdout
