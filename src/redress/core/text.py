"""Text that can be stored: one check for every place words are kept.

Python text can hold a lone UTF-16 surrogate (U+D800 to U+DFFF without its pair): JSON can
spell one (``"\\ud800"``), though a browser's form post cannot. UTF-8, and so the database and
the sealed fields, cannot hold it, and storing it failed with a server error after part of the
work was done. ``refuse_unencodable`` refuses such text before it is stored, with a plain
message; ``UnencodableText`` is a ``SuspiciousOperation``, so a request that reaches it anyway
is answered 400 (the error page says so in words), and the transaction it was in stores nothing.
"""

from __future__ import annotations

from django.core.exceptions import SuspiciousOperation, ValidationError
from django.utils.translation import gettext_lazy

MESSAGE = gettext_lazy(
    "The text holds a character that cannot be stored (half of a character pair). "
    "Type the text again, or paste it as plain text."
)


class UnencodableText(SuspiciousOperation):
    """Text that UTF-8 cannot encode reached the point where it would be stored."""

    def __init__(self) -> None:
        super().__init__(str(MESSAGE))


def encodable(value: str) -> bool:
    """True when UTF-8 can encode ``value``: it holds no lone surrogate."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def validate_encodable(value: object) -> None:
    """A Django validator for form and model fields: refuses text UTF-8 cannot encode."""
    if isinstance(value, str) and not encodable(value):
        raise ValidationError(MESSAGE, code="not_text")


def refuse_unencodable(value: str) -> bytes:
    """``value`` as UTF-8, or ``UnencodableText`` when it cannot be: where text is stored."""
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError:
        raise UnencodableText from None
