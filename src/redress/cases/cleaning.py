"""What the upload sanitiser did to a file, kept with the file for the staff who read it.

The person who uploaded a file is told what was removed from it and what it still shows; the
staff who later read the evidence need the same account, or they cannot tell a cleaned picture
from one that still carries its location. ``Attachment.cleaning`` keeps it, sealed with the
case's key (a removed embedded file's own name can identify someone), as JSON of the
sanitiser's English labels: each page translates them when it shows them, so a Welsh reader sees
Welsh words for a file uploaded in English.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Cleaning:
    """The sanitiser's account of one file.

    ``removed``: labels of what was taken out ("location (GPS)"); ``removed_names``: the names
    embedded files that were taken out gave themselves, already made safe to show; ``shows``:
    labels of what the stored file still carries, which is only ever a file kept as uploaded
    (the sanitiser removes everything it finds from the others).
    """

    removed: tuple[str, ...] = ()
    removed_names: tuple[str, ...] = ()
    shows: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            {
                "removed": list(self.removed),
                "removed_names": list(self.removed_names),
                "shows": list(self.shows),
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str | None) -> Cleaning | None:
        """The account stored as ``text``, or None when none was kept (or it is unreadable)."""
        if not text:
            return None
        try:
            stored = json.loads(text)
        except ValueError:
            return None
        if not isinstance(stored, dict):
            return None
        return cls(
            removed=_texts(stored.get("removed")),
            removed_names=_texts(stored.get("removed_names")),
            shows=_texts(stored.get("shows")),
        )


def _texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))
