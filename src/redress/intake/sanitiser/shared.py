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


class FileName(str):
    """The name an embedded file or object gave itself ("invoice.exe"), found beside the labels.

    A handler lists it among its labels; ``child`` answers it apart from them, as ``names``, and
    the web process makes it safe to show (``sandbox``). It is the file's own word, never trusted.
    """

    __slots__ = ()


# The most names one file answers with, and the longest each may be as the child answers it.
NAMES_LIMIT = 10
NAME_CHARACTERS = 200


def file_name(value: object) -> list[str]:
    """``[FileName(value)]`` when ``value`` is a non-empty name (a str, or a PDF string that
    converts to one), cut to ``NAME_CHARACTERS``; else nothing."""
    name = str(value).strip() if value is not None else ""
    return [FileName(name[:NAME_CHARACTERS])] if name else []
