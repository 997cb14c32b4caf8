"""The sanitiser's result in the form a case keeps it (``cases.cleaning.Cleaning``).

Every front door that adds evidence (the report wizard, the complainant's follow-up, the
respondent's page, the staff case page) cleans the file with ``sandbox.clean`` and then tells
``cases.actions.attach`` what was removed; these two functions say it the same way for all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redress.cases.cleaning import Cleaning
from redress.intake.sandbox import CleanedFile


def kept_as_uploaded(cleaned: CleanedFile) -> bool:
    """The file was kept with the details it carries: they were found and none removed."""
    return bool(cleaned.found) and not cleaned.removed


def cleaning_of(cleaned: CleanedFile) -> Cleaning:
    """What was removed from ``cleaned`` and what it still shows.

    The sanitiser removes everything it finds unless asked to keep the original, so the stored
    file still shows what was found only when nothing was removed."""
    return Cleaning(
        removed=tuple(cleaned.removed),
        removed_names=tuple(cleaned.removed_names),
        shows=() if cleaned.removed else tuple(cleaned.found),
    )


def cleaning_of_staged(item: Mapping[str, Any]) -> Cleaning:
    """The same for a file staged in a draft (``actions.stage_evidence`` keeps the lists)."""
    removed = tuple(item.get("removed", ()))
    return Cleaning(
        removed=removed,
        removed_names=tuple(item.get("removed_names", ())),
        shows=() if removed else tuple(item.get("found", ())),
    )
