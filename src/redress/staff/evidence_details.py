"""Evidence as staff read it: what each file is, where it came from, and what cleaning did to it.

A caseworker weighing a photograph needs to know whose it is, when it came, and whether it still
carries its location or had it removed; a list of "jpeg file, 6.5 KB" tells them none of that.
Each file is described here for the case page, in the reader's language, and given a name to be
downloaded under that cannot hurt the machine it is saved on.

The name a file had comes from outside (the uploader's computer, or whoever sent it to them), so
it may carry markup, controls or bidirectional overrides that make "gpj.exe" read as "exe.jpg".
The page shows it as given, escaped, with every such character shown as a visible mark; the
download gets a form reduced to harmless characters, ending in the file's real type.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from redress.cases.cleaning import Cleaning
from redress.cases.models import Attachment, Case, Source
from redress.intake.filetypes import KINDS
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
# The longest stem a download's name keeps, in characters.
_STEM_CHARACTERS = 100
_BREAKS = frozenset({"Zl", "Zp"})
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")
# What Windows will not have in a name.
_RESERVED = re.compile(r'[:<>"|?*]+')
# What is taken for a name's own extension, to be replaced by the real one.
_EXTENSION = re.compile(r"[A-Za-z0-9]{1,8}")


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


def download_name(attachment: Attachment) -> tuple[str, str]:
    """A name to save ``attachment`` under: (ASCII fallback, full Unicode form).

    Built from the last part of the name the file had (after any "/" or "\\", as Django names
    an upload), with every hidden character made a space, the characters Windows refuses made
    "_", its own extension replaced by the one of its real kind ("gpj.exe" that is a JPEG saves
    as "gpj.jpg"), and no leading dot; the ASCII form keeps only letters, digits, ".", "_" and
    "-". A file with no usable name is "evidence-<number>".
    """
    extension = KINDS.get(attachment.kind, ("", ".bin", ""))[1]
    fallback = f"evidence-{attachment.pk}"
    try:
        given = attachment.original_name or ""
    except Shredded:
        given = ""
    last = re.split(r"[/\\]", unicodedata.normalize("NFC", given))[-1]
    visible = _RESERVED.sub("_", "".join(" " if _hidden(c) else c for c in last))
    stem, dot, own_extension = visible.rpartition(".")
    if not dot or not _EXTENSION.fullmatch(own_extension):
        stem = visible
    stem = " ".join(stem.split())[:_STEM_CHARACTERS].strip(" .")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub("_{2,}", "_", _UNSAFE_ASCII.sub("_", ascii_stem)).strip("._-")
    full = f"{stem or fallback}{extension}"
    return f"{ascii_stem or fallback}{extension}", full


def content_disposition(attachment: Attachment) -> str:
    """The ``Content-Disposition`` of a download: the ASCII name for old clients and the full
    name (RFC 6266, RFC 5987: UTF-8, percent-encoded) for the others."""
    ascii_name, full = download_name(attachment)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(full, safe='')}"
