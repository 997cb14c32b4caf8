"""Vetting checks for an appointing body's system, with a vetting-scoped token. A token sees
only the checks it made."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from redress.accounts.models import ApiToken, Scope
from redress.api.auth import TokenScope
from redress.api.errors import FieldErrors
from redress.directory.models import Person
from redress.vetting import words
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
    sanction_starts_on: dt.date | None
    sanction_months: int | None
    sanction_ends_on: dt.date | None = Field(
        description="The sanction's last day, worked out from its start and length."
    )
    sanction_conditions: str = Field(
        description="As the decision-maker wrote them for the register."
    )
    expires_on: dt.date
    headline: str = Field(description="The finding in words, in the request's language.")
    words: list[str] = Field(
        description=(
            "The finding in sentences as the vetting page says it, in the request's language "
            '(Accept-Language: en or cy), dates written out: "Suspension for 3 months, from '
            '4 January 2027 to 3 April 2027."'
        )
    )


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


def _day(iso: str | None) -> str | None:
    return iso or None


def _finding(item: dict[str, Any]) -> dict[str, Any]:
    """A stored finding for the API: terms absent from answers given before sanctions had
    them are null, and the words are the page's."""
    said = words.in_words({"as_of": item["decided_on"], "findings": [item]}).findings[0]
    return {
        "category": item["category"],
        "decision": item["decision"],
        "decided_on": item["decided_on"],
        "sanction": item.get("sanction") or "",
        "sanction_starts_on": _day(item.get("sanction_starts_on")),
        "sanction_months": item.get("sanction_months"),
        "sanction_ends_on": _day(item.get("sanction_ends_on")),
        "sanction_conditions": item.get("sanction_conditions") or "",
        "expires_on": item["expires_on"],
        "headline": said.headline,
        "words": said.sentences,
    }


def _out(check: VettingCheck) -> dict[str, Any]:
    result = check.result
    return {
        "id": check.pk,
        "subject": check.subject.identifier,
        "purpose": check.purpose,
        "requesting_body": check.requesting_body,
        "made_at": check.made_at,
        "as_of": result["as_of"],
        "findings": [_finding(item) for item in result["findings"]],
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
