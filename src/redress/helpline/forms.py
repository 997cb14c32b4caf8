"""The one question a party answers to ask for support, on their own page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from redress.helpline.actions import MAX_WORDS


class AskForm(forms.Form):
    words = forms.CharField(
        label=_("What kind of support would you like? (optional)"),
        required=False,
        max_length=MAX_WORDS,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "max_length": _("What support you would like must be 2,000 characters or fewer")
        },
    )
