"""``/api/reports``: report through an integration, and follow up with the receipt code.

Validation is the wizard's own (the same step forms). A retried POST with the same
``Idempotency-Key`` header makes one case and answers with the same receipt.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.forms import FileField
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Header, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import BaseModel

from redress.api.errors import FieldErrors
from redress.core.middleware import client_fingerprint
from redress.intake import actions, receipts
from redress.intake import forms as steps
from redress.intake.models import Draft
from redress.intake.progress import next_step

router = Router(tags=["reports"])

# The fields each wizard step validates, in the API's flat JSON.
STEP_FORMS: list[type[Any]] = [
    steps.WhatHappenedForm,
    steps.CategoryForm,
    steps.WhoForm,
    steps.WhenForm,
    steps.WhereForm,
    steps.WitnessesForm,
    steps.ImpactForm,
    steps.OutcomeForm,
    steps.SupportForm,
    steps.IdentityForm,
]


class _SharedFields(dict[str, Any]):
    """A form's fields, shared by its instances instead of deep-copied for each one.

    Django copies every field (widgets, choices, messages) per form so that rendering one form
    cannot change another. The API's forms only validate, and no step form's ``clean`` changes
    its fields, so one copy serves every request.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return dict(self)


class _CleanWithoutBoundFields:
    """Each field cleaned straight from the data, as Django's ``_clean_fields`` does, without
    the bound field (rendering state) it makes for each one first. The step forms have no
    disabled, file or per-field ``clean_<name>`` fields, which are the cases it would differ on.
    """

    fields: dict[str, Any]
    data: Any
    files: Any
    cleaned_data: dict[str, Any]

    def _clean_fields(self) -> None:
        for name, field in self.fields.items():
            try:
                value = field.widget.value_from_datadict(self.data, self.files, name)
                self.cleaned_data[name] = field.clean(value)
            except ValidationError as error:
                self.add_error(name, error)  # type: ignore[attr-defined]


def _combined(*form_classes: type[Any]) -> type[Any]:
    """One form with every step's fields; each step's ``clean`` runs (they call ``super()``)."""
    for form in form_classes:
        for name, field in form.base_fields.items():
            if field.disabled or isinstance(field, FileField) or hasattr(form, f"clean_{name}"):
                raise TypeError(f"{form.__name__}.{name} needs Django's own field cleaning")
    form_class: type[Any] = type("ReportForm", (_CleanWithoutBoundFields, *form_classes), {})
    form_class.base_fields = _SharedFields(form_class.base_fields)
    return form_class


_REPORT_FORM = _combined(*STEP_FORMS)
_REPORT_WITH_CONTACT_FORM = _combined(*STEP_FORMS, steps.ContactForm)
_IDEMPOTENCY_NAMESPACE = uuid.UUID("6f2b1d2e-63a4-4d5e-9d64-0e5b8a1c7f10")


class ReportIn(BaseModel):
    # Plain pydantic: ninja's Schema adds a validator for reading ORM objects, which a request
    # body never is.

    category: str
    what_happened: str
    identity: Literal["named", "confidential", "anonymous"] | str
    respondent_id: str | None = None
    respondent_description: str | None = None
    when_kind: str = "not_sure"
    when_date: dt.date | None = None
    when_period: str | None = None
    where: str | None = None
    witnesses: str | None = None
    impact: str | None = None
    outcome: str | None = None
    support: str = "no"
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    email_updates: bool = False


class ReceiptOut(Schema):
    receipt: str
    reference: str


class MessageOut(Schema):
    direction: str
    sent_at: dt.datetime
    body: str


class StatusOut(Schema):
    reference: str
    stage: str
    what_next: str
    next_due: dt.date | None
    withdrawn: bool
    messages: list[MessageOut]


def _validated(body: ReportIn) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in body.model_dump().items() if v is not None}
    if body.when_date:
        data.update(
            when_day=body.when_date.day,
            when_month=body.when_date.month,
            when_year=body.when_date.year,
        )
    if not data.get("respondent_id") and data.get("respondent_description"):
        data["respondent_id"] = "not-listed"
    with_contact = data.get("identity") in {"named", "confidential"}
    form_class = _REPORT_WITH_CONTACT_FORM if with_contact else _REPORT_FORM
    form = form_class({k: ("on" if v is True else v) for k, v in data.items() if v is not False})
    if not form.is_valid():
        errors: dict[str, str] = {}
        for field, messages in form.errors.items():
            name = {"when_day": "when_date", "__all__": "report"}.get(field, field)
            errors.setdefault(name, str(messages[0]))
        raise _FieldErrors(errors)
    answers = dict(form.cleaned_data)
    for part in ("when_day", "when_month", "when_year"):
        answers.pop(part, None)
    if answers.get("respondent_id") == "not-listed":
        answers["respondent_id"] = ""
    return answers


class _FieldErrors(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid report")
        self.errors = errors


def _draft_id(key: str, answers: dict[str, Any]) -> uuid.UUID:
    """The draft a request with this idempotency key and these answers is made in.

    Keyed, so an idempotency key cannot be linked to a draft without the secret; and bound to
    the answers, so the key alone (a guessable counter, say) never gives back anyone's code:
    only a repeat of the very same report does.
    """
    canonical = json.dumps(answers, sort_keys=True, default=str, separators=(",", ":"))
    mac = receipts.keyed_digest(f"idempotency:{key}\n{canonical}").hex()
    return uuid.uuid5(_IDEMPOTENCY_NAMESPACE, mac)


@router.post(
    "/reports",
    response={201: ReceiptOut, 200: ReceiptOut, 400: FieldErrors, 409: FieldErrors},
    auth=None,
    summary="Make a report",
    description=(
        "Validated like the web form: 400 names each field that is wrong. Answers 201 with the "
        "receipt code, shown only once the case is committed. Send an `Idempotency-Key` header "
        "to make retries safe: a repeat of the same report with the same key, within 24 hours, "
        "answers 200 with the same receipt and makes no second case; after that, 409."
    ),
    # The header is read from the request, not validated into a model: this is intake's hot path.
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "Any string, new for each report; a retry sends the same one.",
            }
        ]
    },
)
def make_report(request: HttpRequest, body: ReportIn) -> HttpResponse | Status[dict[str, Any]]:
    try:
        answers = _validated(body)
    except _FieldErrors as invalid:
        return Status(
            400, {"detail": "The report has errors; see each field.", "errors": invalid.errors}
        )
    key = request.headers.get("Idempotency-Key", "").strip()[:200]
    if not key:
        submission = actions.submit_answers(answers)
        # Two strings of known shape: answered as they are, not through the response model.
        return JsonResponse(
            {"receipt": submission.code, "reference": submission.case.reference}, status=201
        )
    draft_id = _draft_id(key, answers)
    # One transaction for draft and case: one commit per report.
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: a concurrent retry may own this draft
                draft = actions.start_draft(draft_id)
                actions.save_answers(draft, answers)
        except IntegrityError:
            draft = Draft.objects.get(pk=draft_id)  # a retry of the same request: reuse it
        submission = actions.submit(draft.pk)
    if not submission.code:
        detail = (
            "This report was received, and its receipt code was given in the answer to the "
            "first request. Redress no longer holds the code, so it cannot be given again."
        )
        return Status(409, {"detail": detail, "errors": {}})
    status = 201 if submission.first_time else 200
    return Status(status, {"receipt": submission.code, "reference": submission.case.reference})


@router.get(
    "/reports/me",
    response={200: StatusOut, 401: FieldErrors, 429: FieldErrors},
    auth=None,
    summary="Follow up a report with its receipt code",
    description=(
        "Send the receipt code in the `X-Receipt` header. A code that opens no report answers "
        "401; after too many of those from one client, or across the service, every code "
        "answers 429 for a while."
    ),
)
def my_report(
    request: HttpRequest,
    receipt: Annotated[
        str | None, Header(alias="X-Receipt", description="The receipt code, as it was shown.")
    ] = None,
) -> dict[str, Any]:
    typed = receipt or ""
    if not typed:
        raise HttpError(401, "Send your receipt code in the X-Receipt header.")
    try:
        case = actions.open_with_code(typed, client=client_fingerprint(request))
    except actions.CodeEntryPaused:
        raise HttpError(429, "Too many codes were not recognised. Try again later.") from None
    if case is None:
        raise HttpError(401, "No report has that receipt code.")
    step = next_step(case)
    return {
        "reference": case.reference,
        "stage": case.stage,
        "what_next": step.what_next,
        "next_due": step.due,
        "withdrawn": case.withdrawn_at is not None,
        "messages": [
            {"direction": m.direction, "sent_at": m.sent_at, "body": m.body}
            for m in case.messages.all()
        ],
    }
