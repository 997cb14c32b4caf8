"""Length limits said in words, beside the field, with the text kept.

Forms keep their limits on the server only: a ``maxlength`` attribute would have the browser cut
a longer paste without a word (the templates leave it out), so a text that is too long comes
back with the form, whole, and a message beside the field. Django's own message ("Ensure this
value has at most 10000 characters (it has 10003).") is replaced by the GOV.UK one: "Reasons
must be 10,000 characters or fewer".
"""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def say_how_long(*form_classes: type[forms.Form]) -> None:
    """Give every length limit of these forms a message naming the field and its limit, unless
    the field has its own."""
    for form_class in form_classes:
        for field in form_class.base_fields.values():
            limit = getattr(field, "max_length", None)
            if limit and "max_length" not in field.error_messages:
                field.error_messages["max_length"] = format_lazy(
                    _("{label} must be {limit} characters or fewer"),
                    label=field.label,
                    limit=f"{limit:,}",
                )
