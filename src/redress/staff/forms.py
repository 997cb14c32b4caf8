from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from redress.accounts.models import Scope, User
from redress.accounts.tokens import CASE_SCOPES
from redress.cases.access import HANDLER_ROLES


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

    acts_for = forms.ModelChoiceField(
        label=_("For reading or moving cases: the member of staff it acts for"),
        help_text=_("It sees and moves only their cases, with the same checks as their console."),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody (no case scopes)"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["scopes"].choices = Scope.choices  # type: ignore[attr-defined]
        self.fields["acts_for"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                is_active=True,
                role_grants__revoked_at__isnull=True,
                role_grants__role__in=[str(role) for role in HANDLER_ROLES],
            )
            .distinct()
            .order_by("display_name", "username")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        case_scopes = {str(scope) for scope in CASE_SCOPES} & set(cleaned.get("scopes") or [])
        if case_scopes and cleaned.get("acts_for") is None:
            self.add_error(
                "acts_for", _("Choose the member of staff whose cases the token reads or moves")
            )
        if not case_scopes and cleaned.get("acts_for") is not None:
            self.add_error(
                "acts_for", _("Only a token that reads or moves cases acts for a member of staff")
            )
        return cleaned
