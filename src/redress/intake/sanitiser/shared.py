"""What every family of formats shares: how a file is refused, and what a handler answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

# (cleaned bytes, or None when the original is kept; the labels of what the original carried)
Sanitised: TypeAlias = tuple[bytes | None, list[str]]
# A family's handler for one kind: (data, keep_original) -> Sanitised
Handler: TypeAlias = Callable[[bytes, bool], Sanitised]


class Refusal(Exception):
    """The file cannot be accepted; ``reason`` is a key of ``upload_words.REASONS``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
