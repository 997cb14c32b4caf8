"""Forms of the caseworker console: each act on a case has one, and each says what is wrong in
words. Permission and lifecycle rules are not here: the actions in ``cases.actions`` decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from redress.accounts.models import User
from redress.cases.models import (
    AssignmentRole,
    MeasureKind,
    RecordKind,
    Stage,
)
from redress.core.lengths import say_how_long
from redress.directory.models import Office, Party

REASONS = {"required": _("Give your reasons")}


class MoveForm(forms.Form):
    """A move that records no decision: the decision has its own page."""

    to = forms.ChoiceField(
        label=_("Move the case to"),
        choices=[],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the next stage"),
            "invalid_choice": _("Choose one of the stages listed"),
        },
    )
    reasons = forms.CharField(
        label=_("Reasons"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=REASONS,
    )

    def __init__(self, *args: Any, stages: list[Stage] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(str(s.value), s.label) for s in stages or []]  # type: ignore[attr-defined]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the complainant"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the message")},
    )


STAFF_RECORDS = [
    (str(k.value), k.label)
    for k in (
        RecordKind.ALLEGATIONS,
        RecordKind.EVIDENCE_NOTE,
        RecordKind.INTERVIEW,
        RecordKind.FINDINGS,
    )
]


class RecordForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What you are recording"),
        choices=STAFF_RECORDS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you are recording")},
    )
    body = forms.CharField(
        label=_("Record"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write the record")},
    )

    def __init__(self, *args: Any, kinds: list[RecordKind] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:
            # Only the kinds this handler may write now are offered.
            self.fields["kind"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in STAFF_RECORDS if value in kinds
            ]


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Add evidence"),
        error_messages={
            "required": _("Select a file to upload"),
            "empty": _("The selected file is empty"),
        },
    )
    keep_original = forms.BooleanField(
        label=_("Keep the original file, with its metadata (for example camera location)"),
        required=False,
    )


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Interim measure"),
        choices=MeasureKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the measure")},
    )
    details = forms.CharField(
        label=_("Details"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Describe the measure")},
    )


class ReviewForm(forms.Form):
    notes = forms.CharField(
        label=_("What the review found"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what the review found")},
    )
    end = forms.BooleanField(label=_("End it now"), required=False)


class AssignForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role on the case"),
        choices=[
            (str(r.value), r.label)
            for r in (
                AssignmentRole.INVESTIGATOR,
                AssignmentRole.DECISION_MAKER,
                AssignmentRole.APPEALS_PANEL,
                AssignmentRole.CASEWORKER,
            )
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the role")},
    )
    user = forms.ModelChoiceField(
        label=_("Who"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose who to assign"),
            "invalid_choice": _("Choose someone from the list"),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        handler_roles = [str(r.value) for r in AssignmentRole]
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(
                is_active=True,
                role_grants__role__in=handler_roles,
                role_grants__revoked_at__isnull=True,
            )
            .distinct()
            .order_by("display_name", "username")
        )


class ReasonsForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages=REASONS,
    )


class ApproveForm(forms.Form):
    """An act with nothing to type: its page asks, and the button confirms."""


class RiskReviewForm(forms.Form):
    notes = forms.CharField(
        label=_("What the review found"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what the review found")},
    )
    keep = forms.ChoiceField(
        label=_("Does the exception continue?"),
        choices=[
            ("yes", _("Yes, keep delaying the notification")),
            ("no", _("No, end it: the respondent must be told")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the exception continues")},
    )


class ConflictForm(forms.Form):
    search = forms.CharField(
        label=_("Find a person"),
        max_length=200,
        required=False,
        error_messages={"max_length": _("The search must be 200 characters or fewer")},
    )
    person = forms.CharField(required=False)
    party: forms.ModelChoiceField[Party] = forms.ModelChoiceField(
        label=_("Or a party"), queryset=Party.objects.all(), required=False
    )
    office: forms.ModelChoiceField[Office] = forms.ModelChoiceField(
        label=_("Or an office"), queryset=Office.objects.all(), required=False
    )
    reason = forms.CharField(
        label=_("Why you have a conflict"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Say briefly why you have a conflict"),
            "max_length": _("The reason must be 500 characters or fewer"),
        },
    )


# Too long is said beside the field in words, and the text comes back whole.
say_how_long(
    MoveForm,
    MessageForm,
    RecordForm,
    EvidenceForm,
    MeasureForm,
    ReviewForm,
    AssignForm,
    ReasonsForm,
    RiskReviewForm,
    ConflictForm,
)
