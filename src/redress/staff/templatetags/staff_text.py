"""Complainants' and respondents' words as staff read them, with hidden direction controls shown.

Bidirectional controls (U+202A to U+202E, U+2066 to U+2069, U+200E, U+200F, U+061C) change the
order in which text is shown without showing themselves, so a sentence can be made to read
differently from what it says. They are kept as sent (they may be evidence) and shown to staff
as a visible mark in their place: ``⟨U+202E⟩``. Use the filter before any other, on every text
that came from outside the staff::

    {{ content.narrative|marked|linebreaks }}
"""

from __future__ import annotations

import re

from django import template

register = template.Library()

BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def mark_bidi(text: str) -> str:
    """``text`` with each bidirectional control replaced by a visible ``⟨U+XXXX⟩``."""
    return BIDI_CONTROLS.sub(lambda found: f"⟨U+{ord(found.group()):04X}⟩", text)


@register.filter
def marked(value: object) -> object:
    """The text with its bidirectional controls shown as marks; anything else as it is.

    The result is not marked safe: it is escaped like any other text."""
    return mark_bidi(value) if isinstance(value, str) else value
