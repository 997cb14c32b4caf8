"""Removing marked spans of text, and finding every place a name appears.

``redact_text`` takes each span's characters out and puts a fixed mark in their place. The mark
is the same whatever it replaces, so the output does not tell how long the removed words were
(a name of three letters and one of twenty leave the same trace). Spans are refused, never
adjusted, when they overlap or fall outside the text: a redaction the officer did not draw must
not be made on their behalf.

Positions are Python string indices (code points), ``start`` included and ``end`` not, as in
``text[start:end]``. ``find_spans`` gives positions in the same terms, so its answers can be
reviewed by the officer and then passed on as spans.

The span's ``reason`` and ``exemption`` are carried for the record of the redaction and the
reply to the person; whether each must be filled in is for the caller, which knows the request.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from redress.redaction.errors import BadArea, OverlappingRedactions

MARK = "[redacted]"


@dataclass(frozen=True)
class Span:
    """Characters ``text[start:end]`` to remove, and why."""

    start: int
    end: int
    reason: str
    exemption: str


def redact_text(text: str, spans: Sequence[Span], *, mark: str = MARK) -> str:
    """``text`` with each span's characters replaced by ``mark``.

    Refuses (``BadArea``) a span that is empty or reaches outside the text, and
    (``OverlappingRedactions``) two spans that share a character; spans that only touch are
    accepted. Spans may come in any order.
    """
    ordered = sorted(spans, key=lambda span: (span.start, span.end))
    for span in ordered:
        if not 0 <= span.start < span.end <= len(text):
            raise BadArea(
                _(
                    "A part marked for removal is empty or reaches past the end of the text. "
                    "Mark it again."
                )
            )
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise OverlappingRedactions(
                _("Two parts marked for removal overlap. Mark the words once, in one part.")
            )
    pieces: list[str] = []
    kept_from = 0
    for span in ordered:
        pieces.append(text[kept_from : span.start])
        pieces.append(mark)
        kept_from = span.end
    pieces.append(text[kept_from:])
    return "".join(pieces)


def find_spans(text: str, needle: str) -> list[tuple[int, int]]:
    """Every place ``needle`` appears in ``text``, as ``(start, end)`` positions in ``text``.

    The match ignores case, compatibility forms and accents: "ZOË", "Zoe" and "zoë" (whether
    the accent is one character or two) are the same name, as are "ﬁ" and "fi". A match covers
    whole characters of ``text``, and the accents that follow its last letter, so removing it
    leaves no stray part of the name. Matches do not overlap; the first found wins. Words that
    merely hold the needle are found too ("Ann" in "Annual"): the officer reviews each one.
    """
    folded_needle = "".join(_fold(character) for character in needle)
    if not folded_needle:
        return []
    folded: list[str] = []
    origin: list[int] = []  # for each folded character, the position in ``text`` it came from
    for position, character in enumerate(text):
        for piece in _fold(character):
            folded.append(piece)
            origin.append(position)
    haystack = "".join(folded)
    found: list[tuple[int, int]] = []
    at = haystack.find(folded_needle)
    while at != -1:
        start = origin[at]
        end = origin[at + len(folded_needle) - 1] + 1
        while end < len(text) and not _fold(text[end]):
            end += 1  # an accent written after the last letter belongs to the match
        if not found or start >= found[-1][1]:
            found.append((start, end))
        at = haystack.find(folded_needle, at + len(folded_needle))
    return found


def _fold(character: str) -> str:
    """``character`` as compared: compatibility-decomposed, case-folded, without accents."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", character).casefold())
    return "".join(part for part in folded if not unicodedata.combining(part))
