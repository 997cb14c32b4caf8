"""The respondent's forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from redress.core.lengths import say_how_long


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer to the allegations"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Write your answer"),
            "max_length": _("Your answer must be 20,000 characters or fewer"),
        },
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment on the findings' factual accuracy"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Write your comment"),
            "max_length": _("Your comment must be 10,000 characters or fewer"),
        },
    )


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label=_("Why the decision should be looked at again"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Give the grounds of your appeal"),
            "max_length": _("The grounds of your appeal must be 10,000 characters or fewer"),
        },
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Add evidence"),
        error_messages={
            "required": _("Select a file to upload"),
            "empty": _("The selected file is empty"),
        },
    )


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        error_messages={
            "required": _("Enter the email address the link was sent to"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )


# Too long is said beside the field in words, and the text comes back whole.
say_how_long(AnswerForm, CommentForm, AppealForm, EvidenceForm, EmailForm)
