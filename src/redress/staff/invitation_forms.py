"""The forms of inviting staff and of enrolling with an invitation's link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from redress.accounts.models import Role


class InviteForm(forms.Form):
    display_name = forms.CharField(
        label=_("Their full name"),
        max_length=200,
        error_messages={"required": _("Enter the name of the person you are inviting")},
    )
    email = forms.EmailField(
        label=_("Their email address"),
        max_length=254,
        error_messages={
            "required": _("Enter the email address to send the invitation to"),
            "invalid": _("Enter an email address in the right format, like name@example.org"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    roles = forms.MultipleChoiceField(
        label=_("Their roles"),
        help_text=_(
            "Administrator and oversight take effect only when a second administrator approves."
        ),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Select at least one role")},
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class EnrolPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Choose a password"),
        max_length=1024,
        strip=False,
        error_messages={"required": _("Enter a password")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Enter the password again"),
        max_length=1024,
        strip=False,
        error_messages={"required": _("Enter the password again")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password"), cleaned.get("password_again")
        if first and second and first != second:
            self.add_error("password_again", _("The two passwords are not the same"))
        return cleaned
