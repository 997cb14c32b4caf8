"""Recording a request, extending its time limit, approval by a second officer, release
through a one-time link, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from redress.ledger.models import Entry
from redress.subjectaccess import actions
from redress.subjectaccess.actions import LinkRefused, RequestRefused
from redress.subjectaccess.models import DataRequest, Extension, Kind, Outcome, State
from redress.subjectaccess.search import search
from tests.factories import make_staff
from tests.subjectaccess.helpers import officer, reported_case, request_for, respondent

pytestmark = pytest.mark.django_db


def test_a_request_is_due_a_month_after_receipt_and_sealed_at_rest() -> None:
    dpo = officer()
    request = request_for("Rupert Vane", actor=dpo, received_on=dt.date(2026, 10, 31))
    assert request.due_on == dt.date(2026, 11, 30)
    raw = DataRequest.objects.filter(pk=request.pk).values_list("subject_name", flat=True)[0]
    assert b"Rupert" not in bytes(raw)
    assert Entry.objects.filter(action="subjectaccess.recorded").count() == 1


def test_only_a_data_protection_officer_records_requests() -> None:
    with pytest.raises(RequestRefused):
        request_for("Rupert Vane", actor=make_staff("cw", password=None))


def test_a_request_without_an_identity_check_is_refused() -> None:
    with pytest.raises(RequestRefused) as refused:
        actions.record(
            kind=Kind.ACCESS,
            subject_name="Rupert Vane",
            identity_check="  ",
            received_on=timezone.localdate(),
            actor=officer(),
        )
    assert refused.value.field == "identity_check"
    assert not DataRequest.objects.exists()


def test_an_extension_needs_reasons_and_stops_at_two_months() -> None:
    dpo = officer()
    request = request_for("Rupert Vane", actor=dpo, received_on=dt.date(2026, 1, 31))
    with pytest.raises(RequestRefused) as refused:
        actions.extend(request, months=1, reason=" ", actor=dpo)
    assert refused.value.field == "reason"
    request.refresh_from_db()
    assert (request.extended_months, request.due_on) == (0, dt.date(2026, 2, 28))
    actions.extend(request, months=1, reason="Many cases to search", actor=dpo)
    assert request.due_on == dt.date(2026, 3, 31)
    with pytest.raises(RequestRefused) as refused:
        actions.extend(request, months=2, reason="Still more", actor=dpo)
    assert refused.value.field == "months"
    request.refresh_from_db()
    assert request.extended_months == 1
    assert Extension.objects.count() == 1
    actions.extend(request, months=1, reason="Still more", actor=dpo)
    assert request.due_on == dt.date(2026, 4, 30)


def _assembled(kind: Kind = Kind.ACCESS) -> tuple[DataRequest, object, object]:
    handler, second = officer("dpo-one"), officer("dpo-two")
    reported_case(respondent())
    request = request_for("Rupert Vane", actor=handler, identifier="M-1", kind=kind)
    search(request, actor=handler)
    if kind == Kind.ACCESS:
        actions.assemble(request, actor=handler)
    else:
        actions.assemble(
            request,
            actor=handler,
            outcome=Outcome.PARTLY_DONE,
            outcome_details="Contact details corrected",
        )
    return request, handler, second


def test_the_handler_cannot_approve_their_own_answer() -> None:
    request, handler, second = _assembled()
    with pytest.raises(RequestRefused, match="second data protection officer"):
        actions.approve(request, actor=handler)
    request.refresh_from_db()
    assert request.state == State.ASSEMBLED
    assert request.approver is None
    actions.approve(request, actor=second)
    assert request.state == State.APPROVED
    assert request.approver == second


def test_someone_who_is_not_an_officer_cannot_approve() -> None:
    request, _handler, _second = _assembled()
    with pytest.raises(RequestRefused):
        actions.approve(request, actor=make_staff("oversight", password=None))


def test_release_without_approval_is_refused_and_changes_nothing() -> None:
    request, handler, _second = _assembled()
    with pytest.raises(RequestRefused, match="not approved"):
        actions.release(request, actor=handler)
    request.refresh_from_db()
    assert request.state == State.ASSEMBLED
    assert request.release_digest is None


def test_a_release_link_opens_once() -> None:
    request, handler, second = _assembled()
    actions.approve(request, actor=second)
    token = actions.release(request, actor=handler)
    assert token not in (request.release_digest or "")
    assert actions.check_link(token).pk == request.pk
    assert actions.check_link(token).release_used_at is None  # looking spends nothing
    download = actions.use_link(token)
    assert download.answer_pdf.startswith(b"%PDF")
    with pytest.raises(LinkRefused) as refused:
        actions.use_link(token)
    assert refused.value.why == "used"
    with pytest.raises(LinkRefused, match="used"):
        actions.check_link(token)
    assert Entry.objects.filter(action="subjectaccess.downloaded").count() == 1


def test_an_expired_or_forged_link_does_not_open() -> None:
    request, handler, second = _assembled()
    actions.approve(request, actor=second)
    token = actions.release(request, actor=handler)
    DataRequest.objects.filter(pk=request.pk).update(
        release_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    for attempt in (actions.check_link, actions.use_link):
        with pytest.raises(LinkRefused, match="expired"):
            attempt(token)
        with pytest.raises(LinkRefused, match="unknown"):
            attempt("forged")


def test_an_erasure_request_needs_its_outcome_recorded() -> None:
    handler = officer()
    request = request_for("Rupert Vane", actor=handler, kind=Kind.ERASURE)
    search(request, actor=handler)
    with pytest.raises(RequestRefused) as refused:
        actions.assemble(request, actor=handler, outcome="", outcome_details="x")
    assert refused.value.field == "outcome"
    request.refresh_from_db()
    assert request.state == State.SEARCHED


def test_a_rectification_answer_says_what_was_done() -> None:
    request, _handler, _second = _assembled(Kind.RECTIFICATION)
    assert request.outcome == Outcome.PARTLY_DONE
    assert "Contact details corrected" in (request.answer_json or "")


def test_a_refusal_needs_reasons() -> None:
    handler = officer()
    request = request_for("Rupert Vane", actor=handler)
    with pytest.raises(RequestRefused):
        actions.refuse(request, reason="", actor=handler)
    actions.refuse(request, reason="Manifestly excessive: the fifth this month", actor=handler)
    assert request.state == State.REFUSED
