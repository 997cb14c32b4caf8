"""What a complainant is told about an upload: what a file reveals, and why one is refused.

The words are English and marked for the Welsh catalogue with ``gettext_noop``. The sanitiser's
child process imports this module without Django (it answers with these labels, and nothing
else); the web process translates them when it shows them (``in_words``,
``UploadRefused.message``), never the child.
"""

from __future__ import annotations

from typing import Final


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the Welsh catalogue and return it as it is.

    The child imports this module without Django, so every word here stays English (the labels
    are also what the child answers with, checked against ``LABELS``). The web process
    translates them when it shows them: ``in_words`` and ``UploadRefused.message``.
    """
    return message


def in_words(message: str) -> str:
    """A label, sentence or kind's name marked with ``gettext_noop``, in the active language.

    The web process only: the child never translates.
    """
    from django.utils.translation import gettext  # here, not at the top: never in the child

    return gettext(message)


def removed_in_words(labels: list[str], names: list[str]) -> list[str]:
    """What was removed from a file, in the active language: each label, then each removed
    embedded file by its name (``REMOVED_FILE``). The web process only."""
    named = in_words(REMOVED_FILE)
    return [in_words(label) for label in labels] + [named % {"name": name} for name in names]


# Everything ``removed`` and ``found`` may say. The child may only use these words: its output is
# checked against this list before anyone sees it.
GPS: Final = gettext_noop("location (GPS)")
CAMERA: Final = gettext_noop("camera make and model")
SERIALS: Final = gettext_noop("camera and lens serial numbers")
OWNER: Final = gettext_noop("owner or artist name")
SOFTWARE: Final = gettext_noop("software and computer used")
DATES: Final = gettext_noop("dates and times")
CAMERA_OTHER: Final = gettext_noop("other camera details")
THUMBNAIL: Final = gettext_noop("embedded preview picture")
EXTRA_PICTURES: Final = gettext_noop("extra embedded pictures")
XMP: Final = gettext_noop("XMP metadata")
IPTC: Final = gettext_noop("IPTC captions and credits")
COMMENTS: Final = gettext_noop("comments")
TEXT_NOTES: Final = gettext_noop("text notes")
AUTHOR: Final = gettext_noop("document author")
LAST_EDITOR: Final = gettext_noop("name of the last person to edit it")
COMPANY: Final = gettext_noop("company or manager")
TITLE: Final = gettext_noop("title, subject and keywords")
PROGRAM: Final = gettext_noop("program that made the document")
REVIEWERS: Final = gettext_noop("names of people who commented or tracked changes")
CUSTOM_PROPERTIES: Final = gettext_noop("custom document properties")
OTHER_PROPERTIES: Final = gettext_noop("other document properties")
OTHER_DATA: Final = gettext_noop("other embedded data")
RECORDED_AT: Final = gettext_noop("location where it was recorded")
RECORDER: Final = gettext_noop("recording device and app")
AUDIO_TAGS: Final = gettext_noop("title, artist and comments")
# Active content: what could act on the computer of whoever opens the file.
JAVASCRIPT: Final = gettext_noop("scripts (JavaScript)")
OPENING_ACTIONS: Final = gettext_noop("actions that run when the file is opened or used")
OTHER_PROGRAMS: Final = gettext_noop("links that open other programs or files")
WEB_LINKS: Final = gettext_noop("links to web addresses")
FORM_SENDING: Final = gettext_noop("forms that send or fetch data")
EMBEDDED_FILES: Final = gettext_noop("embedded files")
XFA_FORMS: Final = gettext_noop("interactive forms (XFA) and their scripts")
OUTSIDE_LINKS: Final = gettext_noop("links to outside templates, objects and pictures")
EMBEDDED_OBJECTS: Final = gettext_noop("embedded objects and controls (OLE, ActiveX)")
DDE_FIELDS: Final = gettext_noop("fields that run other programs (DDE)")
ACTIVE_CONTENT: Final = (
    JAVASCRIPT,
    OPENING_ACTIONS,
    OTHER_PROGRAMS,
    WEB_LINKS,
    FORM_SENDING,
    EMBEDDED_FILES,
    XFA_FORMS,
    OUTSIDE_LINKS,
    EMBEDDED_OBJECTS,
    DDE_FIELDS,
)
# A removed embedded file or object by the name it gave itself, after the labels:
# "Removed: embedded files, the attached file “invoice.exe”". The name is made safe to show by
# ``sandbox.shown_name`` and escaped by the page.
REMOVED_FILE: Final = gettext_noop("the attached file “%(name)s”")
# In the order the wizard lists them: what could act first, then the most revealing.
LABELS: Final = (
    *ACTIVE_CONTENT,
    GPS,
    RECORDED_AT,
    AUTHOR,
    LAST_EDITOR,
    REVIEWERS,
    OWNER,
    CAMERA,
    SERIALS,
    RECORDER,
    COMPANY,
    SOFTWARE,
    PROGRAM,
    DATES,
    TITLE,
    AUDIO_TAGS,
    COMMENTS,
    TEXT_NOTES,
    XMP,
    IPTC,
    THUMBNAIL,
    EXTRA_PICTURES,
    CAMERA_OTHER,
    CUSTOM_PROPERTIES,
    OTHER_PROPERTIES,
    OTHER_DATA,
)

EMPTY: Final = gettext_noop("The file is empty")
TOO_LARGE: Final = gettext_noop("The file is larger than %(megabytes)d MB")
NOT_ACCEPTED: Final = gettext_noop(
    "This file is not a type we accept. Send JPEG, PNG, PDF, Word (DOCX), plain text or audio files"
)
NOT_UTF8: Final = gettext_noop(
    "This text file is not saved as UTF-8. Save it as UTF-8 text and send it again"
)
DISGUISED: Final = gettext_noop("The file says it is %(kind)s but it is not")
UNREADABLE: Final = gettext_noop("We could not read this file. It may be damaged")
TOO_COMPLEX: Final = gettext_noop(
    "This file is too large or complex for us to process. Send a smaller copy, or split it up"
)
PROTECTED: Final = gettext_noop(
    "This file is protected by a password or encrypted. Remove the protection first"
)
MACROS: Final = gettext_noop(
    "This Word file contains macros. Save it as an ordinary Word document (DOCX) and send it again"
)
ACTIVE_KEPT: Final = gettext_noop(
    "This file contains active content, such as scripts or links to other programs, that we"
    " must remove. Send it again without asking us to keep it as it was"
)
UNAVAILABLE: Final = gettext_noop(
    "We could not check this file just now. Try again in a few minutes"
)

# Why the child refused, as it reports it, and what the complainant is told.
REASONS: Final[dict[str, str]] = {
    "unreadable": UNREADABLE,
    "too_complex": TOO_COMPLEX,
    "protected": PROTECTED,
    "macros": MACROS,
    "active_kept": ACTIVE_KEPT,
}


class UploadRefused(Exception):
    """An upload that will not be stored; ``message`` is a sentence to show the complainant.

    ``reason`` is one of this module's English sentences, with ``%(name)s`` filled from
    ``params`` (marked words too, such as a kind's name in ``filetypes.KINDS``, translated with
    it); ``message`` translates both into the active language each time it is read, so a refusal
    is shown in the page's language.
    """

    def __init__(self, reason: str, **params: str | int) -> None:
        super().__init__(reason % params if params else reason)
        self.reason = reason
        self.params = params

    @property
    def message(self) -> str:
        if not self.params:
            return in_words(self.reason)
        words = {
            name: in_words(value) if isinstance(value, str) else value
            for name, value in self.params.items()
        }
        return in_words(self.reason) % words
