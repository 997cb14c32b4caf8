"""Check your report: code entry, throttling, the anonymous channel, evidence, withdrawal."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from redress.cases.models import Case, Direction, Message, RecordKind, Source
from redress.intake import actions
from redress.ledger.models import Entry
from tests.intake.helpers import fill_report, receipt_on

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


@pytest.fixture
def reported() -> tuple[Case, str]:
    client = Client()
    fill_report(client)
    client.post("/report/submit")
    code = receipt_on(client.get("/report/sent").content.decode())
    return Case.objects.get(), code


def test_code_opens_the_report_with_stage_and_due_date(reported: tuple[Case, str]) -> None:
    case, code = reported
    client = Client()
    response = client.post("/check", {"code": code.lower().replace("-", " ")})
    assert response.headers["Location"] == "/check/report"
    page = client.get("/check/report").content.decode()
    assert case.reference in page
    assert "Received" in page
    assert "This should happen by" in page


def test_wrong_codes_are_refused_counted_and_locked_out(reported: tuple[Case, str]) -> None:
    _, code = reported
    client = Client()
    for _ in range(5):
        response = client.post("/check", {"code": "AAAA-AAAA-AAAA-AAAA-AAAA"})
        assert "We could not find a report with that code" in response.content.decode()
    assert Entry.objects.filter(action="receipt.refused", actor="complainant").count() == 5
    response = client.post("/check", {"code": code})
    assert response.status_code == 400
    assert "Too many codes were not recognised" in response.content.decode()


def test_messages_both_ways_through_the_channel(reported: tuple[Case, str]) -> None:
    case, code = reported
    client = Client()
    client.post("/check", {"code": code})
    response = client.post("/check/report", {"send": "1", "body": "I have more to add."})
    assert response.status_code == 302
    reply = Message(case=case, data_key=case.data_key, direction=Direction.TO_COMPLAINANT)
    reply.body = "Thank you. We have acknowledged your report."
    reply.save()
    page = client.get("/check/report").content.decode()
    assert "I have more to add." in page
    assert "We have acknowledged your report." in page
    assert Entry.objects.filter(action="case.message_received").count() == 1


def test_empty_message_is_explained(reported: tuple[Case, str]) -> None:
    _, code = reported
    client = Client()
    client.post("/check", {"code": code})
    response = client.post("/check/report", {"send": "1", "body": ""})
    assert response.status_code == 400
    assert "Enter a message" in response.content.decode()


def test_withdrawal_needs_confirmation_and_keeps_the_case(reported: tuple[Case, str]) -> None:
    case, code = reported
    client = Client()
    client.post("/check", {"code": code})
    response = client.post("/check/withdraw", {"reason": "I have moved on"})
    assert "Confirm that you want to withdraw" in response.content.decode()
    client.post("/check/withdraw", {"reason": "I have moved on", "confirm": "on"})
    case.refresh_from_db()
    assert case.withdrawn_at is not None
    assert "Withdrawn" in client.get("/check/report").content.decode()
    with pytest.raises(actions.ReportClosed):
        actions.send_message_from_complainant(case, "more")


def test_the_reasons_for_withdrawing_go_on_the_file_for_the_handlers(
    reported: tuple[Case, str],
) -> None:
    case, code = reported
    client = Client()
    client.post("/check", {"code": code})
    client.post("/check/withdraw", {"reason": "I have moved to another office", "confirm": "on"})
    record = case.records.get(kind=RecordKind.WITHDRAWAL)
    assert record.source == Source.COMPLAINANT
    assert record.body == "I have moved to another office"
    assert Entry.objects.filter(action="case.withdrawn").count() == 1


def test_withdrawing_without_reasons_leaves_no_empty_record(reported: tuple[Case, str]) -> None:
    case, code = reported
    client = Client()
    client.post("/check", {"code": code})
    client.post("/check/withdraw", {"reason": "", "confirm": "on"})
    case.refresh_from_db()
    assert case.withdrawn_at is not None
    assert not case.records.filter(kind=RecordKind.WITHDRAWAL).exists()
    with pytest.raises(actions.ReportClosed):
        actions.withdraw(case, reason="Twice")
    assert Entry.objects.filter(action="case.withdrawn").count() == 1


def test_a_right_code_does_not_wipe_out_the_wrong_ones_before_it(
    reported: tuple[Case, str],
) -> None:
    """Otherwise anyone with a code of their own could guess without end, four at a time."""
    _, code = reported
    client = Client()
    for _ in range(4):
        client.post("/check", {"code": "AAAA-AAAA-AAAA-AAAA-AAAA"})
    assert client.post("/check", {"code": code}).status_code == 302
    client.post("/check", {"code": "AAAA-AAAA-AAAA-AAAA-AAAA"})
    response = client.post("/check", {"code": code})
    assert response.status_code == 400
    assert "Too many codes were not recognised" in response.content.decode()


def test_follow_up_page_needs_a_code(client: Client) -> None:
    assert client.get("/check/report").headers["Location"] == "/check"
