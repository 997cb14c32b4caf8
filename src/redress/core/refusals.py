"""A refused act, said in plain words, and where a form shows it.

Each app's actions raise their own subclass (``RetentionError``, ``HelplineError``,
``DisclosureError``, ``RequestRefused``), so a view catches only the refusals of the action it
called; the page shows every one the same way, beside the field it is about.
"""

from __future__ import annotations

from django import forms


class Refused(ValueError):
    """An act was refused; ``message`` says why to the person who asked, and ``field`` names
    the input it is about, when there is one, for a form to show it beside."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def show_on(form: forms.Form, refused: Refused) -> None:
    """Put ``refused``'s message on ``form``: beside its field, or above the form when the
    field is not one of the form's."""
    form.add_error(refused.field if refused.field in form.fields else None, refused.message)
