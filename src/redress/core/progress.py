"""Progress for long commands: a live line on a terminal, silence in scripts and logs."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Reports ``done`` of ``total`` at most a few times a second, only when writing to a TTY."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.2 and done < self.total:
            return
        self._last = now
        share = f" ({100 * done // self.total}%)" if self.total else ""
        self.stream.write(f"\r{self.label}: {done:,} of {self.total:,}{share}")
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
