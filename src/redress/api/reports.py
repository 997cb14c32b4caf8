"""``/api/reports``: report through an integration, and follow up with the receipt code.

Validation is the wizard's own (the same step forms). A retried POST with the same
``Idempotency-Key`` header makes one case and answers with the same receipt.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Annotated, Any, Literal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import BaseModel

from redress.api.errors import FieldErrors
from redress.cases.models import Case
from redress.core.middleware import client_fingerprint, client_network
from redress.intake import acknowledgement, actions, receipts
from redress.intake.models import Draft
from redress.intake.progress import next_step
from redress.intake.steps import STEPS
from redress.ledger import log

router = Router(tags=["reports"])

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
    verification_email: Literal["sent", "skipped"] | None = None


class MessageOut(Schema):
    direction: str
    sent_at: dt.datetime
    body: str


class ConsistencyOut(Schema):
    from_size: int
    to_size: int
    hashes: list[str]


class ProofOut(Schema):
    ready: bool
    ready_by: dt.datetime | None
    log: str
    index: int
    statement: str
    checkpoint_size: int | None
    tlog_proof: str | None
    consistency: ConsistencyOut | None
    acknowledgement: dict[str, Any]


class StatusOut(Schema):
    reference: str
    stage: str
    what_next: str
    next_due: dt.date | None
    withdrawn: bool
    messages: list[MessageOut]
    proof: ProofOut
    last_opened: dt.datetime | None = Field(
        description="When the report was last opened with its receipt code before this "
        "request, or null: a time you do not know may mean someone else has your code."
    )


def _validated(body: ReportIn) -> dict[str, Any]:
    """The report's answers, checked by the wizard's own step forms for each step it asks;
    ``_FieldErrors`` names each field that is wrong, with the wizard's message (the first, if
    it has several)."""
    values = body.model_dump(exclude_none=True)
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for step in STEPS:
        form = step.values_form
        if form is None or not step.asked(values):
            continue
        try:
            answers.update(form.answers_from_values(values))
        except ValidationError as wrong:
            for field, messages in wrong.message_dict.items():
                errors.setdefault("report" if field == NON_FIELD_ERRORS else field, messages[0])
    if errors:
        raise _FieldErrors(errors)
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
        "answers 200 with the same receipt and makes no second case; after that, 409. With a "
        "`contact_email`, `verification_email` says whether the confirmation link was `sent` or "
        "`skipped`: at most 3 an hour go to one address, and 10 for one client (configurable); "
        "the report is made either way, and Check your report can send the link again later."
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
        submission = actions.submit_answers(answers, client=client_fingerprint(request))
        # Strings of known shape: answered as they are, not through the response model.
        return JsonResponse(_receipt(submission), status=201)
    draft_id = _draft_id(key, answers)
    # One transaction for draft and case: one commit per report.
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: a concurrent retry may own this draft
                draft = actions.start_draft(draft_id)
                actions.save_answers(draft, answers)
        except IntegrityError:
            draft = Draft.objects.get(pk=draft_id)  # a retry of the same request: reuse it
        submission = actions.submit(draft.pk, client=client_fingerprint(request))
    if not submission.code:
        detail = (
            "This report was received, and its receipt code was given in the answer to the "
            "first request. Redress no longer holds the code, so it cannot be given again."
        )
        return Status(409, {"detail": detail, "errors": {}})
    status = 201 if submission.first_time else 200
    return Status(status, _receipt(submission))


def _receipt(submission: actions.Submission) -> dict[str, str]:
    answer = {"receipt": submission.code, "reference": submission.case.reference}
    if submission.email_sent is not None:
        answer["verification_email"] = "sent" if submission.email_sent else "skipped"
    return answer


_TREE_SIZE = re.compile(r"[1-9][0-9]{0,18}")


class _BadSince(Exception):
    pass


def _since(text: str | None, newest: int) -> int | None:
    """The ``since`` parameter: a tree size from 1 to the newest published checkpoint's."""
    if text is None:
        return None
    if not _TREE_SIZE.fullmatch(text):
        raise _BadSince(
            "Give since as the size of an earlier checkpoint: a whole number from 1, "
            "without a sign or leading zeros."
        )
    size = int(text)
    if newest == 0:
        raise _BadSince("No checkpoint of the log has been published yet.")
    if size > newest:
        raise _BadSince(
            f"since is larger than the newest published checkpoint, which holds {newest} entries."
        )
    return size


def _proof(case: Case, since: int | None) -> dict[str, Any]:
    """A fresh proof of the report against the newest published checkpoint, the consistency
    proof from ``since``, and the acknowledgement file built from them."""
    where = acknowledgement.place(case)
    newest = log.published()
    covered = newest is not None and newest.size > where.index
    return {
        "ready": covered,
        "ready_by": None if covered else acknowledgement.next_checkpoint_by(),
        "log": log.origin(),
        "index": where.index,
        "statement": acknowledgement.statement(where),
        "checkpoint_size": newest.size if newest is not None else None,
        "tlog_proof": acknowledgement.proof(where, newest) if covered and newest else None,
        "consistency": None
        if since is None or newest is None
        else {
            "from_size": since,
            "to_size": newest.size,
            "hashes": acknowledgement.consistency(since, newest.size),
        },
        "acknowledgement": acknowledgement.build(case, where=where, since=since),
    }


@router.get(
    "/reports/me",
    response={200: StatusOut, 400: FieldErrors, 401: FieldErrors, 429: FieldErrors},
    auth=None,
    summary="Follow up a report with its receipt code",
    description=(
        "Send the receipt code in the `X-Receipt` header. A code that opens no report answers "
        "401; after too many of those from one client, or across the service, every code "
        "answers 429 for a while.\n\n"
        "`proof` shows that the report is in the published log: the signed `statement`, and, "
        "once a published checkpoint covers the report, a fresh `c2sp.org/tlog-proof@v1` "
        "against the newest one (`tlog_proof`, of `checkpoint_size` entries). Until then "
        "`ready` is false and `ready_by` says about when it will be. With `since` (the size of "
        "a checkpoint you kept), `consistency` is the proof that the log of that size grew into "
        "the newest by appending only. `acknowledgement` is the whole as a file to keep, "
        "checked offline by `python tlog.py verify FILE --vkey LOG_VKEY`; a bad `since` "
        "answers 400."
    ),
)
def my_report(
    request: HttpRequest,
    receipt: Annotated[
        str | None, Header(alias="X-Receipt", description="The receipt code, as it was shown.")
    ] = None,
    since: Annotated[
        str | None,
        Query(
            description="The size of an earlier checkpoint (the one in a proof you kept), "
            "to be given the consistency proof from it to the newest."
        ),
    ] = None,
) -> dict[str, Any] | Status[dict[str, Any]]:
    newest = log.published()
    try:
        from_size = _since(since, newest.size if newest is not None else 0)
    except _BadSince as bad:
        return Status(400, {"detail": str(bad), "errors": {"since": str(bad)}})
    typed = receipt or ""
    if not typed:
        raise HttpError(401, "Send your receipt code in the X-Receipt header.")
    try:
        case = actions.open_with_code(
            typed, client=client_fingerprint(request), network=client_network(request)
        )
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
        "proof": _proof(case, from_size),
        "last_opened": actions.last_read(case),
    }
