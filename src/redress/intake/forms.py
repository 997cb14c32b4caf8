"""One form per wizard step. The API checks a JSON report by the same forms' rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from redress.cases.models import Category, Identity
from redress.directory.models import Person

MAX_NARRATIVE = 10_000
MAX_SHORT = 2_000


class StepForm(forms.Form):
    """A step of the report. Each field has its own rules; a step's rules across its fields are
    in ``answers``, never in ``clean``, so that a report given as values (through the API) is
    checked by the very same rules with ``answers_from_values``."""

    @classmethod
    def answers(cls, cleaned: dict[str, Any], *, wrong: Collection[str]) -> dict[str, Any]:
        """The step's answers from its fields' cleaned values (``wrong`` names the fields whose
        own rules failed). A ``ValidationError`` names each field that breaks a rule across
        fields."""
        return cleaned

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            return self.answers(cleaned, wrong=self.errors.keys())
        except ValidationError as broken:
            self.add_error(None, broken)
            return cleaned

    @classmethod
    def answers_from_values(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        """The step's answers from values given as they are, keyed by field name, checked by
        each field's rules and then by ``answers``, as the page's form checks what is typed.
        A ``ValidationError`` names each field that is wrong, with its messages."""
        cleaned: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for name, field in cls.base_fields.items():
            try:
                cleaned[name] = field.clean(field.widget.value_from_datadict(values, {}, name))
            except ValidationError as wrong:
                errors[name] = wrong.error_list
        try:
            answers = cls.answers(cleaned, wrong=errors.keys())
        except ValidationError as broken:
            errors = broken.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
        return answers


class WhatHappenedForm(StepForm):
    what_happened = forms.CharField(
        label=_("What happened?"),
        max_length=MAX_NARRATIVE,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={
            "required": _("Tell us what happened"),
            "max_length": _("What happened must be 10,000 characters or fewer"),
        },
    )


class CategoryForm(StepForm):
    category = forms.ChoiceField(
        label=_("What kind of behaviour was it?"),
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select the kind of behaviour"),
            "invalid_choice": _("Select the kind of behaviour"),
        },
    )


class WhoForm(StepForm):
    """Either a person chosen from the directory or a description of someone not listed."""

    respondent_id = forms.CharField(required=False, max_length=64)
    respondent_description = forms.CharField(
        label=_("Describe the person"),
        required=False,
        max_length=MAX_SHORT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("The description must be 2,000 characters or fewer")},
    )

    @classmethod
    def answers(cls, cleaned: dict[str, Any], *, wrong: Collection[str]) -> dict[str, Any]:
        chosen = cleaned.get("respondent_id")
        described = (cleaned.get("respondent_description") or "").strip()
        if chosen and chosen != "not-listed":
            if Person.objects.by_identifier(chosen) is None:
                raise ValidationError({"respondent_id": _("Choose a person from the list")})
            cleaned["respondent_description"] = ""
        elif described:
            cleaned["respondent_id"] = ""
        elif "respondent_description" not in wrong:  # too long says so already
            raise ValidationError(
                {
                    "respondent_description": _(
                        "Choose the person from the list, or describe someone who is not listed"
                    )
                }
            )
        return cleaned


_DATE_PARTS = ("when_day", "when_month", "when_year")
# The years a date of what happened may be in.
FIRST_YEAR, LAST_YEAR = 1950, 2100


def date_in_words(when_date: object) -> str:
    """The ``when_date`` answer (ISO, as ``WhenForm`` stores it) in full in the page's language,
    like "27 March 2026"; an answer that is not such a date is shown as it is."""
    try:
        return str(date_format(dt.date.fromisoformat(str(when_date)), "j F Y"))
    except ValueError:
        return str(when_date)


class _WhenRules(StepForm):
    """The "when" step's rules, whichever way its date is given: a day, a period, or not sure.

    The answer keeps the date as ``when_date`` in ISO form ("" unless the kind is a day).
    """

    # The field a missing or wrong date is said beside.
    date_field = "when_date"

    when_kind = forms.ChoiceField(
        label=_("When did it happen?"),
        choices=[
            ("date", _("On a particular day")),
            ("period", _("Over a period of time")),
            ("not_sure", _("I'm not sure")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select when it happened"),
            "invalid_choice": _("Select when it happened"),
        },
    )
    when_period = forms.CharField(
        label=_("Describe the period"),
        required=False,
        max_length=500,
        error_messages={"max_length": _("The period must be 500 characters or fewer")},
    )

    @classmethod
    def given_date(cls, cleaned: dict[str, Any]) -> dt.date | None:
        """The date given, None if there is none; ``ValidationError`` if it is not a date."""
        raise NotImplementedError

    @classmethod
    def answers(cls, cleaned: dict[str, Any], *, wrong: Collection[str]) -> dict[str, Any]:
        kind = cleaned.get("when_kind")
        when_date = ""
        if kind == "date":
            try:
                day = cls.given_date(cleaned)
            except ValidationError as not_a_date:
                raise ValidationError({cls.date_field: not_a_date}) from None
            if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise ValidationError(
                    {cls.date_field: _("Enter the date it happened, like 27 3 2026")}
                )
            if day > dt.date.today():
                raise ValidationError({cls.date_field: _("The date must be today or in the past")})
            when_date = day.isoformat()
        elif (
            kind == "period"
            and "when_period" not in wrong  # too long says so already
            and not (cleaned.get("when_period") or "").strip()
        ):
            raise ValidationError(
                {"when_period": _("Describe the period, like 'from January to March'")}
            )
        cleaned["when_date"] = when_date
        return cleaned


class WhenForm(_WhenRules):
    """The "when" page: the date typed in three boxes."""

    date_field = "when_day"
    field_order = ["when_kind", *_DATE_PARTS, "when_period"]

    when_day = forms.IntegerField(required=False, min_value=1, max_value=31)
    when_month = forms.IntegerField(required=False, min_value=1, max_value=12)
    when_year = forms.IntegerField(required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)

    def clean(self) -> dict[str, Any]:
        # The three boxes are one answer: one message, beside the date, in our words (never
        # Django's "Enter a whole number." three times), and none when the date is not asked for.
        # A box that was wrong is missing from the cleaned answers, so the date is missing too.
        for part in _DATE_PARTS:
            self.errors.pop(part, None)
        return super().clean()

    @classmethod
    def given_date(cls, cleaned: dict[str, Any]) -> dt.date | None:
        day, month, year = (cleaned.get(part) for part in _DATE_PARTS)
        if day is None or month is None or year is None:
            return None
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise ValidationError(_("The date must be a real date")) from None


class WhenDateForm(_WhenRules):
    """The "when" step with its date as one value, as a report sent in one piece gives it."""

    field_order = ["when_kind", "when_date", "when_period"]

    when_date = forms.DateField(required=False)

    @classmethod
    def given_date(cls, cleaned: dict[str, Any]) -> dt.date | None:
        day: dt.date | None = cleaned.get("when_date")
        return day


class WhereForm(StepForm):
    where = forms.CharField(
        label=_("Where did it happen? (optional)"),
        required=False,
        max_length=MAX_SHORT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Where it happened must be 2,000 characters or fewer")},
    )


class WitnessesForm(StepForm):
    witnesses = forms.CharField(
        label=_("Did anyone see or hear what happened? (optional)"),
        required=False,
        max_length=MAX_SHORT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Witnesses must be 2,000 characters or fewer")},
    )


class ImpactForm(StepForm):
    impact = forms.CharField(
        label=_("How has it affected you? (optional)"),
        required=False,
        max_length=MAX_NARRATIVE,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": _("The impact must be 10,000 characters or fewer")},
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Upload a file"),
        required=False,
        allow_empty_file=False,
        error_messages={"empty": _("The selected file is empty")},
    )
    keep_original = forms.BooleanField(required=False)


class OutcomeForm(StepForm):
    outcome = forms.CharField(
        label=_("What would you like to happen? (optional)"),
        required=False,
        max_length=MAX_SHORT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("The outcome must be 2,000 characters or fewer")},
    )


class SupportForm(StepForm):
    support = forms.ChoiceField(
        label=_("Would you like support from an independent adviser?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select yes if you would like support"),
            "invalid_choice": _("Select yes if you would like support"),
        },
    )


class IdentityForm(StepForm):
    identity = forms.ChoiceField(
        label=_("Who should know who you are?"),
        choices=Identity.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Select who should know who you are"),
            "invalid_choice": _("Select who should know who you are"),
        },
    )


class ContactForm(StepForm):
    contact_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        error_messages={
            "required": _("Enter your name"),
            "max_length": _("Your name must be 200 characters or fewer"),
        },
    )
    contact_email = forms.CharField(
        label=_("Email address (optional)"),
        required=False,
        max_length=254,
        validators=[validate_email],
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com")
        },
    )
    contact_phone = forms.RegexField(
        label=_("Phone number (optional)"),
        required=False,
        max_length=30,
        regex=r"^[0-9 +()\-]{6,30}$",
        error_messages={
            "invalid": _("Enter a phone number, like 01632 960 001 or +44 7700 900 982")
        },
    )
    email_updates = forms.BooleanField(required=False)

    @classmethod
    def answers(cls, cleaned: dict[str, Any], *, wrong: Collection[str]) -> dict[str, Any]:
        if cleaned.get("email_updates") and not cleaned.get("contact_email"):
            raise ValidationError(
                {"contact_email": _("Enter an email address to get email updates")}
            )
        return cleaned


class CheckCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=64,
        error_messages={
            "required": _("Enter your receipt code"),
            "max_length": _("A receipt code is 20 letters and numbers"),
            "null_characters_not_allowed": _("A receipt code is 20 letters and numbers"),
        },
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MAX_NARRATIVE,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Enter a message"),
            "max_length": _("Your message must be 10,000 characters or fewer"),
        },
    )


class FindingsCommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Your comment on the findings' factual accuracy"),
        max_length=MAX_NARRATIVE,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your comment")},
    )


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label=_("Why the decision should be looked at again"),
        max_length=MAX_NARRATIVE,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Give the grounds of your appeal")},
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        required=False,
        max_length=MAX_SHORT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that withdrawing stops my complaint"),
        error_messages={"required": _("Confirm that you want to withdraw")},
    )


class ConfirmSavedForm(forms.Form):
    saved = forms.BooleanField(
        label=_("I have written down or saved my receipt code"),
        error_messages={"required": _("Confirm that you have saved your receipt code")},
    )


class LostCodeForm(forms.Form):
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        validators=[validate_email],
        error_messages={
            "required": _("Enter the email address you gave with your report"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )


def _say_how_long(*form_classes: type[forms.Form]) -> None:
    """Every length limit of these forms says so in our words, beside the field, unless the
    field has its own message (Django's would be "Ensure this value has at most 30 characters
    (it has 31).")."""
    for form_class in form_classes:
        for field in form_class.base_fields.values():
            if getattr(field, "max_length", None) and "max_length" not in field.error_messages:
                field.error_messages["max_length"] = _(
                    "This must be %(limit_value)d characters or fewer"
                )


# Every form of this module, so a form added later is covered too.
_say_how_long(
    *(
        kind
        for kind in list(globals().values())
        if isinstance(kind, type) and issubclass(kind, forms.Form)
    )
)
