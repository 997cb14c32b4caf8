from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from redress.accounts.models import Scope


class SignInForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        error_messages={"required": _("Enter your username")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=1024,
        strip=False,
        error_messages={"required": _("Enter your password")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Security code"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        error_messages={
            "required": _("Enter the 6-digit code from your authenticator app"),
            "invalid": _("The code must be 6 digits, like 123456"),
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()


class IssueTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Who will use this token"),
        max_length=200,
        error_messages={"required": _("Enter the name of the system that will use the token")},
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Select at least one thing the token may do")},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["scopes"].choices = Scope.choices  # type: ignore[attr-defined]
