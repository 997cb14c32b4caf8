"""Vetting checks for an appointing body's system, with a vetting-scoped token. A token sees
only the checks it made."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from redress.accounts.models import ApiToken, Scope
from redress.api.auth import TokenScope
from redress.api.errors import FieldErrors
from redress.directory.models import Person
from redress.vetting.actions import VettingError, run_check
from redress.vetting.models import VettingCheck

router = Router(tags=["vetting"])


class CheckIn(Schema):
    subject: str
    purpose: str
    requesting_body: str


class Finding(Schema):
    category: str
    decision: str
    decided_on: dt.date
    sanction: str
    expires_on: dt.date


class Investigations(Schema):
    count: int
    stages: dict[str, int]


class CheckOut(Schema):
    id: int
    subject: str
    purpose: str
    requesting_body: str
    made_at: dt.datetime
    as_of: dt.date
    findings: list[Finding]
    open_investigations: Investigations
    nothing_recorded: bool
    ledger_seq: int | None


def _out(check: VettingCheck) -> dict[str, Any]:
    result = check.result
    return {
        "id": check.pk,
        "subject": check.subject.identifier,
        "purpose": check.purpose,
        "requesting_body": check.requesting_body,
        "made_at": check.made_at,
        "as_of": result["as_of"],
        "findings": result["findings"],
        "open_investigations": result["open_investigations"],
        "nothing_recorded": result["nothing_recorded"],
        "ledger_seq": check.ledger_seq,
    }


@router.post(
    "/vetting-checks",
    response={201: CheckOut, 404: FieldErrors, 422: FieldErrors},
    auth=TokenScope(Scope.VETTING),
    summary="Ask the sanctions register about a person, for a stated purpose",
    description=(
        "Answers live findings (category, date, sanction), open investigations past assessment "
        "(count and stage only) or that nothing is recorded. The check is ledgered."
    ),
)
def make_check(request: HttpRequest, body: CheckIn) -> Status[dict[str, Any]]:
    token: ApiToken = request.api_token  # type: ignore[attr-defined]
    subject = Person.objects.by_identifier(body.subject.strip())
    if subject is None:
        return Status(404, {"detail": "No person in the directory has that identifier."})
    try:
        check = run_check(
            subject=subject,
            purpose=body.purpose,
            requesting_body=body.requesting_body,
            actor=token,
        )
    except VettingError as refused:
        return Status(422, {"detail": str(refused)})
    return Status(201, _out(check))


@router.get(
    "/vetting-checks/{check_id}",
    response={200: CheckOut, 404: FieldErrors},
    auth=TokenScope(Scope.VETTING),
    summary="Read a check this token made",
)
def read_check(request: HttpRequest, check_id: int) -> Status[dict[str, Any]]:
    token: ApiToken = request.api_token  # type: ignore[attr-defined]
    check = VettingCheck.objects.filter(pk=check_id, token=token).select_related("subject").first()
    if check is None:
        return Status(404, {"detail": "This token made no check with that number."})
    return Status(200, _out(check))
