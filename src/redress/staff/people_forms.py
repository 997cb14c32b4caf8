"""Forms of the people pages: each asks for one thing and a reason, which the ledger digests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from redress.accounts.models import Role

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

REASON_MAX = 2000


def _reason(label: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=REASON_MAX,
        error_messages={
            "required": pgettext_lazy("staff account", "Enter the reason"),
            "max_length": _("The reason must be 2000 characters or fewer"),
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GrantRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=pgettext_lazy("staff account", "Role"),
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select the role to grant"),
            "invalid_choice": _("Select the role to grant"),
        },
    )
    reason = _reason(_("Why they need this role"))


class ReasonForm(forms.Form):
    reason = _reason(pgettext_lazy("staff account", "Reason"))


class DeactivateForm(forms.Form):
    reason = _reason(_("Why the account is being closed"))
    confirm = forms.BooleanField(
        label=_("I understand that this signs them out, revokes their tokens and roles now"),
        error_messages={"required": _("Confirm that you want to close this account")},
    )
