"""Why a redaction was refused, in words the data protection officer can act on.

Every refusal is a ``RedactionError`` with a ``message`` to show beside the document: nothing is
half-removed, the caller gets either the whole redacted output or one of these.
"""

from __future__ import annotations


class RedactionError(Exception):
    """A redaction could not be made; ``message`` says why in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OverlappingRedactions(RedactionError):
    """Two marked spans or areas share characters or points: mark the part once."""


class BadArea(RedactionError):
    """A span or area is empty, outside the text, page or picture, or on a page that does not
    exist."""
