"""The report's steps, in the order the wizard asks them: each with its address (slug), its
form and its title. The wizard's pages, the API and the check before a report is sent all
follow this one list."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from redress.cases.models import Identity
from redress.intake import forms as step_forms


def _always(answers: Mapping[str, Any]) -> bool:
    return True


def _named(answers: Mapping[str, Any]) -> bool:
    """Whether the complainant gives their name (to the team, or in confidence)."""
    return answers.get("identity") in {Identity.NAMED, Identity.CONFIDENTIAL}


@dataclass(frozen=True)
class Step:
    slug: str
    form: type[forms.Form]
    title: Promise
    # The form that checks this step's answers given as values, as a report sent in one piece
    # (through the API) gives them; None where such a report has no answer for the step.
    values_form: type[step_forms.StepForm] | None
    # The answers of which one must be given before the report can be sent; none: optional.
    required: tuple[str, ...] = ()
    # Whether the step is asked, given the answers so far.
    asked: Callable[[Mapping[str, Any]], bool] = _always


STEPS: tuple[Step, ...] = (
    Step(
        "what-happened",
        step_forms.WhatHappenedForm,
        _("What happened?"),
        values_form=step_forms.WhatHappenedForm,
        required=("what_happened",),
    ),
    Step(
        "category",
        step_forms.CategoryForm,
        _("What kind of behaviour was it?"),
        values_form=step_forms.CategoryForm,
        required=("category",),
    ),
    Step(
        "who",
        step_forms.WhoForm,
        _("Who is your complaint about?"),
        values_form=step_forms.WhoForm,
        required=("respondent_id", "respondent_description"),
    ),
    Step(
        "when",
        step_forms.WhenForm,
        _("When did it happen?"),
        values_form=step_forms.WhenDateForm,
        required=("when_kind",),
    ),
    Step(
        "where",
        step_forms.WhereForm,
        _("Where did it happen?"),
        values_form=step_forms.WhereForm,
    ),
    Step(
        "witnesses",
        step_forms.WitnessesForm,
        _("Did anyone see or hear what happened?"),
        values_form=step_forms.WitnessesForm,
    ),
    Step(
        "impact",
        step_forms.ImpactForm,
        _("How has it affected you?"),
        values_form=step_forms.ImpactForm,
    ),
    Step("evidence", step_forms.EvidenceForm, _("Upload evidence"), values_form=None),
    Step(
        "outcome",
        step_forms.OutcomeForm,
        _("What would you like to happen?"),
        values_form=step_forms.OutcomeForm,
    ),
    Step(
        "support",
        step_forms.SupportForm,
        _("Would you like support?"),
        values_form=step_forms.SupportForm,
        required=("support",),
    ),
    Step(
        "identity",
        step_forms.IdentityForm,
        _("Who should know who you are?"),
        values_form=step_forms.IdentityForm,
        required=("identity",),
    ),
    Step(
        "contact",
        step_forms.ContactForm,
        _("How can we contact you?"),
        values_form=step_forms.ContactForm,
        required=("contact_name",),
        asked=_named,
    ),
)
BY_SLUG = {step.slug: step for step in STEPS}


def missing_steps(answers: Mapping[str, Any]) -> list[str]:
    """The slugs of the steps that still need an answer before the report can be sent, in the
    order they are asked."""
    return [
        step.slug
        for step in STEPS
        if step.required
        and step.asked(answers)
        and not any(answers.get(name) for name in step.required)
    ]
