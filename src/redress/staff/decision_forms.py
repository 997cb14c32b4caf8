"""The questions of the decision page, one form a page. Each says what is wrong in words beside
the field; whether the decision may be recorded at all is for ``cases.actions`` to say."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from redress.cases import sanctions, schedule
from redress.cases.models import AppealOutcome, Decision, Sanction
from redress.core.lengths import say_how_long


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("What is the appeal's outcome?"),
        choices=AppealOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the appeal's outcome"),
            "invalid_choice": _("Choose one of the outcomes listed"),
        },
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("What is the decision?"),
        choices=[],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the decision"),
            "invalid_choice": _("Choose one of the decisions listed"),
        },
    )

    def __init__(self, *args: Any, decisions: list[Decision], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(str(d.value), d.label) for d in decisions]  # type: ignore[attr-defined]


class ReasonsForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons for the decision"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Give the reasons for the decision")},
    )

    def __init__(self, *args: Any, appeal: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if appeal:
            self.fields["reasons"].label = _("Reasons for the appeal's outcome")
            self.fields["reasons"].error_messages["required"] = _(
                "Give the reasons for the appeal's outcome"
            )


class SanctionForm(forms.Form):
    sanction = forms.ChoiceField(
        label=_("What sanction follows the finding?"),
        choices=Sanction.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the sanction, or that there is none"),
            "invalid_choice": _("Choose one of the sanctions listed"),
        },
    )


class TermsForm(forms.Form):
    """A sanction's start date (three boxes, as GOV.UK asks for a date), its length in months
    and its conditions. What is typed is kept as typed; ``terms`` is what it means, checked
    against the sanction's kind by the same rules the action applies."""

    start_day = forms.CharField(label=_("Day"), required=False)
    start_month = forms.CharField(label=_("Month"), required=False)
    start_year = forms.CharField(label=_("Year"), required=False)
    months = forms.CharField(label=_("Length in months"), required=False)
    conditions = forms.CharField(
        label=_("Conditions"),
        max_length=sanctions.CONDITIONS_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, kind: str, received_on: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.received_on = received_on
        # The refusal that concerns the terms as a whole points at the first box shown.
        self.non_field_target = "start_day" if sanctions.takes_start(kind) else "conditions"
        for name in self.asked_not:
            del self.fields[name]

    @property
    def asked_not(self) -> list[str]:
        """The fields this kind of sanction has no use for: not shown, not taken."""
        missing = []
        if not sanctions.takes_start(self.kind):
            missing += ["start_day", "start_month", "start_year"]
        if not sanctions.takes_period(self.kind):
            missing.append("months")
        if not sanctions.takes_conditions(self.kind):
            missing.append("conditions")
        return missing

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        parts = [
            str(cleaned.get(p) or "").strip() for p in ("start_day", "start_month", "start_year")
        ]
        starts_on = None
        if any(parts):
            try:
                starts_on = dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                self.add_error("start_day", _("The start date must be a real date, like 4 1 2027"))
                return cleaned
        months_typed = str(cleaned.get("months") or "").strip()
        months = None
        if months_typed:
            if not months_typed.isdigit():
                self.add_error("months", _("Give the length as a whole number of months"))
                return cleaned
            months = int(months_typed)
        terms = sanctions.Terms(
            starts_on=starts_on, months=months, conditions=cleaned.get("conditions") or ""
        )
        try:
            cleaned["terms"] = sanctions.check(
                self.kind, terms, received_on=self.received_on, today=schedule.today()
            )
        except ValueError as refused:
            self.add_error(None, str(refused))
        return cleaned


# Too long is said beside the field in words, and the text comes back whole.
say_how_long(ReasonsForm, TermsForm)
