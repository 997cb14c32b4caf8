"""Helpers for the complainant's proof: the standalone verifier as an outside body runs it."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

from redress.ledger import log


def save_verifier(folder: Path) -> Path:
    """The standalone verifier, saved from ``redress acknowledgement verifier`` into ``folder``
    (apart from Redress's sources, as someone given the file would keep it)."""
    out = io.StringIO()
    call_command("acknowledgement", "verifier", stdout=out)
    path = folder / "tlog.py"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def standalone(verifier: Path, ack: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``python tlog.py verify ACK --vkey <the log's key> [options]``, in a child process that
    imports nothing of Redress (run from the verifier's own folder, with isolated paths)."""
    return subprocess.run(
        [sys.executable, "-I", str(verifier), "verify", str(ack), "--vkey", log.vkey(), *options],
        capture_output=True,
        text=True,
        cwd=verifier.parent,
        check=False,
        timeout=60,
    )


def flipped(data: bytes, position: int, mask: int = 1) -> bytes:
    changed = bytearray(data)
    changed[position] ^= mask
    return bytes(changed)


def key_name_positions(data: bytes, *names: str) -> set[int]:
    """The positions of the bytes of these JSON keys' names in ``data``."""
    found: set[int] = set()
    for name in names:
        token = f'"{name}":'.encode()
        start = data.find(token)
        while start != -1:
            found.update(range(start + 1, start + 1 + len(name)))
            start = data.find(token, start + 1)
    return found
