"""Template helpers for encrypted content: ``{% load vault %}``.

``{{ case|content:"narrative" }}`` renders the field's plaintext (escaped as usual), or
"Deleted under the retention policy" when the case's data key was shredded. Reading through the
attribute directly (``{{ case.narrative }}``) would raise ``Shredded`` instead. Tampering
(VaultError) is never hidden.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from redress.vault.errors import Shredded

register = template.Library()


@register.filter(name="content")
def content(obj: object, field_name: str) -> object:
    """``obj``'s encrypted field ``field_name``, or the retention notice once shredded."""
    if field_name.startswith("_"):
        raise template.TemplateSyntaxError("content reads public fields only")
    try:
        value = getattr(obj, field_name)
    except Shredded:
        return gettext("Deleted under the retention policy")
    return "" if value is None else value
