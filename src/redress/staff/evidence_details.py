"""Evidence as staff read it: what each file is, where it came from, and what cleaning did to it.

A caseworker weighing a photograph needs to know whose it is, when it came, and whether it still
carries its location or had it removed; a list of "jpeg file, 6.5 KB" tells them none of that.
Each file is described here for the case page, in the reader's language.

The name a file had comes from outside (the uploader's computer, or whoever sent it to them), so
it may carry markup, controls or bidirectional overrides that make "gpj.exe" read as "exe.jpg".
The page shows it as given, escaped, with every such character shown as a visible mark.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redress.cases.cleaning import Cleaning
from redress.cases.models import Attachment, Case, Source
from redress.intake.upload_words import in_words, removed_in_words
from redress.vault.errors import Shredded

# Each kind as the case page names it.
KIND_WORDS: dict[str, Promise] = {
    "jpeg": gettext_lazy("JPEG picture"),
    "png": gettext_lazy("PNG picture"),
    "pdf": gettext_lazy("PDF document"),
    "docx": gettext_lazy("Word document (DOCX)"),
    "text": gettext_lazy("Plain text"),
    "mp3": gettext_lazy("MP3 recording"),
    "wav": gettext_lazy("WAV recording"),
    "ogg": gettext_lazy("Ogg recording"),
    "m4a": gettext_lazy("M4A recording"),
}
_BREAKS = frozenset({"Zl", "Zp"})


def _hidden(character: str) -> bool:
    """A control, format (bidirectional controls included), surrogate, private-use or unassigned
    character, or a line or paragraph separator: nothing a reader can see for what it is."""
    category = unicodedata.category(character)
    return category[0] == "C" or category in _BREAKS


def name_as_given(name: str) -> str:
    """``name`` with each hidden character shown as a mark such as ``⟨U+202E⟩``; not cut short,
    and not marked safe (the page escapes it as any text)."""
    return "".join(f"⟨U+{ord(c):04X}⟩" if _hidden(c) else c for c in name)


@dataclass(frozen=True)
class EvidenceRow:
    """One file as the case page describes it."""

    attachment: Attachment
    name: str
    kind: str
    size: int
    added_at: datetime
    added_by: str
    # None when what cleaning did was not recorded (files added before it was kept).
    removed: list[str] | None
    shows: list[str]
    kept_original: bool


def _added_by(attachment: Attachment) -> str:
    if attachment.source == Source.COMPLAINANT:
        return _("the complainant")
    if attachment.source == Source.RESPONDENT:
        return _("the respondent")
    if attachment.added_by is not None:
        return str(attachment.added_by)
    return _("a member of staff")


def _name(attachment: Attachment) -> str:
    try:
        name = attachment.original_name
    except Shredded:
        return _("Deleted under the retention policy")
    return name_as_given(name) if name else _("No name given")


def _cleaning(attachment: Attachment) -> Cleaning | None:
    try:
        return Cleaning.from_json(attachment.cleaning)
    except Shredded:
        return None


def describe(attachment: Attachment) -> EvidenceRow:
    """What the case page says of ``attachment``, in the active language."""
    cleaning = _cleaning(attachment)
    removed = None
    shows: list[str] = []
    if cleaning is not None:
        removed = removed_in_words(list(cleaning.removed), list(cleaning.removed_names))
        shows = [in_words(label) for label in cleaning.shows]
    return EvidenceRow(
        attachment=attachment,
        name=_name(attachment),
        kind=str(KIND_WORDS.get(attachment.kind, attachment.kind)),
        size=attachment.size,
        added_at=attachment.added_at,
        added_by=_added_by(attachment),
        removed=removed,
        shows=shows,
        kept_original=attachment.kept_original,
    )


def evidence_rows(case: Case) -> list[EvidenceRow]:
    """The case's files, oldest first, each described (one query, whatever their number)."""
    attachments = case.attachments.select_related("data_key", "added_by")
    return [describe(attachment) for attachment in attachments]
